using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using RichardSzalay.MockHttp;
using VideoGen.Core;
using VideoGen.Core.Http;
using VideoGen.Core.Providers;

namespace VideoGen.Core.Tests;

/// <summary>fal's queue mapping and the client's result step (docs/providers.md, fal), from fal's documented shapes.</summary>
public class FalMappingTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 8, 0, 0, TimeSpan.Zero);
    private static readonly Uri Base = new("https://queue.fal.run/");

    private static ProviderResponse Json(string json, int status = 200) => new(status, "application/json", Encoding.UTF8.GetBytes(json));

    private static JsonElement Body(HttpRequestMessage request) => JsonDocument.Parse(request.Content!.ReadAsStringAsync().Result).RootElement;

    private static VideoJob Submitted(string model = "fal-ai/veo3.1/fast") =>
        new FalMapping().ReadSubmitResponse(Json("""
            {"request_id":"80e732af","response_url":"https://queue.fal.run/fal-ai/veo3.1/requests/80e732af",
             "status_url":"https://queue.fal.run/fal-ai/veo3.1/requests/80e732af/status","cancel_url":"https://queue.fal.run/fal-ai/veo3.1/requests/80e732af/cancel",
             "queue_position":3}
            """), new VideoRequest { Prompt = "p", Model = model, Name = "n" }, Base, Now);

    [Fact]
    public void Submit_goes_to_the_whole_model_id_with_the_models_spelling_options_winning_and_the_webhook_as_a_query()
    {
        var m = new FalMapping();
        var request = new VideoRequest
        {
            Prompt = "p", Model = "FAL-AI/VEO3.1", Duration = 8, AspectRatio = "9:16", Resolution = "4K", Seed = 5, GenerateAudio = false,
            CallbackUrl = "https://hooks.example/fal?a=1&b=2",
            ProviderOptions = new Dictionary<string, object?> { ["negative_prompt"] = "blur", ["seed"] = 9L },
        };

        using var sent = m.CreateSubmitRequest(Base, request);
        var body = Body(sent);

        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal("https://queue.fal.run/fal-ai/veo3.1?fal_webhook=https%3A%2F%2Fhooks.example%2Ffal%3Fa%3D1%26b%3D2", sent.RequestUri!.AbsoluteUri);
        Assert.Equal("8s", body.GetProperty("duration").GetString());
        Assert.Equal("4k", body.GetProperty("resolution").GetString());
        Assert.False(body.GetProperty("generate_audio").GetBoolean());
        Assert.Equal("blur", body.GetProperty("negative_prompt").GetString());
        // The option replaces VideoGen's own field instead of writing it twice.
        Assert.Equal(9, body.GetProperty("seed").GetInt64());
        Assert.Single(body.EnumerateObject(), p => p.Name == "seed");
        Assert.Equal("5", Body(m.CreateSubmitRequest(Base, new VideoRequest { Prompt = "p", Model = "fal-ai/kling-video/v2.5-turbo/pro/text-to-video", Duration = 5 }))
            .GetProperty("duration").GetString());
    }

    [Fact]
    public void The_submit_answer_is_a_queued_job_with_its_position_that_is_polled_at_its_status_url()
    {
        var job = Submitted();

        Assert.Equal("80e732af", job.Id);
        Assert.Equal(VideoJobStatus.Queued, job.Status);
        Assert.Equal("IN_QUEUE", job.ProviderStatus);
        Assert.Equal(3, job.QueuePosition);
        Assert.Equal("fal-ai/veo3.1/fast", job.Model);
        using var poll = new FalMapping().CreatePollRequest(Base, job);
        Assert.Equal("https://queue.fal.run/fal-ai/veo3.1/requests/80e732af/status", poll.RequestUri!.AbsoluteUri);
    }

    [Fact]
    public void A_job_known_by_id_and_model_is_polled_at_the_owner_and_app_only_and_its_result_next_to_it()
    {
        var m = new FalMapping();
        var job = VideoJob.Restore("r 1", VideoProvider.Fal, "fal-ai/kling-video/v2.5-turbo/pro/text-to-video", baseUri: Base.AbsoluteUri);

        using var poll = m.CreatePollRequest(Base, job);
        var completed = m.ReadPollResponse(Json("""{"status":"COMPLETED","response_url":"https://queue.fal.run/fal-ai/kling-video/requests/r%201"}"""), job, Now);
        using var result = m.CreateResultRequest(Base, completed);

        Assert.Equal("https://queue.fal.run/fal-ai/kling-video/requests/r%201/status", poll.RequestUri!.AbsoluteUri);
        Assert.Equal("https://queue.fal.run/fal-ai/kling-video/requests/r%201", result.RequestUri!.AbsoluteUri);
        Assert.Null(job.PollingUrl);
    }

    [Fact]
    public void COMPLETED_is_not_yet_success_the_result_decides_and_a_status_carrying_an_error_fails_at_once()
    {
        var m = new FalMapping();
        var job = Submitted();

        var running = m.ReadPollResponse(Json("""{"status":"IN_PROGRESS"}"""), job, Now);
        var completed = m.ReadPollResponse(Json("""{"status":"COMPLETED","metrics":{"inference_time":41.5}}"""), running, Now);
        var failedInStatus = m.ReadPollResponse(Json("""{"status":"COMPLETED","error":"Request timed out","error_type":"request_timeout"}"""), running, Now);

        Assert.Equal(VideoJobStatus.Running, running.Status);
        Assert.Null(running.QueuePosition);
        Assert.False(m.IsResultReady(running));
        Assert.Equal(VideoJobStatus.Running, completed.Status);
        Assert.True(m.IsResultReady(completed));
        Assert.Equal(VideoJobStatus.Failed, failedInStatus.Status);
        Assert.Equal("Request timed out", failedInStatus.Error);
        Assert.False(m.IsResultReady(failedInStatus));
    }

    [Fact]
    public void The_result_gives_the_video_url_or_the_models_reason_and_an_answer_not_in_fals_form_is_no_outcome()
    {
        var m = new FalMapping();
        var completed = m.ReadPollResponse(Json("""{"status":"COMPLETED"}"""), Submitted(), Now);

        var done = m.ReadResultResponse(Json("""{"video":{"url":"https://v3.fal.media/files/x/out.mp4","content_type":"video/mp4"},"seed":1}"""), completed, Now);
        var invalid = m.ReadResultResponse(Json("""{"detail":[{"loc":["body","duration"],"msg":"Input should be '4s', '6s' or '8s'","type":"literal_error"}]}""", 422), completed, Now);
        var timedOut = m.ReadResultResponse(Json("""{"detail":"Request timed out","error_type":"request_timeout"}""", 504), completed, Now);
        var proxy = Assert.Throws<VideoGenException>(() => m.ReadResultResponse(new ProviderResponse(502, "text/html", Encoding.UTF8.GetBytes("<html>Bad gateway</html>")), completed, Now));

        Assert.Equal(VideoJobStatus.Succeeded, done.Status);
        Assert.Equal("https://v3.fal.media/files/x/out.mp4", done.VideoUrl);
        Assert.Equal(Now, done.CompletedAt);
        Assert.Equal(VideoJobStatus.Failed, invalid.Status);
        Assert.Equal("fal: the model failed (HTTP 422): Input should be '4s', '6s' or '8s' (body.duration)", invalid.Error);
        Assert.Equal("fal: the model failed (HTTP 504): Request timed out [request_timeout]", timedOut.Error);
        Assert.Equal(VideoGenErrorKind.ProviderUnavailable, proxy.Kind);
        Assert.Equal("80e732af", proxy.TaskId);
        Assert.Equal(VideoJobStatus.Running, completed.Status);
        Assert.True(m.IsOutcome(422) && m.IsOutcome(500) && m.IsOutcome(499) && m.IsOutcome(404));
        Assert.False(m.IsOutcome(401) || m.IsOutcome(403) || m.IsOutcome(408) || m.IsOutcome(429));
    }

    [Fact]
    public void The_rules_check_each_documented_models_values_and_take_any_other_model_with_a_warning()
    {
        static IReadOnlyList<ValidationProblem> Check(VideoRequest r, out IReadOnlyList<string> warnings) => RequestValidator.Validate(VideoProvider.Fal, r, out warnings);

        Assert.Empty(Check(new VideoRequest { Prompt = "p", Duration = 6, AspectRatio = "9:16", Resolution = "1080p" }, out _));
        Assert.Contains(Check(new VideoRequest { Prompt = "p", Model = "fal-ai/veo3.1", Duration = 5 }, out _), e => e.Field == "Duration");
        Assert.Contains(Check(new VideoRequest { Prompt = "p", Model = "fal-ai/minimax/hailuo-02/standard/text-to-video", Seed = 1 }, out _), e => e.Field == "Seed");
        Assert.Contains(Check(new VideoRequest { Prompt = "p", Model = "fal-ai/veo3.1/image-to-video" }, out _), e => e.Field == "Image");
        Assert.Contains(Check(new VideoRequest { Prompt = "p", Model = "fal-ai/veo3.1", Image = "https://example.com/a.png" }, out _), e => e.Field == "Image");
        Assert.Contains(Check(new VideoRequest { Prompt = "p", Model = "../etc" }, out _), e => e.Field == "Model");
        Assert.Contains(Check(new VideoRequest { Prompt = "p", Mode = "pro" }, out _), e => e.Field == "Mode");
        Assert.Empty(Check(new VideoRequest { Prompt = "p", Model = "someone/their-video-model", Duration = 7 }, out var warnings));
        Assert.Contains(warnings, w => w.Contains("someone/their-video-model", StringComparison.Ordinal));
    }

    [Fact]
    public async Task One_poll_of_a_completed_request_reads_its_result_with_the_Key_scheme_and_a_refused_key_there_is_an_error_not_a_failed_job()
    {
        const string key = "fal-test-key-0123456789";
        var mock = new MockHttpMessageHandler();
        mock.Expect(HttpMethod.Get, "https://queue.fal.run/fal-ai/veo3.1/requests/80e732af/status")
            .WithHeaders("Authorization", "Key " + key)
            .Respond("application/json", """{"status":"COMPLETED"}""");
        mock.Expect(HttpMethod.Get, "https://queue.fal.run/fal-ai/veo3.1/requests/80e732af")
            .WithHeaders("Authorization", "Key " + key)
            .Respond("application/json", """{"video":{"url":"https://v3.fal.media/files/x/out.mp4"}}""");
        mock.Expect(HttpMethod.Get, "https://queue.fal.run/fal-ai/veo3.1/requests/80e732af/status").Respond("application/json", """{"status":"COMPLETED"}""");
        mock.Expect(HttpMethod.Get, "https://queue.fal.run/fal-ai/veo3.1/requests/80e732af").Respond(HttpStatusCode.Unauthorized, "application/json", """{"detail":"Invalid key"}""");
        using var client = new VideoGenClient(mock, TestClient.FastRetries());
        var endpoint = new ProviderEndpoint(VideoProvider.Fal, Base, key);

        var done = await client.PollAsync(endpoint, Submitted(), null, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<VideoGenException>(() => client.PollAsync(endpoint, Submitted(), null, CancellationToken.None));

        Assert.Equal(VideoJobStatus.Succeeded, done.Status);
        Assert.Equal("https://v3.fal.media/files/x/out.mp4", done.VideoUrl);
        Assert.Equal(VideoGenErrorKind.Authentication, refused.Kind);
        Assert.Contains("$env:FAL_KEY", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid key", refused.Message, StringComparison.Ordinal);
        mock.VerifyNoOutstandingExpectation();
    }
}
