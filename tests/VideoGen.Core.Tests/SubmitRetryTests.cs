using System.Net;
using System.Text;
using VideoGen.Core;
using VideoGen.Core.Http;

namespace VideoGen.Core.Tests;

/// <summary>
/// Issue 23 item 9: a submission costs money, so it is resent only on answers that prove it was not processed: 429 (the
/// provider's own rate limiter refused it) and a connection that failed before anything was sent. A 503 may come from a
/// proxy that already forwarded the POST: one POST, and an error saying a job may exist.
/// </summary>
public sealed class SubmitRetryTests
{
    private static VideoGenClient Client(ScriptedHandler handler) => new(handler, new VideoGenClientOptions { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) });

    private static HttpResponseMessage Unavailable() =>
        new(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("<html>upstream busy</html>", Encoding.UTF8, "text/html") };

    [Fact]
    public async Task A_submission_answered_503_is_sent_once_and_says_a_job_may_exist()
    {
        var handler = new ScriptedHandler((_, _) => Unavailable());
        using var client = Client(handler);
        var endpoint = new ProviderEndpoint(VideoProvider.FastRouter, new Uri("https://api.fastrouter.ai"), "k-" + Guid.NewGuid().ToString("N"));

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => client.SubmitAsync(endpoint, new VideoRequest { Prompt = "p", Model = "google/veo3" }, null, default));

        Assert.Single(handler.Requests, r => r.Method == HttpMethod.Post);
        Assert.True(ex.JobMayExist);
        Assert.Equal(503, ex.StatusCode);
        Assert.Contains("may have been created", ex.Message);
    }

    [Fact]
    public async Task A_remix_answered_503_is_sent_once_and_says_a_remix_may_exist()
    {
        var handler = new ScriptedHandler((_, _) => Unavailable());
        using var client = Client(handler);
        var endpoint = new ProviderEndpoint(VideoProvider.OpenAICompatible, new Uri("https://gateway.example.com/v1"), "k-" + Guid.NewGuid().ToString("N"));
        var source = VideoJob.Restore("video_1", VideoProvider.OpenAICompatible, "sora-2", status: "Succeeded");

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => client.RemixAsync(endpoint, source, "At night", null, null, default));

        Assert.Single(handler.Requests);
        Assert.True(ex.JobMayExist);
        Assert.Contains("may have been created", ex.Message);
    }

    [Fact]
    public async Task A_poll_answered_503_is_still_retried()
    {
        var handler = new ScriptedHandler((_, n) => n == 1 ? Unavailable()
            : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"data":{"generations":[{"status":"processing"}]}}""", Encoding.UTF8, "application/json") });
        using var client = Client(handler);
        var endpoint = new ProviderEndpoint(VideoProvider.FastRouter, new Uri("https://api.fastrouter.ai"), "k-" + Guid.NewGuid().ToString("N"));

        var job = await client.PollAsync(endpoint, VideoJob.Restore("t1", VideoProvider.FastRouter, "google/veo3"), null, default);

        Assert.Equal(2, handler.Requests.Count);
        Assert.False(job.IsTerminal);
    }
}
