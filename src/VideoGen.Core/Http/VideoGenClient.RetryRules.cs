using System;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using VideoGen.Core.Providers;


namespace VideoGen.Core.Http
{
    // What is retried: polls, deletes and downloads on any transient failure; a submission only where no job can have been created.
    public sealed partial class VideoGenClient
    {
        private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome)
        {
            if (outcome.Exception is HttpRequestException || outcome.Exception is TimeoutRejectedException || outcome.Exception is IOException)
            {
                return true;
            }
            var status = outcome.Result is { } r ? (int)r.StatusCode : 0;
            return status == 408 || status == 429 || status >= 500;
        }

        /// <summary>A submission is retried only where the provider cannot have created a job.</summary>
        private static bool ShouldRetrySubmit(Outcome<HttpResponseMessage> outcome)
        {
            if (outcome.Exception is HttpRequestException ex)
            {
                return FailedBeforeSending(ex);
            }
            var status = outcome.Result is { } r ? (int)r.StatusCode : 0;
            return status == 429 || status == 503;
        }

        /// <summary>True where the connection itself failed (refused, unreachable, no such host): nothing was sent.</summary>
        internal static bool FailedBeforeSending(Exception ex)
        {
            for (var e = (Exception?)ex; e != null; e = e.InnerException)
            {
                // .NET Framework (Windows PowerShell 5.1) reports these as a WebException, with no SocketException inside.
                if (e is WebException we && (we.Status == WebExceptionStatus.NameResolutionFailure || we.Status == WebExceptionStatus.ConnectFailure ||
                                             we.Status == WebExceptionStatus.ProxyNameResolutionFailure))
                {
                    return true;
                }
                if (e is SocketException se)
                {
                    return se.SocketErrorCode == SocketError.ConnectionRefused || se.SocketErrorCode == SocketError.HostNotFound ||
                           se.SocketErrorCode == SocketError.HostUnreachable || se.SocketErrorCode == SocketError.NetworkUnreachable ||
                           se.SocketErrorCode == SocketError.TryAgain || se.SocketErrorCode == SocketError.NoData;
                }
            }
            return false;
        }
    }
}
