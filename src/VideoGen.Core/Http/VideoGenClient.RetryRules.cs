using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Polly;
using Polly.Timeout;

namespace VideoGen.Core.Http
{
    // What is retried: polls, deletes and downloads on any transient failure; a submission only on answers that prove it was not processed.
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

        /// <summary>
        /// A submission costs money, so it is resent only on an answer that proves it was not processed: 429, which FastRouter's
        /// reference documents as its own rate limiter refusing the request ("Rate Limited - You have exceeded your request
        /// limits") and OpenRouter's as a refusal that may carry Retry-After; or a connection that failed before anything was
        /// sent (<see cref="FailedBeforeSending"/>). Not on 503 or any other 5xx: no provider documents 503 as "not processed",
        /// and a proxy or gateway may answer it after it forwarded the POST, so resending could pay twice.
        /// </summary>
        private static bool ShouldRetrySubmit(Outcome<HttpResponseMessage> outcome)
        {
            if (outcome.Exception is HttpRequestException ex)
            {
                return FailedBeforeSending(ex);
            }
            return outcome.Result is { } r && (int)r.StatusCode == 429;
        }

        /// <summary>
        /// Whether an error status on a submission proves no job was created: a refusal of the request itself (400, 401, 402,
        /// 403, 404, 422) or the provider's rate limiter (429). Anything else (5xx, 408, an unknown status) leaves a job possible.
        /// </summary>
        private static bool ProvesNotProcessed(int status) =>
            status == 400 || status == 401 || status == 402 || status == 403 || status == 404 || status == 422 || status == 429;

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
