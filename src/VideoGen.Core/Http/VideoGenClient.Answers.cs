using System;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using VideoGen.Core.Providers;

namespace VideoGen.Core.Http
{
    // The one answer reader Submit, Remix, Delete and Poll share: bounded reads, the key removed from the whole answer as it
    // is read (every field a mapping takes from it, the video URL included, is then free of it), provider text kept on a job cleaned.
    public sealed partial class VideoGenClient
    {
        /// <summary>
        /// The one answer reader of Submit, Remix, Delete and Poll: the body read within the bounds, and (unless it is media)
        /// the key removed from it in every encoding before anything parses it, so no field taken from the answer — a video
        /// URL, a status, a failure message, the debug line quoting the answer — can carry it. Other query values in URLs
        /// stay, so a signed download link still works.
        /// </summary>
        private async Task<ProviderResponse> ReadAnswerAsync(HttpResponseMessage response, ProviderEndpoint endpoint, bool readMedia, CancellationToken cancellationToken)
        {
            var mediaType = response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant();
            if (!readMedia && ProviderResponse.IsMediaType(mediaType))
            {
                return new ProviderResponse((int)response.StatusCode, mediaType, Array.Empty<byte>());
            }
            var body = await ReadBoundedAsync(response, MaxJsonBody, cancellationToken).ConfigureAwait(false);
            return new ProviderResponse((int)response.StatusCode, mediaType, ProviderResponse.IsMediaType(mediaType) ? body : WithoutKey(body, endpoint));
        }

        /// <summary>A text answer's bytes with the key removed; the bytes themselves where the key is not there.</summary>
        private static byte[] WithoutKey(byte[] body, ProviderEndpoint endpoint)
        {
            if (endpoint.ApiKey.Length < Sanitizer.MinEncodedKey)
            {
                // A key this short (a test's "k") would match ordinary JSON; what is built from the answer is still sanitized.
                return body;
            }
            var text = Encoding.UTF8.GetString(body);
            string clean;
            try
            {
                clean = Sanitizer.RemoveKey(text, endpoint.ApiKey);
            }
            catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
            {
                // An answer too large or odd to check is not passed on.
                clean = "{}";
            }
            return ReferenceEquals(clean, text) || clean == text ? body : Encoding.UTF8.GetBytes(clean);
        }

        /// <summary>Reads a JSON answer whole into memory within the attempt, replacing its content; media is left to stream.</summary>
        private async Task BufferJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            if (ProviderResponse.IsMediaType(response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant()) || response.Content is ByteArrayContent)
            {
                return;
            }
            try
            {
                var body = await ReadBoundedAsync(response, MaxJsonBody, cancellationToken).ConfigureAwait(false);
                var content = new ByteArrayContent(body);
                foreach (var header in response.Content.Headers)
                {
                    if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
                    {
                        content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                    }
                }
                var old = response.Content;
                response.Content = content;
                old.Dispose();
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }

        /// <summary>A JSON answer's bytes, within <see cref="VideoGenClientOptions.JsonAnswerTimeout"/>.</summary>
        private Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, int max, CancellationToken cancellationToken) =>
            ReadBoundedAsync(response, max, _options.JsonAnswerTimeout, cancellationToken);

        /// <summary>
        /// Reads at most <paramref name="max"/> bytes of a body: each read within <see cref="VideoGenClientOptions.BodyInactivityTimeout"/>,
        /// the whole within <paramref name="total"/> (null for no bound). A stall or an overrun is an <see cref="IOException"/>
        /// with an inner <see cref="TimeoutException"/>.
        /// </summary>
        private async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, int max, TimeSpan? total, CancellationToken cancellationToken)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (total is TimeSpan t && t > TimeSpan.Zero && t != Timeout.InfiniteTimeSpan)
            {
                deadline.CancelAfter(t);
            }
            try
            {
                using var stream = new InactivityTimeoutStream(await response.Content.ReadAsStreamAsync().ConfigureAwait(false), _options.BodyInactivityTimeout);
                using var buffer = new MemoryStream();
                var chunk = new byte[16 * 1024];
                int read;
                while (buffer.Length < max && (read = await stream.ReadAsync(chunk, 0, chunk.Length, deadline.Token).ConfigureAwait(false)) > 0)
                {
                    buffer.Write(chunk, 0, read);
                }
                return buffer.ToArray();
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new IOException(string.Format(CultureInfo.InvariantCulture, "the answer did not arrive whole within {0:0.###} s", total?.TotalSeconds ?? 0), new TimeoutException(ex.Message));
            }
        }

        /// <summary>
        /// Provider text kept on a job passes the sanitizer: the failure message and the provider's status word wholly, the
        /// addresses VideoGen still fetches (video and polling URLs) for the key only, so their signatures keep working.
        /// </summary>
        private static VideoJob Clean(VideoJob job, ProviderEndpoint endpoint)
        {
            job.Error = Sanitizer.SanitizeOrNull(job.Error, endpoint.ApiKey);
            job.ProviderStatus = Sanitizer.SanitizeOrNull(job.ProviderStatus, endpoint.ApiKey);
            job.VideoUrl = Sanitizer.SanitizeUrl(job.VideoUrl, endpoint.ApiKey);
            job.PollingUrl = Sanitizer.SanitizeUrl(job.PollingUrl, endpoint.ApiKey);
            return job;
        }

        /// <summary>What a mapping may throw on an answer it cannot read, besides VideoGenException.</summary>
        private static bool IsParseFailure(Exception ex) =>
            ex is FormatException || ex is System.Text.Json.JsonException || ex is InvalidOperationException || ex is ArgumentException ||
            ex is OverflowException || ex is IndexOutOfRangeException || ex is System.Collections.Generic.KeyNotFoundException;
    }
}
