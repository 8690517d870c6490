using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json;

namespace VideoGen.Core.Providers
{
    /// <summary>
    /// fal's queue (docs/providers.md, fal; https://fal.ai/docs/documentation/model-apis/inference/queue and
    /// https://fal.ai/docs/api-reference/inference-api). Submit <c>POST https://queue.fal.run/{model id}</c> with the model's
    /// input as JSON (a webhook as <c>?fal_webhook=</c>) answers <c>{request_id, status_url, response_url, cancel_url}</c>;
    /// poll <c>GET status_url</c> answers <c>{status: IN_QUEUE | IN_PROGRESS | COMPLETED, queue_position?}</c>; once
    /// <c>COMPLETED</c>, <c>GET response_url</c> answers the model's output (<c>{video: {url, …}}</c>) or the model's error
    /// status and body (<c>{detail}</c>), read by <see cref="ReadResultResponse"/>. The status and result URLs use only the
    /// model id's owner and app, never its endpoint path. The key goes as <c>Authorization: Key …</c>; fal's own variable
    /// is <c>FAL_KEY</c>. The video's URL is on fal's media host, fetched without the key.
    /// </summary>
    public sealed class FalMapping : IProviderMapping, IResultMapping, ICreditsMapping
    {
        private const string Completed = "COMPLETED";

        /// <inheritdoc/>
        public IProviderRules Rules { get; } = new FalRules();

        /// <inheritdoc/>
        public VideoProvider Provider => VideoProvider.Fal;
        /// <inheritdoc/>
        public Uri DefaultBaseUri { get; } = new Uri("https://queue.fal.run");
        /// <inheritdoc/>
        public string ApiKeyVariable => "FAL_KEY";
        /// <inheritdoc/>
        /// <remarks>fal's own SDKs and CLI read FAL_KEY too (https://fal.ai/docs/documentation/development/environment-variables).</remarks>
        public bool KeyVariableIsShared => true;
        /// <inheritdoc/>
        public string AuthorizationScheme => "Key";

        /// <inheritdoc/>
        /// <remarks>
        /// fal answers an account that cannot pay with 403 <c>{"detail": "User is locked. Reason: Exhausted balance. Top up your
        /// balance at fal.ai/dashboard/billing."}</c> (or "Reason: TOP_UP", "Reason: Admin lock"): seen by fal's users in
        /// https://github.com/fal-ai/fal/issues/1147 and https://github.com/fal-ai/fal/issues/1163; no new key helps.
        /// </remarks>
        public bool SaysAccountCannotPay(int statusCode, string? providerMessage) =>
            (statusCode == 402 || statusCode == 403) && providerMessage != null &&
            (providerMessage.IndexOf("User is locked", StringComparison.OrdinalIgnoreCase) >= 0 ||
             providerMessage.IndexOf("Exhausted balance", StringComparison.OrdinalIgnoreCase) >= 0);
        /// <inheritdoc/>
        public string DefaultModel => FalRules.DefaultModel;
        /// <inheritdoc/>
        public TimeSpan MaxPollInterval => TimeSpan.FromSeconds(30);
        /// <inheritdoc/>
        /// <remarks>fal advises no interval (its clients poll every 0.5 s); video jobs take 30 s to minutes, so 10 s like the routers' advice.</remarks>
        public TimeSpan PollInterval => TimeSpan.FromSeconds(10);

