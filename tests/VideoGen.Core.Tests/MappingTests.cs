using System.Net.Http;
using System.Text;
using System.Text.Json;
using VideoGen.Core;
using VideoGen.Core.Providers;

namespace VideoGen.Core.Tests;

/// <summary>Each provider's mapping, from the API documents' own examples and the inferred shapes, as docs/providers.md lists them with their public sources.</summary>
public class MappingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static ProviderResponse Json(string json, int status = 200) => new(status, "application/json", Encoding.UTF8.GetBytes(json));

    private static VideoJob Job(VideoProvider provider, string id, string? model, string? baseUri = null) =>
        VideoJob.Restore(id, provider, model, baseUri: baseUri ?? ProviderMappings.For(provider).DefaultBaseUri!.AbsoluteUri);

    private static JsonElement Body(HttpRequestMessage request) =>
        JsonDocument.Parse(request.Content!.ReadAsStringAsync().Result).RootElement;

    // ---------------- FastRouter ----------------

    [Fact]
    public void FastRouter_submit_sends_the_documented_spelling_of_values_validated_ignoring_case()
    {
        var m = new FastRouterMapping();
        var request = new VideoRequest { Prompt = "p", Model = "Google/Veo3", Resolution = "1080P", AspectRatio = " 16:9 ", Mode = "PRO" };
        Assert.Empty(RequestValidator.Validate(VideoProvider.FastRouter, request, out _));

        var body = Body(m.CreateSubmitRequest(m.DefaultBaseUri, request));
        var sora = Body(m.CreateSubmitRequest(m.DefaultBaseUri, new VideoRequest { Prompt = "p", Model = "openai/sora-2", Size = "1280X720" }));

        Assert.Equal("google/veo3", body.GetProperty("model").GetString());
        Assert.Equal("1080p", body.GetProperty("resolution").GetString());
        Assert.Equal("16:9", body.GetProperty("aspectRatio").GetString());
        Assert.Equal("pro", body.GetProperty("mode").GetString());
        Assert.Equal("1280x720", sora.GetProperty("size").GetString());
    }

    [Fact]
    public void FastRouter_polls_with_the_model_sent_when_the_submit_answer_names_another()
    {
        var m = new FastRouterMapping();
        var job = m.ReadSubmitResponse(Json("""{"chat_id":"c","model":"google/veo3-fast","code":"200","data":{"taskId":"t9","status":"waiting"}}"""),
            new VideoRequest { Prompt = "p", Model = "google/veo3" }, m.DefaultBaseUri, Now);

        Assert.Equal("google/veo3", job.Model);
        Assert.Equal("google/veo3", Body(m.CreatePollRequest(m.DefaultBaseUri, job)).GetProperty("model").GetString());
    }

    [Theory]
    [InlineData("720P", "720p")]
    [InlineData("1k", "1K")]
    [InlineData("4k", "4K")]
    public void OpenRouter_submit_sends_the_documented_spelling_of_a_resolution(string given, string sent)
    {
        var m = new OpenRouterMapping();
        var request = new VideoRequest { Prompt = "p", Model = "google/veo-3.1", Resolution = given, AspectRatio = "21:9", Size = " 1280 X 720" };
        Assert.Empty(RequestValidator.Validate(VideoProvider.OpenRouter, request, out _));

        var body = Body(m.CreateSubmitRequest(m.DefaultBaseUri, request));

        Assert.Equal("1280x720", body.GetProperty("size").GetString());
        Assert.Equal(sent, body.GetProperty("resolution").GetString());
        Assert.Equal("21:9", body.GetProperty("aspect_ratio").GetString());
    }


    [Fact]
    public void FastRouter_submit_sends_the_documented_fields_and_length_for_most_models()
    {
        var m = new FastRouterMapping();
        var request = m.CreateSubmitRequest(m.DefaultBaseUri, new VideoRequest
        {
            Prompt = "A casual street interview", Model = "google/veo2", Duration = 8, Resolution = "1080p", AspectRatio = "16:9",
            Image = "https://example.com/image.jpg", Seed = 42, GenerateAudio = true, Mode = "Pro",
        });
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://api.fastrouter.ai/api/v1/videos", request.RequestUri!.AbsoluteUri);
        var body = Body(request);
        Assert.Equal("google/veo2", body.GetProperty("model").GetString());
        Assert.Equal(8, body.GetProperty("length").GetInt32());
        Assert.False(body.TryGetProperty("seconds", out _));
        Assert.Equal("1080p", body.GetProperty("resolution").GetString());
        Assert.Equal("16:9", body.GetProperty("aspectRatio").GetString());
        Assert.Equal("https://example.com/image.jpg", body.GetProperty("image").GetString());
        Assert.Equal(42, body.GetProperty("seed").GetInt64());
        Assert.True(body.GetProperty("generateAudio").GetBoolean());
        Assert.Equal("pro", body.GetProperty("mode").GetString());
    }

    [Fact]
    public void FastRouter_submit_for_Sora_sends_seconds_and_a_size_derived_from_aspect_and_resolution()
    {
        var m = new FastRouterMapping();
        var body = Body(m.CreateSubmitRequest(m.DefaultBaseUri, new VideoRequest { Prompt = "p", Model = "openai/sora-2", Duration = 8, AspectRatio = "9:16", Resolution = "1080p" }));
        Assert.Equal(8, body.GetProperty("seconds").GetInt32());
        Assert.Equal("1024x1792", body.GetProperty("size").GetString());
        Assert.False(body.TryGetProperty("length", out _));
        Assert.False(body.TryGetProperty("aspectRatio", out _));
    }

    [Fact]
    public void FastRouter_reads_the_most_models_submit_answer()
    {
        var job = new FastRouterMapping().ReadSubmitResponse(Json("""
            {"chat_id":"c1","model":"google/veo3","code":"200","message":"ok","data":{"taskId":"taskabc123","status":"waiting"},
             "usage":{"user_key_credits_used":0,"credits_used":2.5,"provider":"google"},"unknown_field":{"x":1}}
            """), new VideoRequest { Prompt = "p", Model = "google/veo3", Name = "n" }, new Uri("https://api.fastrouter.ai"), Now);
        Assert.Equal("taskabc123", job.Id);
        Assert.Equal(VideoJobStatus.Queued, job.Status);
        Assert.Equal("waiting", job.ProviderStatus);
        Assert.Equal(2.5m, job.Cost);
        Assert.Equal("credits", job.CostUnit);
        Assert.Equal("n", job.Name);
        Assert.Equal("google/veo3", job.Model);
        Assert.Equal(Now, job.SubmittedAt);
    }

    [Fact]
    public void FastRouter_reads_the_Sora_submit_answer()
    {
        var job = new FastRouterMapping().ReadSubmitResponse(Json("""
            {"id":"video_123","chat_id":"c","object":"video","created_at":1760000000,"status":"queued","model":"openai/sora-2","seconds":"8","size":"1280x720","usage":{}}
            """), new VideoRequest { Prompt = "p", Model = "openai/sora-2" }, new Uri("https://api.fastrouter.ai"), Now);
        Assert.Equal("video_123", job.Id);
        Assert.Equal(VideoJobStatus.Queued, job.Status);
    }

    [Fact]
    public void FastRouter_poll_sends_taskId_and_the_model()
    {
        var m = new FastRouterMapping();
        var request = m.CreatePollRequest(m.DefaultBaseUri, Job(VideoProvider.FastRouter, "taskabc123", "google/veo2"));
        Assert.Equal("https://api.fastrouter.ai/api/v1/getAsyncResponse", request.RequestUri!.AbsoluteUri);
        var body = Body(request);
        Assert.Equal("taskabc123", body.GetProperty("taskId").GetString());
        Assert.Equal("google/veo2", body.GetProperty("model").GetString());
    }

    [Theory]
    [InlineData("waiting", VideoJobStatus.Queued)]
    [InlineData("processing", VideoJobStatus.Running)]
    [InlineData("succeed", VideoJobStatus.Succeeded)]
    [InlineData("failed", VideoJobStatus.Failed)]
    [InlineData("rendering-on-mars", VideoJobStatus.Running)]
    public void FastRouter_reads_every_generations_status(string status, VideoJobStatus expected)
    {
        var job = new FastRouterMapping().ReadPollResponse(Json($$$"""
            {"code":"200","message":"ok","data":{"taskId":"t1","generations":[{"id":"g1","createdDate":"2026-01-01","updatedDate":"2026-01-01",
             "status":"{{{status}}}","failMsg":{{{(status == "failed" ? "\"content policy\"" : "null")}}},"url":{{{(status == "succeed" ? "\"https://cdn.example/v.mp4\"" : "null")}}},"mediaType":"video"}]}}
            """), Job(VideoProvider.FastRouter, "t1", "google/veo3"), Now);
        Assert.Equal(expected, job.Status);
        Assert.Equal(status, job.ProviderStatus);
        if (expected == VideoJobStatus.Succeeded)
        {
            Assert.Equal("https://cdn.example/v.mp4", job.VideoUrl);
            Assert.Equal(100, job.Progress);
            Assert.Equal(Now, job.CompletedAt);
        }
        if (expected == VideoJobStatus.Failed)
        {
            Assert.Equal("content policy", job.Error);
        }
    }

    [Theory]
    [InlineData("queued", VideoJobStatus.Queued)]
    [InlineData("in_progress", VideoJobStatus.Running)]
    [InlineData("completed", VideoJobStatus.Succeeded)]
    [InlineData("failed", VideoJobStatus.Failed)]
    public void FastRouter_reads_every_Sora_poll_status_with_progress(string status, VideoJobStatus expected)
    {
        var job = new FastRouterMapping().ReadPollResponse(Json($$$"""
            {"id":"video_1","chat_id":"c","object":"video","created_at":1,"status":"{{{status}}}","progress":40,"completed_at":null,"model":"openai/sora-2","seconds":"8","size":"1280x720","usage":{}}
            """), Job(VideoProvider.FastRouter, "video_1", "openai/sora-2"), Now);
        Assert.Equal(expected, job.Status);
        Assert.Equal(expected == VideoJobStatus.Succeeded ? 100 : 40, job.Progress);
    }

    [Fact]
    public void FastRouter_poll_answered_with_MP4_bytes_means_succeeded_and_the_download_repeats_the_poll()
    {
        var m = new FastRouterMapping();
        var job = m.ReadPollResponse(new ProviderResponse(200, "video/mp4", Array.Empty<byte>()), Job(VideoProvider.FastRouter, "t9", "google/veo3"), Now);
        Assert.Equal(VideoJobStatus.Succeeded, job.Status);
        Assert.Null(job.VideoUrl);
        var download = m.CreateDownloadRequest(m.DefaultBaseUri, job, VideoVariant.Video);
        Assert.Equal(HttpMethod.Post, download.Method);
        Assert.EndsWith("/api/v1/getAsyncResponse", download.RequestUri!.AbsolutePath);
    }

    [Fact]
    public void FastRouter_download_uses_the_generation_url()
    {
        var m = new FastRouterMapping();
        var job = VideoJob.Restore("t", VideoProvider.FastRouter, "google/veo3", videoUrl: "https://cdn.example/v.mp4", status: "Succeeded");
        var download = m.CreateDownloadRequest(m.DefaultBaseUri, job, VideoVariant.Video);
        Assert.Equal(HttpMethod.Get, download.Method);
        Assert.Equal("https://cdn.example/v.mp4", download.RequestUri!.AbsoluteUri);
    }

    [Fact]
    public void FastRouter_submit_answer_without_a_task_id_is_an_unexpected_answer_with_an_excerpt()
    {
        var ex = Assert.Throws<VideoGenException>(() => new FastRouterMapping().ReadSubmitResponse(
            Json("""{"code":"500","message":"upstream busy"}"""), new VideoRequest { Prompt = "p" }, new Uri("https://api.fastrouter.ai"), Now));
        Assert.Equal(VideoGenErrorKind.UnexpectedAnswer, ex.Kind);
        Assert.Contains("upstream busy", ex.Message);
    }

    [Fact]
    public void Malformed_poll_JSON_gives_the_excerpted_error_with_the_task_id()
    {
        var ex = Assert.Throws<VideoGenException>(() => new FastRouterMapping().ReadPollResponse(
            new ProviderResponse(200, "text/html", Encoding.UTF8.GetBytes("<html><body>502 Bad Gateway</body></html>")), Job(VideoProvider.FastRouter, "t42", "google/veo3"), Now));
        Assert.Equal(VideoGenErrorKind.UnexpectedAnswer, ex.Kind);
        Assert.Equal("t42", ex.TaskId);
        Assert.Contains("502 Bad Gateway", ex.Message);
        Assert.Contains("t42", ex.Message);
    }

    // ---------------- OpenRouter ----------------

    [Fact]
    public void OpenRouter_submit_uses_snake_case_and_frame_images()
    {
        var m = new OpenRouterMapping();
        var request = m.CreateSubmitRequest(m.DefaultBaseUri, new VideoRequest
        {
            Prompt = "A serene mountain landscape at sunset", Model = "google/veo-3.1", Duration = 8, Resolution = "720p", AspectRatio = "16:9",
            Image = "https://example.com/image.png", GenerateAudio = false, Size = "1280x720",
        });
        Assert.Equal("https://openrouter.ai/api/v1/videos", request.RequestUri!.AbsoluteUri);
        var body = Body(request);
        Assert.Equal(8, body.GetProperty("duration").GetInt32());
        Assert.Equal("16:9", body.GetProperty("aspect_ratio").GetString());
        Assert.Equal("1280x720", body.GetProperty("size").GetString());
        Assert.False(body.GetProperty("generate_audio").GetBoolean());
        var frame = body.GetProperty("frame_images")[0];
        Assert.Equal("image_url", frame.GetProperty("type").GetString());
        Assert.Equal("first_frame", frame.GetProperty("frame_type").GetString());
        Assert.Equal("https://example.com/image.png", frame.GetProperty("image_url").GetProperty("url").GetString());
    }

    [Fact]
    public void OpenRouter_reads_the_documented_202_and_resolves_the_relative_polling_url_against_the_base()
    {
        var m = new OpenRouterMapping();
        var job = m.ReadSubmitResponse(Json("""{"generation_id":"gen-xyz789","id":"job-abc123","polling_url":"/api/v1/videos/job-abc123","status":"pending"}""", 202),
            new VideoRequest { Prompt = "p" }, m.DefaultBaseUri, Now);
        Assert.Equal("job-abc123", job.Id);
        Assert.Equal(VideoJobStatus.Queued, job.Status);
        Assert.Equal("https://openrouter.ai/api/v1/videos/job-abc123", job.PollingUrl);
        Assert.Equal("https://openrouter.ai/api/v1/videos/job-abc123", m.CreatePollRequest(m.DefaultBaseUri, job).RequestUri!.AbsoluteUri);
    }

    [Theory]
    [InlineData("pending", VideoJobStatus.Queued)]
    [InlineData("in_progress", VideoJobStatus.Running)]
    [InlineData("completed", VideoJobStatus.Succeeded)]
    [InlineData("failed", VideoJobStatus.Failed)]
    [InlineData("cancelled", VideoJobStatus.Cancelled)]
    [InlineData("expired", VideoJobStatus.Expired)]
    public void OpenRouter_reads_all_six_statuses(string status, VideoJobStatus expected)
    {
        var job = new OpenRouterMapping().ReadPollResponse(Json($$$"""{"id":"job-1","polling_url":"/api/v1/videos/job-1","status":"{{{status}}}","new_field":[1,2]}"""),
            Job(VideoProvider.OpenRouter, "job-1", "google/veo-3.1"), Now);
        Assert.Equal(expected, job.Status);
        Assert.Equal(expected is VideoJobStatus.Queued or VideoJobStatus.Running, !job.IsTerminal);
        if (expected is VideoJobStatus.Failed or VideoJobStatus.Cancelled or VideoJobStatus.Expired)
        {
            Assert.NotNull(job.Error);
        }
    }

    [Fact]
    public void OpenRouter_completed_answer_gives_unsigned_url_and_cost_and_the_content_route()
    {
        var m = new OpenRouterMapping();
        var job = m.ReadPollResponse(Json("""
            {"id":"job-1","polling_url":"/api/v1/videos/job-1","status":"completed","unsigned_urls":["https://openrouter.ai/api/v1/videos/job-1/content?index=0"],"usage":{"cost":0.5,"is_byok":false}}
            """), Job(VideoProvider.OpenRouter, "job-1", "google/veo-3.1"), Now);
        Assert.Equal(0.5m, job.Cost);
        Assert.Equal("USD", job.CostUnit);
        Assert.Equal("https://openrouter.ai/api/v1/videos/job-1/content?index=0", m.CreateDownloadRequest(m.DefaultBaseUri, job, VideoVariant.Video).RequestUri!.AbsoluteUri);
        var noUrl = VideoJob.Restore("job-2", VideoProvider.OpenRouter, null, status: "Succeeded");
        Assert.Equal("https://openrouter.ai/api/v1/videos/job-2/content?index=0", m.CreateDownloadRequest(m.DefaultBaseUri, noUrl, VideoVariant.Video).RequestUri!.AbsoluteUri);
    }

    // ---------------- AppleRouter ----------------

    [Fact]
    public void AppleRouter_submit_matches_the_documented_curl_example()
    {
        var m = new AppleRouterMapping();
        var request = m.CreateSubmitRequest(m.DefaultBaseUri, new VideoRequest { Prompt = "An astronaut walking on the moon", Model = "kling-v1", Duration = 5, Resolution = "720p", AspectRatio = "16:9" });
        Assert.Equal("https://api.applerouter.ai/v1/video/generations", request.RequestUri!.AbsoluteUri);
        var body = Body(request);
        Assert.Equal("kling-v1", body.GetProperty("model").GetString());
        Assert.Equal(5, body.GetProperty("duration").GetInt32());
        Assert.Equal(1280, body.GetProperty("width").GetInt32());
        Assert.Equal(720, body.GetProperty("height").GetInt32());
    }

    [Fact]
    public void AppleRouter_reads_the_documented_task_answer()
    {
        var m = new AppleRouterMapping();
        var job = m.ReadSubmitResponse(Json("""{"task_id":"abcd1234efgh","status":"queued"}"""), new VideoRequest { Prompt = "p" }, m.DefaultBaseUri, Now);
        Assert.Equal("abcd1234efgh", job.Id);
        Assert.Equal(VideoJobStatus.Queued, job.Status);
        Assert.Equal("https://api.applerouter.ai/v1/video/generations/abcd1234efgh", m.CreatePollRequest(m.DefaultBaseUri, job).RequestUri!.AbsoluteUri);
    }

    [Theory]
    [InlineData("NOT_START", VideoJobStatus.Queued)]
    [InlineData("SUBMITTED", VideoJobStatus.Queued)]
    [InlineData("QUEUED", VideoJobStatus.Queued)]
    [InlineData("IN_PROGRESS", VideoJobStatus.Running)]
    [InlineData("SUCCESS", VideoJobStatus.Succeeded)]
    [InlineData("FAILURE", VideoJobStatus.Failed)]
    [InlineData("UNKNOWN", VideoJobStatus.Running)]
    public void AppleRouter_reads_the_new_api_task_shape(string status, VideoJobStatus expected)
    {
        var job = new AppleRouterMapping().ReadPollResponse(Json($$$"""
            {"code":"success","message":"","data":{"task_id":"t1","status":"{{{status}}}","progress":"40%","fail_reason":{{{(status == "FAILURE" ? "\"nsfw\"" : "\"\"")}}},"result_url":{{{(status == "SUCCESS" ? "\"https://cdn.example/t1.mp4\"" : "\"\"")}}}}}
            """), Job(VideoProvider.AppleRouter, "t1", "kling-v1"), Now);
        Assert.Equal(expected, job.Status);
        Assert.Equal(status, job.ProviderStatus);
        Assert.Equal(expected == VideoJobStatus.Succeeded ? 100 : 40, job.Progress);
        if (expected == VideoJobStatus.Succeeded)
        {
            Assert.Equal("https://cdn.example/t1.mp4", job.VideoUrl);
        }
        if (expected == VideoJobStatus.Failed)
        {
            Assert.Equal("nsfw", job.Error);
        }
    }

    [Fact]
    public void AppleRouter_reads_the_flat_shape()
    {
        var m = new AppleRouterMapping();
        var job = m.ReadPollResponse(Json("""{"task_id":"t1","status":"completed","progress":100,"video_url":"https://cdn.example/t1.mp4"}"""),
            Job(VideoProvider.AppleRouter, "t1", "kling-v1"), Now);
        Assert.Equal(VideoJobStatus.Succeeded, job.Status);
        Assert.Equal("https://cdn.example/t1.mp4", m.CreateDownloadRequest(m.DefaultBaseUri, job, VideoVariant.Video).RequestUri!.AbsoluteUri);
    }

    [Fact]
    public void Status_map_never_throws_and_keeps_unknown_words_as_running()
    {
        Assert.Equal(VideoJobStatus.Running, StatusMap.Normalize(null));
        Assert.Equal(VideoJobStatus.Running, StatusMap.Normalize("warming_up"));
        Assert.Equal(VideoJobStatus.Succeeded, StatusMap.Normalize(" Completed "));
    }
}

public class ProviderNameTests
{
    [Theory]
    [InlineData("FastRouter", VideoProvider.FastRouter)]
    [InlineData(" openrouter ", VideoProvider.OpenRouter)]
    [InlineData("2", VideoProvider.AppleRouter)]
    public void Provider_names_and_ConvertTo_Json_numbers_parse(string text, VideoProvider expected)
    {
        Assert.True(ProviderMappings.TryParse(text, out var provider));
        Assert.Equal(expected, provider);
    }

    [Theory]
    [InlineData("MoonRouter")]
    [InlineData("7")]
    [InlineData("")]
    public void Anything_else_does_not(string text) => Assert.False(ProviderMappings.TryParse(text, out _));

    [Fact]
    public void A_status_round_tripped_as_a_number_or_name_is_kept()
    {
        Assert.Equal(VideoJobStatus.Succeeded, VideoJob.Restore("t", VideoProvider.FastRouter, null, status: "2").Status);
        Assert.Equal(VideoJobStatus.Succeeded, VideoJob.Restore("t", VideoProvider.FastRouter, null, status: "succeeded").Status);
        Assert.Equal(VideoJobStatus.Queued, VideoJob.Restore("t", VideoProvider.FastRouter, null, status: "42").Status);
    }
}
