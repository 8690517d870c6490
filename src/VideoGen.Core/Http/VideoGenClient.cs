using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using VideoGen.Core.Providers;

namespace VideoGen.Core.Http
{
    /// <summary>
    /// The one HTTP client every provider and every cmdlet shares: one connection pool, the bearer key
    /// attached only for the provider's own host, manual redirects that drop the key when they leave it,
    /// Polly retries (polls and downloads on 408/429/5xx/network errors; submissions only on answers that prove
    /// they were not processed: 429, or a connection that failed before sending), and provider errors turned into
    /// <see cref="VideoGenException"/>. Where a key may go is <see cref="EndpointScope"/>'s rule; every text a provider
    /// sends passes <see cref="Sanitizer"/> once, as the answer is read, the error built or the log line written.
    /// Server hints are read (and capped) by <see cref="ServerHints"/>. Thread-safe.
    /// <para>Split by concern: the operations (this file), the answer reader (Answers), the sender and its retry rules
    /// (Sender, RetryRules), provider errors (Errors), the input image (Upload) and TLS (Tls).</para>
    /// </summary>
    public sealed partial class VideoGenClient : IDisposable
    {
        private const int MaxJsonBody = 4 * 1024 * 1024;
        private static readonly string UserAgent = "VideoGen/" +
            (typeof(VideoGenClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0");

        private readonly HttpClient _http;
        private readonly VideoGenClientOptions _options;
        private readonly ResiliencePipeline<HttpResponseMessage> _idempotent;
        private readonly ResiliencePipeline<HttpResponseMessage> _submit;
        private readonly ResiliencePipeline _attempt;
        // One request budget per provider host (RequestBudget): every request this client sends takes a turn of its host's.
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RequestBudget> _budgets = new System.Collections.Concurrent.ConcurrentDictionary<string, RequestBudget>(StringComparer.Ordinal);
        private readonly TimeProvider _time;
        // The proxy the handler uses, where this client built the handler (CreateDefault); null for a handler given by the caller.
        private IWebProxy? _proxy;
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
            _attempt = new ResiliencePipelineBuilder { TimeProvider = _time }.AddTimeout(_options.AttemptTimeout).Build();
        }

        /// <summary>
        /// A client over a pooled handler with redirects off, at most <see cref="VideoGenClientOptions.MaxConnectionsPerServer"/>
        /// connections per host, and the proxy (<see cref="VideoGenClientOptions.Proxy"/>, else the system's) behind
        /// <see cref="EndpointScope"/>: loopback is reached directly, and a key crosses a proxy only inside TLS.
        /// </summary>
        public static VideoGenClient CreateDefault(VideoGenClientOptions? options = null)
        {
            options ??= new VideoGenClientOptions();
            EnableModernTls();
            var proxy = EndpointScope.Proxy(options.Proxy ?? SystemProxy());
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                MaxConnectionsPerServer = options.MaxConnectionsPerServer,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                UseProxy = true,
                Proxy = proxy,
            };
            return new VideoGenClient(handler, options) { _proxy = proxy };
        }

