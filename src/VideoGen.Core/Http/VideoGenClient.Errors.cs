using System;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using VideoGen.Core.Providers;

namespace VideoGen.Core.Http
{
    // Provider errors: built once from the answer, their text sanitized once as it is built.
    public sealed partial class VideoGenClient
    {
        private async Task<VideoGenException> ErrorFromAsync(HttpResponseMessage response, ProviderEndpoint endpoint, string? taskId, bool submit, CancellationToken cancellationToken)
        {
            var status = (int)response.StatusCode;
            byte[] body;
            try
            {
                body = await ReadBoundedAsync(response, 64 * 1024, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException || ex is HttpRequestException)
            {
                body = Array.Empty<byte>();
            }
            var text = Sanitizer.RemoveKey(Encoding.UTF8.GetString(body), endpoint.ApiKey);
            var providerMessage = ProviderMessage(text);
            var said = providerMessage != null ? ": " + providerMessage : " " + ProviderJson.Excerpt(text);
            var p = endpoint.Provider;
            VideoGenErrorKind kind;
            string message;
            switch (status)
            {
                // A provider that says "cannot pay" with another status than 402 (ICreditsMapping: fal's 403) is asked first.
                case var _ when endpoint.Mapping is ICreditsMapping credits && credits.SaysAccountCannotPay(status, providerMessage):
                    kind = VideoGenErrorKind.QuotaExceeded;
                    message = p + " says the account cannot pay (HTTP " + status + ")" + said + ". Add credits (or ask the provider to unlock the account), then run again; a new key or a retry will not help.";
                    break;
                case 400:
                case 422:
                    kind = VideoGenErrorKind.InvalidArgument;
                    message = p + " refused the request (HTTP " + status + ")" + said + ".";
                    break;
                case 401:
                case 403:
                    kind = VideoGenErrorKind.Authentication;
                    message = p + " refused the API key (HTTP " + status + ")" + said + ". Pass a valid key with -ApiKey or set $env:" + EndpointResolver.ApiKeyVariable(p) + ".";
                    break;
                case 402:
                    kind = VideoGenErrorKind.QuotaExceeded;
                    message = p + " says the account has insufficient credits (HTTP 402)" + said + ". Add credits, then run again; retrying will not help.";
                    break;
                case 404:
                    kind = VideoGenErrorKind.NotFound;
                    message = taskId is null
                        ? p + " has no such route (HTTP 404)" + said + ". Check the base URI " + endpoint.BaseUri + "."
                        : p + " does not know task " + taskId + ": unknown or expired task id (HTTP 404)" + said + ".";
                    break;
                case 408:
                    kind = VideoGenErrorKind.Timeout;
                    message = p + " timed out (HTTP 408)" + said + ".";
                    break;
                case 429:
                    kind = VideoGenErrorKind.RateLimited;
                    message = p + " is rate limiting (HTTP 429) and went on after the retries" + said + ". Lower -ThrottleLimit or wait before running again.";
                    break;
                default:
                    kind = status >= 500 ? VideoGenErrorKind.ProviderUnavailable : VideoGenErrorKind.UnexpectedAnswer;
                    message = p + " failed (HTTP " + status + ")" + (submit ? " and the submission was not resent (a " + status + " may come after a proxy or gateway forwarded it)" : " after the retries") + said + ".";
                    break;
            }
            var error = ProviderError(endpoint, kind, message + TaskNote(taskId), taskId, status, null,
                jobMayExist: submit && !ProvesNotProcessed(status), retryAfter: ServerHints.RetryAfter(response, _time.GetUtcNow()));
            error.RouteMissing = status == 404 && providerMessage is null;
            return error;
        }

        /// <summary>
        /// The one way the client builds an exception that quotes a provider: the whole message passes the sanitizer once,
        /// here (the key in every encoding, credentials, tokens, secret query values).
        /// </summary>
        private static VideoGenException ProviderError(ProviderEndpoint endpoint, VideoGenErrorKind kind, string message, string? taskId, int? status, Exception? inner,
            bool jobMayExist = false, TimeSpan? retryAfter = null) =>
            new VideoGenException(kind, Sanitizer.Sanitize(message, endpoint.ApiKey), taskId, status, inner) { JobMayExist = jobMayExist, RetryAfter = retryAfter };

        /// <summary>The provider's own message from <c>{error:{message}}</c>, <c>{error:"…"}</c>, <c>{message}</c> or FastAPI's <c>{detail}</c> (<see cref="ProviderJson.DetailText"/>).</summary>
        private static string? ProviderMessage(string text)
        {
            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(text);
                return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                    ? ProviderJson.ErrorText(doc.RootElement) ?? ProviderJson.String(doc.RootElement, "message") ?? ProviderJson.DetailText(doc.RootElement)
                    : null;
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }

        /// <summary>An answer whose body broke off or stalled after its headers arrived.</summary>
        private static VideoGenException BrokeOff(ProviderEndpoint endpoint, IOException ex, string? taskId, bool submit, string note) =>
            ProviderError(endpoint, ex.InnerException is TimeoutException ? VideoGenErrorKind.Timeout : VideoGenErrorKind.ProviderUnavailable,
                endpoint.Provider + "'s answer broke off: " + Flatten(ex) + "." + TaskNote(taskId) + note, taskId, null, ex, jobMayExist: submit);

        private static string TaskNote(string? taskId) => taskId is null ? string.Empty : " Task id: " + taskId + ".";

        private static string Flatten(Exception ex)
        {
            var text = new StringBuilder(ex.Message);
            for (var e = ex.InnerException; e != null; e = e.InnerException)
            {
                text.Append(" (").Append(e.Message).Append(')');
            }
            return text.ToString();
        }
    }
}
