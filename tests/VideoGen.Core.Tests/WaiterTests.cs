using VideoGen.Core;
using VideoGen.Core.Waiting;
using VideoGen.Emulator;

namespace VideoGen.Core.Tests;

/// <summary>Wait-Video's core: many jobs at once, each emitted once, polls within the policy, timeouts that keep the id.</summary>
public class WaiterTests : IAsyncLifetime
{
    private EmulatorServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await EmulatorServer.StartAsync(new EmulatorOptions { ApiKey = TestClient.Key, JobDuration = TimeSpan.FromSeconds(1), SlowJobDuration = TimeSpan.FromMinutes(10) });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_thousand_jobs_are_each_emitted_exactly_once_with_polls_within_the_policy()
    {
        const int count = 1000;
        var policy = new PollPolicy { FirstDelay = TimeSpan.FromMilliseconds(200), MaxInterval = TimeSpan.FromMilliseconds(500) };
        var pipeline = Pipelines.For(_server, policy);
        var endpoint = pipeline.Endpoint(VideoProvider.OpenRouter);
        using var engine = new WorkEngine(16);
        using var waiter = new JobWaiter(pipeline.Client, new WaitOptions { Policy = policy }, null, engine);
        var submitted = new List<string>();
        var emitted = new List<WaitResult>();
        for (var i = 0; i < count; i++)
        {
            var job = await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "prompt " + i, Name = "n" + i }, null, default);
            submitted.Add(job.Id);
            waiter.Add(job, endpoint);
            // Waiting overlaps submission: results are taken while rows are still arriving.
            while (TryTake(engine, TimeSpan.Zero, out var early))
            {
                emitted.Add(early!);
            }
        }
        engine.CompleteAdding();
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!engine.IsDone && DateTime.UtcNow < deadline)
        {
            if (TryTake(engine, TimeSpan.FromMilliseconds(200), out var result))
            {
                emitted.Add(result!);
            }
        }

        Assert.Equal(count, emitted.Count);
        Assert.Equal(submitted.OrderBy(x => x), emitted.Select(e => e.Job.Id).OrderBy(x => x));
        Assert.All(emitted, e => Assert.Null(e.Error));
        Assert.All(emitted, e => Assert.Equal(VideoJobStatus.Succeeded, e.Job.Status));
        var bound = policy.MaxPolls(_server.Options.JobDuration, TimeSpan.FromSeconds(10));
        Assert.InRange(bound, 2, 10);
        Assert.All(submitted, id => Assert.InRange(_server.State.Jobs[id].Polls, 1, bound));
        var progress = waiter.GetProgress();
        Assert.Equal(count, progress.Succeeded);
        Assert.Empty(progress.Active);
    }

    [Fact]
    public async Task A_job_still_running_at_the_timeout_is_emitted_with_a_timeout_error_carrying_its_id()
    {
        var pipeline = Pipelines.For(_server);
        var endpoint = pipeline.Endpoint(VideoProvider.FastRouter);
        var slow = await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "A [slow] one", Name = "slow" }, null, default);
        using var engine = new WorkEngine(8);
        using var waiter = new JobWaiter(pipeline.Client, new WaitOptions { Policy = pipeline.Policy, Timeout = TimeSpan.FromSeconds(1) }, null, engine);
        waiter.Add(slow, endpoint);
        engine.CompleteAdding();

        WaitResult? result = null;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!engine.IsDone && DateTime.UtcNow < deadline)
        {
            if (TryTake(engine, TimeSpan.FromMilliseconds(200), out var r))
            {
                result = r;
            }
        }

        Assert.NotNull(result);
        Assert.Equal(slow.Id, result!.Job.Id);
        Assert.Equal(VideoGenErrorKind.Timeout, result.Error!.Kind);
        Assert.Equal(slow.Id, result.Error.TaskId);
        Assert.Contains(slow.Id, result.Error.Message);
        Assert.Contains("nothing was cancelled", result.Error.Message);
    }

    [Fact]
    public async Task Cancelling_stops_every_watch_and_nothing_is_emitted_afterwards()
    {
        var pipeline = Pipelines.For(_server);
        var endpoint = pipeline.Endpoint(VideoProvider.AppleRouter);
        var engine = new WorkEngine(8);
        using var waiter = new JobWaiter(pipeline.Client, new WaitOptions { Policy = pipeline.Policy }, null, engine);
        for (var i = 0; i < 20; i++)
        {
            waiter.Add(await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "[slow] " + i }, null, default), endpoint);
        }
        await Task.Delay(300);

        engine.Cancel();
        engine.Dispose();

        Assert.Equal(0, engine.Running);
        Assert.False(TryTake(engine, TimeSpan.Zero, out _));
        var pollsAfterStop = _server.State.TotalPolls;
        await Task.Delay(1200);
        Assert.Equal(pollsAfterStop, _server.State.TotalPolls);
    }

    /// <summary>Issue 23 item 6: a server hint far beyond -TimeoutSec (a year; TimeSpan.MaxValue) ends as the usual Timeout, not a timer exception.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_server_hint_of_any_size_ends_at_the_timeout_with_the_task_id_and_no_internal_error(bool hintOnTheJob)
    {
        var handler = new ScriptedHandler((_, _) =>
        {
            var r = new System.Net.Http.HttpResponseMessage(System.Net.HttpStatusCode.OK)
            {
                Content = new System.Net.Http.StringContent("""{"id":"video_hint","status":"in_progress","progress":10}""", System.Text.Encoding.UTF8, "application/json"),
            };
            // A year ahead as an HTTP date: the other way a server spells Retry-After.
            r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(DateTimeOffset.UtcNow.AddDays(365));
            return r;
        });
        using var client = new VideoGen.Core.Http.VideoGenClient(handler, TestClient.FastRetries());
        var endpoint = new ProviderEndpoint(VideoProvider.OpenAICompatible, new Uri("https://gateway.example.com/v1"), "sk-fake-waiter-hint-0001");
        var job = VideoJob.Restore("video_hint", VideoProvider.OpenAICompatible, "sora-2", status: "Running");
        if (hintOnTheJob)
        {
            job.PollAfter = TimeSpan.MaxValue; // what a hint of any size can become before any cap
        }
        var log = new RecordingLog();
        var policy = new PollPolicy { FirstDelay = TimeSpan.FromMilliseconds(50) };
        using var engine = new WorkEngine(4);
        using var waiter = new JobWaiter(client, new WaitOptions { Policy = policy, Timeout = TimeSpan.FromSeconds(2) }, log, engine);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        waiter.Add(job, endpoint);
        engine.CompleteAdding();

        WaitResult? result = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!engine.IsDone && DateTime.UtcNow < deadline)
        {
            if (TryTake(engine, TimeSpan.FromMilliseconds(100), out var r))
            {
                result = r;
            }
        }

        Assert.NotNull(result);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "took " + clock.Elapsed);
        Assert.Equal(VideoGenErrorKind.Timeout, result!.Error!.Kind);
        Assert.Equal("video_hint", result.Error.TaskId);
        Assert.Contains("Get-VideoStatus -Id video_hint", result.Error.Message);
        Assert.Null(result.Error.InnerException);
        Assert.Null(result.Job.Error); // not marked as failed: it goes on at the provider and can be followed later
        Assert.False(result.Job.IsTerminal);
        Assert.Contains(log.Lines, l => l.Contains("video_hint", StringComparison.Ordinal) && l.Contains("capped", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void A_server_hint_is_capped_and_never_throws()
    {
        var policy = new PollPolicy();
        var ceiling = TimeSpan.FromSeconds(10);
        Assert.Equal(VideoGen.Core.Http.ServerHints.Cap, policy.NextDelay(0, ceiling, TimeSpan.MaxValue));
        Assert.Equal(VideoGen.Core.Http.ServerHints.Cap, policy.NextDelay(0, ceiling, TimeSpan.FromDays(365)));
        Assert.Equal(TimeSpan.FromSeconds(30), policy.NextDelay(0, ceiling, TimeSpan.FromSeconds(30)));
    }

    private static bool TryTake(WorkEngine engine, TimeSpan wait, out WaitResult? result)
    {
        while (engine.TryRead(wait, out var outcome) && outcome != null)
        {
            if (outcome is WorkOutcome<VideoJob, WaitResult> { Value: WaitResult r })
            {
                result = r;
                return true;
            }
            wait = TimeSpan.Zero;
        }
        result = null;
        return false;
    }

    [Fact]
    public void AppleRouters_advised_10_to_30_seconds_bound_the_default_policy_and_a_fixed_interval_overrides_them()
    {
        var apple = VideoGen.Core.Providers.ProviderMappings.For(VideoProvider.AppleRouter);
        var policy = new PollPolicy();
        Assert.Equal(TimeSpan.FromSeconds(10), apple.MinPollInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), apple.MaxPollInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), policy.NextDelay(0, apple.MaxPollInterval, null, apple.MinPollInterval));
        Assert.Equal(TimeSpan.FromSeconds(30), policy.NextDelay(40, apple.MaxPollInterval, null, apple.MinPollInterval));
        Assert.Equal(TimeSpan.FromSeconds(1), policy.NextDelay(0, TimeSpan.FromSeconds(10), null, VideoGen.Core.Providers.ProviderMappings.For(VideoProvider.OpenRouter).MinPollInterval));
        policy.FixedInterval = TimeSpan.FromSeconds(2);
        Assert.Equal(TimeSpan.FromSeconds(2), policy.NextDelay(0, apple.MaxPollInterval, null, apple.MinPollInterval));
        var tight = new PollPolicy { MaxInterval = TimeSpan.FromMilliseconds(500) };
        Assert.Equal(TimeSpan.FromMilliseconds(500), tight.NextDelay(0, apple.MaxPollInterval, null, apple.MinPollInterval));
    }

    [Fact]
    public void The_policy_grows_to_the_ceiling_and_honours_server_hints()
    {
        var policy = new PollPolicy { FirstDelay = TimeSpan.FromSeconds(2), Growth = 1.5 };
        var ceiling = TimeSpan.FromSeconds(10);
        Assert.Equal(TimeSpan.FromSeconds(2), policy.NextDelay(0, ceiling, null));
        Assert.Equal(TimeSpan.FromSeconds(3), policy.NextDelay(1, ceiling, null));
        Assert.Equal(ceiling, policy.NextDelay(20, ceiling, null));
        Assert.Equal(TimeSpan.FromSeconds(30), policy.NextDelay(1, ceiling, TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromSeconds(3), policy.NextDelay(1, ceiling, TimeSpan.FromSeconds(1)));
        policy.FixedInterval = TimeSpan.FromSeconds(7);
        Assert.Equal(TimeSpan.FromSeconds(7), policy.NextDelay(0, ceiling, null));
        Assert.Equal(TimeSpan.FromSeconds(7), policy.NextDelay(9, ceiling, null));
    }
}

public class DefaultPolicyTests
{
    [Fact]
    public void The_default_policy_sees_a_five_second_job_done_within_fifteen_percent_of_its_time()
    {
        var policy = new PollPolicy();
        var ceiling = TimeSpan.FromSeconds(10);
        var polls = policy.MaxPolls(TimeSpan.FromSeconds(5), ceiling);
        var lastPoll = Enumerable.Range(0, polls).Sum(i => policy.NextDelay(i, ceiling, null).TotalSeconds);

        Assert.InRange(lastPoll, 5.0, 5.75);
        Assert.Equal(4, polls);
        Assert.Equal(ceiling, policy.NextDelay(30, ceiling, null));
    }
}