        /// <summary>
        /// The proxy HttpClient would use by itself: on .NET, <c>HttpClient.DefaultProxy</c> (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY,
        /// NO_PROXY, read once per process); on .NET Framework, the system's (Internet Options).
        /// </summary>
        private static IWebProxy? SystemProxy()
        {
            try
            {
                return typeof(HttpClient).GetProperty("DefaultProxy", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as IWebProxy
                    ?? WebRequest.DefaultWebProxy;
            }
            catch (Exception ex) when (ex is TargetInvocationException || ex is PlatformNotSupportedException || ex is InvalidOperationException)
            {
                return null;
            }
        }

        /// <summary>The retry and timeout settings.</summary>
        public VideoGenClientOptions Options => _options;

        /// <summary>
        /// Submits a request: it costs money. Resent only on answers that prove it was not processed: 429 (the provider's
        /// own rate limiter refused it, as FastRouter's and OpenRouter's references document) and a connection that failed
        /// before anything was sent. A 503 or any other 5xx, a timeout or a broken answer may come after a proxy or gateway
        /// forwarded the request, so it is not resent: the error says a job may exist (<see cref="VideoGenException.JobMayExist"/>).
        /// </summary>
        /// <returns>The new job, with its task id.</returns>
        /// <exception cref="VideoGenException">Any failure; <see cref="VideoGenException.JobMayExist"/> says whether a job may have been created without its id reaching us.</exception>
        public async Task<VideoJob> SubmitAsync(ProviderEndpoint endpoint, VideoRequest request, IVideoGenLog? log, CancellationToken cancellationToken)
        {
            log = SanitizingLog.For(log, endpoint);
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
                throw new VideoGenException(ex.Kind, ex.Message + " The submission was sent and not resent, so a job may have been created and charged: check the provider's dashboard before submitting this prompt again.",
                    null, ex.StatusCode, ex.InnerException) { JobMayExist = true, RetryAfter = ex.RetryAfter };
            }
            const string MayExist = " A job may have been created and charged: check the provider's dashboard before submitting this prompt again.";
            using (response)
            {
                ProviderResponse answer;
                try
                {
                    answer = await ReadAnswerAsync(response, endpoint, readMedia: true, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    throw BrokeOff(endpoint, ex, null, submit: true, MayExist);
                }
                log.Debug("Submit answer HTTP " + answer.StatusCode + ": " + answer.Text);
                VideoJob job;
                try
                {
                    job = endpoint.Mapping.ReadSubmitResponse(answer, request, endpoint.BaseUri, _time.GetUtcNow());
                }
                catch (VideoGenException ex)
                {
                    // Where the id was read before the failure it travels with the error, so the job can be journaled.
                    throw ProviderError(endpoint, ex.Kind, ex.Message + (ex.TaskId is null ? MayExist : string.Empty),
                        ex.TaskId, ex.StatusCode, ex.InnerException, jobMayExist: ex.TaskId is null);
                }
                catch (Exception ex) when (IsParseFailure(ex))
                {
                    throw ProviderError(endpoint, VideoGenErrorKind.UnexpectedAnswer, endpoint.Provider + " answered the submission (HTTP " + answer.StatusCode +
                        ") in a shape VideoGen cannot read: " + ex.Message + "." + MayExist, null, answer.StatusCode, ex, jobMayExist: true);
                }
                job.Shape = Waiting.JobDuration.ShapeOf(request);
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
            log = SanitizingLog.For(log, endpoint);
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
                    answer = await ReadAnswerAsync(response, endpoint, readMedia: false, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    throw BrokeOff(endpoint, ex, null, submit: true, MayExist);
                }
                log.Debug("Remix answer HTTP " + answer.StatusCode + ": " + answer.Text);
                VideoJob job;
                try
                {
                    job = mapping.ReadRemixResponse(answer, source, prompt, name, endpoint.BaseUri, _time.GetUtcNow());
                }
                catch (VideoGenException ex)
                {
                    throw ProviderError(endpoint, ex.Kind, ex.Message + (ex.TaskId is null ? MayExist : string.Empty),
                        ex.TaskId, ex.StatusCode, ex.InnerException, jobMayExist: ex.TaskId is null);
                }
                catch (Exception ex) when (IsParseFailure(ex))
                {
                    throw ProviderError(endpoint, VideoGenErrorKind.UnexpectedAnswer, endpoint.Provider + " answered the remix (HTTP " + answer.StatusCode +
                        ") in a shape VideoGen cannot read: " + ex.Message + "." + MayExist, null, answer.StatusCode, ex, jobMayExist: true);
                }
                var from = mapping.RemixedFrom(answer);
                log.Verbose("Remix of " + source.Id + " is video " + job.Id + (from is null || from == source.Id ? string.Empty : " (the answer names " + from + " as its source)") + ".");
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
            log = SanitizingLog.For(log, endpoint);
            var mapping = VideoOperations.ForDelete(job);
            using var response = await SendAsync(endpoint, () => mapping.CreateDeleteRequest(endpoint.BaseUri, job), _idempotent, job.Id, log, cancellationToken, bufferJson: true).ConfigureAwait(false);
            ProviderResponse answer;
            try
            {
                answer = await ReadAnswerAsync(response, endpoint, readMedia: false, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw BrokeOff(endpoint, ex, job.Id, submit: false, string.Empty);
            }
            log.Debug("Delete answer for " + job.Id + " HTTP " + answer.StatusCode + ": " + answer.Text);
            try
            {
                mapping.ReadDeleteResponse(answer, job);
            }
            catch (VideoGenException ex)
            {
                throw ProviderError(endpoint, ex.Kind, ex.Message, job.Id, ex.StatusCode, ex.InnerException);
            }
            var deleted = job.Copy();
            deleted.ProviderStatus = "deleted";
            return deleted;
        }

        /// <summary>Polls a job once (with retries for transient failures).</summary>
        /// <returns>A new job object with the provider's current status; <paramref name="job"/> is not changed.</returns>
        /// <exception cref="VideoGenException">A failure that outlasted the retries; it carries the task id.</exception>
        public Task<VideoJob> PollAsync(ProviderEndpoint endpoint, VideoJob job, IVideoGenLog? log, CancellationToken cancellationToken) =>
            PollAsync(endpoint, job, log, turnTaken: false, cancellationToken);

        /// <summary>Polls a job once; with <paramref name="turnTaken"/>, the caller took its host's turn (<see cref="TakeTurnAsync"/>).</summary>
        /// <returns>A new job object with the provider's current status; <paramref name="job"/> is not changed.</returns>
        /// <exception cref="VideoGenException">A failure that outlasted the retries; it carries the task id.</exception>
        public Task<VideoJob> PollAsync(ProviderEndpoint endpoint, VideoJob job, IVideoGenLog? log, bool turnTaken, CancellationToken cancellationToken) =>
            PollAsync(endpoint, job, log, turnTaken, resultInSamePoll: true, cancellationToken);

        /// <summary>
        /// Polls a job once. Where the provider's status says done without the result (<see cref="IResultMapping"/>), a job
        /// whose result is ready has its result read instead of its status; with <paramref name="resultInSamePoll"/>, a status
        /// that says so is followed by the result read in this call. Without it (Wait-Video), the job comes back ready and the
        /// caller polls it again, taking a turn of its host before its slot as for any poll.
        /// </summary>
        /// <returns>A new job object with the provider's current status; <paramref name="job"/> is not changed.</returns>
        /// <exception cref="VideoGenException">A failure that outlasted the retries; it carries the task id.</exception>
        public async Task<VideoJob> PollAsync(ProviderEndpoint endpoint, VideoJob job, IVideoGenLog? log, bool turnTaken, bool resultInSamePoll, CancellationToken cancellationToken)
        {
            log = SanitizingLog.For(log, endpoint);
            var mapping = endpoint.Mapping;
            if (mapping is IResultMapping ready && ready.IsResultReady(job))
            {
                return Clean(await ReadResultAsync(endpoint, ready, job, log, turnTaken, cancellationToken).ConfigureAwait(false), endpoint);
            }
            var key = endpoint.BaseUri.AbsoluteUri;
            var legacy = _fallbackPoll.TryGetValue(key, out var until) && _time.GetUtcNow() < until;
            Func<HttpRequestMessage> documented = () => mapping.CreatePollRequest(endpoint.BaseUri, job);
            Func<HttpRequestMessage> older = () => mapping.CreateFallbackPollRequest(endpoint.BaseUri, job)!;
            HttpResponseMessage response;
            try
            {
                response = await SendAsync(endpoint, legacy ? older : documented, _idempotent, job.Id, log, cancellationToken, bufferJson: true, turnTaken: turnTaken).ConfigureAwait(false);
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
                    log.Verbose(endpoint.Provider + "'s older poll route is gone at " + endpoint.BaseUri + "; polling " + PollPath(endpoint, job) + " again.");
                }
                else
                {
                    _fallbackPoll[key] = _time.GetUtcNow() + _options.PollRouteRecheck;
                    log.Verbose(endpoint.Provider + " has no " + mapping.CreatePollRequest(endpoint.BaseUri, job).RequestUri!.AbsolutePath +
                        " at " + endpoint.BaseUri + " but its older route knows task " + job.Id + "; polling its older route instead, re-checking later.");
                }
                response = other;
            }
            VideoJob next;
            TimeSpan? pollAfter;
            using (response)
            {
                next = await ReadJobAnswerAsync(response, endpoint, job.Id, "Poll", "the poll", log, answer => mapping.ReadPollResponse(answer, job, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
                pollAfter = ServerHints.PollAfter(response, _time.GetUtcNow());
            }
            if (resultInSamePoll && mapping is IResultMapping results && results.IsResultReady(next))
            {
                next = await ReadResultAsync(endpoint, results, next, log, turnTaken: false, cancellationToken).ConfigureAwait(false);
            }
            next.PollAfter = pollAfter;
            if (!next.IsTerminal)
            {
                next.LastSeenRunning = _time.GetUtcNow();
            }
            return Clean(next, endpoint);
        }

        /// <summary>
        /// The second request of a poll whose answer says the job is done without its result (<see cref="IResultMapping"/>):
        /// the answer is read, as the poll's was, through the one answer reader, and then by the mapping.
        /// </summary>
        private async Task<VideoJob> ReadResultAsync(ProviderEndpoint endpoint, IResultMapping results, VideoJob done, IVideoGenLog log, bool turnTaken, CancellationToken cancellationToken)
        {
            using var response = await SendAsync(endpoint, () => results.CreateResultRequest(endpoint.BaseUri, done), _idempotent, done.Id, log, cancellationToken,
                bufferJson: true, turnTaken: turnTaken, isOutcome: results.IsOutcome).ConfigureAwait(false);
            return await ReadJobAnswerAsync(response, endpoint, done.Id, "Result", "the result request", log, answer => results.ReadResultResponse(answer, done, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// An answer about a job that exists (a poll's, a result's) through the one answer reader, its text on the debug
        /// stream, then read by <paramref name="read"/>: every failure is a provider error carrying the task id.
        /// </summary>
        private async Task<VideoJob> ReadJobAnswerAsync(HttpResponseMessage response, ProviderEndpoint endpoint, string taskId, string label, string what,
            IVideoGenLog log, Func<ProviderResponse, VideoJob> read, CancellationToken cancellationToken)
        {
            ProviderResponse answer;
            try
            {
                answer = await ReadAnswerAsync(response, endpoint, readMedia: false, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw BrokeOff(endpoint, ex, taskId, submit: false, string.Empty);
            }
            if (!answer.IsMedia)
            {
                log.Debug(label + " answer for " + taskId + " HTTP " + answer.StatusCode + ": " + answer.Text);
            }
            try
            {
                return read(answer);
            }
            catch (VideoGenException ex)
            {
                throw ProviderError(endpoint, ex.Kind, ex.Message, ex.TaskId ?? taskId, ex.StatusCode, ex.InnerException, retryAfter: ex.RetryAfter);
            }
            catch (Exception ex) when (IsParseFailure(ex))
            {
                throw ProviderError(endpoint, VideoGenErrorKind.UnexpectedAnswer, endpoint.Provider + " answered " + what + " (HTTP " + answer.StatusCode +
                    ") in a shape VideoGen cannot read: " + ex.Message + "." + TaskNote(taskId), taskId, answer.StatusCode, ex);
            }
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

        /// <summary>The path of the documented poll route for <paramref name="job"/>, for messages.</summary>
        private static string PollPath(ProviderEndpoint endpoint, VideoJob job)
        {
            using var request = endpoint.Mapping.CreatePollRequest(endpoint.BaseUri, job);
            return request.RequestUri!.AbsolutePath;
        }

        private static bool HasFallback(ProviderEndpoint endpoint, VideoJob job)
        {
            using var probe = endpoint.Mapping.CreateFallbackPollRequest(endpoint.BaseUri, job);
            return probe != null;
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
            }, _idempotent, job.Id, SanitizingLog.For(log, endpoint), cancellationToken);
        }

        /// <summary>GETs a JSON document under the endpoint's base URI (e.g. OpenRouter's <c>videos/models</c>), with retries.</summary>
        /// <exception cref="VideoGenException">A failure that outlasted the retries.</exception>
        public async Task<string> GetTextAsync(ProviderEndpoint endpoint, string relativePath, IVideoGenLog? log, CancellationToken cancellationToken)
        {
            using var response = await SendAsync(endpoint, () => new HttpRequestMessage(HttpMethod.Get, ProviderJson.Combine(endpoint.BaseUri, relativePath)),
                _idempotent, null, SanitizingLog.For(log, endpoint), cancellationToken, bufferJson: true).ConfigureAwait(false);
            try
            {
                return Sanitizer.RemoveKey(Encoding.UTF8.GetString(await ReadBoundedAsync(response, MaxJsonBody, cancellationToken).ConfigureAwait(false)), endpoint.ApiKey);
            }
            catch (IOException ex)
            {
                throw BrokeOff(endpoint, ex, null, submit: false, string.Empty);
            }
        }

        /// <inheritdoc/>
        public void Dispose() => _http.Dispose();
    }
}
