using System.Net;
using System.Net.Http.Headers;
using System.Text;
using VideoGen.Core;
using VideoGen.Emulator;

namespace VideoGen.Core.Tests;

/// <summary>
/// Issue 11: each leniency the emulator had, now answered as the provider's document implies (400, 401 or 415), with a
/// valid request beside it answered as before, so the tests fail if validation refuses too much or too little.
/// </summary>
public sealed class EmulatorValidationTests : IClassFixture<EmulatorFixture>, IDisposable
{
    private readonly EmulatorServer _server;
    private readonly HttpClient _http = new();

    public EmulatorValidationTests(EmulatorFixture fixture) => _server = fixture.Server;

    public void Dispose() => _http.Dispose();

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, Uri uri, HttpContent? content = null, string? key = TestClient.Key)
    {
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        if (key != null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private Task<(HttpStatusCode Status, string Body)> PostJsonAsync(Uri uri, string json, string contentType = "application/json") =>
        SendAsync(HttpMethod.Post, uri, new StringContent(json, Encoding.UTF8, contentType));

    private Uri FastSubmit => new(_server.FastRouterAddress, "api/v1/videos");
    private Uri OpenSubmit => new(_server.OpenRouterAddress, "api/v1/videos");
    private Uri AppleSubmit => new(_server.AppleRouterAddress, "v1/video/generations");
    private Uri AppleVideos => new(_server.AppleRouterAddress, "v1/videos");

    [Theory]
    [InlineData("""{"model":"acme/not-a-model","prompt":"p"}""", "model must be one of")]
    [InlineData("""{"model":"google/veo3","prompt":"p","length":"7"}""", "length must be integer")]
    [InlineData("""{"model":"google/veo3","prompt":"p","length":7}""", "length must be one of")]
    [InlineData("""{"model":"google/veo3","prompt":"p","resolution":"1080P"}""", "resolution must be one of")]
    [InlineData("""{"model":"google/veo3","prompt":"p","aspectRatio":"21:9"}""", "aspectRatio must be one of")]
    [InlineData("""{"model":"google/veo3","prompt":"p","mode":"turbo"}""", "mode must be one of")]
    [InlineData("""{"model":"google/veo3","prompt":"p","seed":"abc"}""", "seed must be integer")]
    [InlineData("""{"model":"google/veo3","prompt":"p","generateAudio":"yes"}""", "generateAudio must be boolean")]
    [InlineData("""{"model":"google/veo3","prompt":"p","aspect_ratio":"16:9"}""", "unknown field 'aspect_ratio' (did you mean 'aspectRatio'?)")]
    [InlineData("""{"model":"google/veo3","prompt":"p","image":"data:image/png;base64,iVBORw0KGgo="}""", "no base64")]
    [InlineData("""{"model":"openai/sora-2","prompt":"p","seconds":"5"}""", "seconds must be integer")]
    [InlineData("""{"model":"openai/sora-2","prompt":"p","seconds":5}""", "seconds must be one of")]
    [InlineData("""{"model":"openai/sora-2","prompt":"p","size":"999x1"}""", "size must be one of")]
    [InlineData("""{"model":"openai/sora-2","prompt":"p","length":8}""", "not taken by Sora")]
    [InlineData("""{"model":"google/veo3","prompt":"p","seconds":8}""", "used by Sora models only")]
    [InlineData("""{"model":"google/veo3"}""", "prompt is required")]
    public async Task FastRouter_submit_refuses_what_seed_000_does_not_document(string json, string why)
    {
        var (status, body) = await PostJsonAsync(FastSubmit, json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(why, body);
        Assert.Contains("\"status\":400", body); // FastRouter's error shape
    }

    [Theory]
    [InlineData("""{"model":"google/veo3","prompt":"p","length":8,"resolution":"1080p","aspectRatio":"16:9","mode":"pro","seed":42,"generateAudio":true,"image":"https://example.com/a.jpg"}""")]
    [InlineData("""{"model":"openai/sora-2","prompt":"p","seconds":8,"size":"1280x720","seed":1}""")]
    public async Task FastRouter_submit_accepts_every_documented_field(string json)
    {
        var (status, body) = await PostJsonAsync(FastSubmit, json);

        Assert.True(status == HttpStatusCode.OK, body);
    }

    [Theory]
    [InlineData("""{"model":"google/veo-3.1","prompt":"p","duration":0}""", "duration must be at least 1")]
    [InlineData("""{"model":"google/veo-3.1","prompt":"p","resolution":"1k"}""", "resolution must be one of")]
    [InlineData("""{"model":"google/veo-3.1","prompt":"p","resolution":"720P"}""", "resolution must be one of")]
    [InlineData("""{"model":"google/veo-3.1","prompt":"p","aspectRatio":"16:9"}""", "did you mean 'aspect_ratio'")]
    [InlineData("""{"model":"google/veo-3.1","prompt":"p","frame_images":[{"image_url":{"url":"https://example.com/a.png"}}]}""", "needs type image_url")]
    [InlineData("""{"model":"google/veo-3.1","prompt":"p","frame_images":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}""", "frame_type")]
    [InlineData("""{"model":"google/veo-3.1","prompt":"p","callback_url":"http://example.com/hook"}""", "must be an HTTPS URL")]
    [InlineData("""{"model":"google/veo-3.1","prompt":"p","webhook":"https://example.com/hook"}""", "unknown field 'webhook'")]
    [InlineData("""{"model":"google/veo-3.1","prompt":"p","input_references":[{"type":"text","text":"x"}]}""", "needs type")]
    [InlineData("""{"prompt":"p"}""", "model is required")]
    public async Task OpenRouter_submit_refuses_what_seed_003_does_not_document(string json, string why)
    {
        var (status, body) = await PostJsonAsync(OpenSubmit, json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(why, body);
        Assert.Contains("\"code\":400", body); // OpenRouter's error shape
    }

    [Fact]
    public async Task OpenRouter_submit_accepts_every_documented_field()
    {
        var (status, body) = await PostJsonAsync(OpenSubmit, """
            {"model":"google/veo-3.1","prompt":"p","duration":8,"resolution":"1K","aspect_ratio":"21:9","size":"1280x720","seed":3,
             "generate_audio":false,"callback_url":"https://example.com/hook",
             "frame_images":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"},"frame_type":"first_frame"}],
             "input_references":[{"type":"audio_url","audio_url":{"url":"https://example.com/a.mp3"}}],
             "provider":{"options":{"google-vertex":{"output_config":{"effort":"low"}}}}}
            """);

        Assert.True(status == HttpStatusCode.Accepted, body);
    }

    [Theory]
    [InlineData("""{"model":"kling-v1","prompt":"p","duration":"five"}""", "duration must be number")]
    [InlineData("""{"model":"kling-v1","prompt":"p","width":"wide"}""", "width must be integer")]
    [InlineData("""{"model":"kling-v1","prompt":"p","fps":-1}""", "fps must be at least 1")]
    [InlineData("""{"model":"kling-v1","prompt":"p","aspect_ratio":"16:9"}""", "unknown field 'aspect_ratio'")]
    public async Task AppleRouter_generations_refuses_what_seed_004_does_not_document(string json, string why)
    {
        var (status, body) = await PostJsonAsync(AppleSubmit, json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(why, body);
    }

    [Fact]
    public async Task AppleRouter_generations_accepts_the_documented_example_with_every_field()
    {
        var (status, body) = await PostJsonAsync(AppleSubmit, """{"model":"kling-v1","prompt":"An astronaut","duration":5,"width":1280,"height":720,"fps":24,"seed":7,"image":"data:image/png;base64,iVBORw0KGgo="}""");

        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Contains("\"task_id\"", body);
    }

    private static MultipartFormDataContent VeoForm(bool seconds = true, bool size = true, bool reference = true, string sizeValue = "1280x720")
    {
        var form = new MultipartFormDataContent { { new StringContent("veo-3.1"), "model" }, { new StringContent("A cow dancing"), "prompt" } };
        if (seconds)
        {
            form.Add(new StringContent("8"), "seconds");
        }
        if (size)
        {
            form.Add(new StringContent(sizeValue), "size");
        }
        if (reference)
        {
            var file = new ByteArrayContent(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Assets", "reference.png")));
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(file, "input_reference", "reference.png");
        }
        return form;
    }

    [Theory]
    [InlineData(false, true, true, "1280x720", "seconds is required")]
    [InlineData(true, false, true, "1280x720", "size is required")]
    [InlineData(true, true, false, "1280x720", "input_reference is required")]
    [InlineData(true, true, true, "999x1", "size must be one of")]
    public async Task AppleRouter_videos_requires_seed_004s_fields_and_sizes(bool seconds, bool size, bool reference, string sizeValue, string why)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, AppleVideos, VeoForm(seconds, size, reference, sizeValue));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(why, body);
    }

    [Fact]
    public async Task AppleRouter_videos_accepts_the_full_form_and_refuses_form_urlencoded_with_415()
    {
        var (ok, okBody) = await SendAsync(HttpMethod.Post, AppleVideos, VeoForm());
        var (status, body) = await SendAsync(HttpMethod.Post, AppleVideos, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["model"] = "veo-3.1", ["prompt"] = "p", ["seconds"] = "8", ["size"] = "1280x720", ["input_reference"] = "https://example.com/a.png",
        }));

        Assert.True(ok == HttpStatusCode.OK, okBody);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("multipart/form-data", body);
    }

    [Fact]
    public async Task Every_json_route_checks_the_content_type()
    {
        const string fast = """{"model":"google/veo3","prompt":"p"}""";
        var results = new[]
        {
            await PostJsonAsync(FastSubmit, fast, "text/plain"),
            await PostJsonAsync(new Uri(_server.FastRouterAddress, "api/v1/getAsyncResponse"), """{"taskId":"x","model":"google/veo3"}""", "application/x-www-form-urlencoded"),
            await PostJsonAsync(OpenSubmit, """{"model":"m","prompt":"p"}""", "text/plain"),
            await PostJsonAsync(AppleSubmit, """{"model":"m","prompt":"p"}""", "text/plain"),
        };

        Assert.All(results, r => Assert.Equal(HttpStatusCode.UnsupportedMediaType, r.Status));
        Assert.Equal(HttpStatusCode.OK, (await PostJsonAsync(FastSubmit, fast, "application/json")).Status);
    }

    [Fact]
    public async Task Unknown_fields_are_accepted_when_the_switch_says_real_gateways_vary()
    {
        const string json = """{"model":"google/veo-3.1","prompt":"p","upscale_factor":2}""";
        var refused = await PostJsonAsync(OpenSubmit, json);
        _server.Options.AcceptUnknownFields = true;
        try
        {
            var accepted = await PostJsonAsync(OpenSubmit, json);
            var stillTyped = await PostJsonAsync(OpenSubmit, """{"model":"google/veo-3.1","prompt":"p","upscale_factor":2,"duration":"8"}""");

            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            Assert.Equal(HttpStatusCode.Accepted, accepted.Status);
            Assert.Equal(HttpStatusCode.BadRequest, stillTyped.Status);
        }
        finally
        {
            _server.Options.AcceptUnknownFields = false;
        }
    }

    [Fact]
    public async Task FastRouter_polls_follow_the_taskId_and_model_rule()
    {
        var poll = new Uri(_server.FastRouterAddress, "api/v1/getAsyncResponse");
        var (_, submitted) = await PostJsonAsync(FastSubmit, """{"model":"google/veo3","prompt":"p"}""");
        var taskId = System.Text.Json.JsonDocument.Parse(submitted).RootElement.GetProperty("data").GetProperty("taskId").GetString();
        var (_, pollo) = await PostJsonAsync(FastSubmit, """{"model":"pollo/pollo-v1-6","prompt":"p"}""");
        var polloId = System.Text.Json.JsonDocument.Parse(pollo).RootElement.GetProperty("data").GetProperty("taskId").GetString();

        Assert.Equal(HttpStatusCode.BadRequest, (await PostJsonAsync(poll, "{\"taskId\":\"" + taskId + "\"}")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostJsonAsync(poll, "{\"taskId\":\"" + taskId + "\",\"model\":\"google/veo3-fast\"}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostJsonAsync(poll, "{\"taskId\":\"" + taskId + "\",\"model\":\"google/veo3\"}")).Status);
        Assert.StartsWith("pol_", polloId);
        Assert.Equal(HttpStatusCode.OK, (await PostJsonAsync(poll, "{\"taskId\":\"" + polloId + "\"}")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostJsonAsync(poll, "{\"taskId\":\"" + taskId + "\",\"model\":\"google/veo3\",\"extra\":1}")).Status);
    }

    [Fact]
    public async Task Result_files_refuse_a_wrong_key_and_with_the_switch_require_the_right_one()
    {
        var (_, submitted) = await PostJsonAsync(AppleSubmit, """{"model":"kling-v1","prompt":"p"}""");
        var id = System.Text.Json.JsonDocument.Parse(submitted).RootElement.GetProperty("task_id").GetString();
        var file = new Uri(_server.AppleRouterAddress, "files/" + id + ".mp4");
        await Task.Delay(_server.Options.JobDuration + TimeSpan.FromMilliseconds(200));

        var anonymous = await SendAsync(HttpMethod.Get, file, key: null);
        var wrong = await SendAsync(HttpMethod.Get, file, key: "sk-wrong");
        _server.Options.FilesRequireKey = true;
        try
        {
            var required = await SendAsync(HttpMethod.Get, file, key: null);
            var right = await SendAsync(HttpMethod.Get, file);

            Assert.Equal(HttpStatusCode.OK, anonymous.Status);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
            Assert.Equal(HttpStatusCode.Unauthorized, required.Status);
            Assert.Equal(HttpStatusCode.OK, right.Status);
        }
        finally
        {
            _server.Options.FilesRequireKey = false;
        }
    }

    [Fact]
    public async Task OpenRouter_content_checks_its_index()
    {
        var (_, submitted) = await PostJsonAsync(OpenSubmit, """{"model":"google/veo-3.1","prompt":"p"}""");
        var id = System.Text.Json.JsonDocument.Parse(submitted).RootElement.GetProperty("id").GetString();
        await Task.Delay(_server.Options.JobDuration + TimeSpan.FromMilliseconds(200));
        Uri Content(string query) => new(_server.OpenRouterAddress, "api/v1/videos/" + id + "/content" + query);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, Content("?index=0"))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, Content("?index=1"))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(HttpMethod.Get, Content("?index=first"))).Status);
    }

    [Theory]
    [InlineData(VideoProvider.FastRouter, "Google/Veo3", "1080P")]
    [InlineData(VideoProvider.OpenRouter, "google/veo-3.1", "720P")]
    [InlineData(VideoProvider.OpenRouter, "google/veo-3.1", "1k")]
    public async Task Values_given_in_another_case_reach_the_strict_emulator_in_the_documented_spelling(VideoProvider provider, string model, string resolution)
    {
        var pipeline = Pipelines.For(_server);
        var request = new VideoRequest { Prompt = "case check", Model = model, Resolution = resolution };
        Assert.Empty(RequestValidator.Validate(provider, request, out _));

        var job = await pipeline.Client.SubmitAsync(pipeline.Endpoint(provider), request, null, default);

        var sent = System.Text.Json.JsonDocument.Parse(_server.State.Jobs[job.Id].SubmittedBody!).RootElement.GetProperty("resolution").GetString();
        Assert.Equal(resolution.ToLowerInvariant(), sent!.ToLowerInvariant());
        Assert.NotEqual(resolution, sent);
    }
}

