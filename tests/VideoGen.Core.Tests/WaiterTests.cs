using RichardSzalay.MockHttp;
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
        var policy = new PollPolicy { AdvisedInterval = TimeSpan.FromMilliseconds(200), MaxInterval = TimeSpan.FromMilliseconds(500) };
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
        // Polls are at least the advised interval apart, so a job is polled at most once per interval of its run, and once more.
        var bound = (int)Math.Ceiling(_server.Options.JobDuration.TotalMilliseconds / policy.AdvisedInterval!.Value.TotalMilliseconds) + 1;
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
        var policy = new PollPolicy { AdvisedInterval = TimeSpan.FromMilliseconds(50) };
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
        var advised = TimeSpan.FromSeconds(10);
        var ceiling = TimeSpan.FromSeconds(30);
        Assert.Equal(VideoGen.Core.Http.ServerHints.Cap, policy.NextDelay(TimeSpan.Zero, 0, null, advised, ceiling, TimeSpan.MaxValue));
        Assert.Equal(VideoGen.Core.Http.ServerHints.Cap, policy.NextDelay(TimeSpan.Zero, 0, null, advised, ceiling, TimeSpan.FromDays(365)));
        Assert.Equal(TimeSpan.FromSeconds(45), policy.NextDelay(TimeSpan.Zero, 0, null, advised, ceiling, TimeSpan.FromSeconds(45)));
        // A hint shorter than the plan does not undercut it.
        Assert.Equal(advised, policy.NextDelay(TimeSpan.Zero, 0, null, advised, ceiling, TimeSpan.FromSeconds(2)));
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
    public void Every_provider_advises_10_s_between_polls_and_30_s_at_most_and_a_fixed_interval_overrides_them()
    {
        foreach (var provider in new[] { VideoProvider.FastRouter, VideoProvider.OpenRouter, VideoProvider.AppleRouter, VideoProvider.OpenAICompatible })
        {
            var mapping = VideoGen.Core.Providers.ProviderMappings.For(provider);
            Assert.Equal(TimeSpan.FromSeconds(10), mapping.PollInterval);
            Assert.Equal(TimeSpan.FromSeconds(30), mapping.MaxPollInterval);
        }
        var policy = new PollPolicy();
        var (advised, ceiling) = (TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
        // Without history: the first poll at the advised interval, not 1 s; then every 10 s while the job is young.
        Assert.Equal(advised, policy.NextDelay(TimeSpan.Zero, 0, null, advised, ceiling, null));
        Assert.Equal(advised, policy.NextDelay(TimeSpan.FromSeconds(10), 1, null, advised, ceiling, null));
        Assert.Equal(advised, policy.NextDelay(TimeSpan.FromSeconds(50), 5, null, advised, ceiling, null));
        // A job running long is polled less often, a sixth of its age, up to the ceiling.
        Assert.Equal(TimeSpan.FromSeconds(20), policy.NextDelay(TimeSpan.FromSeconds(120), 9, null, advised, ceiling, null));
        Assert.Equal(ceiling, policy.NextDelay(TimeSpan.FromMinutes(30), 40, null, advised, ceiling, null));
        // A job submitted long ago is polled at once.
        Assert.True(policy.NextDelay(TimeSpan.FromHours(2), 0, null, advised, ceiling, null) < TimeSpan.FromSeconds(1));
        // $env:VIDEOGEN_POLL_INTERVAL_SEC replaces the provider's interval; -PollIntervalSec replaces the policy.
        var fromEnvironment = PollPolicy.FromEnvironment(name => name == PollPolicy.AdvisedIntervalVariable ? "0.5" : null);
        Assert.Equal(TimeSpan.FromMilliseconds(500), fromEnvironment.NextDelay(TimeSpan.Zero, 0, null, advised, ceiling, null));
        Assert.Null(PollPolicy.FromEnvironment(_ => "fast").AdvisedInterval);
        policy.FixedInterval = TimeSpan.FromSeconds(2);
        Assert.Equal(TimeSpan.FromSeconds(2), policy.NextDelay(TimeSpan.FromSeconds(40), 3, null, advised, ceiling, null));
        var tight = new PollPolicy { MaxInterval = TimeSpan.FromMilliseconds(500) };
        Assert.Equal(TimeSpan.FromMilliseconds(500), tight.NextDelay(TimeSpan.Zero, 0, null, advised, ceiling, null));
    }

    [Fact]
    public void With_history_the_polls_go_inside_the_expected_window_and_fall_back_to_the_advised_interval_after_it()
    {
        var history = Enumerable.Range(0, 12).Select(_ => new JobDuration("8s 720p", TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(50))).ToList();
        var expected = ExpectedDuration.From(history, "veo", "8s 720p")!;
        var policy = new PollPolicy();
        var (advised, ceiling) = (TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));

        Assert.Equal(TimeSpan.FromSeconds(40), expected.Earliest);
        Assert.Equal(TimeSpan.FromSeconds(50), expected.Latest);
        Assert.Equal(12, expected.Jobs);
        Assert.Contains("12 finished jobs of veo 8s 720p", expected.ToString());
        // Nothing before the window; three polls across it (43.3, 46.7, 50 s); then the advised interval.
        var first = policy.NextDelay(TimeSpan.Zero, 0, expected, advised, ceiling, null);
        Assert.InRange(first.TotalSeconds, 43.3, 43.4);
        Assert.InRange(policy.NextDelay(first, 1, expected, advised, ceiling, null).TotalSeconds, 3.3, 3.4);
        Assert.InRange(policy.NextDelay(TimeSpan.FromSeconds(50), 3, expected, advised, ceiling, null).TotalSeconds, 9.9, 10.1);
        // Picked up inside the window (a job from the store): the next planned time, not at once.
        Assert.InRange(policy.NextDelay(TimeSpan.FromSeconds(45), 0, expected, advised, ceiling, null).TotalSeconds, 1.6, 1.7);
        // Picked up after it: at once.
        Assert.True(policy.NextDelay(TimeSpan.FromSeconds(80), 0, expected, advised, ceiling, null) < TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void An_expectation_needs_two_jobs_prefers_three_of_the_same_shape_and_leaves_out_outliers_from_twenty_on()
    {
        TimeSpan S(double s) => TimeSpan.FromSeconds(s);
        Assert.Null(ExpectedDuration.From(new[] { new JobDuration(null, S(10), S(20)) }, "m", null));
        var mixed = new List<JobDuration>
        {
            new JobDuration("4s", S(20), S(25)), new JobDuration("4s", S(21), S(26)), new JobDuration("4s", S(22), S(27)),
            new JobDuration("12s", S(80), S(90)), new JobDuration("12s", S(85), S(95)),
        };
        var four = ExpectedDuration.From(mixed, "m", "4s")!;
        Assert.Equal((S(20), S(27), 3), (four.Earliest, four.Latest, four.Jobs));
        var twelve = ExpectedDuration.From(mixed, "m", "12s")!; // two of that shape: the model's five
        Assert.Equal((S(20), S(95), 5), (twelve.Earliest, twelve.Latest, twelve.Jobs));
        // A wide window is polled at the advised interval, not in three long steps.
        Assert.Equal(S(10), twelve.Spacing(S(10)));

        var many = Enumerable.Range(0, 38).Select(i => new JobDuration(null, S(40 + i % 10 * 0.1), S(45 + i % 10 * 0.1))).ToList();
        many.Add(new JobDuration(null, S(1), S(2)));       // a job that failed fast at the provider's side but said Succeeded
        many.Add(new JobDuration(null, S(590), S(600)));   // one that sat in a queue for ten minutes
        var trimmed = ExpectedDuration.From(many, "m", null)!;
        Assert.InRange(trimmed.Earliest.TotalSeconds, 40, 41);
        Assert.InRange(trimmed.Latest.TotalSeconds, 45, 46);
    }

    [Fact]
    public void However_long_history_says_a_job_takes_it_is_polled_at_least_every_15_minutes_and_the_advised_interval_never_exceeds_the_ceiling()
    {
        var policy = new PollPolicy();
        var (advised, ceiling) = (TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
        // A history poisoned with 200-day jobs (a wrong clock) cannot make a job wait for months.
        var poisoned = ExpectedDuration.From(new[] { new JobDuration(null, TimeSpan.FromDays(200), TimeSpan.FromDays(200.1)), new JobDuration(null, TimeSpan.FromDays(200), TimeSpan.FromDays(200.1)) }, "m", null)!;
        Assert.Equal(PollPolicy.LongestWait, policy.NextDelay(TimeSpan.Zero, 0, poisoned, advised, ceiling, null));
        // $env:VIDEOGEN_POLL_INTERVAL_SEC above the ceiling is the ceiling, as -Verbose then says.
        var slow = new PollPolicy { AdvisedInterval = TimeSpan.FromSeconds(60) };
        Assert.Equal(ceiling, slow.Advised(advised, ceiling));
        Assert.Equal(ceiling, slow.NextDelay(TimeSpan.Zero, 0, null, advised, ceiling, null));
    }

    [Fact]
    public async Task A_host_held_by_its_429s_holds_no_slot_another_providers_jobs_need()
    {
        var handler = new RichardSzalay.MockHttp.MockHttpMessageHandler();
        handler.When(System.Net.Http.HttpMethod.Get, "https://openrouter.ai/api/v1/videos/*").Respond("application/json", "{\"id\":\"x\",\"status\":\"in_progress\"}");
        handler.When(System.Net.Http.HttpMethod.Get, "https://gateway.example.com/v1/videos/done").Respond("application/json", "{\"id\":\"done\",\"object\":\"video\",\"status\":\"completed\",\"progress\":100}");
        using var client = new VideoGen.Core.Http.VideoGenClient(handler, TestClient.FastRetries());
        var held = new ProviderEndpoint(VideoProvider.OpenRouter, new Uri("https://openrouter.ai/api/v1"), "sk-or-held-host-0001");
        var other = new ProviderEndpoint(VideoProvider.OpenAICompatible, new Uri("https://gateway.example.com/v1"), "sk-other-host-0001");
        client.BudgetFor(held.BaseUri).Answered(429, TimeSpan.FromSeconds(60)); // OpenRouter is held for a minute
        using var engine = new WorkEngine(8);
        using var waiter = new JobWaiter(client, new WaitOptions { Policy = new PollPolicy { FixedInterval = TimeSpan.FromMilliseconds(50) } }, null, engine);
        for (var i = 0; i < 50; i++)
        {
            waiter.Add(VideoJob.Restore("held" + i, VideoProvider.OpenRouter, "google/veo-3.1", status: "Running"), held);
        }
        waiter.Add(VideoJob.Restore("done", VideoProvider.OpenAICompatible, "sora-2", status: "Running"), other);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        WaitResult? result = null;
        while (result is null && clock.Elapsed < TimeSpan.FromSeconds(55))
        {
            TryTake(engine, TimeSpan.FromMilliseconds(100), out result);
        }

        Assert.NotNull(result);
        Assert.Equal("done", result!.Job.Id);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the other host's job waited " + clock.Elapsed);
        engine.Cancel();
    }

    [Fact]
    public async Task A_backlog_of_due_jobs_starts_a_bounded_number_of_polls_of_its_host_and_another_hosts_job_is_polled_beside_it()
    {
        // Every poll of the busy host hangs until the test ends: its 300 due jobs must wait as queue entries, not as started polls.
        var handler = new HangingHandler("busy.example.com", "{\"id\":\"done\",\"object\":\"video\",\"status\":\"completed\",\"progress\":100}");
        using var client = new VideoGen.Core.Http.VideoGenClient(handler, TestClient.FastRetries());
        var busy = new ProviderEndpoint(VideoProvider.OpenAICompatible, new Uri("https://busy.example.com/v1"), "sk-busy-host-0001");
        var other = new ProviderEndpoint(VideoProvider.OpenAICompatible, new Uri("https://other.example.com/v1"), "sk-other-host-0001");
        using var engine = new WorkEngine(256);
        using var waiter = new JobWaiter(client, new WaitOptions { Policy = new PollPolicy { FixedInterval = TimeSpan.FromMilliseconds(50) } }, null, engine);
        for (var i = 0; i < 300; i++)
        {
            waiter.Add(VideoJob.Restore("busy" + i, VideoProvider.OpenAICompatible, "sora-2", status: "Running"), busy);
        }
        await WaitUntil(() => handler.Hanging >= JobWaiter.PollsStartedPerHost, TimeSpan.FromSeconds(20));
        waiter.Add(VideoJob.Restore("done", VideoProvider.OpenAICompatible, "sora-2", status: "Running"), other);

        WaitResult? result = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (result is null && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            TryTake(engine, TimeSpan.FromMilliseconds(100), out result);
        }
        await Task.Delay(300); // time for any poll beyond the bound to start

        Assert.Equal("done", result?.Job.Id);
        Assert.Equal(JobWaiter.PollsStartedPerHost, handler.Hanging);
        Assert.Equal(JobWaiter.PollsStartedPerHost, handler.MostHanging);
        engine.Cancel();
    }

    [Fact]
    public void A_job_updated_in_place_takes_every_field_of_the_later_answer_and_refuses_another_jobs()
    {
        // Every instance field but the identity, set by reflection to a value unlike the target's: a field added later and
        // forgotten in TakeFrom fails here.
        var later = VideoJob.Restore("task-1", VideoProvider.OpenRouter, "model-a");
        var fields = typeof(VideoJob).GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)
            .Where(f => !f.IsInitOnly).ToList();
        Assert.True(fields.Count >= 18, "fields found: " + fields.Count);
        var i = 0;
        foreach (var field in fields)
        {
            i++;
            var type = Nullable.GetUnderlyingType(field.FieldType) ?? field.FieldType;
            object value = type == typeof(string) ? "text " + i
                : type == typeof(int) ? i
                : type == typeof(decimal) ? (decimal)i
                : type == typeof(bool) ? true
                : type == typeof(TimeSpan) ? TimeSpan.FromSeconds(i)
                : type == typeof(DateTimeOffset) ? DateTimeOffset.UnixEpoch.AddDays(i)
                : type == typeof(VideoJobStatus) ? VideoJobStatus.Failed
                : throw new InvalidOperationException("a field of a type this test does not fill: " + field.Name + " " + type);
            field.SetValue(later, value);
        }
        var mine = VideoJob.Restore("task-1", VideoProvider.OpenRouter, "model-b", status: "Running");

        mine.TakeFrom(later);

        Assert.All(fields, f => Assert.Equal(f.GetValue(later), f.GetValue(mine)));
        Assert.Throws<ArgumentException>(() => mine.TakeFrom(VideoJob.Restore("task-2", VideoProvider.OpenRouter, "model-a")));
        Assert.Throws<ArgumentException>(() => mine.TakeFrom(VideoJob.Restore("task-1", VideoProvider.FastRouter, "model-a")));
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan bound)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < bound)
        {
            await Task.Delay(20);
        }
    }

    /// <summary>Answers every request at once, except those to one host, which hang until cancelled; counts the hanging ones.</summary>
    private sealed class HangingHandler(string hangingHost, string answer) : HttpMessageHandler
    {
        private int _hanging;
        private int _most;

        public int Hanging => Volatile.Read(ref _hanging);

        public int MostHanging => Volatile.Read(ref _most);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.Host != hangingHost)
            {
                return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent(answer, System.Text.Encoding.UTF8, "application/json"), RequestMessage = request };
            }
            var now = Interlocked.Increment(ref _hanging);
            int most;
            while ((most = Volatile.Read(ref _most)) < now && Interlocked.CompareExchange(ref _most, now, most) != most)
            {
            }
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                throw new OperationCanceledException(cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _hanging);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Simulated_45_second_jobs_meet_the_issue_targets_cold_and_then_warm(int seed)
    {
        // The policy alone (no network): jobs of 45 s +-10%, polled as the policy says, each poll answered at once.
        var random = new Random(seed);
        var durations = Enumerable.Range(0, 200).Select(_ => 40.5 + random.NextDouble() * 9).ToList();
        var policy = new PollPolicy();
        var (advised, ceiling) = (TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));

        var cold = durations.Select(d => Follow(policy, null, d, advised, ceiling)).ToList();
        Assert.True(cold.Max(r => r.Polls) <= 8, "cold polls " + cold.Max(r => r.Polls));
        Assert.True(cold.Max(r => r.Delay) <= 12, "cold delay " + cold.Max(r => r.Delay));

        // Warm: twelve of the cold run's jobs in the store.
        var expected = ExpectedDuration.From(cold.Take(12).Select(r => new JobDuration(null, TimeSpan.FromSeconds(r.Running), TimeSpan.FromSeconds(r.Seen))).ToList(), "m", null);
        var warm = durations.Select(d => Follow(policy, expected, d, advised, ceiling)).ToList();
        Assert.True(warm.Average(r => r.Polls) <= 3, "warm polls " + warm.Average(r => r.Polls));
        var delays = warm.Select(r => r.Delay).OrderBy(d => d).ToList();
        Assert.True(delays[delays.Count / 2] <= 6, "warm median delay " + delays[delays.Count / 2]);
    }

    /// <summary>Polls one simulated job of <paramref name="duration"/> seconds: polls made, when it was last seen running and seen done, the delay.</summary>
    private static (int Polls, double Running, double Seen, double Delay) Follow(PollPolicy policy, ExpectedDuration? expected, double duration, TimeSpan advised, TimeSpan ceiling)
    {
        var age = TimeSpan.Zero;
        var running = 0.0;
        for (var polls = 0; polls < 100; polls++)
        {
            age += policy.NextDelay(age, polls, expected, advised, ceiling, null);
            if (age.TotalSeconds >= duration)
            {
                return (polls + 1, running, age.TotalSeconds, age.TotalSeconds - duration);
            }
            running = age.TotalSeconds;
        }
        throw new InvalidOperationException("never seen done");
    }
}