        /// <inheritdoc/>
        public HttpRequestMessage CreateSubmitRequest(Uri baseUri, VideoRequest request)
        {
            var model = FalRules.ModelOf(request, DefaultModel);
            var uri = ProviderJson.Combine(baseUri, FalRules.PathOf(model, whole: true));
            if (!string.IsNullOrWhiteSpace(request.CallbackUrl))
            {
                // After any query the base URI carries (Combine keeps it on every request).
                uri = new Uri(uri.AbsoluteUri + (string.IsNullOrEmpty(uri.Query) ? "?" : "&") + "fal_webhook=" + Uri.EscapeDataString(request.CallbackUrl!.Trim()));
            }
            var known = FalRules.Find(model);
            var options = request.ProviderOptions ?? new Dictionary<string, object?>();
            // ProviderOptions are the model's own input fields: one given there replaces the field VideoGen would write.
            bool Free(string field) => !options.Keys.Any(k => string.Equals(k, field, StringComparison.Ordinal));
            return ProviderJson.JsonPost(uri, w =>
            {
                if (Free("prompt"))
                {
                    w.WriteString("prompt", request.Prompt);
                }
                if (request.Duration is int seconds && Free("duration"))
                {
                    // Each model spells its lengths its own way ("8s", "5"): the table's spelling, else the number as text.
                    w.WriteString("duration", known?.Duration(seconds) ?? seconds.ToString(CultureInfo.InvariantCulture));
                }
                if (Free("aspect_ratio"))
                {
                    ProviderJson.WriteIfSet(w, "aspect_ratio", RequestChecks.DocumentedSpelling(request.AspectRatio, known?.Aspects ?? Array.Empty<string>()));
                }
                if (Free("resolution"))
                {
                    ProviderJson.WriteIfSet(w, "resolution", RequestChecks.DocumentedSpelling(request.Resolution, known?.Resolutions ?? Array.Empty<string>()));
                }
                if (Free("seed"))
                {
                    ProviderJson.WriteIfSet(w, "seed", request.Seed);
                }
                if (Free("generate_audio"))
                {
                    ProviderJson.WriteIfSet(w, "generate_audio", request.GenerateAudio);
                }
                if (Free("image_url"))
                {
                    ProviderJson.WriteIfSet(w, "image_url", request.Image?.Trim());
                }
                foreach (var option in options)
                {
                    w.WritePropertyName(option.Key);
                    ProviderJson.WriteValue(w, option.Value);
                }
            });
        }

        /// <inheritdoc/>
        public VideoJob ReadSubmitResponse(ProviderResponse response, VideoRequest request, Uri baseUri, DateTimeOffset now)
        {
            using var doc = ProviderJson.Parse(response, Provider, "the submission answer", null);
            var root = doc.RootElement;
            var id = ProviderJson.String(root, "request_id");
            if (id is null)
            {
                throw ProviderJson.Unexpected(response, Provider, "no request_id" + (ProviderJson.DetailText(root) is string e ? ": " + e : string.Empty), null);
            }
            var job = new VideoJob(id, Provider)
            {
                Model = FalRules.ModelOf(request, DefaultModel),
                Prompt = request.Prompt,
                Name = request.Name,
                SubmittedAt = now,
                BaseUri = baseUri.AbsoluteUri,
            };
            if (ProviderJson.String(root, "status_url") is string status)
            {
                job.PollingUrl = ProviderJson.ResolveIn(response, Provider, baseUri, status, "status_url", id);
            }
            // The submit answer is IN_QUEUE (fal's inference API page) whether or not it says so.
            Apply(root, job, ProviderJson.String(root, "status") ?? "IN_QUEUE", now);
            return job;
        }

        /// <inheritdoc/>
        public HttpRequestMessage CreatePollRequest(Uri baseUri, VideoJob job) =>
            new HttpRequestMessage(HttpMethod.Get, !string.IsNullOrEmpty(job.PollingUrl)
                ? ProviderJson.Resolve(baseUri, job.PollingUrl!)
                : ProviderJson.Combine(baseUri, RequestPath(job) + "/status"));

