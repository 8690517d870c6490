using System.Net;
using System.Net.Http.Headers;
using RichardSzalay.MockHttp;
using VideoGen.Core;
using VideoGen.Core.Http;
using VideoGen.Emulator;

namespace VideoGen.Core.Tests;

/// <summary>The shared client: where the key goes, what is retried, and how failures read.</summary>
public class ClientTests : IClassFixture<EmulatorFixture>
{
    private const string Key = "sk-unit-test-key-never-shown-123";
    private readonly EmulatorFixture _fixture;

    public ClientTests(EmulatorFixture fixture) => _fixture = fixture;

    private static ProviderEndpoint FastRouter() => new(VideoProvider.FastRouter, new Uri("https://api.fastrouter.ai"), Key);

    private static VideoGenClient Client(MockHttpMessageHandler mock) => new(mock, TestClient.FastRetries());

    private static VideoRequest Request() => new() { Prompt = "A cat", Model = "google/veo3" };

    private const string Submitted = """{"data":{"taskId":"t1","status":"waiting"}}""";

    [Fact]
    public async Task The_key_goes_to_the_provider_host_and_not_to_a_CDN_url()
    {
        var mock = new MockHttpMessageHandler();
        mock.Expect(HttpMethod.Post, "https://api.fastrouter.ai/api/v1/videos")
            .WithHeaders("Authorization", "Bearer " + Key).Respond("application/json", Submitted);
        mock.Expect(HttpMethod.Get, "https://cdn.example.net/v.mp4")
            .With(r => r.Headers.Authorization is null).Respond("video/mp4", "....ftypisom");
        using var client = Client(mock);

        await client.SubmitAsync(FastRouter(), Request(), null, default);
        var job = VideoJob.Restore("t1", VideoProvider.FastRouter, "google/veo3", videoUrl: "https://cdn.example.net/v.mp4", status: "Succeeded");
        using var response = await client.OpenDownloadAsync(FastRouter(), job, VideoVariant.Video, 0, null, default);

        mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task A_redirect_to_another_host_drops_the_key()
    {
        var mock = new MockHttpMessageHandler();
        mock.Expect(HttpMethod.Get, "https://api.fastrouter.ai/files/v.mp4").WithHeaders("Authorization", "Bearer " + Key)
            .Respond(_ =>
            {
                var r = new HttpResponseMessage(HttpStatusCode.Found);
                r.Headers.Location = new Uri("https://signed.example.org/v.mp4?sig=1");
                return r;
            });
        mock.Expect(HttpMethod.Get, "https://signed.example.org/v.mp4").With(r => r.Headers.Authorization is null).Respond("video/mp4", "....ftypisom");
        using var client = Client(mock);
        var job = VideoJob.Restore("t1", VideoProvider.FastRouter, "m", videoUrl: "https://api.fastrouter.ai/files/v.mp4", status: "Succeeded");

        using var response = await client.OpenDownloadAsync(FastRouter(), job, VideoVariant.Video, 0, null, default);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public void A_key_is_never_sent_over_plain_http_except_to_loopback()
    {
        var ex = Assert.Throws<VideoGenException>(() => new ProviderEndpoint(VideoProvider.OpenRouter, new Uri("http://gateway.example.com/api/v1"), Key));
        Assert.Equal(VideoGenErrorKind.InvalidArgument, ex.Kind);
        Assert.DoesNotContain(Key, ex.Message);
        _ = new ProviderEndpoint(VideoProvider.OpenRouter, new Uri("http://127.0.0.1:5000/api/v1"), Key);
        _ = new ProviderEndpoint(VideoProvider.OpenRouter, new Uri("http://localhost:5000/api/v1"), Key);
        Assert.DoesNotContain(Key, FastRouter().ToString());
    }

    [Fact]
    public async Task A_submission_answered_429_then_200_creates_exactly_one_job()
    {
        var mock = new MockHttpMessageHandler();
        mock.Expect(HttpMethod.Post, "https://api.fastrouter.ai/api/v1/videos").Respond(_ =>
        {
            var r = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.Zero);
            return r;
        });
        mock.Expect(HttpMethod.Post, "https://api.fastrouter.ai/api/v1/videos").Respond("application/json", Submitted);
        using var client = Client(mock);

        var job = await client.SubmitAsync(FastRouter(), Request(), null, default);

        Assert.Equal("t1", job.Id);
        mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task A_submission_answered_500_is_not_retried_and_says_a_job_may_exist()
    {
        var mock = new MockHttpMessageHandler();
        var submit = mock.When(HttpMethod.Post, "https://api.fastrouter.ai/api/v1/videos").Respond(HttpStatusCode.InternalServerError, "application/json", """{"error":{"message":"boom"}}""");
        using var client = Client(mock);

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => client.SubmitAsync(FastRouter(), Request(), null, default));

        Assert.Equal(1, mock.GetMatchCount(submit));
        Assert.True(ex.JobMayExist);
        Assert.Contains("may have been created", ex.Message);
        Assert.Contains("boom", ex.Message);
    }

    [Fact]
    public async Task A_401_is_one_clear_error_naming_the_parameter_and_variable_and_is_not_retried()
    {
        var mock = new MockHttpMessageHandler();
        var poll = mock.When(HttpMethod.Post, "https://api.fastrouter.ai/api/v1/getAsyncResponse")
            .Respond(HttpStatusCode.Unauthorized, "application/json", "{\"error\":{\"message\":\"Invalid key " + Key + "\"}}");
        using var client = Client(mock);

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => client.PollAsync(FastRouter(), VideoJob.Restore("t1", VideoProvider.FastRouter, "m"), null, default));

        Assert.Equal(1, mock.GetMatchCount(poll));
        Assert.Equal(VideoGenErrorKind.Authentication, ex.Kind);
        Assert.Contains("-ApiKey", ex.Message);
        Assert.Contains("FASTROUTER_API_KEY", ex.Message);
        Assert.DoesNotContain(Key, ex.Message);
        Assert.Equal("t1", ex.TaskId);
    }

