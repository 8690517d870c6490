using System;
using System.Net.Http;

namespace VideoGen.Core.Providers
{
    /// <summary>
    /// OpenRouter (OpenRouter's reference, docs/providers.md: OpenAPI 3.1, base <c>https://openrouter.ai/api/v1</c>).
    /// Submit <c>POST /videos</c> (snake_case JSON) answers 202 <c>{id, polling_url, status, generation_id?,
    /// unsigned_urls?, usage?, error?}</c>; poll <c>GET /videos/{id}</c> (or the polling URL, resolved against the
    /// base); download <c>GET /videos/{id}/content?index=N</c> with the bearer key (OpenRouter's video guide,
    /// docs/providers.md, Routes).
    /// </summary>
    public sealed class OpenRouterMapping : IProviderMapping, IPricingMapping
    {
        /// <inheritdoc/>
        public IProviderRules Rules { get; } = new OpenRouterRules();

        /// <inheritdoc/>
        public bool ReportsCost => true;

        /// <inheritdoc/>
        public string? RemainingCreditPath => "key";

        /// <inheritdoc/>
        /// <remarks><c>GET /api/v1/key</c> answers <c>{data: {limit, limit_remaining, usage, …}}</c>; <c>limit_remaining</c> is null where the key has no limit.</remarks>
        public decimal? ReadRemainingCredit(string json)
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object &&
                document.RootElement.TryGetProperty("data", out var data) && data.ValueKind == System.Text.Json.JsonValueKind.Object &&
                data.TryGetProperty("limit_remaining", out var left) && left.ValueKind == System.Text.Json.JsonValueKind.Number
                ? left.GetDecimal()
                : (decimal?)null;
        }

        /// <inheritdoc/>
        public VideoProvider Provider => VideoProvider.OpenRouter;
        /// <inheritdoc/>
        public Uri DefaultBaseUri { get; } = new Uri("https://openrouter.ai/api/v1");
        /// <inheritdoc/>
        public string ApiKeyVariable => "OPENROUTER_API_KEY";
        /// <inheritdoc/>
        public bool KeyVariableIsShared => false;
        /// <inheritdoc/>
        public string AuthorizationScheme => "Bearer";
        /// <inheritdoc/>
        public string DefaultModel => "google/veo-3.1";
        /// <inheritdoc/>
        public TimeSpan MaxPollInterval => TimeSpan.FromSeconds(30);
        /// <inheritdoc/>
        public TimeSpan PollInterval => TimeSpan.FromSeconds(10); // its documents: poll every 10-30 s (docs/providers.md)

        /// <inheritdoc/>
        public HttpRequestMessage CreateSubmitRequest(Uri baseUri, VideoRequest request)
        {
            var model = string.IsNullOrWhiteSpace(request.Model) ? DefaultModel : request.Model!;
            return ProviderJson.JsonPost(ProviderJson.Combine(baseUri, "videos"), w =>
            {
                w.WriteString("model", model);
                w.WriteString("prompt", request.Prompt);
                ProviderJson.WriteIfSet(w, "duration", request.Duration);
                // The documented spelling ("720p", "1K"): validation ignores case, OpenRouter's enum does not (OpenRouter's reference, docs/providers.md).
                ProviderJson.WriteIfSet(w, "resolution", RequestChecks.DocumentedSpelling(request.Resolution, OpenRouterRules.Resolutions));
                ProviderJson.WriteIfSet(w, "aspect_ratio", RequestChecks.DocumentedSpelling(request.AspectRatio, OpenRouterRules.Aspects));
                ProviderJson.WriteIfSet(w, "size", RequestChecks.SizeSpelling(request.Size));
                ProviderJson.WriteIfSet(w, "seed", request.Seed);
                ProviderJson.WriteIfSet(w, "generate_audio", request.GenerateAudio);
                var first = string.IsNullOrEmpty(request.FirstFrame) ? request.Image : request.FirstFrame;
                if (!string.IsNullOrEmpty(first) || !string.IsNullOrEmpty(request.LastFrame))
                {
                    w.WriteStartArray("frame_images");
                    if (!string.IsNullOrEmpty(first))
                    {
                        WritePart(w, "image_url", first!, "first_frame");
                    }
                    if (!string.IsNullOrEmpty(request.LastFrame))
                    {
                        WritePart(w, "image_url", request.LastFrame!, "last_frame");
                    }
                    w.WriteEndArray();
                }
                if (request.ReferenceImages is { Count: > 0 } references)
                {
                    w.WriteStartArray("input_references");
                    foreach (var url in references)
                    {
                        WritePart(w, "image_url", url, null);
                    }
                    w.WriteEndArray();
                }
                ProviderJson.WriteIfSet(w, "callback_url", request.CallbackUrl);
                if (request.ProviderOptions is { Count: > 0 } options)
                {
                    w.WriteStartObject("provider");
                    w.WritePropertyName("options");
                    ProviderJson.WriteValue(w, options);
                    w.WriteEndObject();
                }
            });
        }