        /// <inheritdoc/>
        public VideoJob ReadPollResponse(ProviderResponse response, VideoJob job, DateTimeOffset now)
        {
            using var doc = ProviderJson.Parse(response, Provider, "the status answer", job.Id);
            var root = doc.RootElement;
            var status = ProviderJson.String(root, "status");
            if (status is null)
            {
                throw ProviderJson.Unexpected(response, Provider, "no status", job.Id);
            }
            var next = job.Copy();
            if (ProviderJson.String(root, "response_url") is string result && string.IsNullOrEmpty(next.PollingUrl))
            {
                // A job followed by id and model alone learns its URLs from the first answer.
                next.PollingUrl = ProviderJson.ResolveIn(response, Provider, new Uri(job.BaseUri ?? DefaultBaseUri.AbsoluteUri), result.TrimEnd('/') + "/status", "response_url", job.Id);
            }
            Apply(root, next, status, now);
            return next;
        }

        /// <summary>
        /// fal's status words: IN_QUEUE (with <c>queue_position</c>), IN_PROGRESS, COMPLETED; fal's client schema adds FAILED
        /// and CANCELED. COMPLETED says the result is stored, not that it is a video: the job stays Running until
        /// <see cref="ReadResultResponse"/> has read it, unless the status already carries fal's <c>error</c>.
        /// </summary>
        private static void Apply(JsonElement root, VideoJob job, string status, DateTimeOffset now)
        {
            var word = status.Trim().ToUpperInvariant();
            job.QueuePosition = word == "IN_QUEUE" && ProviderJson.Number(root, "queue_position") is double position && position >= 0
                ? (int)Math.Min(position, int.MaxValue) : (int?)null;
            var error = ProviderJson.ErrorText(root) ?? ProviderJson.DetailText(root);
            VideoJobStatus normalized;
            switch (word)
            {
                case "IN_QUEUE":
                    normalized = VideoJobStatus.Queued;
                    break;
                case "IN_PROGRESS":
                    normalized = VideoJobStatus.Running;
                    break;
                case Completed:
                    normalized = error is null ? VideoJobStatus.Running : VideoJobStatus.Failed;
                    break;
                case "FAILED":
                case "ERROR":
                    normalized = VideoJobStatus.Failed;
                    break;
                case "CANCELED":
                case "CANCELLED":
                    normalized = VideoJobStatus.Cancelled;
                    break;
                default:
                    normalized = VideoJobStatus.Running; // an unknown word is a job still being worked on, never an exception
                    break;
            }
            if (normalized == VideoJobStatus.Failed || normalized == VideoJobStatus.Cancelled)
            {
                job.Error = error ?? "fal reported the request " + status + ".";
            }
            job.SetStatus(normalized, status, now);
        }

        /// <inheritdoc/>
        public bool IsResultReady(VideoJob job) =>
            job.Status == VideoJobStatus.Running && string.Equals(job.ProviderStatus, Completed, StringComparison.OrdinalIgnoreCase);

        /// <inheritdoc/>
        public HttpRequestMessage CreateResultRequest(Uri baseUri, VideoJob job)
        {
            var polling = job.PollingUrl;
            var uri = !string.IsNullOrEmpty(polling) && polling!.EndsWith("/status", StringComparison.Ordinal)
                ? ProviderJson.Resolve(baseUri, polling.Substring(0, polling.Length - "/status".Length))
                : ProviderJson.Combine(baseUri, RequestPath(job));
            return new HttpRequestMessage(HttpMethod.Get, uri);
        }

        /// <inheritdoc/>
        /// <remarks>
        /// fal's result answers the model's own status and body (https://fal.ai/docs/inference-api/queue/result): any error
        /// there is the job's, and so is a 404 once the status said COMPLETED (fal keeps a result 1 hour); what the result
        /// request itself can meet (401, 403: the key or the account; 408, 429: time and rate) the client reports as for any poll.
        /// </remarks>
        public bool IsOutcome(int statusCode) => statusCode >= 400 && statusCode != 401 && statusCode != 403 && statusCode != 408 && statusCode != 429;

