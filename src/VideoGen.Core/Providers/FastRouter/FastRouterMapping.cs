using System;
using System.Globalization;
using System.Net.Http;
using System.Text.Json;

namespace VideoGen.Core.Providers
{
    /// <summary>
    /// FastRouter (FastRouter's reference and FastRouter's guide, docs/providers.md). Submit <c>POST
    /// /api/v1/videos</c>; poll <c>POST /api/v1/getAsyncResponse {taskId, model}</c>. Two submit shapes (most models:
    /// <c>data.taskId</c>; Sora: <c>id</c>), two poll shapes (<c>data.generations[]</c>; Sora
    /// <c>status</c>/<c>progress</c>), and a finished poll may answer the MP4 bytes themselves (Content-Type video/*,
    /// docs/providers.md, Answers: inferred).
    /// </summary>
    public sealed class FastRouterMapping : IProviderMapping, IPricingMapping
    {
        /// <inheritdoc/>
        public IProviderRules Rules { get; } = new FastRouterRules();

        /// <inheritdoc/>
        public bool ReportsCost => true;

        /// <inheritdoc/>
        public string? RemainingCreditPath => null;

        /// <inheritdoc/>
        public decimal? ReadRemainingCredit(string json) => null;

        /// <summary>The submission route under the base URI.</summary>
        public const string SubmitPath = "api/v1/videos";
        /// <summary>The poll route under the base URI.</summary>
        public const string PollPath = "api/v1/getAsyncResponse";

        /// <inheritdoc/>
        public VideoProvider Provider => VideoProvider.FastRouter;
        /// <inheritdoc/>
        public Uri DefaultBaseUri { get; } = new Uri("https://api.fastrouter.ai");
        /// <inheritdoc/>
        public string ApiKeyVariable => "FASTROUTER_API_KEY";
        /// <inheritdoc/>
        public bool KeyVariableIsShared => false;
        /// <inheritdoc/>
        public string AuthorizationScheme => "Bearer";
        /// <inheritdoc/>
        public string DefaultModel => "google/veo3-fast";
        /// <inheritdoc/>
        public TimeSpan MaxPollInterval => TimeSpan.FromSeconds(30);
        /// <inheritdoc/>
        public TimeSpan PollInterval => TimeSpan.FromSeconds(10); // FastRouter documents no interval (docs/providers.md): VideoGen's default, the others' advice

        /// <summary>Sora models take <c>seconds</c> and <c>size</c> instead of <c>length</c>, <c>resolution</c> and <c>aspectRatio</c>.</summary>
        public static bool IsSora(string? model) => model != null && model.IndexOf("sora", StringComparison.OrdinalIgnoreCase) >= 0;

