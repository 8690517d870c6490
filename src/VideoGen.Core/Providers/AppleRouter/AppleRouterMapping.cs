using System;
using System.Globalization;
using System.Net.Http;
using System.Text.Json;

namespace VideoGen.Core.Providers
{
    /// <summary>
    /// AppleRouter (AppleRouter's reference, docs/providers.md). Submit <c>POST /v1/video/generations</c> (JSON: model,
    /// prompt, image, duration, width, height, fps, seed) answers <c>{task_id, status}</c>; poll <c>GET
    /// /v1/video/generations/{task_id}</c> answers the new-api task shape <c>{code, data:{task_id, status,
    /// progress:"NN%", fail_reason, result_url}}</c> (docs/providers.md, Answers: inferred) or a flat <c>{task_id,
    /// status, progress, result_url|video_url|url}</c>.
    /// </summary>
    public sealed class AppleRouterMapping : IProviderMapping, IRemixDeleteMapping
    {
        /// <inheritdoc/>
        public IProviderRules Rules { get; } = new AppleRouterRules();

        /// <summary>The submission route under the base URI.</summary>
        public const string SubmitPath = "v1/video/generations";

        /// <inheritdoc/>
        public VideoProvider Provider => VideoProvider.AppleRouter;
        /// <inheritdoc/>
        public Uri DefaultBaseUri { get; } = new Uri("https://api.applerouter.ai");
        /// <inheritdoc/>
        public string ApiKeyVariable => "APPLEROUTER_API_KEY";
        /// <inheritdoc/>
        public bool KeyVariableIsShared => false;
        /// <inheritdoc/>
        public string AuthorizationScheme => "Bearer";
        /// <inheritdoc/>
        public string DefaultModel => "kling-v1";
        /// <inheritdoc/>
        public TimeSpan MaxPollInterval => TimeSpan.FromSeconds(30);
        /// <inheritdoc/>
        public TimeSpan PollInterval => TimeSpan.FromSeconds(10); // its documents: poll every 10-30 s (docs/providers.md)

        /// <summary>The veo-3.1 family (veo-3.1, -fast, -landscape, -fl) goes to AppleRouter's OpenAI-style multipart <c>POST /v1/videos</c> (AppleRouter's reference, docs/providers.md).</summary>
        public static bool IsVideosRoute(string? model) => model != null && model.Trim().StartsWith("veo-3.1", StringComparison.OrdinalIgnoreCase);

        private static bool IsVideosJob(VideoJob job) =>
            (job.PollingUrl != null && job.PollingUrl.IndexOf("/v1/videos/", StringComparison.Ordinal) >= 0) || IsVideosRoute(job.Model);

        private static Uri VideosBase(Uri baseUri) => ProviderJson.Combine(baseUri, "v1/");

        private string Model(VideoRequest request) => string.IsNullOrWhiteSpace(request.Model) ? DefaultModel : request.Model!;