    [Theory]
    [InlineData(402, VideoGenErrorKind.QuotaExceeded, "insufficient credits")]
    [InlineData(404, VideoGenErrorKind.NotFound, "unknown or expired task id")]
    [InlineData(400, VideoGenErrorKind.InvalidArgument, "refused the request")]
    public async Task Provider_errors_map_to_kinds_with_the_providers_message(int status, VideoGenErrorKind kind, string words)
    {
        var mock = new MockHttpMessageHandler();
        var poll = mock.When("https://openrouter.ai/api/v1/videos/job-1").Respond((HttpStatusCode)status, "application/json", """{"error":{"code":0,"message":"provider says no"}}""");
        using var client = Client(mock);
        var endpoint = new ProviderEndpoint(VideoProvider.OpenRouter, new Uri("https://openrouter.ai/api/v1"), Key);

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => client.PollAsync(endpoint, VideoJob.Restore("job-1", VideoProvider.OpenRouter, null), null, default));

        Assert.Equal(kind, ex.Kind);
        Assert.Contains(words, ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("provider says no", ex.Message);
        Assert.Equal(1, mock.GetMatchCount(poll));
    }

    [Fact]
    public async Task Two_500s_on_polls_are_ridden_out_against_the_emulator()
    {
        var server = _fixture.Server;
        var pipeline = Pipelines.For(server);
        var endpoint = pipeline.Endpoint(VideoProvider.OpenRouter);
        var job = await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "Two faults" }, null, default);
        server.State.AddFault(new Fault { Route = "poll", Provider = "openrouter", Status = 500, Count = 2 });

        var polled = await pipeline.Client.PollAsync(endpoint, job, pipeline.Log, default);

        Assert.Equal(job.Id, polled.Id);
        Assert.Equal(3, server.State.Jobs[job.Id].Polls + 2);
        Assert.Equal(2, pipeline.Log.Lines.Count(l => l.Contains("Retry", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_emulated_429_with_retry_after_then_success_submits_once()
    {
        var server = _fixture.Server;
        var pipeline = Pipelines.For(server);
        var before = server.State.Submissions;
        server.State.AddFault(new Fault { Route = "submit", Provider = "applerouter", Status = 429, Count = 1, RetryAfterSeconds = 1 });

        var job = await pipeline.Client.SubmitAsync(pipeline.Endpoint(VideoProvider.AppleRouter), new VideoRequest { Prompt = "Once only" }, null, default);

        Assert.Equal(before + 1, server.State.Submissions);
        Assert.True(server.State.Jobs.ContainsKey(job.Id));
    }

    [Fact]
    public async Task Malformed_json_from_the_emulator_gives_the_excerpt_and_keeps_the_task_id()
    {
        var server = _fixture.Server;
        var pipeline = Pipelines.For(server);
        var endpoint = pipeline.Endpoint(VideoProvider.FastRouter);
        var job = await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "Truncated" }, null, default);
        server.State.AddFault(new Fault { Route = "poll", Provider = "fastrouter", Status = 200, Body = """{"code":"200","data":{"taskId":""" });

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => pipeline.Client.PollAsync(endpoint, job, null, default));

        Assert.Equal(VideoGenErrorKind.UnexpectedAnswer, ex.Kind);
        Assert.Equal(job.Id, ex.TaskId);
        Assert.Contains("\"taskId\":", ex.Message);
        Assert.Contains("HTTP 200", ex.Message);
    }

    [Fact]
    public async Task Verbose_and_debug_text_never_contain_the_key()
    {
        var server = _fixture.Server;
        var pipeline = Pipelines.For(server);
        var row = new Dictionary<string, string?> { ["Prompt"] = "Leak check", ["Name"] = "leak-check" };
        var dir = Path.Combine(Path.GetTempPath(), "videogen-leak-" + Guid.NewGuid().ToString("N"));
        try
        {
            server.State.AddFault(new Fault { Route = "poll", Provider = "openrouter", Status = 503, Count = 1 });
            var result = await pipeline.RunOneAsync("OpenRouter", row, dir);
            Assert.NotNull(result.Saved);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
        Assert.Contains(pipeline.Log.Lines, l => l.StartsWith("DEBUG: Request body", StringComparison.Ordinal));
        Assert.Contains(pipeline.Log.Lines, l => l.StartsWith("VERBOSE: Retry", StringComparison.Ordinal));
        Assert.DoesNotContain(pipeline.Log.Lines, l => l.Contains(TestClient.Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_key_against_the_emulator_is_refused_with_an_authentication_error()
    {
        var server = _fixture.Server;
        using var client = VideoGenClient.CreateDefault(TestClient.FastRetries());
        var endpoint = new ProviderEndpoint(VideoProvider.OpenRouter, server.BaseUriFor("OpenRouter"), "wrong-key");
        var before = server.State.Unauthorized;

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => client.SubmitAsync(endpoint, new VideoRequest { Prompt = "x" }, null, default));

        Assert.Equal(VideoGenErrorKind.Authentication, ex.Kind);
        Assert.Equal(before + 1, server.State.Unauthorized);
        Assert.False(ex.JobMayExist);
    }
}
