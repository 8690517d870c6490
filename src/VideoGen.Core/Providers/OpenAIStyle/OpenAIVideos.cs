using System;
using System.Globalization;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;

namespace VideoGen.Core.Providers
{
    /// <summary>
    /// The OpenAI-style video API (docs/providers.md, "OpenAI-compatible /v1/videos"; AppleRouter's reference, docs/providers.md for AppleRouter's route):
    /// multipart <c>POST videos</c> (prompt, model, seconds as a string, size, input_reference file), the video
    /// object <c>{id, object, model, status, progress, created_at, completed_at, expires_at, seconds, size, error}</c>,
    /// <c>GET videos/{id}</c>, and <c>GET videos/{id}/content?variant=video|thumbnail|spritesheet</c>.
    /// Shared by <see cref="OpenAICompatibleMapping"/> and AppleRouter's veo-3.1 route.
    /// </summary>
    internal static class OpenAIVideos
    {
        /// <summary>The multipart create request under <paramref name="videosBase"/> (the URI that "videos" is relative to).</summary>
        public static HttpRequestMessage CreateSubmitRequest(Uri videosBase, VideoRequest request, string model)
        {
            var form = new MultipartFormDataContent();
            form.Add(new StringContent(request.Prompt ?? string.Empty), "prompt");
            form.Add(new StringContent(model), "model");
            if (request.Duration is int seconds)
            {
                form.Add(new StringContent(seconds.ToString(CultureInfo.InvariantCulture)), "seconds");
            }
            var size = Size(request);
            if (size != null)
            {
                form.Add(new StringContent(size), "size");
            }
            if (request.InputReference is UploadFile file)
            {
                var part = new ByteArrayContent(file.Content);
                part.Headers.ContentType = new MediaTypeHeaderValue(file.MediaType);
                form.Add(part, "input_reference", file.FileName);
            }
            return new HttpRequestMessage(HttpMethod.Post, ProviderJson.Combine(videosBase, "videos")) { Content = form };
        }

        /// <summary>The <c>size</c>: given, or derived from resolution and aspect ratio (720p 16:9 is 1280x720), or null.</summary>
        public static string? Size(VideoRequest request)
        {
            if (!string.IsNullOrEmpty(request.Size))
            {
                return RequestChecks.SizeSpelling(request.Size); // 1280X720 is sent as the documented 1280x720
            }
            if ((!string.IsNullOrEmpty(request.Resolution) || !string.IsNullOrEmpty(request.AspectRatio)) &&
                Dimensions.TryDerive(request.Resolution, request.AspectRatio, out var width, out var height))
            {
                return width.ToString(CultureInfo.InvariantCulture) + "x" + height.ToString(CultureInfo.InvariantCulture);
            }
            return null;
        }

        /// <summary>Reads the video object a create answers with into a new job.</summary>
        public static VideoJob ReadSubmitResponse(ProviderResponse response, VideoProvider provider, VideoRequest request, Uri baseUri, Uri videosBase, string model, DateTimeOffset now)
        {
            using var doc = ProviderJson.Parse(response, provider, "the create answer", null);
            var root = doc.RootElement;
            var id = ProviderJson.String(root, "id");
            if (id is null)
            {
                throw ProviderJson.Unexpected(response, provider, "no id" + (ProviderJson.ErrorText(root) is string e ? ": " + e : string.Empty), null);
            }
            var job = new VideoJob(id, provider)
            {
                Model = ProviderJson.String(root, "model") ?? model,
                Prompt = request.Prompt,
                Name = request.Name,
                SubmittedAt = now,
                BaseUri = baseUri.AbsoluteUri,
                PollingUrl = ProviderJson.Combine(videosBase, "videos/" + Uri.EscapeDataString(id)).AbsoluteUri,
            };
            Apply(root, job, response, provider, now);
            return job;
        }

        /// <summary>Reads a retrieve answer into a new job object.</summary>
        public static VideoJob ReadPollResponse(ProviderResponse response, VideoProvider provider, VideoJob job, DateTimeOffset now)
        {
            using var doc = ProviderJson.Parse(response, provider, "the poll answer", job.Id);
            var next = job.Copy();
            Apply(doc.RootElement, next, response, provider, now);
            return next;
        }

        /// <summary>The content request for a variant.</summary>
        public static HttpRequestMessage CreateDownloadRequest(Uri videosBase, VideoJob job, VideoVariant variant) =>
            new HttpRequestMessage(HttpMethod.Get, ProviderJson.Combine(videosBase,
                "videos/" + Uri.EscapeDataString(job.Id) + "/content?variant=" + variant.ToString().ToLowerInvariant()));

