using System;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace VideoGen.Core.Http
{
    // The sender: one attempt with the key only where EndpointScope allows it, and the Polly pipeline around it.
    public sealed partial class VideoGenClient
    {
        /// <summary>
        /// Sends with the pipeline's retries and turns failures into <see cref="VideoGenException"/>. With
        /// <paramref name="bufferJson"/>, a 2xx answer that is not media is read whole inside each attempt (bounded by
        /// <see cref="VideoGenClientOptions.JsonAnswerTimeout"/> and the inactivity timeout), so a body that stalls or
        /// breaks off is retried like a failed request where the call is idempotent.
        /// </summary>
        private async Task<HttpResponseMessage> SendAsync(ProviderEndpoint endpoint, Func<HttpRequestMessage> build,
            ResiliencePipeline<HttpResponseMessage> pipeline, string? taskId, IVideoGenLog log, CancellationToken cancellationToken, bool bufferJson = false, bool turnTaken = false,
            Func<int, bool>? isOutcome = null)
        {
            // A turn the caller already took (TakeTurnAsync, before it took a -ThrottleLimit slot) serves the first attempt at that host.
            var taken = new TakenTurn { Host = turnTaken ? RequestBudget.HostOf(endpoint.BaseUri) : null };
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(LogKey, log);
            HttpResponseMessage response;
            try
            {
                response = await pipeline.ExecuteAsync(
                    async (ctx, state) =>
                    {
                        // The host's request budget first, outside the attempt's timeout: a turn can be seconds away when a
                        // thousand jobs share the host, and waiting for it is not the provider being slow.
                        var request = state.build();
                        var budget = state.self.BudgetFor(request.RequestUri!);
                        try
                        {
                            if (!state.taken.Use(request.RequestUri!))
                            {
                                await budget.AcquireAsync(state.paid, ctx.CancellationToken).ConfigureAwait(false);
                            }
                        }
                        catch
                        {
                            request.Dispose();
                            throw;
                        }
                        var answer = await state.self._attempt.ExecuteAsync(
                            async (inner, token) =>
                            {
                                var sent = await inner.self.SendOnceAsync(inner.endpoint, inner.request, inner.log, token).ConfigureAwait(false);
                                if (inner.bufferJson && sent.IsSuccessStatusCode)
                                {
                                    await inner.self.BufferJsonAsync(sent, token).ConfigureAwait(false);
                                }
                                return sent;
                            },
                            (state.self, state.endpoint, request, state.log, state.bufferJson), ctx.CancellationToken).ConfigureAwait(false);
                        // The answer counts for the host that gave it: a CDN's 429 after a redirect does not slow the provider's API.
                        var answered = answer.RequestMessage?.RequestUri is Uri final && RequestBudget.HostOf(final) != RequestBudget.HostOf(request.RequestUri!)
                            ? state.self.BudgetFor(final) : budget;
                        answered.Answered((int)answer.StatusCode, (int)answer.StatusCode == 429 ? ServerHints.RetryAfter(answer, state.self._time.GetUtcNow()) : null);
                        return answer;
                    },
                    context, (self: this, endpoint, build, log, bufferJson, paid: pipeline == _submit, taken)).ConfigureAwait(false);
            }
            catch (TimeoutRejectedException ex)
            {
                throw new VideoGenException(VideoGenErrorKind.Timeout,
                    string.Format(CultureInfo.InvariantCulture, "{0} did not answer in time ({1}).{2}", endpoint.Provider, ex.Message, TaskNote(taskId)), taskId, null, ex)
                { JobMayExist = pipeline == _submit };
            }
            catch (HttpRequestException ex)
            {
                throw ProviderError(endpoint, VideoGenErrorKind.ProviderUnavailable,
                    string.Format(CultureInfo.InvariantCulture, "Could not reach {0} at {1}: {2}.{3}", endpoint.Provider, endpoint.BaseUri.GetLeftPart(UriPartial.Authority), Flatten(ex), TaskNote(taskId)), taskId, null, ex,
                    jobMayExist: pipeline == _submit && !FailedBeforeSending(ex));
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

            // An answer that is the job's own outcome (a failed job's result, IResultMapping.IsOutcome) goes to the mapping to read.
            if (response.IsSuccessStatusCode || (isOutcome != null && isOutcome((int)response.StatusCode)))
            {
                return response;
            }
            using (response)
            {
                throw await ErrorFromAsync(response, endpoint, taskId, pipeline == _submit, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// One attempt: the key only where <see cref="EndpointScope"/> allows it (the provider's own host, never through a proxy
        /// outside TLS); GET redirects followed by hand, dropping the key off-host.
        /// </summary>
        private async Task<HttpResponseMessage> SendOnceAsync(ProviderEndpoint endpoint, HttpRequestMessage request, IVideoGenLog log, CancellationToken cancellationToken)
        {
            for (var redirects = 0; ; redirects++)
            {
                request.Headers.UserAgent.ParseAdd(UserAgent);
                if (endpoint.IsOwnHost(request.RequestUri!))
                {
                    if (!EndpointScope.KeepsKeyOffProxy(request.RequestUri!, _proxy))
                    {
                        request.Dispose();
                        throw new VideoGenException(VideoGenErrorKind.InvalidArgument, "The " + endpoint.Provider + " key would cross a proxy in clear text to " +
                            Describe(request.RequestUri!) + " (plain http through the configured proxy), so nothing was sent. Use https, or exclude the host with NO_PROXY.");
                    }
                    request.Headers.Authorization = new AuthenticationHeaderValue(endpoint.Mapping.AuthorizationScheme, endpoint.ApiKey);
                }
                log.Verbose(request.Method + " " + Describe(request.RequestUri!) + (request.Headers.Authorization is null ? " (no key: not the provider's host)" : string.Empty));
                if (request.Content is MultipartFormDataContent form)
                {
                    log.Debug("Request body: multipart form " + await DescribeFormAsync(form).ConfigureAwait(false));
                }
                else if (request.Content != null)
                {
                    log.Debug("Request body: " + await request.Content.ReadAsStringAsync().ConfigureAwait(false));
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

        /// <summary>
        /// Waits for a turn of the request budget of <paramref name="endpoint"/>'s host, for a poll the caller sends next with
        /// <c>turnTaken</c>: Wait-Video takes it before a -ThrottleLimit slot, so a host held by its 429s holds no slot another
        /// provider's jobs could use.
        /// </summary>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
        public Task TakeTurnAsync(ProviderEndpoint endpoint, CancellationToken cancellationToken) =>
            BudgetFor((endpoint ?? throw new ArgumentNullException(nameof(endpoint))).BaseUri).AcquireAsync(false, cancellationToken);

        /// <summary>A turn taken before the call: used once, by the first request to its host.</summary>
        private sealed class TakenTurn
        {
            public string? Host;

            public bool Use(Uri uri)
            {
                var host = Host;
                if (host is null || host != RequestBudget.HostOf(uri))
                {
                    return false;
                }
                Host = null;
                return true;
            }
        }

        /// <summary>The request budget of <paramref name="uri"/>'s host, made on first use with this client's ceiling and clock.</summary>
        internal RequestBudget BudgetFor(Uri uri) =>
            _budgets.GetOrAdd(RequestBudget.HostOf(uri), _ => new RequestBudget(_options.MaxRequestsPerSecond, _time));

        private static readonly ResiliencePropertyKey<IVideoGenLog> LogKey = new ResiliencePropertyKey<IVideoGenLog>("VideoGen.Log");

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
                    var hint = args.Outcome.Result is { } r ? ServerHints.RetryAfter(r, _time.GetUtcNow()) : null;
                    return new ValueTask<TimeSpan?>(hint is null ? (TimeSpan?)null : (hint.Value < _options.MaxDelay ? hint.Value : _options.MaxDelay));
                },
                OnRetry = args =>
                {
                    var log = args.Context.Properties.GetValue(LogKey, NullVideoGenLog.Instance);
                    var what = args.Outcome.Result is { } r
                        ? "HTTP " + (int)r.StatusCode
                        : Flatten(args.Outcome.Exception!);
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
            // The attempt's own timeout is _attempt, inside the callback, after the host's request budget gave its turn.
            return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }
                .AddTimeout(_options.OverallTimeout)
                .AddRetry(retry)
                .Build();
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

        private static string Describe(Uri uri) => uri.GetLeftPart(UriPartial.Path);
    }
}