        /// <inheritdoc/>
        public HttpRequestMessage CreateSubmitRequest(Uri baseUri, VideoRequest request)
        {
            var model = SubmittedModel(request);
            var sora = IsSora(model);
            string? size = request.Size;
            if (sora && string.IsNullOrEmpty(size) && (!string.IsNullOrEmpty(request.AspectRatio) || !string.IsNullOrEmpty(request.Resolution)))
            {
                size = SoraSize(request.AspectRatio, request.Resolution);
            }
            if (!sora && !string.IsNullOrEmpty(size))
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                    "FastRouter takes Size only for Sora models; for " + model + " use AspectRatio and Resolution.");
            }
            return ProviderJson.JsonPost(ProviderJson.Combine(baseUri, SubmitPath), w =>
            {
                w.WriteString("model", model);
                w.WriteString("prompt", request.Prompt);
                ProviderJson.WriteIfSet(w, "image", request.Image);
                if (sora)
                {
                    ProviderJson.WriteIfSet(w, "seconds", request.Duration);
                    ProviderJson.WriteIfSet(w, "size", RequestChecks.DocumentedSpelling(size, FastRouterRules.SoraSizes));
                }
                else
                {
                    ProviderJson.WriteIfSet(w, "length", request.Duration);
                    // The documented spelling: validation ignores case, FastRouter's enum does not (FastRouter's reference, docs/providers.md).
                    ProviderJson.WriteIfSet(w, "resolution", RequestChecks.DocumentedSpelling(request.Resolution, FastRouterRules.Resolutions));
                    ProviderJson.WriteIfSet(w, "aspectRatio", RequestChecks.DocumentedSpelling(request.AspectRatio, FastRouterRules.Aspects));
                }
                ProviderJson.WriteIfSet(w, "mode", RequestChecks.DocumentedSpelling(request.Mode, FastRouterRules.Modes));
                ProviderJson.WriteIfSet(w, "seed", request.Seed);
                ProviderJson.WriteIfSet(w, "generateAudio", request.GenerateAudio);
            });
        }

        /// <summary>The model as sent: the default, or the user's in its documented spelling (FastRouter's reference, docs/providers.md's enum is case-sensitive).</summary>
        private string SubmittedModel(VideoRequest request) =>
            string.IsNullOrWhiteSpace(request.Model) ? DefaultModel : RequestChecks.DocumentedSpelling(request.Model, FastRouterRules.DocumentedModels)!;

        /// <summary>Sora's <c>size</c> from an aspect ratio (16:9 or 9:16) and resolution (720p, or 1080p for the large sizes).</summary>
        internal static string SoraSize(string? aspectRatio, string? resolution)
        {
            var portrait = string.Equals(aspectRatio?.Trim(), "9:16", StringComparison.Ordinal);
            var landscape = string.IsNullOrWhiteSpace(aspectRatio) || string.Equals(aspectRatio?.Trim(), "16:9", StringComparison.Ordinal);
            if (!portrait && !landscape)
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                    "FastRouter's Sora models take AspectRatio 16:9 or 9:16 only (sizes 1280x720, 720x1280, 1792x1024, 1024x1792); '" + aspectRatio + "' cannot be honoured.");
            }
            var large = Dimensions.ShortSide(resolution) is int side && side > 720;
            return portrait ? (large ? "1024x1792" : "720x1280") : (large ? "1792x1024" : "1280x720");
        }

        /// <inheritdoc/>
        public VideoJob ReadSubmitResponse(ProviderResponse response, VideoRequest request, Uri baseUri, DateTimeOffset now)
        {
            using var doc = ProviderJson.Parse(response, Provider, "the submission answer", null);
            var root = doc.RootElement;
            var id = ProviderJson.String(root, "data", "taskId") ?? ProviderJson.String(root, "id");
            if (id is null)
            {
                var why = ProviderJson.ErrorText(root) ?? ProviderJson.String(root, "message");
                throw ProviderJson.Unexpected(response, Provider,
                    "no task id (data.taskId or id)" + (why is null ? string.Empty : ": " + why), null);
            }
            var status = ProviderJson.String(root, "data", "status") ?? ProviderJson.String(root, "status") ?? "queued";
            var job = new VideoJob(id, Provider)
            {
                // The model sent, not the one the answer names: polls must carry the model of the original request
                // (FastRouter's reference, docs/providers.md's taskId/model rule), and a gateway may answer with another name for it.
                Model = SubmittedModel(request),
                Prompt = request.Prompt,
                Name = request.Name,
                SubmittedAt = now,
                BaseUri = baseUri.AbsoluteUri,
            };
            ProviderJson.ReadUsage(root, job);
            job.SetStatus(StatusMap.Normalize(status), status, now);
            return job;
        }

        /// <inheritdoc/>
        public HttpRequestMessage CreatePollRequest(Uri baseUri, VideoJob job) => PollRequest(baseUri, job, PollPath);

        internal static HttpRequestMessage PollRequest(Uri baseUri, VideoJob job, string path) =>
            ProviderJson.JsonPost(ProviderJson.Combine(baseUri, path), w =>
            {
                w.WriteString("taskId", job.Id);
                ProviderJson.WriteIfSet(w, "model", job.Model);
            });

        /// <inheritdoc/>
        public VideoJob ReadPollResponse(ProviderResponse response, VideoJob job, DateTimeOffset now)
        {
            var next = job.Copy();
            next.Error = null;
            if (response.IsMedia)
            {
                // The finished video itself: the download repeats this poll and streams the body.
                next.Progress = 100;
                next.SetStatus(VideoJobStatus.Succeeded, "succeed", now);
                return next;
            }
            using var doc = ProviderJson.Parse(response, Provider, "the poll answer", job.Id);
            var root = doc.RootElement;
            string? status;
            var generations = ProviderJson.Get(root, "data", "generations");
            if (generations is { ValueKind: JsonValueKind.Array } gens && gens.GetArrayLength() > 0)
            {
                var first = gens[0];
                status = ProviderJson.String(first, "status");
                next.VideoUrl = ProviderJson.String(first, "url") ?? next.VideoUrl;
                next.Error = ProviderJson.String(first, "failMsg");
                next.Progress = ProviderJson.Percent(first, "progress") ?? next.Progress;
            }
            else
            {
                status = ProviderJson.String(root, "data", "status") ?? ProviderJson.String(root, "status");
                next.Progress = ProviderJson.Percent(root, "progress") ?? next.Progress;
                next.Error = ProviderJson.ErrorText(root);
                next.VideoUrl = ProviderJson.String(root, "url") ?? ProviderJson.String(root, "data", "url") ?? next.VideoUrl;
            }
            if (status is null)
            {
                throw ProviderJson.Unexpected(response, Provider, "no status (data.generations[].status or status)", job.Id);
            }
            ProviderJson.ReadUsage(root, next);
            var normalized = StatusMap.Normalize(status);
            if (normalized == VideoJobStatus.Succeeded)
            {
                next.Progress = 100;
            }
            if (normalized == VideoJobStatus.Failed && next.Error is null)
            {
                next.Error = "FastRouter reported the job failed without a message.";
            }
            next.SetStatus(normalized, status, now);
            return next;
        }

        /// <summary>The poll route of FastRouter's guide and its reference's earlier versions (docs/providers.md, Routes), tried when <see cref="PollPath"/> is missing.</summary>
        public const string LegacyPollPath = "api/v1/getVideoResponse";

        /// <inheritdoc/>
        public HttpRequestMessage CreateDownloadRequest(Uri baseUri, VideoJob job, VideoVariant variant)
        {
            OpenAIVideos.VideoOnly(Provider, variant);
            return !string.IsNullOrEmpty(job.VideoUrl)
                ? new HttpRequestMessage(HttpMethod.Get, ProviderJson.Resolve(baseUri, job.VideoUrl!))
                : CreatePollRequest(baseUri, job); // no URL: a finished poll answers the bytes
        }

        /// <inheritdoc/>
        public bool DownloadUsesVideoUrl(VideoJob job) => true; // without one, the poll route: it answers the bytes only in the bytes form

        /// <inheritdoc/>
        public HttpRequestMessage? CreateFallbackPollRequest(Uri baseUri, VideoJob job) => PollRequest(baseUri, job, LegacyPollPath);

        /// <inheritdoc/>
        public bool UploadsImage(VideoRequest request) => false;
    }
}