        private static void WritePart(System.Text.Json.Utf8JsonWriter w, string type, string url, string? frameType)
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            w.WriteStartObject(type);
            w.WriteString("url", url);
            w.WriteEndObject();
            ProviderJson.WriteIfSet(w, "frame_type", frameType);
            w.WriteEndObject();
        }

        /// <inheritdoc/>
        public VideoJob ReadSubmitResponse(ProviderResponse response, VideoRequest request, Uri baseUri, DateTimeOffset now)
        {
            using var doc = ProviderJson.Parse(response, Provider, "the submission answer", null);
            var root = doc.RootElement;
            var id = ProviderJson.String(root, "id");
            if (id is null)
            {
                throw ProviderJson.Unexpected(response, Provider, "no id" + (ProviderJson.ErrorText(root) is string e ? ": " + e : string.Empty), null);
            }
            var job = new VideoJob(id, Provider)
            {
                Model = string.IsNullOrWhiteSpace(request.Model) ? DefaultModel : request.Model,
                Prompt = request.Prompt,
                Name = request.Name,
                SubmittedAt = now,
                BaseUri = baseUri.AbsoluteUri,
            };
            Apply(response, root, job, baseUri, now);
            return job;
        }

        /// <inheritdoc/>
        public HttpRequestMessage CreatePollRequest(Uri baseUri, VideoJob job)
        {
            var uri = !string.IsNullOrEmpty(job.PollingUrl)
                ? ProviderJson.Resolve(baseUri, job.PollingUrl!)
                : ProviderJson.Combine(baseUri, "videos/" + Uri.EscapeDataString(job.Id));
            return new HttpRequestMessage(HttpMethod.Get, uri);
        }

        /// <inheritdoc/>
        public VideoJob ReadPollResponse(ProviderResponse response, VideoJob job, DateTimeOffset now)
        {
            using var doc = ProviderJson.Parse(response, Provider, "the poll answer", job.Id);
            var next = job.Copy();
            var baseUri = new Uri(job.BaseUri ?? DefaultBaseUri.AbsoluteUri);
            Apply(response, doc.RootElement, next, baseUri, now);
            return next;
        }

        private void Apply(ProviderResponse response, System.Text.Json.JsonElement root, VideoJob job, Uri baseUri, DateTimeOffset now)
        {
            var status = ProviderJson.String(root, "status");
            if (status is null)
            {
                throw ProviderJson.Unexpected(response, Provider, "no status", job.Id);
            }
            var polling = ProviderJson.String(root, "polling_url");
            if (polling != null)
            {
                // polling_url may be relative ("/api/v1/videos/job-abc123"): resolve it against the base.
                job.PollingUrl = ProviderJson.ResolveIn(response, Provider, baseUri, polling, "polling_url", job.Id);
            }
            var urls = ProviderJson.Strings(root, "unsigned_urls");
            if (urls.Count > 0)
            {
                job.VideoUrl = ProviderJson.ResolveIn(response, Provider, baseUri, urls[0], "unsigned_urls[0]", job.Id);
            }
            ProviderJson.ReadUsage(root, job);
            job.Progress = ProviderJson.Percent(root, "progress") ?? job.Progress;
            job.Error = ProviderJson.ErrorText(root);
            var normalized = StatusMap.Normalize(status);
            if (normalized == VideoJobStatus.Succeeded)
            {
                job.Progress = 100;
            }
            else if (normalized != VideoJobStatus.Queued && normalized != VideoJobStatus.Running && job.Error is null)
            {
                job.Error = "OpenRouter reported the job " + status + ".";
            }
            job.SetStatus(normalized, status, now);
        }

        /// <inheritdoc/>
        public HttpRequestMessage CreateDownloadRequest(Uri baseUri, VideoJob job, VideoVariant variant)
        {
            OpenAIVideos.VideoOnly(Provider, variant);
            return new HttpRequestMessage(HttpMethod.Get, !string.IsNullOrEmpty(job.VideoUrl)
                ? ProviderJson.Resolve(baseUri, job.VideoUrl!)
                : ProviderJson.Combine(baseUri, "videos/" + Uri.EscapeDataString(job.Id) + "/content?index=0"));
        }

        /// <inheritdoc/>
        public bool DownloadUsesVideoUrl(VideoJob job) => true; // the URL when the poll gave one, else videos/{id}/content

        /// <inheritdoc/>
        public HttpRequestMessage? CreateFallbackPollRequest(Uri baseUri, VideoJob job) => null;

        /// <inheritdoc/>
        public bool UploadsImage(VideoRequest request) => false;
    }
}
