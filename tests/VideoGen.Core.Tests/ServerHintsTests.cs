using System.Net;
using System.Net.Http.Headers;
using System.Text;
using VideoGen.Core;
using VideoGen.Core.Http;

namespace VideoGen.Core.Tests;

/// <summary>Issue 23 item 6: every server hint (Retry-After, openai-poll-after-ms) is capped, never a year-long or overflowing wait.</summary>
public sealed class ServerHintsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    private static HttpResponseMessage Answer(Action<HttpResponseMessage> headers)
    {
        var r = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"data":{"generations":[{"status":"processing"}]}}""", Encoding.UTF8, "application/json") };
        headers(r);
        return r;
    }

    [Fact]
    public async Task A_poll_answered_with_a_year_long_Retry_After_asks_for_at_most_the_cap()
    {
        var handler = new ScriptedHandler((_, _) => Answer(r => r.Headers.TryAddWithoutValidation("Retry-After", "31536000")));
        using var client = new VideoGenClient(handler);
        var endpoint = new ProviderEndpoint(VideoProvider.FastRouter, new Uri("https://api.fastrouter.ai"), "k-" + Guid.NewGuid().ToString("N"));

        var job = await client.PollAsync(endpoint, VideoJob.Restore("t1", VideoProvider.FastRouter, "google/veo3"), null, default);

        Assert.NotNull(job.PollAfter);
        Assert.True(job.PollAfter <= TimeSpan.FromMinutes(10), "poll after " + job.PollAfter);
    }

    [Theory]
    [InlineData("31536000")]
    [InlineData("99999999999999999999")]
    [InlineData("86400")]
    public void Retry_After_in_seconds_is_capped(string value)
    {
        using var r = Answer(a => a.Headers.TryAddWithoutValidation("Retry-After", value));
        var hint = ServerHints.RetryAfter(r, Now);
        Assert.True(hint is null || hint == ServerHints.Cap, "hint " + hint);
        Assert.Equal(TimeSpan.FromMinutes(10), ServerHints.Cap);
    }

    [Fact]
    public void Retry_After_as_a_date_a_year_ahead_is_the_cap_and_one_in_the_past_is_zero()
    {
        using var ahead = Answer(a => a.Headers.RetryAfter = new RetryConditionHeaderValue(Now.AddYears(1)));
        using var past = Answer(a => a.Headers.RetryAfter = new RetryConditionHeaderValue(Now.AddMinutes(-5)));
        using var near = Answer(a => a.Headers.RetryAfter = new RetryConditionHeaderValue(Now.AddSeconds(30)));
        Assert.Equal(ServerHints.Cap, ServerHints.RetryAfter(ahead, Now));
        Assert.Equal(TimeSpan.Zero, ServerHints.RetryAfter(past, Now));
        Assert.Equal(TimeSpan.FromSeconds(30), ServerHints.RetryAfter(near, Now));
    }

    [Theory]
    [InlineData("2500", 2.5)]
    [InlineData("1e300", 600.0)]
    [InlineData("31536000000", 600.0)]
    [InlineData("-5", null)]
    [InlineData("NaN", null)]
    [InlineData("Infinity", null)]
    public void Poll_after_ms_is_read_and_capped(string value, double? seconds)
    {
        using var r = Answer(a => a.Headers.TryAddWithoutValidation("openai-poll-after-ms", value));
        Assert.Equal(seconds is null ? null : TimeSpan.FromSeconds(seconds.Value), ServerHints.PollAfter(r, Now));
    }

    [Fact]
    public void Poll_after_falls_back_to_Retry_After_and_none_is_null()
    {
        using var retry = Answer(a => a.Headers.TryAddWithoutValidation("Retry-After", "7"));
        using var none = Answer(_ => { });
        Assert.Equal(TimeSpan.FromSeconds(7), ServerHints.PollAfter(retry, Now));
        Assert.Null(ServerHints.PollAfter(none, Now));
    }
}
