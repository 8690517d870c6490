using System.Net.Http;
using System.Text;
using System.Text.Json;
using VideoGen.Core;
using VideoGen.Core.Downloading;
using VideoGen.Core.Providers;
using VideoGen.Emulator;

namespace VideoGen.Core.Tests;

/// <summary>Every documented route beyond the main three: OpenAI-style /videos, OpenRouter's full request and capabilities, FastRouter's older poll route.</summary>
public class ProviderSurfaceMappingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly Uri Gateway = new("https://gateway.example.com/v1");

    private static ProviderResponse Json(string json) => new(200, "application/json", Encoding.UTF8.GetBytes(json));

    [Fact]
    public async Task OpenAI_style_create_is_multipart_with_seconds_as_a_string_size_and_the_file()
    {
        var m = new OpenAICompatibleMapping();
        var request = m.CreateSubmitRequest(Gateway, new VideoRequest
        {
            Prompt = "A cow dancing", Model = "sora-2", Duration = 8, AspectRatio = "9:16", Resolution = "720p",
            InputReference = new UploadFile(new byte[] { 1, 2, 3 }, "ref.png", "image/png"),
        });
        Assert.Equal("https://gateway.example.com/v1/videos", request.RequestUri!.AbsoluteUri);
        var form = Assert.IsType<MultipartFormDataContent>(request.Content);
        var parts = form.ToDictionary(p => p.Headers.ContentDisposition!.Name!.Trim('"'));
        Assert.Equal("A cow dancing", await parts["prompt"].ReadAsStringAsync());
        Assert.Equal("8", await parts["seconds"].ReadAsStringAsync());
        Assert.Equal("720x1280", await parts["size"].ReadAsStringAsync());
        Assert.Equal("sora-2", await parts["model"].ReadAsStringAsync());
        Assert.Equal("ref.png", parts["input_reference"].Headers.ContentDisposition!.FileName!.Trim('"'));
        Assert.Equal("image/png", parts["input_reference"].Headers.ContentType!.MediaType);
    }

    [Theory]
    [InlineData("queued", VideoJobStatus.Queued, 0)]
    [InlineData("in_progress", VideoJobStatus.Running, 33)]
    [InlineData("completed", VideoJobStatus.Succeeded, 100)]
    [InlineData("failed", VideoJobStatus.Failed, 33)]
    public void OpenAI_style_video_object_parses_in_every_state(string status, VideoJobStatus expected, int progress)
    {
        var m = new OpenAICompatibleMapping();
        var created = m.ReadSubmitResponse(Json("""{"id":"video_abc","object":"video","model":"sora-2","status":"queued","progress":0,"created_at":1760000000,"seconds":"8","size":"720x1280"}"""),
            new VideoRequest { Prompt = "p" }, Gateway, Now);
        Assert.Equal("https://gateway.example.com/v1/videos/video_abc", created.PollingUrl);
        var job = m.ReadPollResponse(Json($$$"""
            {"id":"video_abc","object":"video","model":"sora-2","status":"{{{status}}}","progress":{{{(status == "completed" ? 100 : status == "queued" ? 0 : 33)}}},
             "created_at":1760000000,"completed_at":{{{(status is "completed" or "failed" ? "1760000100" : "null")}}},"expires_at":null,"seconds":"8","size":"720x1280",
             "error":{{{(status == "failed" ? "{\"code\":\"moderation_blocked\",\"message\":\"blocked by moderation\"}" : "null")}}},"brand_new_field":{"x":[1]}}
            """), created, Now);
        Assert.Equal(expected, job.Status);
        Assert.Equal(progress, job.Progress);
        if (expected == VideoJobStatus.Failed)
        {
            Assert.Equal("blocked by moderation", job.Error);
        }
        if (job.IsTerminal)
        {
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1760000100), job.CompletedAt);
        }
        Assert.Equal("https://gateway.example.com/v1/videos/video_abc/content?variant=spritesheet",
            m.CreateDownloadRequest(Gateway, job, VideoVariant.Spritesheet).RequestUri!.AbsoluteUri);
    }

    [Fact]
    public void AppleRouter_sends_veo_3_1_models_to_its_videos_route_and_others_to_generations()
    {
        var m = new AppleRouterMapping();
        var baseUri = new Uri("https://api.applerouter.ai");
        var veo = m.CreateSubmitRequest(baseUri, new VideoRequest { Prompt = "p", Model = "veo-3.1-fast", Duration = 8, Size = "1280x720" });
        Assert.Equal("https://api.applerouter.ai/v1/videos", veo.RequestUri!.AbsoluteUri);
        Assert.IsType<MultipartFormDataContent>(veo.Content);
        var kling = m.CreateSubmitRequest(baseUri, new VideoRequest { Prompt = "p", Model = "kling-v1" });
        Assert.Equal("https://api.applerouter.ai/v1/video/generations", kling.RequestUri!.AbsoluteUri);

        var job = m.ReadSubmitResponse(Json("""{"id":"video_1","object":"video","model":"veo-3.1-fast","status":"queued","progress":0,"created_at":1,"seconds":"8","size":"1280x720"}"""),
            new VideoRequest { Prompt = "p", Model = "veo-3.1-fast" }, baseUri, Now);
        Assert.Equal("https://api.applerouter.ai/v1/videos/video_1", m.CreatePollRequest(baseUri, job).RequestUri!.AbsoluteUri);
        Assert.Equal("https://api.applerouter.ai/v1/videos/video_1/content?variant=thumbnail", m.CreateDownloadRequest(baseUri, job, VideoVariant.Thumbnail).RequestUri!.AbsoluteUri);
        var restored = VideoJob.Restore("video_1", VideoProvider.AppleRouter, "veo-3.1-fast");
        Assert.Equal("https://api.applerouter.ai/v1/videos/video_1", m.CreatePollRequest(baseUri, restored).RequestUri!.AbsoluteUri);
    }

    [Fact]
    public void Routes_that_serve_only_the_video_refuse_other_variants()
    {
        var job = VideoJob.Restore("t", VideoProvider.OpenRouter, null, status: "Succeeded");
        var ex = Assert.Throws<VideoGenException>(() => new OpenRouterMapping().CreateDownloadRequest(new Uri("https://openrouter.ai/api/v1"), job, VideoVariant.Thumbnail));
        Assert.Equal(VideoGenErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("OpenAI-style", ex.Message);
    }

    [Fact]
    public async Task OpenRouter_sends_frames_references_callback_and_provider_options()
    {
        var m = new OpenRouterMapping();
        var request = m.CreateSubmitRequest(new Uri("https://openrouter.ai/api/v1"), new VideoRequest
        {
            Prompt = "p", FirstFrame = "https://img.example/first.png", LastFrame = "https://img.example/last.png",
            ReferenceImages = new[] { "https://img.example/r1.png", "https://img.example/r2.png" }, CallbackUrl = "https://hooks.example/done",
            ProviderOptions = new Dictionary<string, object?> { ["google-vertex"] = new Dictionary<string, object?> { ["output_config"] = new Dictionary<string, object?> { ["effort"] = "low" }, ["n"] = 2, ["flags"] = new List<object?> { true, "x" } } },
        });
        var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync()).RootElement;
        var frames = body.GetProperty("frame_images");
        Assert.Equal("first_frame", frames[0].GetProperty("frame_type").GetString());
        Assert.Equal("https://img.example/last.png", frames[1].GetProperty("image_url").GetProperty("url").GetString());
        Assert.Equal("last_frame", frames[1].GetProperty("frame_type").GetString());
        Assert.Equal(2, body.GetProperty("input_references").GetArrayLength());
        Assert.Equal("image_url", body.GetProperty("input_references")[1].GetProperty("type").GetString());
        Assert.Equal("https://hooks.example/done", body.GetProperty("callback_url").GetString());
        var vertex = body.GetProperty("provider").GetProperty("options").GetProperty("google-vertex");
        Assert.Equal("low", vertex.GetProperty("output_config").GetProperty("effort").GetString());
        Assert.Equal(2, vertex.GetProperty("n").GetInt32());
        Assert.True(vertex.GetProperty("flags")[0].GetBoolean());
    }

    [Fact]
    public void FastRouter_has_its_older_poll_route_as_the_fallback()
    {
        var m = new FastRouterMapping();
        var request = m.CreateFallbackPollRequest(new Uri("https://api.fastrouter.ai"), VideoJob.Restore("t", VideoProvider.FastRouter, "google/veo2"))!;
        Assert.Equal("https://api.fastrouter.ai/api/v1/getVideoResponse", request.RequestUri!.AbsoluteUri);
        Assert.Null(new OpenRouterMapping().CreateFallbackPollRequest(new Uri("https://openrouter.ai/api/v1"), VideoJob.Restore("t", VideoProvider.OpenRouter, null)));
    }

    [Fact]
    public void Model_capabilities_parse_and_check_a_request_naming_each_field()
    {
        var models = ModelCapabilities.Parse("""
            {"data":[{"id":"google/veo-3.1","supported_resolutions":["720p","1080p"],"supported_aspect_ratios":["16:9","9:16"],"supported_durations":[4,6,8],
              "supported_sizes":["1280x720"],"supported_frame_images":["first_frame"],"generate_audio":false,"seed":true,"pricing":{"x":1}}, {"no_id":true}]}
            """);
        var veo = Assert.Single(models);
        var problems = veo.Check(new VideoRequest { Prompt = "p", Resolution = "4K", AspectRatio = "1:1", Duration = 5, Size = "640x480", LastFrame = "https://x/l.png", GenerateAudio = true });
        Assert.Equal(new[] { "Resolution", "AspectRatio", "Size", "Duration", "LastFrame", "GenerateAudio" }, problems.Select(p => p.Field));
        Assert.Empty(veo.Check(new VideoRequest { Prompt = "p", Resolution = "1080p", Duration = 8, Image = "https://x/f.png", Seed = 3 }));
    }

    [Theory]
    [InlineData("OpenAICompatible", "Duration", "6", "4, 8 or 12")]
    [InlineData("OpenAICompatible", "Seed", "1", "no seed")]
    [InlineData("OpenAICompatible", "Image", "/no/such/file.png", "neither an http(s) URL nor an existing file")]
    [InlineData("OpenRouter", "CallbackUrl", "http://hooks.example/done", "https")]
    [InlineData("OpenRouter", "LastFrame", "last.png", "not an http(s) URL")]
    [InlineData("FastRouter", "LastFrame", "https://x/l.png", "only OpenRouter")]
    [InlineData("AppleRouter", "ReferenceImage", "https://x/r.png", "only OpenRouter")]
    public void Parameters_a_provider_cannot_honour_are_refused_before_submitting(string provider, string field, string value, string hint)
    {
        var fields = new Dictionary<string, string?> { ["Provider"] = provider, ["Prompt"] = "p", [field] = value };
        var ex = Assert.Throws<VideoGenException>(() => RowPreparer.Prepare(1, fields, "k", "https://gateway.example.com/v1", _ => null));
        Assert.Contains("field " + field, ex.Message);
        Assert.Contains(hint, ex.Message);
    }

    [Fact]
    public void AppleRouter_veo_route_requires_seconds_size_and_an_input_image()
    {
        var ex = Assert.Throws<VideoGenException>(() => RowPreparer.Prepare(2, new Dictionary<string, string?> { ["Provider"] = "AppleRouter", ["Model"] = "veo-3.1", ["Prompt"] = "p" }, "k", null, _ => null));
        Assert.Contains("field Duration", ex.Message);
        Assert.Contains("field Size", ex.Message);
        Assert.Contains("field Image", ex.Message);
    }

    [Fact]
    public void OpenAICompatible_needs_a_base_uri_and_says_where_to_give_it()
    {
        var ex = Assert.Throws<VideoGenException>(() => EndpointResolver.Resolve(VideoProvider.OpenAICompatible, null, "k", _ => null));
        Assert.Contains("VIDEOGEN_OPENAICOMPATIBLE_BASE_URI", ex.Message);
        Assert.Contains("-BaseUri", ex.Message);
    }
}

