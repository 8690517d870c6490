using System;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace VideoGen.Core.Http
{
    // The image an OpenAI-style route uploads as input_reference: read from disk or fetched without the key.
    public sealed partial class VideoGenClient
    {
        /// <summary>
        /// Reads the image an OpenAI-style route uploads as <c>input_reference</c>: a local file, or an http(s) URL
        /// fetched without the key unless it is on the provider's own host. At most 50 MiB.
        /// </summary>
        /// <exception cref="VideoGenException">InvalidArgument: no such file, not an image, too large, or not reachable.</exception>
        public async Task<UploadFile> ReadUploadAsync(ProviderEndpoint endpoint, string image, IVideoGenLog? log, CancellationToken cancellationToken)
        {
            const int max = 50 * 1024 * 1024;
            if (Uri.TryCreate(image, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                var bytes = await FetchImageAsync(uri, max, SanitizingLog.For(log, endpoint), cancellationToken).ConfigureAwait(false);
                var name = System.IO.Path.GetFileName(uri.AbsolutePath);
                return Upload(bytes.Body, string.IsNullOrEmpty(name) ? "image" : name, bytes.MediaType, image, max);
            }
            if (!File.Exists(image))
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument, "The image file '" + image + "' does not exist; give a local file or an http(s) URL.");
            }
            var info = new FileInfo(image);
            if (info.Length > max)
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument, "The image file '" + image + "' is over 50 MiB.");
            }
            return Upload(File.ReadAllBytes(image), info.Name, null, image, max);
        }

        /// <summary>
        /// GETs an input image: never with the key (an image URL is not the provider's API), redirects followed up
        /// to <see cref="VideoGenClientOptions.MaxRedirects"/> (a CDN), never from https down to http; the headers within
        /// <see cref="VideoGenClientOptions.AttemptTimeout"/>, the body under <see cref="VideoGenClientOptions.BodyInactivityTimeout"/>.
        /// </summary>
        private async Task<(byte[] Body, string? MediaType)> FetchImageAsync(Uri uri, int max, IVideoGenLog log, CancellationToken cancellationToken)
        {
            var target = uri;
            for (var redirects = 0; ; redirects++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, target);
                request.Headers.UserAgent.ParseAdd(UserAgent);
                log.Verbose("GET " + Describe(target) + " (the image to upload as input_reference; no key)");
                using var headers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                if (_options.AttemptTimeout > TimeSpan.Zero && _options.AttemptTimeout != Timeout.InfiniteTimeSpan)
                {
                    headers.CancelAfter(_options.AttemptTimeout);
                }
                HttpResponseMessage response;
                try
                {
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headers.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new VideoGenException(VideoGenErrorKind.Timeout, "The image " + Describe(target) + " did not answer within " + _options.AttemptTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s.", null, null, ex);
                }
                catch (HttpRequestException ex)
                {
                    throw new VideoGenException(VideoGenErrorKind.InvalidArgument, "The image " + Describe(target) + " could not be fetched: " + Sanitizer.Sanitize(Flatten(ex)) + ".", null, null, ex);
                }
                using (response)
                {
                    var status = (int)response.StatusCode;
                    var location = response.Headers.Location;
                    if (status >= 300 && status < 400 && location != null)
                    {
                        var next = location.IsAbsoluteUri ? location : new Uri(target, location);
                        if (redirects >= _options.MaxRedirects || (next.Scheme != Uri.UriSchemeHttps && next.Scheme != Uri.UriSchemeHttp) ||
                            (target.Scheme == Uri.UriSchemeHttps && next.Scheme != Uri.UriSchemeHttps))
                        {
                            throw new VideoGenException(VideoGenErrorKind.InvalidArgument, "The image " + Describe(uri) + " redirects too often or to an insecure address (" + Describe(next) + ").");
                        }
                        log.Verbose("Redirected to " + Describe(next));
                        target = next;
                        continue;
                    }
                    if (!response.IsSuccessStatusCode)
                    {
                        throw new VideoGenException(VideoGenErrorKind.InvalidArgument, "The image " + Describe(target) + " could not be fetched (HTTP " + status + ").");
                    }
                    try
                    {
                        var body = await ReadBoundedAsync(response, max + 1, null, cancellationToken).ConfigureAwait(false);
                        return (body, response.Content.Headers.ContentType?.MediaType);
                    }
                    catch (Exception ex) when (ex is IOException || ex is HttpRequestException)
                    {
                        throw new VideoGenException(ex.InnerException is TimeoutException ? VideoGenErrorKind.Timeout : VideoGenErrorKind.InvalidArgument,
                            "The image " + Describe(target) + " could not be read: " + Sanitizer.Sanitize(Flatten(ex)) + ".", null, null, ex);
                    }
                }
            }
        }

        private static UploadFile Upload(byte[] bytes, string fileName, string? mediaType, string source, int max)
        {
            if (bytes.Length > max)
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument, "The image '" + source + "' is over 50 MiB.");
            }
            var sniffed = SniffImage(bytes);
            if (sniffed is null)
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument, "'" + source + "' is not a PNG, JPEG or WebP image.");
            }
            return new UploadFile(bytes, fileName, mediaType != null && mediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase) ? mediaType : sniffed);
        }

        /// <summary>The media type of PNG, JPEG and WebP bytes, by their signature; null for anything else.</summary>
        internal static string? SniffImage(byte[] b)
        {
            if (b.Length >= 8 && b[0] == 0x89 && b[1] == (byte)'P' && b[2] == (byte)'N' && b[3] == (byte)'G')
            {
                return "image/png";
            }
            if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
            {
                return "image/jpeg";
            }
            if (b.Length >= 12 && b[0] == (byte)'R' && b[1] == (byte)'I' && b[2] == (byte)'F' && b[3] == (byte)'F' &&
                b[8] == (byte)'W' && b[9] == (byte)'E' && b[10] == (byte)'B' && b[11] == (byte)'P')
            {
                return "image/webp";
            }
            return null;
        }
    }
}
