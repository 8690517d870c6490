using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using VideoGen.Emulator;

namespace VideoGen.Core.Tests;

/// <summary>
/// Issue 24's instruments in the emulator, over real HTTP on 127.0.0.1: job times spread over a range, the per-key
/// rate limit (429 with Retry-After and X-RateLimit-*), and per-job timing in /_emulator/stats. No assertion bounds a
/// time from above: rates are low enough that a loaded machine still sees the limit, and recovery waits as told.
/// </summary>
public sealed class EmulatorTimingTests
{
    private static Task<EmulatorServer> StartAsync(Action<EmulatorOptions>? configure = null)
    {
        var options = new EmulatorOptions { ApiKey = TestClient.Key, JobDuration = TimeSpan.FromMilliseconds(300) };
        configure?.Invoke(options);
        return EmulatorServer.StartAsync(options);
    }

    private static HttpRequestMessage Request(HttpMethod method, Uri uri, string? json = null, string key = TestClient.Key)
    {
        var request = new HttpRequestMessage(method, uri) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    private static async Task<string> SubmitOpenRouterAsync(HttpClient http, EmulatorServer server, string prompt)
    {
        using var answer = await http.SendAsync(Request(HttpMethod.Post, new Uri(server.OpenRouterAddress, "api/v1/videos"), JsonSerializer.Serialize(new { model = "google/veo-3.1", prompt })));
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        return JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    private static Task<HttpResponseMessage> ModelsAsync(HttpClient http, EmulatorServer server, string key = TestClient.Key) =>
        http.SendAsync(Request(HttpMethod.Get, new Uri(server.OpenRouterAddress, "api/v1/videos/models"), key: key));

    /// <summary>Sends requests until one is answered 429 (at most 20); returns that answer.</summary>
    private static async Task<HttpResponseMessage> UntilLimitedAsync(Func<Task<HttpResponseMessage>> send)
    {
        for (var i = 0; i < 20; i++)
        {
            var answer = await send();
            if (answer.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return answer;
            }
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            answer.Dispose();
        }
        throw new Xunit.Sdk.XunitException("20 requests at once were never answered 429");
    }

    private static async Task<JsonElement> StatsAsync(HttpClient http, EmulatorServer server) =>
        JsonDocument.Parse(await http.GetStringAsync(new Uri(server.FastRouterAddress, "_emulator/stats"))).RootElement;

    [Fact]
    public async Task A_spread_range_draws_each_jobs_time_inside_it_reproducibly_and_the_slow_marker_still_wins()
    {
        void Range(EmulatorOptions o)
        {
            o.JobDurationMin = TimeSpan.FromSeconds(40.5);
            o.JobDurationMax = TimeSpan.FromSeconds(49.5);
        }
        await using var server = await StartAsync(Range);
        await using var other = await StartAsync(Range);
        using var http = new HttpClient();
        var ids = new List<string>();
        var again = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await SubmitOpenRouterAsync(http, server, "spread " + i));
            again.Add(await SubmitOpenRouterAsync(http, other, "spread " + i));
        }
        var slow = await SubmitOpenRouterAsync(http, server, "a long one [slow]");

        var durations = ids.Select(id => server.State.Jobs[id].Duration).ToList();
        Assert.All(durations, d => Assert.InRange(d, TimeSpan.FromSeconds(40.5), TimeSpan.FromSeconds(49.5)));
        Assert.True(durations.Distinct().Count() > 10, "the draws are not spread: " + string.Join(", ", durations));
        Assert.Equal(durations, again.Select(id => other.State.Jobs[id].Duration));
        Assert.Equal(server.Options.SlowJobDuration, server.State.Jobs[slow].Duration);
        // The stats give the same end: submission + the drawn time (Unix ms, each rounded down).
        var job = (await StatsAsync(http, server)).GetProperty("jobs").EnumerateArray().First(j => j.GetProperty("id").GetString() == ids[0]);
        var lasted = job.GetProperty("endsAtMs").GetInt64() - job.GetProperty("submittedAtMs").GetInt64();
        Assert.InRange(lasted, (long)durations[0].TotalMilliseconds - 1, (long)durations[0].TotalMilliseconds + 1);

        // Only one end set, by config: the single job time again.
        using var config = await http.PostAsync(new Uri(server.FastRouterAddress, "_emulator/config"),
            new StringContent("""{"jobSecondsMax":null,"jobSeconds":7}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, config.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), server.State.Jobs[await SubmitOpenRouterAsync(http, server, "single")].Duration);
    }

    [Fact]
    public async Task Beyond_the_rate_limit_a_key_gets_429_with_Retry_After_and_recovers_after_it()
    {
        await using var server = await StartAsync(o => o.RateLimitPerSecond = 1);
        using var http = new HttpClient();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        using var limited = await UntilLimitedAsync(() => ModelsAsync(http, server));

        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.True(retryAfter >= TimeSpan.FromSeconds(1), "Retry-After " + retryAfter);
        Assert.Equal("1", limited.Headers.GetValues("X-RateLimit-Limit").Single());
        Assert.Equal("0", limited.Headers.GetValues("X-RateLimit-Remaining").Single());
        Assert.True(long.Parse(limited.Headers.GetValues("X-RateLimit-Reset").Single(), CultureInfo.InvariantCulture) >= before);
        var error = JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(429, error.GetProperty("code").GetInt32()); // OpenRouter's error shape
        // Control routes are never limited.
        Assert.Equal(1, (await StatsAsync(http, server)).GetProperty("rateLimited").GetInt32());

        await Task.Delay(retryAfter!.Value);
        using var recovered = await ModelsAsync(http, server);
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        var stats = await StatsAsync(http, server);
        Assert.Equal(1, stats.GetProperty("rateLimited").GetInt32());
        Assert.True(stats.GetProperty("requests").GetInt32() >= 3);
    }

    [Fact]
    public async Task Another_key_has_a_bucket_of_its_own()
    {
        // One token every 10 s: the first key stays limited for the whole test.
        await using var server = await StartAsync(o => o.RateLimitPerSecond = 0.1);
        using var http = new HttpClient();
        using var limited = await UntilLimitedAsync(() => ModelsAsync(http, server));
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

        // The emulator takes one key at a time: switch it, and the new key starts with a full bucket.
        server.Options.ApiKey = "another-key";
        using var other = await ModelsAsync(http, server, "another-key");

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(1, server.State.RateLimited);
    }

    [Theory]
    [InlineData("openrouter")]
    [InlineData("fastrouter")]
    public async Task Stats_report_when_each_job_was_seen_done_and_its_polls_answered_429(string provider)
    {
        await using var server = await StartAsync();
        using var http = new HttpClient();
        string id;
        Func<HttpRequestMessage> poll;
        if (provider == "openrouter")
        {
            id = await SubmitOpenRouterAsync(http, server, "timed");
            poll = () => Request(HttpMethod.Get, new Uri(server.OpenRouterAddress, "api/v1/videos/" + id));
        }
        else
        {
            using var submit = await http.SendAsync(Request(HttpMethod.Post, new Uri(server.FastRouterAddress, "api/v1/videos"), """{"model":"google/veo3","prompt":"timed"}"""));
            id = JsonDocument.Parse(await submit.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("taskId").GetString()!;
            poll = () => Request(HttpMethod.Post, new Uri(server.FastRouterAddress, "api/v1/getAsyncResponse"), JsonSerializer.Serialize(new { taskId = id, model = "google/veo3" }));
        }
        var polls = 0;
        long firstDoneAnswered;
        while (true)
        {
            using var answer = await http.SendAsync(poll());
            polls++;
            var body = await answer.Content.ReadAsStringAsync();
            if (body.Contains("\"completed\"", StringComparison.Ordinal) || body.Contains("\"succeed\"", StringComparison.Ordinal))
            {
                firstDoneAnswered = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                break;
            }
            await Task.Delay(50);
        }
        // Later polls do not move the time it was first seen done; under a limit of 1/s, some are answered 429.
        using (var config = await http.PostAsync(new Uri(server.FastRouterAddress, "_emulator/config"), new StringContent("""{"rateLimitPerSecond":1}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.NoContent, config.StatusCode);
        }
        var limited = 0;
        for (var i = 0; i < 20 && limited < 2; i++)
        {
            using var answer = await http.SendAsync(poll());
            if (answer.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited++;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                polls++;
            }
        }

        var stats = await StatsAsync(http, server);
        var job = stats.GetProperty("jobs").EnumerateArray().Single(j => j.GetProperty("id").GetString() == id);
        var seen = job.GetProperty("seenDoneAtMs").GetInt64();
        Assert.InRange(seen, job.GetProperty("endsAtMs").GetInt64(), firstDoneAnswered);
        Assert.Equal(server.State.Jobs[id].SeenDoneAt!.Value.ToUnixTimeMilliseconds(), seen);
        Assert.Equal(polls, job.GetProperty("polls").GetInt32());
        Assert.Equal(2, job.GetProperty("rateLimited").GetInt32());
        Assert.Equal(2, stats.GetProperty("rateLimited").GetInt32());
        Assert.Equal(0, job.GetProperty("downloads").GetInt32());
        Assert.True(stats.GetProperty("nowMs").GetInt64() >= seen);
    }
}