        private static void Apply(JsonElement root, VideoJob job, ProviderResponse response, VideoProvider provider, DateTimeOffset now)
        {
            var status = ProviderJson.String(root, "status");
            if (status is null)
            {
                throw ProviderJson.Unexpected(response, provider, "no status", job.Id);
            }
            job.Progress = ProviderJson.Percent(root, "progress") ?? job.Progress;
            ProviderJson.ReadUsage(root, job); // a gateway's usage, where it reports one (inferred)
            job.Error = ProviderJson.ErrorText(root);
            job.VideoUrl = ProviderJson.String(root, "metadata", "url") ?? job.VideoUrl;
            var normalized = StatusMap.Normalize(status);
            if (normalized == VideoJobStatus.Succeeded)
            {
                job.Progress = 100;
            }
            else if (normalized == VideoJobStatus.Failed && job.Error is null)
            {
                job.Error = provider + " reported the job failed without a message.";
            }
            job.SetStatus(normalized, status, now);
            if (ProviderJson.UnixTime(root, "completed_at") is DateTimeOffset completed && job.IsTerminal)
            {
                job.CompletedAt = completed;
            }
        }

        /// <summary>
        /// <c>POST videos/{id}/remix</c> with JSON <c>{"prompt": ...}</c> (docs/providers.md, Remix and delete): the
        /// new video takes the source's model, seconds and size, so the prompt is the only field.
        /// </summary>
        public static HttpRequestMessage CreateRemixRequest(Uri videosBase, VideoJob source, string prompt) =>
            ProviderJson.JsonPost(ProviderJson.Combine(videosBase, "videos/" + Uri.EscapeDataString(source.Id) + "/remix"), w => w.WriteString("prompt", prompt));

        /// <summary>
        /// Reads the remix answer, a new video object (<c>remixed_from_video_id</c> names the source), into a new job with
        /// the source's model and base URI and the remix prompt.
        /// </summary>
        public static VideoJob ReadRemixResponse(ProviderResponse response, VideoProvider provider, VideoJob source, string prompt, string? name,
            Uri baseUri, Uri videosBase, DateTimeOffset now)
        {
            var request = new VideoRequest { Prompt = prompt, Name = name, Model = source.Model };
            var job = ReadSubmitResponse(response, provider, request, baseUri, videosBase, source.Model ?? string.Empty, now);
            if (string.IsNullOrEmpty(job.Model))
            {
                job.Model = null;
            }
            return job;
        }

        /// <summary>The id the remix answer names as its source (<c>remixed_from_video_id</c>), or null.</summary>
        public static string? RemixedFrom(ProviderResponse response)
        {
            try
            {
                using var doc = JsonDocument.Parse(response.Body);
                return doc.RootElement.ValueKind == JsonValueKind.Object ? ProviderJson.String(doc.RootElement, "remixed_from_video_id") : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <summary><c>DELETE videos/{id}</c>.</summary>
        public static HttpRequestMessage CreateDeleteRequest(Uri videosBase, VideoJob job) =>
            new HttpRequestMessage(HttpMethod.Delete, ProviderJson.Combine(videosBase, "videos/" + Uri.EscapeDataString(job.Id)));

        /// <summary>
        /// Reads the delete answer <c>{id, object:"video.deleted", deleted:true}</c>. An empty 2xx body (204) counts as deleted;
        /// <c>deleted:false</c> is an error naming the id.
        /// </summary>
        /// <exception cref="VideoGenException">UnexpectedAnswer: the provider says the video was not deleted, or the answer cannot be read.</exception>
        public static void ReadDeleteResponse(ProviderResponse response, VideoProvider provider, VideoJob job)
        {
            if (response.Body.Length == 0 || response.Text.Trim().Length == 0)
            {
                return;
            }
            using var doc = ProviderJson.Parse(response, provider, "the delete answer", job.Id);
            var root = doc.RootElement;
            if (ProviderJson.Get(root, "deleted") is JsonElement deleted && deleted.ValueKind == JsonValueKind.False)
            {
                throw ProviderJson.Unexpected(response, provider, "deleted:false (the video was not deleted)", job.Id);
            }
        }

        /// <summary>Refuses a variant on a route that serves only the video.</summary>
        public static void VideoOnly(VideoProvider provider, VideoVariant variant)
        {
            if (variant != VideoVariant.Video)
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                    provider + " serves only the video on this route; -Variant " + variant + " needs an OpenAI-style route (OpenAICompatible, or AppleRouter's veo-3.1 models).");
            }
        }
    }
}