/// <summary>The control routes take the JSON shapes listed on <see cref="Fault"/>; the standalone emulator stops cleanly.</summary>
public sealed class EmulatorControlTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorServer _server;

    public EmulatorControlTests(EmulatorFixture fixture) => _server = fixture.Server;

    [Fact]
    public async Task The_documented_fault_and_config_json_take_effect()
    {
        using var http = new HttpClient();
        using var fault = await http.PostAsync(new Uri(_server.OpenRouterAddress, "_emulator/faults"), new StringContent(
            """{"route":"submit","provider":"openrouter","status":429,"retryAfterSeconds":30,"retryAfterDate":true}""", Encoding.UTF8, "application/json"));
        using var submit = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.OpenRouterAddress, "api/v1/videos"))
        {
            Content = new StringContent("""{"model":"m","prompt":"p"}""", Encoding.UTF8, "application/json"),
        };
        submit.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestClient.Key);
        using var limited = await http.SendAsync(submit);
        using var config = await http.PostAsync(new Uri(_server.FastRouterAddress, "_emulator/config"), new StringContent(
            """{"fastRouterSoraJson":true,"fastRouterSubmitStatus":"processing","fastRouterAnswerModel":"google/veo3-fast","appleRouterQueuedStatus":"NOT_START","resultTtlSeconds":60,"expiredAnswer":"html","acceptUnknownFields":true,"filesRequireKey":true}""",
            Encoding.UTF8, "application/json"));
        var options = _server.Options;
        try
        {
            Assert.Equal(HttpStatusCode.NoContent, fault.StatusCode);
            Assert.Equal((HttpStatusCode)429, limited.StatusCode);
            Assert.NotNull(limited.Headers.RetryAfter?.Date);
            Assert.Null(limited.Headers.RetryAfter!.Delta);
            Assert.Equal(HttpStatusCode.NoContent, config.StatusCode);
            Assert.True(options.FastRouterSoraJson);
            Assert.Equal("processing", options.FastRouterSubmitStatus);
            Assert.Equal("google/veo3-fast", options.FastRouterAnswerModel);
            Assert.Equal("NOT_START", options.AppleRouterQueuedStatus);
            Assert.Equal(TimeSpan.FromSeconds(60), options.ResultTtl);
            Assert.Equal("html", options.ExpiredAnswer);
            Assert.True(options.AcceptUnknownFields);
            Assert.True(options.FilesRequireKey);
        }
        finally
        {
            using var reset = await http.PostAsync(new Uri(_server.FastRouterAddress, "_emulator/config"), new StringContent(
                """{"fastRouterSoraJson":false,"fastRouterSubmitStatus":null,"fastRouterAnswerModel":null,"appleRouterQueuedStatus":null,"resultTtlSeconds":null,"expiredAnswer":null,"acceptUnknownFields":false,"filesRequireKey":false}""",
                Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
            Assert.Null(options.ResultTtl);
            Assert.Equal("QUEUED", options.AppleRouterQueuedStatus);
        }
    }

    [Fact]
    public async Task The_standalone_emulator_prints_powershell_lines_and_exits_0_on_SIGTERM()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no SIGTERM to send; Ctrl+C is the same handler
        }
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(EmulatorServer).Assembly.Location);
        info.ArgumentList.Add("--key");
        info.ArgumentList.Add("it's-a-test-key");
        using var process = System.Diagnostics.Process.Start(info)!;
        var lines = new List<string>();
        try
        {
            await Task.Run(() =>
            {
                while (process.StandardOutput.ReadLine() is { } line)
                {
                    lines.Add(line);
                    if (line.StartsWith("$env:OPENAICOMPATIBLE_API_KEY", StringComparison.Ordinal))
                    {
                        break;
                    }
                }
            }).WaitAsync(TimeSpan.FromSeconds(30));
            using (var kill = System.Diagnostics.Process.Start("kill", new[] { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }))
            {
                await kill.WaitForExitAsync();
            }
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(wait.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        Assert.Equal(0, process.ExitCode);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\$env:VIDEOGEN_FASTROUTER_BASE_URI = 'http://127\.0\.0\.1:\d+/'$"));
        Assert.Contains("$env:FASTROUTER_API_KEY = 'it''s-a-test-key'", lines);
        Assert.Contains("export FASTROUTER_API_KEY='it'\\''s-a-test-key'", lines);
    }
}