        /// <inheritdoc/>
        public HttpRequestMessage CreateSubmitRequest(Uri baseUri, VideoRequest request)
        {
            if (IsVideosRoute(request.Model))
            {
                return OpenAIVideos.CreateSubmitRequest(VideosBase(baseUri), request, Model(request));
            }
            if (request.GenerateAudio == true)
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                    "AppleRouter's /v1/video/generations has no audio option; remove GenerateAudio or use FastRouter or OpenRouter.");
            }
            int width = 0, height = 0;
            bool hasSize = false;
            if (!string.IsNullOrEmpty(request.Size))
            {
                if (!Dimensions.TryParseSize(request.Size, out width, out height))
                {
                    throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                        "Size '" + request.Size + "' is not WIDTHxHEIGHT in pixels, such as 1280x720.");
                }
                hasSize = true;
            }
            else if (!string.IsNullOrEmpty(request.Resolution) || !string.IsNullOrEmpty(request.AspectRatio))
            {
                if (!Dimensions.TryDerive(request.Resolution, request.AspectRatio, out width, out height))
                {
                    throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                        "AppleRouter takes width and height in pixels; Resolution '" + request.Resolution + "' with AspectRatio '" +
                        request.AspectRatio + "' cannot be turned into them. Give Size as WIDTHxHEIGHT.");
                }
                hasSize = true;
            }
            var model = string.IsNullOrWhiteSpace(request.Model) ? DefaultModel : request.Model!;
            return ProviderJson.JsonPost(ProviderJson.Combine(baseUri, SubmitPath), w =>
            {
                w.WriteString("model", model);
                w.WriteString("prompt", request.Prompt);
                ProviderJson.WriteIfSet(w, "image", request.Image);
                ProviderJson.WriteIfSet(w, "duration", request.Duration);
                if (hasSize)
                {
                    w.WriteNumber("width", width);
                    w.WriteNumber("height", height);
                }
                ProviderJson.WriteIfSet(w, "seed", request.Seed);
            });
        }

        /// <inheritdoc/>
        public VideoJob ReadSubmitResponse(ProviderResponse response, VideoRequest request, Uri baseUri, DateTimeOffset now)
        {
            if (IsVideosRoute(request.Model))
            {
                return OpenAIVideos.ReadSubmitResponse(response, Provider, request, baseUri, VideosBase(baseUri), Model(request), now);
            }
            using var doc = ProviderJson.Parse(response, Provider, "the submission answer", null);
            var body = Body(doc.RootElement);
            var id = ProviderJson.String(body, "task_id") ?? ProviderJson.String(body, "id");
            if (id is null)
            {
                throw ProviderJson.Unexpected(response, Provider, "no task_id" + (ProviderJson.String(doc.RootElement, "message") is string m ? ": " + m : string.Empty), null);
            }
            var status = ProviderJson.String(body, "status") ?? "queued";
            var job = new VideoJob(id, Provider)
            {
                Model = string.IsNullOrWhiteSpace(request.Model) ? DefaultModel : request.Model,
                Prompt = request.Prompt,
                Name = request.Name,
                SubmittedAt = now,
                BaseUri = baseUri.AbsoluteUri,
            };
            job.SetStatus(StatusMap.Normalize(status), status, now);
            return job;
        }

        /// <inheritdoc/>
        public HttpRequestMessage CreatePollRequest(Uri baseUri, VideoJob job) =>
            new HttpRequestMessage(HttpMethod.Get, IsVideosJob(job)
                ? ProviderJson.Combine(VideosBase(baseUri), "videos/" + Uri.EscapeDataString(job.Id))
                : ProviderJson.Combine(baseUri, SubmitPath + "/" + Uri.EscapeDataString(job.Id)));

        /// <inheritdoc/>
        public VideoJob ReadPollResponse(ProviderResponse response, VideoJob job, DateTimeOffset now)
        {
            if (IsVideosJob(job))
            {
                return OpenAIVideos.ReadPollResponse(response, Provider, job, now);
            }
            using var doc = ProviderJson.Parse(response, Provider, "the poll answer", job.Id);
            var body = Body(doc.RootElement);
            var status = ProviderJson.String(body, "status");
            if (status is null)
            {
                throw ProviderJson.Unexpected(response, Provider, "no status (data.status or status)", job.Id);
            }
            var next = job.Copy();
            next.Progress = ProviderJson.Percent(body, "progress") ?? next.Progress;
            ProviderJson.ReadUsage(body, next); // a gateway's usage, where it reports one (inferred)
            next.VideoUrl = ProviderJson.String(body, "result_url") ?? ProviderJson.String(body, "video_url") ??
                ProviderJson.String(body, "url") ?? ProviderJson.String(body, "metadata", "url") ?? next.VideoUrl;
            next.Error = ProviderJson.String(body, "fail_reason") ?? ProviderJson.ErrorText(body);
            var normalized = StatusMap.Normalize(status);
            if (normalized == VideoJobStatus.Succeeded)
            {
                next.Progress = 100;
            }
            else if (normalized == VideoJobStatus.Failed && next.Error is null)
            {
                next.Error = "AppleRouter reported the job failed without a reason.";
            }
            next.SetStatus(normalized, status, now);
            return next;
        }

        /// <inheritdoc/>
        public HttpRequestMessage CreateDownloadRequest(Uri baseUri, VideoJob job, VideoVariant variant)
        {
            if (IsVideosJob(job))
            {
                return OpenAIVideos.CreateDownloadRequest(VideosBase(baseUri), job, variant);
            }
            OpenAIVideos.VideoOnly(Provider, variant);
            if (string.IsNullOrEmpty(job.VideoUrl))
            {
                throw new VideoGenException(VideoGenErrorKind.UnexpectedAnswer,
                    string.Format(CultureInfo.InvariantCulture, "AppleRouter gave no result_url for task {0}; poll it again with Get-VideoStatus.", job.Id), job.Id);
            }
            return new HttpRequestMessage(HttpMethod.Get, ProviderJson.Resolve(baseUri, job.VideoUrl!));
        }

        /// <inheritdoc/>
        public bool DownloadUsesVideoUrl(VideoJob job) => !IsVideosJob(job);

        /// <inheritdoc/>
        public HttpRequestMessage? CreateFallbackPollRequest(Uri baseUri, VideoJob job) => null;

        /// <inheritdoc/>
        public bool UploadsImage(VideoRequest request) => IsVideosRoute(request.Model) && !string.IsNullOrEmpty(request.Image);

        /// <inheritdoc/>
        public string? RemixRefusal(VideoJob source) => IsVideosJob(source) ? null : NotVideosRoute(source, "remix");

        /// <inheritdoc/>
        public string? DeleteRefusal(VideoJob job) => IsVideosJob(job) ? null : NotVideosRoute(job, "delete");

        private static string NotVideosRoute(VideoJob job, string operation) =>
            "AppleRouter can " + operation + " only videos of its OpenAI-style /v1/videos route (the veo-3.1 models); " + job.Id +
            (string.IsNullOrWhiteSpace(job.Model)
                ? " names no model, so it is taken for a /v1/video/generations task, which has no " + operation + ". Add -Model with the video's veo-3.1 model (e.g. -Model veo-3.1), or pipe the job New-Video emitted."
                : " was made with " + job.Model + " on /v1/video/generations, which has no " + operation + ".");

        /// <inheritdoc/>
        public HttpRequestMessage CreateRemixRequest(Uri baseUri, VideoJob source, string prompt) =>
            OpenAIVideos.CreateRemixRequest(VideosBase(baseUri), source, prompt);

        /// <inheritdoc/>
        public VideoJob ReadRemixResponse(ProviderResponse response, VideoJob source, string prompt, string? name, Uri baseUri, DateTimeOffset now) =>
            OpenAIVideos.ReadRemixResponse(response, Provider, source, prompt, name, baseUri, VideosBase(baseUri), now);

        /// <inheritdoc/>
        public HttpRequestMessage CreateDeleteRequest(Uri baseUri, VideoJob job) => OpenAIVideos.CreateDeleteRequest(VideosBase(baseUri), job);

        /// <inheritdoc/>
        public void ReadDeleteResponse(ProviderResponse response, VideoJob job) => OpenAIVideos.ReadDeleteResponse(response, Provider, job);

        /// <inheritdoc/>
        public string? RemixedFrom(ProviderResponse response) => OpenAIVideos.RemixedFrom(response);

        /// <summary>The new-api wrapper's <c>data</c> object where there is one, else the root.</summary>
        private static JsonElement Body(JsonElement root) =>
            ProviderJson.Get(root, "data") is { ValueKind: JsonValueKind.Object } data ? data : root;
    }
}
