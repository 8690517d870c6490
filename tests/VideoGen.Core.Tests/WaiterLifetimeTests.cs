using RichardSzalay.MockHttp;
using System.Net;
using VideoGen.Core;
using VideoGen.Core.Waiting;

namespace VideoGen.Core.Tests;

/// <summary>How every watch ends: the waiter and engine disposed in either order, an Add that fails, a timeout beyond a timer, each job exactly once; and what the caller keeps unchanged.</summary>
public class WaiterLifetimeTests
{
    private static async Task WaitUntil(Func<bool> condition, TimeSpan bound)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < bound)
        {
            await Task.Delay(20);
        }
    }

    private sealed class Hanging : HttpMessageHandler
    {
        private int _hanging;
        public int Count => Volatile.Read(ref _hanging);
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _hanging);
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

    private sealed class Sequence(params string[] answers) : HttpMessageHandler
    {
        private int _n;

        /// <summary>Where set, every answer after the first waits for it (a test then sees the first answer for as long as it needs).</summary>
        public Task? LaterAnswersWaitFor { get; set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var i = Math.Min(Interlocked.Increment(ref _n) - 1, answers.Length - 1);
            if (i > 0 && LaterAnswersWaitFor is Task gate)
            {
                await gate.WaitAsync(cancellationToken);
            }
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answers[i], System.Text.Encoding.UTF8, "application/json"), RequestMessage = request };
        }
    }

    private sealed class ThrowingLog : VideoGen.Core.Http.IVideoGenLog
    {
        public void Verbose(string message) => throw new InvalidOperationException("host refused the verbose line");
        public void Debug(string message) { }
    }

    [Fact]
    public async Task A_poll_under_way_ends_at_once_when_the_waiter_is_disposed_before_the_engine()
    {
        var handler = new Hanging();
        using var client = new VideoGen.Core.Http.VideoGenClient(handler, TestClient.FastRetries());
        var ep = new ProviderEndpoint(VideoProvider.OpenAICompatible, new Uri("https://busy.example.com/v1"), "sk-busy-host-0001");
        var engine = new WorkEngine(8);
        var waiter = new JobWaiter(client, new WaitOptions { Policy = new PollPolicy { FixedInterval = TimeSpan.FromMilliseconds(50) }, Timeout = TimeSpan.FromHours(1) }, null, engine);
        waiter.Add(VideoJob.Restore("a", VideoProvider.OpenAICompatible, "sora-2", status: "Running"), ep);
        await WaitUntil(() => handler.Count == 1, TimeSpan.FromSeconds(10));
        Assert.Equal(1, handler.Count);

        waiter.Dispose();          // `using var engine; using var waiter;` disposes in this order
        var clock = System.Diagnostics.Stopwatch.StartNew();
        engine.Dispose();          // cancels: the hanging poll should end at once
        var took = clock.Elapsed;
        await Task.Delay(500);

        Assert.True(handler.Count == 0 && took < TimeSpan.FromSeconds(2), $"poll still hanging: {handler.Count}; engine.Dispose took {took}");
    }

    [Fact]
    public async Task Progress_snapshots_do_not_change_afterwards_and_the_callers_job_is_never_changed()
    {
        var handler = new Sequence(
            "{\"id\":\"a\",\"object\":\"video\",\"status\":\"in_progress\",\"progress\":10}",
            "{\"id\":\"a\",\"object\":\"video\",\"status\":\"in_progress\",\"progress\":50}",
            "{\"id\":\"a\",\"object\":\"video\",\"status\":\"completed\",\"progress\":100}");
        // The later polls wait until the snapshot is taken: the 10% answer lasts as long as the test needs, under any load.
        var snapshotTaken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        handler.LaterAnswersWaitFor = snapshotTaken.Task;
        using var client = new VideoGen.Core.Http.VideoGenClient(handler, TestClient.FastRetries());
        var ep = new ProviderEndpoint(VideoProvider.OpenAICompatible, new Uri("https://gw.example.com/v1"), "sk-gw-host-0001");
        using var engine = new WorkEngine(8);
        using var waiter = new JobWaiter(client, new WaitOptions { Policy = new PollPolicy { FixedInterval = TimeSpan.FromMilliseconds(300) } }, null, engine);
        var seen = new List<(VideoJob Job, VideoJobStatus Status, int? Progress)>();
        var caller = VideoJob.Restore("a", VideoProvider.OpenAICompatible, "sora-2", status: "Queued");
        waiter.Add(caller, ep, (j, before) => { lock (seen) seen.Add((j, j.Status, j.Progress)); });
        await WaitUntil(() => waiter.GetProgress().Active.Count == 1 && waiter.GetProgress().Active[0].Progress == 10, TimeSpan.FromSeconds(10));
        var snapshot = waiter.GetProgress();
        var snapJob = snapshot.Active.Single();
        snapshotTaken.SetResult();
        await WaitUntil(() => engine.Running == 0, TimeSpan.FromSeconds(10));

        Assert.Equal(2, seen.Count); // Queued->Running, Running->Succeeded
        Assert.Equal((VideoJobStatus.Running, 10), (seen[0].Status, seen[0].Progress)); // as it was during the call
        Assert.Equal(10, snapJob.Progress); // a copy: later polls (50, then 100) do not change it
        Assert.Equal(VideoJobStatus.Queued, caller.Status); // the job added is never changed in place
        Assert.Null(caller.Progress);
    }

    [Fact]
    public async Task A_provider_status_word_echoing_the_key_is_neither_shown_nor_kept_in_the_shared_texts()
    {
        const string key = "sk-review-secret-key-000123";
        var handler = new Sequence("{\"id\":\"a\",\"object\":\"video\",\"status\":\"bad token " + key + "\"}",
            "{\"id\":\"a\",\"object\":\"video\",\"status\":\"completed\",\"progress\":100}");
        using var client = new VideoGen.Core.Http.VideoGenClient(handler, TestClient.FastRetries());
        var ep = new ProviderEndpoint(VideoProvider.OpenAICompatible, new Uri("https://gw2.example.com/v1"), key);
        using var engine = new WorkEngine(8);
        using var waiter = new JobWaiter(client, new WaitOptions { Policy = new PollPolicy { FixedInterval = TimeSpan.FromMilliseconds(100) } }, null, engine);
        var statuses = new List<string?>();
        waiter.Add(VideoJob.Restore("a", VideoProvider.OpenAICompatible, "sora-2", status: "Queued"), ep, (j, _) => statuses.Add(j.ProviderStatus));
        await WaitUntil(() => engine.Running == 0, TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(statuses, s => s != null && s.Contains(key)); // the job shows the sanitized word
        var field = typeof(VideoJob).Assembly.GetType("VideoGen.Core.SharedText")!.GetField("Texts", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        var pool = (System.Collections.Concurrent.ConcurrentDictionary<string, string>)field.GetValue(null)!;
        Assert.False(pool.Keys.Any(k => k.Contains(key)), "pooled for the process: " + string.Join(" | ", pool.Keys.Where(k => k.Contains(key))));
    }

    [Fact]
    public void An_Add_that_fails_leaves_nothing_counted_so_the_engine_is_done_and_disposes_at_once()
    {
        var handler = new Sequence("{}");
        using var client = new VideoGen.Core.Http.VideoGenClient(handler, TestClient.FastRetries());
        var ep = new ProviderEndpoint(VideoProvider.OpenAICompatible, new Uri("https://gw3.example.com/v1"), "sk-gw-host-0003");
        var engine = new WorkEngine(8);
        var waiter = new JobWaiter(client, new WaitOptions(), new ThrowingLog(), engine);
        Assert.Throws<InvalidOperationException>(() => waiter.Add(VideoJob.Restore("a", VideoProvider.OpenAICompatible, "sora-2", status: "Running"), ep));
        engine.CompleteAdding();
        var running = engine.Running;
        var done = engine.IsDone;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        engine.Dispose();
        waiter.Dispose();
        Assert.True(running == 0 && done && clock.Elapsed < TimeSpan.FromSeconds(1), $"Running {running}, IsDone {done}, Dispose took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_failed_first_poll_does_not_write_its_error_into_the_callers_object()
    {
        var handler = new RichardSzalay.MockHttp.MockHttpMessageHandler();
        handler.When("*").Respond(HttpStatusCode.NotFound, "application/json", "{\"error\":{\"message\":\"No such video\"}}");
        using var client = new VideoGen.Core.Http.VideoGenClient(handler, TestClient.FastRetries());
        var ep = new ProviderEndpoint(VideoProvider.OpenAICompatible, new Uri("https://gw4.example.com/v1"), "sk-gw-host-0004");
        using var engine = new WorkEngine(8);
        using var waiter = new JobWaiter(client, new WaitOptions { Policy = new PollPolicy { FixedInterval = TimeSpan.FromMilliseconds(50) } }, null, engine);
        var mine = VideoJob.Restore("a", VideoProvider.OpenAICompatible, "sora-2", status: "Running");
        waiter.Add(mine, ep);
        await WaitUntil(() => engine.Running == 0, TimeSpan.FromSeconds(10));
        Assert.True(mine.Error is null, "caller's object changed: Error = " + mine.Error);
    }

    [Fact]
    public void A_timeout_beyond_what_a_timer_holds_is_taken()
    {
        using var client = new VideoGen.Core.Http.VideoGenClient(new Sequence("{\"id\":\"a\",\"object\":\"video\",\"status\":\"completed\",\"progress\":100}"), TestClient.FastRetries());
        using var engine = new WorkEngine(8);
        // Wait-Video's -TimeoutSec takes up to int.MaxValue seconds; a timer holds about 24.8 days. The job still ends normally.
        using var waiter = new JobWaiter(client, new WaitOptions { Policy = new PollPolicy { FixedInterval = TimeSpan.FromMilliseconds(50) }, Timeout = TimeSpan.FromSeconds(int.MaxValue) }, null, engine);
        waiter.Add(VideoJob.Restore("a", VideoProvider.OpenAICompatible, "sora-2", status: "Running"), new ProviderEndpoint(VideoProvider.OpenAICompatible, new Uri("https://gw5.example.com/v1"), "sk-gw-host-0005"));
        engine.CompleteAdding();
        WorkOutcome? outcome = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (outcome is null && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            engine.TryRead(TimeSpan.FromMilliseconds(100), out outcome);
        }
        var result = Assert.IsType<WorkOutcome<VideoJob, WaitResult>>(outcome).Value!;
        Assert.Null(result.Error);
        Assert.Equal(VideoJobStatus.Succeeded, result.Job.Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_job_sleeping_queued_or_polled_ends_exactly_once_on_cancel_or_timeout(bool timeout)
    {
        var handler = new Hanging();
        using var client = new VideoGen.Core.Http.VideoGenClient(handler, TestClient.FastRetries());
        var busy = new ProviderEndpoint(VideoProvider.OpenAICompatible, new Uri("https://busy.example.com/v1"), "sk-busy-host-0001");
        var quiet = new ProviderEndpoint(VideoProvider.OpenAICompatible, new Uri("https://quiet.example.com/v1"), "sk-quiet-host-0001");
        using var engine = new WorkEngine(8);
        var waiter = new JobWaiter(client, new WaitOptions { Policy = new PollPolicy { FixedInterval = TimeSpan.FromMilliseconds(50) }, Timeout = timeout ? TimeSpan.FromSeconds(3) : null }, null, engine);
        var ids = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            ids.Add("b" + i);
            waiter.Add(VideoJob.Restore("b" + i, VideoProvider.OpenAICompatible, "sora-2", status: "Running"), busy);
        }
        for (var i = 0; i < 200; i++)
        {
            // submitted just now: first poll planned ~10 s away, so these sleep
            var j = VideoJob.Restore("q" + i, VideoProvider.OpenAICompatible, "sora-2", status: "Running");
            j.RestoreTiming(DateTimeOffset.UtcNow, null);
            ids.Add("q" + i);
            waiter.Add(j, quiet);
        }
        await WaitUntil(() => handler.Count >= 8, TimeSpan.FromSeconds(10));
        engine.CompleteAdding();
        if (!timeout)
        {
            engine.Cancel();
        }
        var outcomes = new List<WorkOutcome>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!engine.IsDone && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (engine.TryRead(TimeSpan.FromMilliseconds(100), out var o) && o != null) outcomes.Add(o);
        }
        var states = outcomes.Cast<WorkOutcome<VideoJob, WaitResult>>().Select(o => o.State.Id).OrderBy(x => x).ToList();
        Assert.True(engine.IsDone, "not done; outcomes " + outcomes.Count);
        Assert.Equal(ids.OrderBy(x => x), states);
        if (timeout)
        {
            Assert.All(outcomes.Cast<WorkOutcome<VideoJob, WaitResult>>(), o => Assert.Equal(VideoGenErrorKind.Timeout, o.Value!.Error!.Kind));
        }
        waiter.Dispose();
    }

    /// <summary>A log that says it drops debug lines, and counts what reaches it anyway.</summary>
    private sealed class VerboseOnlyLog : VideoGen.Core.Http.IVideoGenLog, VideoGen.Core.Http.IVideoGenLogLevels
    {
        public int Verbose;
        public int Debugs;
        public bool WantsVerbose => true;
        public bool WantsDebug => false;
        void VideoGen.Core.Http.IVideoGenLog.Verbose(string message) => Interlocked.Increment(ref Verbose);
        void VideoGen.Core.Http.IVideoGenLog.Debug(string message) => Interlocked.Increment(ref Debugs);
    }

    [Fact]
    public async Task A_log_that_drops_debug_lines_is_not_handed_the_polls_answers()
    {
        using var client = new VideoGen.Core.Http.VideoGenClient(new Sequence("{\"id\":\"a\",\"object\":\"video\",\"status\":\"completed\",\"progress\":100}"), TestClient.FastRetries());
        var ep = new ProviderEndpoint(VideoProvider.OpenAICompatible, new Uri("https://gw6.example.com/v1"), "sk-gw-host-0006");
        var log = new VerboseOnlyLog();

        var job = await client.PollAsync(ep, VideoJob.Restore("a", VideoProvider.OpenAICompatible, "sora-2", status: "Running"), log, default);

        Assert.Equal(VideoJobStatus.Succeeded, job.Status);
        Assert.Equal(0, log.Debugs); // the answer's debug line was neither sanitized nor handed on
        var recording = new RecordingLog();
        await client.PollAsync(ep, VideoJob.Restore("a", VideoProvider.OpenAICompatible, "sora-2", status: "Running"), recording, default);
        Assert.Contains(recording.Lines, l => l.StartsWith("DEBUG: Poll answer for a", StringComparison.Ordinal)); // a log that wants them gets them
    }
}
