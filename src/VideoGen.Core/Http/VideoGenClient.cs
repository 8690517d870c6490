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
    /// <summary>
    /// The one HTTP client every provider and every cmdlet shares: one connection pool, the bearer key
    /// attached only for the provider's own host, manual redirects that drop the key when they leave it,
    /// Polly retries (polls and downloads on 408/429/5xx/network errors; submissions only where no job can
    /// have been created: 429, 503, or a connection that failed before sending), and provider errors
    /// turned into <see cref="VideoGenException"/>. Thread-safe.
    /// </summary>
    public sealed class VideoGenClient : IDisposable
    {
        private const int MaxJsonBody = 4 * 1024 * 1024;
        private static readonly string UserAgent = "VideoGen/" +
            (typeof(VideoGenClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0");

        private readonly HttpClient _http;
        private readonly VideoGenClientOptions _options;
        private readonly ResiliencePipeline<HttpResponseMessage> _idempotent;
        private readonly ResiliencePipeline<HttpResponseMessage> _submit;
        private readonly TimeProvider _time;
        // Base URIs whose documented poll route proved missing, with when to try it again.
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _fallbackPoll = new System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);

        /// <summary>Creates a client over <paramref name="handler"/> (tests pass MockHttp; cmdlets use <see cref="CreateDefault"/>).</summary>
        /// <param name="handler">The handler; automatic redirects must be off (this client follows them itself).</param>
        /// <param name="options">Retry and timeout settings, or null for defaults.</param>
        /// <param name="timeProvider">The clock, or null for the system clock.</param>
        /// <param name="disposeHandler">Whether disposing the client disposes the handler.</param>
        public VideoGenClient(HttpMessageHandler handler, VideoGenClientOptions? options = null, TimeProvider? timeProvider = null, bool disposeHandler = true)
        {
            _options = options ?? new VideoGenClientOptions();
            _time = timeProvider ?? TimeProvider.System;
            _http = new HttpClient(handler, disposeHandler) { Timeout = Timeout.InfiniteTimeSpan };
            _idempotent = BuildPipeline(submit: false);
            _submit = BuildPipeline(submit: true);
        }

        /// <summary>A client over a pooled handler with redirects off and at most <see cref="VideoGenClientOptions.MaxConnectionsPerServer"/> connections per host.</summary>
        public static VideoGenClient CreateDefault(VideoGenClientOptions? options = null)
        {
            options ??= new VideoGenClientOptions();
            EnableModernTls();
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                MaxConnectionsPerServer = options.MaxConnectionsPerServer,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            };
            return new VideoGenClient(handler, options);
        }

        /// <summary>The retry and timeout settings.</summary>
        public VideoGenClientOptions Options => _options;

        /// <summary>The clock.</summary>
        public TimeProvider Time => _time;

        /// <summary>Submits a request: it costs money. Retried only where no job can have been created.</summary>
        /// <returns>The new job, with its task id.</returns>
        /// <exception cref="VideoGenException">Any failure; <see cref="VideoGenException.JobMayExist"/> says whether a job may have been created without its id reaching us.</exception>
        public async Task<VideoJob> SubmitAsync(ProviderEndpoint endpoint, VideoRequest request, IVideoGenLog? log, CancellationToken cancellationToken)
        {
            log ??= NullVideoGenLog.Instance;
            if (endpoint.Mapping.UploadsImage(request) && request.InputReference is null)
            {
                request.InputReference = await ReadUploadAsync(endpoint, request.Image!, log, cancellationToken).ConfigureAwait(false);
            }
            // Build once up front so a mapping error (bad input) surfaces before any request is sent.
            endpoint.Mapping.CreateSubmitRequest(endpoint.BaseUri, request).Dispose();
            HttpResponseMessage response;
            try
            {
                response = await SendAsync(endpoint, () => endpoint.Mapping.CreateSubmitRequest(endpoint.BaseUri, request), _submit, null, log, cancellationToken, bufferJson: true).ConfigureAwait(false);
            }
            catch (VideoGenException ex) when (ex.JobMayExist)
            {
                throw new VideoGenException(ex.Kind, ex.Message + " The submission was sent, so a job may have been created and charged: check the provider's dashboard before submitting this prompt again.",
                    null, ex.StatusCode, ex.InnerException) { JobMayExist = true, RetryAfter = ex.RetryAfter };
            }
            const string MayExist = " A job may have been created and charged: check the provider's dashboard before submitting this prompt again.";
            using (response)
            {
                ProviderResponse answer;
                try
                {
                    answer = await ReadAnswerAsync(response, readMedia: true, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    throw BrokeOff(endpoint, ex, null, submit: true, MayExist);
                }
                log.Debug(endpoint.Redact("Submit answer HTTP " + answer.StatusCode + ": " + answer.Text));
                VideoJob job;
                try
                {
                    job = endpoint.Mapping.ReadSubmitResponse(answer, request, endpoint.BaseUri, _time.GetUtcNow());
                }
                catch (VideoGenException ex)
                {
                    // Where the id was read before the failure it travels with the error, so the job can be journaled.
                    throw new VideoGenException(ex.Kind, endpoint.Redact(ex.Message) + (ex.TaskId is null ? MayExist : string.Empty),
                        ex.TaskId, ex.StatusCode, ex.InnerException) { JobMayExist = ex.TaskId is null };
                }
                catch (Exception ex) when (IsParseFailure(ex))
                {
                    throw new VideoGenException(VideoGenErrorKind.UnexpectedAnswer, endpoint.Provider + " answered the submission (HTTP " + answer.StatusCode +
                        ") in a shape VideoGen cannot read: " + endpoint.Redact(ex.Message) + "." + MayExist, null, answer.StatusCode, ex) { JobMayExist = true };
                }
                return Clean(job, endpoint);
            }
        }

        /// <summary>
        /// Remixes a finished video on the OpenAI-style route: <c>POST videos/{id}/remix</c> with <c>{prompt}</c>. It costs money,
        /// so it is retried only where no job can have been created (as <see cref="SubmitAsync"/>). Refused before any request on
        /// a provider or route without remix. The caller checks that <paramref name="source"/> is finished.
        /// </summary>
        /// <returns>The new job (its own id; <paramref name="source"/>'s model and base URI).</returns>
        /// <exception cref="VideoGenException">InvalidArgument before any request where there is no remix; otherwise as <see cref="SubmitAsync"/>.</exception>
        public async Task<VideoJob> RemixAsync(ProviderEndpoint endpoint, VideoJob source, string prompt, string? name, IVideoGenLog? log, CancellationToken cancellationToken)
        {
            log ??= NullVideoGenLog.Instance;
            var mapping = VideoOperations.ForRemix(source);
            if (string.IsNullOrWhiteSpace(prompt))
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument, "A remix needs a prompt saying what to change; nothing was sent for " + source.Id + ".", source.Id);
            }
            const string MayExist = " A remix may have been created and charged: check the provider's dashboard before remixing again.";
            HttpResponseMessage response;
            try
            {
                response = await SendAsync(endpoint, () => mapping.CreateRemixRequest(endpoint.BaseUri, source, prompt), _submit, null, log, cancellationToken, bufferJson: true).ConfigureAwait(false);
            }
            catch (VideoGenException ex) when (ex.JobMayExist)
            {
                throw new VideoGenException(ex.Kind, ex.Message + MayExist, null, ex.StatusCode, ex.InnerException) { JobMayExist = true, RetryAfter = ex.RetryAfter };
            }
            catch (VideoGenException ex) when (ex.StatusCode == 404)
            {
                // The provider's 404 names the source, not a route: say which video it does not know.
                throw new VideoGenException(ex.Kind, endpoint.Provider + " does not know video " + source.Id + " to remix (HTTP 404): " + ex.Message, source.Id, ex.StatusCode, ex);
            }
            using (response)
            {
                ProviderResponse answer;
                try
                {
                    answer = await ReadAnswerAsync(response, readMedia: false, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    throw BrokeOff(endpoint, ex, null, submit: true, MayExist);
                }
                log.Debug(endpoint.Redact("Remix answer HTTP " + answer.StatusCode + ": " + answer.Text));
                VideoJob job;
                try
                {
                    job = mapping.ReadRemixResponse(answer, source, prompt, name, endpoint.BaseUri, _time.GetUtcNow());
                }
                catch (VideoGenException ex)
                {
                    throw new VideoGenException(ex.Kind, endpoint.Redact(ex.Message) + (ex.TaskId is null ? MayExist : string.Empty),
                        ex.TaskId, ex.StatusCode, ex.InnerException) { JobMayExist = ex.TaskId is null };
                }
                catch (Exception ex) when (IsParseFailure(ex))
                {
                    throw new VideoGenException(VideoGenErrorKind.UnexpectedAnswer, endpoint.Provider + " answered the remix (HTTP " + answer.StatusCode +
                        ") in a shape VideoGen cannot read: " + endpoint.Redact(ex.Message) + "." + MayExist, null, answer.StatusCode, ex) { JobMayExist = true };
                }
                var from = OpenAIVideos.RemixedFrom(answer);
                log.Verbose("Remix of " + source.Id + " is video " + job.Id + (from is null || from == source.Id ? string.Empty : " (the answer names " + Sanitizer.Sanitize(from, endpoint.ApiKey) + " as its source)") + ".");
                return Clean(job, endpoint);
            }
        }

        /// <summary>
        /// Deletes a video on the OpenAI-style route: <c>DELETE videos/{id}</c>, answered <c>{id, object:"video.deleted", deleted:true}</c>.
        /// Idempotent, so retried on transient failures. Refused before any request on a provider or route without delete.
        /// </summary>
        /// <returns>A copy of <paramref name="job"/> whose ProviderStatus is "deleted".</returns>
        /// <exception cref="VideoGenException">InvalidArgument before any request where there is no delete; NotFound for an unknown id; other failures after the retries.</exception>
        public async Task<VideoJob> DeleteAsync(ProviderEndpoint endpoint, VideoJob job, IVideoGenLog? log, CancellationToken cancellationToken)
        {
            log ??= NullVideoGenLog.Instance;
            var mapping = VideoOperations.ForDelete(job);
            using var response = await SendAsync(endpoint, () => mapping.CreateDeleteRequest(endpoint.BaseUri, job), _idempotent, job.Id, log, cancellationToken, bufferJson: true).ConfigureAwait(false);
            ProviderResponse answer;
            try
            {
                answer = await ReadAnswerAsync(response, readMedia: false, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw BrokeOff(endpoint, ex, job.Id, submit: false, string.Empty);
            }
            log.Debug(endpoint.Redact("Delete answer for " + job.Id + " HTTP " + answer.StatusCode + ": " + answer.Text));
            try
            {
                OpenAIVideos.ReadDeleteResponse(answer, endpoint.Provider, job);
            }
            catch (VideoGenException ex)
            {
                throw new VideoGenException(ex.Kind, endpoint.Redact(ex.Message), job.Id, ex.StatusCode, ex.InnerException);
            }
            var deleted = job.Copy();
            deleted.ProviderStatus = "deleted";
            return deleted;
        }

        /// <summary>Polls a job once (with retries for transient failures).</summary>
        /// <returns>A new job object with the provider's current status; <paramref name="job"/> is not changed.</returns>
        /// <exception cref="VideoGenException">A failure that outlasted the retries; it carries the task id.</exception>
        public async Task<VideoJob> PollAsync(ProviderEndpoint endpoint, VideoJob job, IVideoGenLog? log, CancellationToken cancellationToken)
        {
            log ??= NullVideoGenLog.Instance;
            var mapping = endpoint.Mapping;
            var key = endpoint.BaseUri.AbsoluteUri;
            var legacy = _fallbackPoll.TryGetValue(key, out var until) && _time.GetUtcNow() < until;
            Func<HttpRequestMessage> documented = () => mapping.CreatePollRequest(endpoint.BaseUri, job);
            Func<HttpRequestMessage> older = () => mapping.CreateFallbackPollRequest(endpoint.BaseUri, job)!;
            HttpResponseMessage response;
            try
            {
                response = await SendAsync(endpoint, legacy ? older : documented, _idempotent, job.Id, log, cancellationToken, bufferJson: true).ConfigureAwait(false);
            }
            catch (VideoGenException ex) when (ex.Kind == VideoGenErrorKind.NotFound && ex.RouteMissing && HasFallback(endpoint, job))
            {
                // A 404 that is not the provider's JSON error may be a missing route, or a gateway's plain 404 for an
                // expired task. Only the other route answering for this same task proves the route is missing; then
                // that base URI uses it until PollRouteRecheck has passed, and switches back as soon as it fails the same way.
                var other = await TryPollAsync(endpoint, legacy ? documented : older, job.Id, log, cancellationToken).ConfigureAwait(false);
                if (other is null)
                {
                    throw;
                }
                if (legacy)
                {
                    _fallbackPoll.TryRemove(key, out var _);
                    log.Verbose(endpoint.Provider + "'s older poll route is gone at " + endpoint.BaseUri + "; polling " + FastRouterMapping.PollPath + " again.");
                }
                else
                {
                    _fallbackPoll[key] = _time.GetUtcNow() + _options.PollRouteRecheck;
                    log.Verbose(endpoint.Provider + " has no " + mapping.CreatePollRequest(endpoint.BaseUri, job).RequestUri!.AbsolutePath +
                        " at " + endpoint.BaseUri + " but its older route knows task " + job.Id + "; polling its older route instead, re-checking later.");
                }
                response = other;
            }
            using var _ = response;
            ProviderResponse answer;
            try
            {
                answer = await ReadAnswerAsync(response, readMedia: false, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw BrokeOff(endpoint, ex, job.Id, submit: false, string.Empty);
            }
            if (!answer.IsMedia)
            {
                log.Debug(endpoint.Redact("Poll answer for " + job.Id + " HTTP " + answer.StatusCode + ": " + answer.Text));
            }
            VideoJob next;
            try
            {
                next = endpoint.Mapping.ReadPollResponse(answer, job, _time.GetUtcNow());
            }
            catch (VideoGenException ex)
            {
                throw new VideoGenException(ex.Kind, endpoint.Redact(ex.Message), ex.TaskId ?? job.Id, ex.StatusCode, ex.InnerException) { RetryAfter = ex.RetryAfter };
            }
            catch (Exception ex) when (IsParseFailure(ex))
            {
                throw new VideoGenException(VideoGenErrorKind.UnexpectedAnswer, endpoint.Provider + " answered the poll (HTTP " + answer.StatusCode +
                    ") in a shape VideoGen cannot read: " + endpoint.Redact(ex.Message) + "." + TaskNote(job.Id), job.Id, answer.StatusCode, ex);
            }
            next.PollAfter = PollAfter(response, _time.GetUtcNow());
            return Clean(next, endpoint);
        }

        private async Task<HttpResponseMessage?> TryPollAsync(ProviderEndpoint endpoint, Func<HttpRequestMessage> build, string taskId, IVideoGenLog log, CancellationToken cancellationToken)
        {
            try
            {
                return await SendAsync(endpoint, build, _idempotent, taskId, log, cancellationToken, bufferJson: true).ConfigureAwait(false);
            }
            catch (VideoGenException)
            {
                return null;
            }
        }

        /// <summary>Provider text kept on a job passes the sanitizer: the failure message and the provider's status word.</summary>
        private static VideoJob Clean(VideoJob job, ProviderEndpoint endpoint)
        {
            job.Error = Sanitizer.SanitizeOrNull(job.Error, endpoint.ApiKey);
            job.ProviderStatus = Sanitizer.SanitizeOrNull(job.ProviderStatus, endpoint.ApiKey);
            return job;
        }

        /// <summary>What a mapping may throw on an answer it cannot read, besides VideoGenException.</summary>
        private static bool IsParseFailure(Exception ex) =>
            ex is FormatException || ex is System.Text.Json.JsonException || ex is InvalidOperationException || ex is ArgumentException ||
            ex is OverflowException || ex is IndexOutOfRangeException || ex is System.Collections.Generic.KeyNotFoundException;

        /// <summary>An answer whose body broke off or stalled after its headers arrived.</summary>
        private static VideoGenException BrokeOff(ProviderEndpoint endpoint, IOException ex, string? taskId, bool submit, string note) =>
            new VideoGenException(ex.InnerException is TimeoutException ? VideoGenErrorKind.Timeout : VideoGenErrorKind.ProviderUnavailable,
                endpoint.Provider + "'s answer broke off: " + endpoint.Redact(Flatten(ex)) + "." + TaskNote(taskId) + note, taskId, null, ex) { JobMayExist = submit };

        private static bool HasFallback(ProviderEndpoint endpoint, VideoJob job)
        {
            using var probe = endpoint.Mapping.CreateFallbackPollRequest(endpoint.BaseUri, job);
            return probe != null;
        }

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
                var bytes = await FetchImageAsync(uri, max, log ?? NullVideoGenLog.Instance, cancellationToken).ConfigureAwait(false);
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

        /// <summary>A server hint for the next poll: <c>openai-poll-after-ms</c>, else Retry-After.</summary>
        internal static TimeSpan? PollAfter(HttpResponseMessage response, DateTimeOffset now)
        {
            if (response.Headers.TryGetValues("openai-poll-after-ms", out var values))
            {
                foreach (var v in values)
                {
                    if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0)
                    {
                        return TimeSpan.FromMilliseconds(ms);
                    }
                }
            }
            return RetryAfter(response, now);
        }

        /// <summary>
        /// Opens the download of a finished job's video: a 2xx answer whose body is not yet read. The caller
        /// disposes it. <paramref name="rangeStart"/> asks for the bytes from that offset on (HTTP Range).
        /// </summary>
        /// <exception cref="VideoGenException">A failure that outlasted the retries; it carries the task id.</exception>
        public Task<HttpResponseMessage> OpenDownloadAsync(ProviderEndpoint endpoint, VideoJob job, VideoVariant variant, long rangeStart, IVideoGenLog? log, CancellationToken cancellationToken)
        {
            // Built once here so a variant the route does not serve fails before any request.
            endpoint.Mapping.CreateDownloadRequest(endpoint.BaseUri, job, variant).Dispose();
            return SendAsync(endpoint, () =>
            {
                var request = endpoint.Mapping.CreateDownloadRequest(endpoint.BaseUri, job, variant);
                if (rangeStart > 0)
                {
                    request.Headers.Range = new RangeHeaderValue(rangeStart, null);
                }
                return request;
            }, _idempotent, job.Id, log ?? NullVideoGenLog.Instance, cancellationToken);
        }

        /// <summary>GETs a JSON document under the endpoint's base URI (e.g. OpenRouter's <c>videos/models</c>), with retries.</summary>
        /// <exception cref="VideoGenException">A failure that outlasted the retries.</exception>
        public async Task<string> GetTextAsync(ProviderEndpoint endpoint, string relativePath, IVideoGenLog? log, CancellationToken cancellationToken)
        {
            using var response = await SendAsync(endpoint, () => new HttpRequestMessage(HttpMethod.Get, ProviderJson.Combine(endpoint.BaseUri, relativePath)),
                _idempotent, null, log ?? NullVideoGenLog.Instance, cancellationToken, bufferJson: true).ConfigureAwait(false);
            try
            {
                return Encoding.UTF8.GetString(await ReadBoundedAsync(response, MaxJsonBody, cancellationToken).ConfigureAwait(false));
            }
            catch (IOException ex)
            {
                throw BrokeOff(endpoint, ex, null, submit: false, string.Empty);
            }
        }

        /// <inheritdoc/>
        public void Dispose() => _http.Dispose();

        /// <summary>
        /// Sends with the pipeline's retries and turns failures into <see cref="VideoGenException"/>. With
        /// <paramref name="bufferJson"/>, a 2xx answer that is not media is read whole inside each attempt (bounded by
        /// <see cref="VideoGenClientOptions.JsonAnswerTimeout"/> and the inactivity timeout), so a body that stalls or
        /// breaks off is retried like a failed request where the call is idempotent.
        /// </summary>
        private async Task<HttpResponseMessage> SendAsync(ProviderEndpoint endpoint, Func<HttpRequestMessage> build,
            ResiliencePipeline<HttpResponseMessage> pipeline, string? taskId, IVideoGenLog log, CancellationToken cancellationToken, bool bufferJson = false)
        {
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(LogKey, log);
            context.Properties.Set(EndpointKey, endpoint);
            HttpResponseMessage response;
            try
            {
                response = await pipeline.ExecuteAsync(
                    async (ctx, state) =>
                    {
                        var answer = await state.self.SendOnceAsync(state.endpoint, state.build, state.log, ctx.CancellationToken).ConfigureAwait(false);
                        if (state.bufferJson && answer.IsSuccessStatusCode)
                        {
                            await state.self.BufferJsonAsync(answer, ctx.CancellationToken).ConfigureAwait(false);
                        }
                        return answer;
                    },
                    context, (self: this, endpoint, build, log, bufferJson)).ConfigureAwait(false);
            }
            catch (TimeoutRejectedException ex)
            {
                throw new VideoGenException(VideoGenErrorKind.Timeout,
                    string.Format(CultureInfo.InvariantCulture, "{0} did not answer in time ({1}).{2}", endpoint.Provider, ex.Message, TaskNote(taskId)), taskId, null, ex)
                { JobMayExist = pipeline == _submit };
            }
            catch (HttpRequestException ex)
            {
                throw new VideoGenException(VideoGenErrorKind.ProviderUnavailable,
                    string.Format(CultureInfo.InvariantCulture, "Could not reach {0} at {1}: {2}.{3}", endpoint.Provider, endpoint.BaseUri.GetLeftPart(UriPartial.Authority), endpoint.Redact(Flatten(ex)), TaskNote(taskId)), taskId, null, ex)
                { JobMayExist = pipeline == _submit && !FailedBeforeSending(ex) };
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new VideoGenException(VideoGenErrorKind.Timeout,
                    endpoint.Provider + " did not answer in time." + TaskNote(taskId), taskId) { JobMayExist = pipeline == _submit };
            }
            catch (IOException ex)
            {
                // An answer whose body stalled or broke off after the retries (or at once, for a submission).
                throw BrokeOff(endpoint, ex, taskId, pipeline == _submit, string.Empty);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }
            using (response)
            {
                throw await ErrorFromAsync(response, endpoint, taskId, pipeline == _submit, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>One attempt: the key only to the provider's own host; GET redirects followed by hand, dropping the key off-host.</summary>
        private async Task<HttpResponseMessage> SendOnceAsync(ProviderEndpoint endpoint, Func<HttpRequestMessage> build, IVideoGenLog log, CancellationToken cancellationToken)
        {
            var request = build();
            for (var redirects = 0; ; redirects++)
            {
                request.Headers.UserAgent.ParseAdd(UserAgent);
                if (endpoint.IsOwnHost(request.RequestUri!))
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", endpoint.ApiKey);
                }
                log.Verbose(request.Method + " " + Describe(request.RequestUri!) + (request.Headers.Authorization is null ? " (no key: not the provider's host)" : string.Empty));
                if (request.Content is MultipartFormDataContent form)
                {
                    log.Debug(endpoint.Redact("Request body: multipart form " + await DescribeFormAsync(form).ConfigureAwait(false)));
                }
                else if (request.Content != null)
                {
                    log.Debug(endpoint.Redact("Request body: " + await request.Content.ReadAsStringAsync().ConfigureAwait(false)));
                }
                HttpResponseMessage response;
                try
                {
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    request.Dispose();
                }
                var status = (int)response.StatusCode;
                var location = response.Headers.Location;
                if (status < 300 || status >= 400 || location is null || request.Method != HttpMethod.Get || redirects >= _options.MaxRedirects)
                {
                    return response;
                }
                var target = location.IsAbsoluteUri ? location : new Uri(request.RequestUri!, location);
                response.Dispose();
                var next = new HttpRequestMessage(HttpMethod.Get, target);
                if (request.Headers.Range != null)
                {
                    next.Headers.Range = request.Headers.Range;
                }
                log.Verbose("Redirected to " + Describe(target));
                request = next;
            }
        }

        private static readonly ResiliencePropertyKey<IVideoGenLog> LogKey = new ResiliencePropertyKey<IVideoGenLog>("VideoGen.Log");
        private static readonly ResiliencePropertyKey<ProviderEndpoint> EndpointKey = new ResiliencePropertyKey<ProviderEndpoint>("VideoGen.Endpoint");

        private ResiliencePipeline<HttpResponseMessage> BuildPipeline(bool submit)
        {
            var retry = new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(1, _options.MaxRetries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.BaseDelay,
                MaxDelay = _options.MaxDelay,
                ShouldHandle = args => new ValueTask<bool>(submit ? ShouldRetrySubmit(args.Outcome) : ShouldRetry(args.Outcome)),
                DelayGenerator = args =>
                {
                    var hint = args.Outcome.Result is { } r ? RetryAfter(r, _time.GetUtcNow()) : null;
                    return new ValueTask<TimeSpan?>(hint is null ? (TimeSpan?)null : Min(hint.Value, _options.MaxDelay));
                },
                OnRetry = args =>
                {
                    var log = args.Context.Properties.GetValue(LogKey, NullVideoGenLog.Instance);
                    var endpoint = args.Context.Properties.GetValue(EndpointKey, null!);
                    var what = args.Outcome.Result is { } r
                        ? "HTTP " + (int)r.StatusCode
                        : endpoint?.Redact(Flatten(args.Outcome.Exception!)) ?? args.Outcome.Exception?.GetType().Name;
                    log.Verbose(string.Format(CultureInfo.InvariantCulture, "Retry {0} of {1} in {2:0.0} s after {3}.",
                        args.AttemptNumber + 1, _options.MaxRetries, args.RetryDelay.TotalSeconds, what));
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            };
            if (submit)
            {
                retry.MaxRetryAttempts = Math.Max(1, Math.Min(_options.MaxRetries, 3));
            }
            return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }
                .AddTimeout(_options.OverallTimeout)
                .AddRetry(retry)
                .AddTimeout(_options.AttemptTimeout)
                .Build();
        }

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

        /// <summary>The wait a Retry-After header asks for (seconds or an HTTP date), never negative.</summary>
        internal static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
        {
            var header = response.Headers.RetryAfter;
            if (header?.Delta is TimeSpan delta)
            {
                return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            }
            if (header?.Date is DateTimeOffset date)
            {
                var wait = date - now;
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }
            return null;
        }

        private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

        private async Task<ProviderResponse> ReadAnswerAsync(HttpResponseMessage response, bool readMedia, CancellationToken cancellationToken)
        {
            var mediaType = response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant();
            if (!readMedia && ProviderResponse.IsMediaType(mediaType))
            {
                return new ProviderResponse((int)response.StatusCode, mediaType, Array.Empty<byte>());
            }
            var body = await ReadBoundedAsync(response, MaxJsonBody, cancellationToken).ConfigureAwait(false);
            return new ProviderResponse((int)response.StatusCode, mediaType, body);
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
        /// Windows PowerShell 5.1 (.NET Framework) offers only SSL 3 and TLS 1.0 unless told otherwise: add TLS 1.2
        /// (and 1.3 where the framework knows it) to what is there. Nothing on .NET Core, or where the OS chooses (SystemDefault).
        /// </summary>
        internal static void EnableModernTls()
        {
            if (!System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }
            var current = ServicePointManager.SecurityProtocol;
            try
            {
                ServicePointManager.SecurityProtocol = WithModernTls(current, tls13: true);
            }
            catch (NotSupportedException)
            {
                ServicePointManager.SecurityProtocol = WithModernTls(current, tls13: false); // .NET Framework before 4.8 has no TLS 1.3
            }
        }

        /// <summary>The protocols after adding TLS 1.2 (and 1.3): nothing removed; SystemDefault (0) left to the OS.</summary>
        internal static SecurityProtocolType WithModernTls(SecurityProtocolType current, bool tls13)
        {
            if (current == 0)
            {
                return current;
            }
            var result = current | SecurityProtocolType.Tls12;
            return tls13 ? result | (SecurityProtocolType)12288 : result;
        }

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
            var text = endpoint.Redact(Encoding.UTF8.GetString(body));
            var providerMessage = ProviderMessage(text);
            var said = providerMessage != null ? ": " + providerMessage : " " + ProviderJson.Excerpt(text);
            var p = endpoint.Provider;
            VideoGenErrorKind kind;
            string message;
            switch (status)
            {
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
                    message = p + " failed (HTTP " + status + ") after the retries" + said + ".";
                    break;
            }
            // Only a submission answered with a status that cannot have created a job is free of doubt.
            var mayExist = submit && !(status == 400 || status == 401 || status == 402 || status == 403 || status == 404 || status == 422 || status == 429 || status == 503);
            return new VideoGenException(kind, message + TaskNote(taskId), taskId, status)
            {
                RetryAfter = RetryAfter(response, _time.GetUtcNow()),
                JobMayExist = mayExist,
                RouteMissing = status == 404 && providerMessage is null,
            };
        }

        /// <summary>The provider's own message from <c>{error:{message}}</c>, <c>{error:"…"}</c> or <c>{message}</c>.</summary>
        private static string? ProviderMessage(string text)
        {
            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(text);
                return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                    ? ProviderJson.ErrorText(doc.RootElement) ?? ProviderJson.String(doc.RootElement, "message")
                    : null;
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }

        private static async Task<string> DescribeFormAsync(MultipartFormDataContent form)
        {
            var parts = new System.Collections.Generic.List<string>();
            foreach (var part in form)
            {
                var name = part.Headers.ContentDisposition?.Name?.Trim('"') ?? "?";
                parts.Add(part is StringContent
                    ? name + "=" + await part.ReadAsStringAsync().ConfigureAwait(false)
                    : name + "=<file " + part.Headers.ContentDisposition?.FileName?.Trim('"') + ", " + part.Headers.ContentLength + " bytes>");
            }
            return "{" + string.Join(", ", parts) + "}";
        }

        private static string TaskNote(string? taskId) => taskId is null ? string.Empty : " Task id: " + taskId + ".";

        private static string Describe(Uri uri) => uri.GetLeftPart(UriPartial.Path);

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
