using System.Diagnostics;
using System.Net;
using RichardSzalay.MockHttp;
using VideoGen.Core;
using VideoGen.Core.Http;

namespace VideoGen.Core.Tests;

/// <summary>The one request budget per provider host: its rate, its order (submissions first), and how a 429 slows every request to the host.</summary>
public class RequestBudgetTests
{
    [Fact]
    public async Task No_more_than_the_ceiling_goes_out_after_the_first_seconds_burst()
    {
        var budget = new RequestBudget(20);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => budget.AcquireAsync(false, default)));
        // 20 at once (one second's worth), then 30 at 20 a second: at least 1.5 s, however fast the machine.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.4), "50 turns at 20/s took " + clock.Elapsed);
    }

    [Fact]
    public async Task A_submission_goes_before_every_waiting_poll()
    {
        var budget = new RequestBudget(2);
        await budget.AcquireAsync(false, default);
        await budget.AcquireAsync(false, default); // the burst is spent
        var order = new List<string>();
        // Recorded as each turn is handed out (the budget runs a turn's continuation as it hands it out, in turn order), not
        // as the pool happens to run them: a late pump hands out two turns at once, and the pool's order of those is anyone's.
        var polls = Enumerable.Range(0, 3).Select(i => budget.AcquireAsync(false, default)
            .ContinueWith(_ => { lock (order) { order.Add("poll" + i); } }, TaskContinuationOptions.ExecuteSynchronously)).ToList();
        var submission = budget.AcquireAsync(true, default)
            .ContinueWith(_ => { lock (order) { order.Add("submission"); } }, TaskContinuationOptions.ExecuteSynchronously);
        await Task.WhenAll(polls.Append(submission));
        Assert.Equal("submission", order[0]);
    }

    [Fact]
    public async Task A_429_halves_the_rate_once_a_second_holds_every_request_for_its_Retry_After_and_the_rate_grows_back()
    {
        var budget = new RequestBudget(10);
        budget.Answered(429, TimeSpan.FromSeconds(2));
        budget.Answered(429, TimeSpan.FromSeconds(1)); // the same burst of refusals: no second cut, the longer pause stays
        Assert.Equal(5, budget.Rate);
        var clock = Stopwatch.StartNew();
        await budget.AcquireAsync(true, default);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.8), "the pause ended after " + clock.Elapsed);

        for (var i = 0; i < 200; i++)
        {
            budget.Answered(200, null);
        }
        Assert.Equal(10, budget.Rate); // back to the ceiling, never above it
        Assert.Equal((202L, 2L), budget.Counts);
    }

    [Fact]
    public async Task A_Retry_After_of_a_day_holds_the_host_for_at_most_a_minute_and_a_cancelled_wait_takes_no_turn()
    {
        var budget = new RequestBudget(100);
        budget.Answered(429, TimeSpan.FromDays(1));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => budget.AcquireAsync(false, cancel.Token));
        Assert.True(RequestBudget.MaxPause <= TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void The_ceiling_comes_from_the_environment_where_it_is_a_number_of_at_least_a_fifth()
    {
        Assert.Equal(50, new VideoGenClientOptions().MaxRequestsPerSecond);
        Assert.Equal(2.5, VideoGenClientOptions.FromEnvironment(n => n == VideoGenClientOptions.MaxRequestsVariable ? "2.5" : null).MaxRequestsPerSecond);
        foreach (var bad in new[] { "0", "-1", "fast", "0.1", "Infinity", "" })
        {
            Assert.Equal(50, VideoGenClientOptions.FromEnvironment(n => n == VideoGenClientOptions.MaxRequestsVariable ? bad : null).MaxRequestsPerSecond);
        }
    }

    [Fact]
    public async Task A_429_from_one_host_slows_that_host_for_every_job_and_no_other_host()
    {
        var handler = new MockHttpMessageHandler();
        handler.When(HttpMethod.Get, "https://openrouter.ai/api/v1/videos/limited").Respond(_ =>
        {
            var answer = new HttpResponseMessage((HttpStatusCode)429) { Content = new StringContent("{\"error\":{\"message\":\"Rate limit exceeded\"}}") };
            answer.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
            return answer;
        });
        using var client = new VideoGenClient(handler, new VideoGenClientOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(10), MaxRequestsPerSecond = 40 });
        var endpoint = new ProviderEndpoint(VideoProvider.OpenRouter, new Uri("https://openrouter.ai/api/v1"), "sk-or-budget-test-0001");
        var job = VideoJob.Restore("limited", VideoProvider.OpenRouter, "google/veo-3.1", status: "Running");

        var error = await Assert.ThrowsAsync<VideoGenException>(() => client.PollAsync(endpoint, job, null, default));

        Assert.Equal(429, (int?)error.StatusCode);
        var host = client.BudgetFor(new Uri("https://openrouter.ai/api/v1/videos/other"));
        Assert.True(host.Rate <= 20, "rate after 429s: " + host.Rate);
        Assert.Equal(2, host.Counts.Refusals); // the attempt and its one retry, each waited for its turn
        Assert.Equal(40, client.BudgetFor(new Uri("https://api.fastrouter.ai/api/v1/x")).Rate);
    }

    [Fact]
    public async Task A_poll_gets_a_turn_after_at_most_four_submissions_however_many_wait()
    {
        // Four a second: one turn every 250 ms, so each hand-out releases one waiter (two on a late timer) and the order shows.
        var budget = new RequestBudget(4);
        for (var i = 0; i < 4; i++)
        {
            await budget.AcquireAsync(true, default); // the burst is spent
        }
        var clock = Stopwatch.StartNew();
        Task<TimeSpan> When(Task turn) => turn.ContinueWith(_ => clock.Elapsed, TaskScheduler.Default);
        var submissions = Enumerable.Range(0, 10).Select(_ => When(budget.AcquireAsync(true, default))).ToList();
        var poll = await When(budget.AcquireAsync(false, default)).WaitAsync(TimeSpan.FromSeconds(30));
        await Task.WhenAll(submissions);
        // Turns come a quarter second apart: those a clear tenth of a second before the poll's went before it.
        var before = submissions.Count(t => t.Result < poll - TimeSpan.FromMilliseconds(100));
        Assert.True(before <= 4, before + " submissions went before the poll: " + string.Join(", ", submissions.Select(t => t.Result.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture))) + " / poll " + poll.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Waiters_arriving_faster_than_the_hand_out_interval_do_not_put_the_next_hand_out_off()
    {
        var budget = new RequestBudget(4);
        for (var i = 0; i < 4; i++)
        {
            await budget.AcquireAsync(false, default); // the burst is spent
        }
        // A new waiter every 50 ms for 2 s (polls coming due while others wait): at 4 a second, about 8 have had turns by then.
        var waits = new List<Task>();
        for (var i = 0; i < 40; i++)
        {
            waits.Add(budget.AcquireAsync(false, default));
            await Task.Delay(50);
        }
        Assert.True(waits.Count(t => t.IsCompleted) >= 6, waits.Count(t => t.IsCompleted) + " of 40 waiters had a turn in 2 s at 4 a second");
    }

    [Fact]
    public async Task A_429_from_a_CDN_after_a_redirect_slows_the_CDN_not_the_providers_API()
    {
        var handler = new MockHttpMessageHandler();
        handler.When(HttpMethod.Get, "https://gateway.example.com/v1/videos/v1/content").Respond(_ =>
        {
            var moved = new HttpResponseMessage(HttpStatusCode.Found);
            moved.Headers.Location = new Uri("https://cdn.example.net/v1.mp4");
            return moved;
        });
        handler.When(HttpMethod.Get, "https://cdn.example.net/v1.mp4").Respond(_ =>
        {
            var busy = new HttpResponseMessage((HttpStatusCode)429) { Content = new StringContent("slow down") };
            busy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
            return busy;
        });
        using var client = new VideoGenClient(handler, new VideoGenClientOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) });
        var endpoint = new ProviderEndpoint(VideoProvider.OpenAICompatible, new Uri("https://gateway.example.com/v1"), "sk-cdn-budget-test-0001");
        var job = VideoJob.Restore("v1", VideoProvider.OpenAICompatible, "sora-2", status: "Succeeded");

        await Assert.ThrowsAsync<VideoGenException>(() => client.OpenDownloadAsync(endpoint, job, VideoVariant.Video, 0, null, default));

        Assert.Equal(0, client.BudgetFor(new Uri("https://gateway.example.com/v1/videos")).Counts.Refusals);
        Assert.Equal(50, client.BudgetFor(new Uri("https://gateway.example.com/v1/videos")).Rate);
        Assert.True(client.BudgetFor(new Uri("https://cdn.example.net/x")).Counts.Refusals >= 1);
    }
}