        /// <inheritdoc/>
        public VideoJob ReadResultResponse(ProviderResponse response, VideoJob job, DateTimeOffset now)
        {
            var next = job.Copy();
            if (response.StatusCode == 404)
            {
                // The status said COMPLETED at this request's own URLs: the result is gone, not the request unknown.
                next.Error = "fal no longer keeps the result of request " + job.Id + " (HTTP 404" + (DetailOf(response) is string detail ? ": " + detail : string.Empty) +
                    "); fal keeps a result 1 hour after it completes, so its video cannot be fetched. Submit the prompt again for a new video.";
                next.SetStatus(VideoJobStatus.Failed, job.ProviderStatus, now);
                return next;
            }
            if (response.StatusCode >= 300)
            {
                var reason = DetailOf(response);
                if (reason is null)
                {
                    // Not fal's error form (a proxy's page): not the job's outcome; the next poll asks again.
                    throw new VideoGenException(response.StatusCode >= 500 ? VideoGenErrorKind.ProviderUnavailable : VideoGenErrorKind.UnexpectedAnswer,
                        string.Format(CultureInfo.InvariantCulture, "fal answered the result of task {0} with HTTP {1} and no reason: {2}", job.Id, response.StatusCode, ProviderJson.Excerpt(response.Text)),
                        job.Id, response.StatusCode);
                }
                next.Error = string.Format(CultureInfo.InvariantCulture, "fal: the model failed (HTTP {0}): {1}", response.StatusCode, reason);
                next.SetStatus(VideoJobStatus.Failed, job.ProviderStatus, now);
                return next;
            }
            using var doc = ProviderJson.Parse(response, Provider, "the result", job.Id);
            var url = ProviderJson.String(doc.RootElement, "video", "url");
            if (url is null)
            {
                throw ProviderJson.Unexpected(response, Provider, "no video.url in the result", job.Id);
            }
            next.VideoUrl = ProviderJson.ResolveIn(response, Provider, new Uri(job.BaseUri ?? DefaultBaseUri.AbsoluteUri), url, "video.url", job.Id);
            next.Progress = 100;
            next.SetStatus(VideoJobStatus.Succeeded, job.ProviderStatus, now);
            return next;
        }

        /// <summary>fal's reason in an error answer (<c>{detail}</c>, else <c>{error}</c>), or null where the body is not fal's error form.</summary>
        private static string? DetailOf(ProviderResponse response)
        {
            try
            {
                using var failed = JsonDocument.Parse(response.Body);
                return failed.RootElement.ValueKind == JsonValueKind.Object ? ProviderJson.DetailText(failed.RootElement) ?? ProviderJson.ErrorText(failed.RootElement) : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <inheritdoc/>
        public HttpRequestMessage CreateDownloadRequest(Uri baseUri, VideoJob job, VideoVariant variant)
        {
            OpenAIVideos.VideoOnly(Provider, variant);
            if (string.IsNullOrEmpty(job.VideoUrl))
            {
                throw new VideoGenException(VideoGenErrorKind.UnexpectedAnswer,
                    "fal gave no video URL for task " + job.Id + " yet; poll it again with Get-VideoStatus (fal keeps a result 1 hour).", job.Id);
            }
            return new HttpRequestMessage(HttpMethod.Get, ProviderJson.Resolve(baseUri, job.VideoUrl!));
        }

        /// <inheritdoc/>
        public bool DownloadUsesVideoUrl(VideoJob job) => true;

        /// <inheritdoc/>
        public HttpRequestMessage? CreateFallbackPollRequest(Uri baseUri, VideoJob job) => null;

        /// <inheritdoc/>
        public bool UploadsImage(VideoRequest request) => false;

        /// <summary><c>{owner}/{app}/requests/{id}</c>: the status, result and cancel URLs name the app, not the endpoint path.</summary>
        private static string RequestPath(VideoJob job)
        {
            if (string.IsNullOrWhiteSpace(job.Model))
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                    "fal needs the model task " + job.Id + " was submitted with (or its PollingUrl) to follow it: add -Model.", job.Id);
            }
            return FalRules.PathOf(job.Model!, whole: false) + "/requests/" + Uri.EscapeDataString(job.Id);
        }
    }
}