/// <summary>The same routes over loopback against the emulator, through the core path the cmdlets use.</summary>
public class ProviderSurfaceEmulatorTests : IAsyncLifetime
{
    private EmulatorServer _server = null!;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "videogen-surface-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync() =>
        _server = await EmulatorServer.StartAsync(new EmulatorOptions { ApiKey = TestClient.Key, JobDuration = TimeSpan.FromMilliseconds(600) });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, true);
        }
    }

    private static string ReferencePng => Path.Combine(AppContext.BaseDirectory, "Assets", "reference.png");

    [Fact]
    public async Task OpenAICompatible_uploads_a_local_image_and_saves_video_thumbnail_and_spritesheet()
    {
        var pipeline = Pipelines.For(_server);
        var row = new Dictionary<string, string?> { ["Prompt"] = "A cow dancing", ["Name"] = "cow", ["Duration"] = "8", ["AspectRatio"] = "9:16", ["Image"] = ReferencePng };

        var result = await pipeline.RunOneAsync("OpenAICompatible", row, _directory);

        Assert.NotNull(result.Saved);
        Mp4.AssertMp4(Path.Combine(_directory, "cow.mp4"));
        var job = _server.State.Jobs[result.Submitted.Id];
        Assert.True(job.VideosRoute);
        Assert.Equal("8", job.Seconds);
        Assert.Equal("720x1280", job.Size);
        Assert.Equal(("reference.png", new FileInfo(ReferencePng).Length, "image/png"), job.Upload);

        var endpoint = pipeline.Endpoint(VideoProvider.OpenAICompatible);
        var downloader = new VideoDownloader(pipeline.Client);
        var finished = result.Finished;
        var thumb = await downloader.SaveAsync(endpoint, finished, Path.Combine(_directory, FileNames.ForJob(finished, VideoVariant.Thumbnail)), false, null, null, default, VideoVariant.Thumbnail);
        var sprite = await downloader.SaveAsync(endpoint, finished, Path.Combine(_directory, FileNames.ForJob(finished, VideoVariant.Spritesheet)), false, null, null, default, VideoVariant.Spritesheet);
        Assert.EndsWith("cow.webp", thumb.Path);
        Assert.Equal("RIFF", Encoding.ASCII.GetString(File.ReadAllBytes(thumb.Path), 0, 4));
        Assert.EndsWith("cow.jpg", sprite.Path);
        Assert.Equal(0xFF, File.ReadAllBytes(sprite.Path)[0]);
    }

    [Fact]
    public async Task AppleRouter_veo_3_1_fetches_an_image_url_without_the_key_and_uploads_it()
    {
        var pipeline = Pipelines.For(_server);
        _server.Options.FileHost = "localhost"; // the image and result URLs are on another host than the provider's 127.0.0.1
        var imageUrl = "http://localhost:" + _server.AppleRouterAddress.Port + "/assets/reference.webp";
        var row = new Dictionary<string, string?> { ["Prompt"] = "A cow dancing", ["Name"] = "veo", ["Model"] = "veo-3.1", ["Duration"] = "8", ["Size"] = "1280x720", ["Image"] = imageUrl };

        var result = await pipeline.RunOneAsync("AppleRouter", row, _directory);

        Assert.NotNull(result.Saved);
        Mp4.AssertMp4(Path.Combine(_directory, "veo.mp4"));
        var job = _server.State.Jobs[result.Submitted.Id];
        Assert.Equal("reference.webp", job.Upload!.Value.Name);
        Assert.Equal("image/webp", job.Upload.Value.MediaType);
        Assert.Contains(pipeline.Log.Lines, l => l.Contains("/assets/reference.webp (no key: not the provider's host)", StringComparison.Ordinal) || l.Contains("the image to upload", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OpenRouter_capabilities_block_an_unsupported_duration_before_any_submission()
    {
        var pipeline = Pipelines.For(_server);
        var before = _server.State.Submissions;
        var fields = new Dictionary<string, string?> { ["Provider"] = "OpenRouter", ["Prompt"] = "p", ["Model"] = "google/veo-3.1", ["Duration"] = "5", ["Name"] = "five" };
        var prepared = RowPreparer.Prepare(3, fields, null, null, pipeline.Environment);

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => ModelCatalog.CheckAsync(pipeline.Client, prepared, null, default));

        Assert.StartsWith("Row 3 ('five'), field Duration", ex.Message);
        Assert.Contains("4, 6, 8", ex.Message);
        Assert.Equal(before, _server.State.Submissions);
        var unknown = RowPreparer.Prepare(4, new Dictionary<string, string?> { ["Provider"] = "OpenRouter", ["Prompt"] = "p", ["Model"] = "newco/new" }, null, null, pipeline.Environment);
        Assert.Contains(await ModelCatalog.CheckAsync(pipeline.Client, unknown, null, default), w => w.Contains("newco/new", StringComparison.Ordinal));
        Assert.Contains("google/veo-3.1", ModelCatalog.Cached(prepared.Endpoint)!.Select(m => m.Id));
    }

    [Fact]
    public async Task OpenRouter_frames_references_callback_and_options_reach_the_provider()
    {
        var pipeline = Pipelines.For(_server);
        var fields = new Dictionary<string, string?>
        {
            ["Provider"] = "OpenRouter", ["Prompt"] = "p", ["FirstFrame"] = "https://img.example/f.png", ["LastFrame"] = "https://img.example/l.png",
            ["ReferenceImage"] = "https://img.example/r1.png; https://img.example/r2.png", ["CallbackUrl"] = "https://hooks.example/done",
        };
        var prepared = RowPreparer.Prepare(1, fields, null, null, pipeline.Environment, new Dictionary<string, object?> { ["google-vertex"] = new Dictionary<string, object?> { ["effort"] = "low" } });

        var job = await pipeline.Client.SubmitAsync(prepared.Endpoint, prepared.Request, null, default);

        var body = JsonDocument.Parse(_server.State.Jobs[job.Id].SubmittedBody!).RootElement;
        Assert.Equal(2, body.GetProperty("frame_images").GetArrayLength());
        Assert.Equal("https://img.example/r2.png", body.GetProperty("input_references")[1].GetProperty("image_url").GetProperty("url").GetString());
        Assert.Equal("https://hooks.example/done", body.GetProperty("callback_url").GetString());
        Assert.Equal("low", body.GetProperty("provider").GetProperty("options").GetProperty("google-vertex").GetProperty("effort").GetString());
    }

    [Fact]
    public async Task FastRouter_falls_back_to_its_older_poll_route_when_the_current_one_is_missing()
    {
        _server.Options.FastRouterLegacyPollOnly = true;
        var pipeline = Pipelines.For(_server);
        var rows = new[] { new Dictionary<string, string?> { ["Prompt"] = "Old route", ["Name"] = "legacy" }, new Dictionary<string, string?> { ["Prompt"] = "Old route two", ["Name"] = "legacy-two" } };

        var first = await pipeline.RunOneAsync("FastRouter", rows[0], _directory);
        var second = await pipeline.RunOneAsync("FastRouter", rows[1], _directory);

        Assert.NotNull(first.Saved);
        Assert.NotNull(second.Saved);
        Mp4.AssertMp4(Path.Combine(_directory, "legacy.mp4"));
        Mp4.AssertMp4(Path.Combine(_directory, "legacy-two.mp4"));
        // The second job is polled on the older route from the start: the switch is remembered for the base URI.
        var switches = pipeline.Log.Lines.Count(l => l.Contains("polling its older route", StringComparison.Ordinal));
        Assert.Equal(1, switches);
        Assert.True(_server.State.Jobs[first.Submitted.Id].Polls >= 1);
        Assert.True(_server.State.Jobs[second.Submitted.Id].Polls >= 1);
    }

    [Fact]
    public async Task An_unknown_FastRouter_task_is_still_not_found_and_does_not_switch_routes()
    {
        var pipeline = Pipelines.For(_server);
        var endpoint = pipeline.Endpoint(VideoProvider.FastRouter);

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => pipeline.Client.PollAsync(endpoint, VideoJob.Restore("task-nope", VideoProvider.FastRouter, "google/veo3"), pipeline.Log, default));

        Assert.Equal(VideoGenErrorKind.NotFound, ex.Kind);
        Assert.Contains("unknown or expired task id", ex.Message);
        Assert.DoesNotContain(pipeline.Log.Lines, l => l.Contains("older route", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_openai_poll_after_hint_spaces_the_polls()
    {
        _server.Options.OpenAIPollAfterMs = 700;
        _server.Options.JobDuration = TimeSpan.FromSeconds(2);
        var policy = new VideoGen.Core.Waiting.PollPolicy { AdvisedInterval = TimeSpan.FromMilliseconds(50), MaxInterval = TimeSpan.FromMilliseconds(100) };
        var pipeline = Pipelines.For(_server, policy);
        var row = new Dictionary<string, string?> { ["Prompt"] = "Hinted", ["Name"] = "hinted" };

        var result = await pipeline.RunOneAsync("OpenAICompatible", row, _directory);

        Assert.NotNull(result.Saved);
        // Without the hint, 100 ms polls would make about 20; with it, at most one per 700 ms after the first.
        Assert.InRange(_server.State.Jobs[result.Submitted.Id].Polls, 2, 5);
    }
}
