using System.Diagnostics;
using System.Management.Automation;
using System.Text.Json;

namespace VideoGen.Benchmarks;

/// <summary>
/// 7. Waiting at realistic job times (issue 24), cold and warm, and 8. the same under a provider's rate limit: the real
/// cmdlets (<c>$rows | New-Video -Provider OpenRouter | Wait-Video</c>) against the emulator's spread job times, read
/// back from the emulator's per-job timing (when each job ended, when a poll first answered it done, its polls, its 429s).
/// </summary>
internal static partial class Program
{
    /// <summary>45 s ±10%: the emulator draws each job's time evenly from this range.</summary>
    private const double JobSecondsMin = 40.5, JobSecondsMax = 49.5;

    /// <summary>The longest one pipeline of these scenarios may run; past it the pipeline is stopped and what was seen is printed.</summary>
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(10);

    /// <summary>One job as the emulator saw it: Unix ms on the emulator's clock (seen done: null if no poll answered it done).</summary>
    private sealed record JobTiming(string Id, long SubmittedMs, long EndsMs, long? SeenDoneMs, int Polls, int RateLimited);

    /// <summary>What a bounded pipeline gave: its output, its errors, whether it finished inside <see cref="RunLimit"/>, its wall time and meter.</summary>
    private sealed record Bounded(int Emitted, List<ErrorRecord> Errors, bool Finished, double Seconds, double PeakMiB, double CpuSeconds);

    /// <summary>
    /// Runs <paramref name="script"/> over <paramref name="rows"/> in a fresh runspace, for at most <see cref="RunLimit"/>;
    /// a run still going then is stopped (as Ctrl+C) and reported unfinished. A stop that itself does not end within 30 s
    /// leaves the runspace behind rather than hang the harness.
    /// </summary>
    private static Bounded RunBounded(string script, IEnumerable<object> rows)
    {
        var shell = Shell.Start();
        var ps = shell.Create(script);
        var input = new PSDataCollection<object>(rows);
        input.Complete();
        var output = new PSDataCollection<PSObject>();
        var meter = new Meter();
        var handle = ps.BeginInvoke(input, output);
        var finished = handle.AsyncWaitHandle.WaitOne(RunLimit);
        var seconds = meter.Elapsed.TotalSeconds;
        var (peak, cpu) = (meter.PeakBytes / 1048576.0, meter.CpuSeconds);
        meter.Dispose();
        var ended = finished || ps.BeginStop(null, null).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(30));
        if (ended)
        {
            try
            {
                ps.EndInvoke(handle);
            }
            catch (RuntimeException) when (!finished)
            {
                // PipelineStoppedException: the stop above.
            }
        }
        var errors = ps.Streams.Error.ToList();
        var emitted = output.Count;
        if (ended)
        {
            ps.Dispose();
            shell.Dispose();
        }
        return new Bounded(emitted, errors, finished, seconds, peak, cpu);
    }

    /// <summary>The emulator's timing of the jobs whose prompt starts with <paramref name="prefix"/>, and its clock now.</summary>
    private static (List<JobTiming> Jobs, long NowMs) Timings(JsonElement stats, string prefix) =>
        (stats.GetProperty("jobs").EnumerateArray()
            .Where(j => j.GetProperty("prompt").GetString()!.StartsWith(prefix, StringComparison.Ordinal))
            .Select(j => new JobTiming(j.GetProperty("id").GetString()!, j.GetProperty("submittedAtMs").GetInt64(), j.GetProperty("endsAtMs").GetInt64(),
                j.GetProperty("seenDoneAtMs").ValueKind == JsonValueKind.Number ? j.GetProperty("seenDoneAtMs").GetInt64() : null,
                j.GetProperty("polls").GetInt32(), j.GetProperty("rateLimited").GetInt32()))
            .ToList(), stats.GetProperty("nowMs").GetInt64());

    /// <summary>Nearest-rank percentile (0 &lt; p &lt;= 1) of values already sorted; NaN for none.</summary>
    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>
    /// The delays (s) from each job's end to the first poll that answered it done, sorted; a job no poll answered done
    /// counts from its end to the emulator's clock now (a lower bound) and is counted in <c>Unseen</c>.
    /// </summary>
    private static (List<double> Sorted, int Unseen) Delays(List<JobTiming> jobs, long nowMs) =>
        (jobs.Select(j => ((j.SeenDoneMs ?? Math.Max(nowMs, j.EndsMs)) - j.EndsMs) / 1000.0).OrderBy(d => d).ToList(), jobs.Count(j => j.SeenDoneMs is null));

    private static List<object> Rows45(int n, string prefix) =>
        Enumerable.Range(1, n).Select(i => (object)Shell.Row(("Prompt", prefix + " prompt " + i), ("Name", prefix.ToLowerInvariant() + "-" + i.ToString("D5", Inv)))).ToList();

    /// <summary>A target's value: a run stopped at <see cref="RunLimit"/> misses it whatever it measured (shown with its lower bound).</summary>
    private static Target Goal(Bounded run, string name, double value, string op, double goal, string shown) =>
        new(name, run.Finished ? value : double.NaN, "", op, goal, run.Finished ? shown : shown + " (a lower bound: the run was stopped)");

    /// <summary>A line on what a bounded run left undone, or nothing when it finished cleanly.</summary>
    private static string Trouble(Bounded run, int n, int submitted, int unseen) =>
        (run.Finished ? "" : string.Format(Inv, "STOPPED after {0:0} s without finishing; ", run.Seconds)) +
        (run.Emitted == n && run.Errors.Count == 0 && submitted == n && unseen == 0 ? "" : string.Format(Inv,
            "{0} of {1} submitted, {2} emitted, {3} errors ({4}), {5} never seen done (their delay counted to the end, a lower bound); ",
            submitted, n, run.Emitted, run.Errors.Count, run.Errors.FirstOrDefault()?.ToString() ?? "none", unseen));

    // ---------------------------------------------------------------------------------------------------------------
    // 7. Waiting at 45 s ±10%, cold (a fresh store) and warm (12 finished jobs of the model in the store).

    private static async Task Waiting45Async(EmulatorProcess emulator, int n, string work)
    {
        await emulator.ConfigureAsync(new { jobSecondsMin = JobSecondsMin, jobSecondsMax = JobSecondsMax, fileSize = (long?)null, rateLimitPerSecond = (double?)null });
        try
        {
            NewJournal(work, "waiting45-cold");
            var cold = await Waiting45RunAsync(emulator, "Cold45", n, work, "cold (a fresh store)");
            Targets.Add(Goal(cold.Run, "waiting-cold-polls-per-job", cold.MeanPolls, "<=", 8, F(cold.MeanPolls) + " polls"));
            Targets.Add(Goal(cold.Run, "waiting-cold-max-delay", cold.MaxDelay, "<=", 12, F(cold.MaxDelay) + " s"));

            // Warm: the same model's history in the store first, 12 jobs waited for to completion, then the same N rows.
            NewJournal(work, "waiting45-warm");
            var seed = RunBounded("$input | New-Video -Provider OpenRouter | Wait-Video", Rows45(12, "Seed45"));
            Notes.Add(string.Format(Inv, "Waiting, warm: the store first held 12 jobs of the model, waited for to completion in {0:0.0} s ({1}{2} emitted, {3} errors).",
                seed.Seconds, seed.Finished ? "" : "STOPPED, ", seed.Emitted, seed.Errors.Count));
            var warm = await Waiting45RunAsync(emulator, "Warm45", n, work, "warm (12 finished jobs of the model in the store)");
            Targets.Add(Goal(warm.Run, "waiting-warm-polls-per-job", warm.MeanPolls, "<=", 3, F(warm.MeanPolls) + " polls"));
            Targets.Add(Goal(warm.Run, "waiting-warm-median-delay", warm.MedianDelay, "<=", 6, F(warm.MedianDelay) + " s"));
        }
        finally
        {
            await emulator.ConfigureAsync(new { jobSecondsMin = (double?)null, jobSecondsMax = (double?)null });
        }
    }

    private sealed record WaitingNumbers(Bounded Run, double MeanPolls, double MedianDelay, double MaxDelay);

    private static async Task<WaitingNumbers> Waiting45RunAsync(EmulatorProcess emulator, string prefix, int n, string work, string label)
    {
        var startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var run = RunBounded("$input | New-Video -Provider OpenRouter | Wait-Video", Rows45(n, prefix));
        var (jobs, nowMs) = Timings(await emulator.StatsAsync(), prefix + " ");
        var (delays, unseen) = Delays(jobs, nowMs);
        var polls = jobs.Select(j => (double)j.Polls).DefaultIfEmpty(double.NaN).ToList();
        // The ideal: every job seen done at its end (delay 0), plus its file's time on the wire: one file fetched with a
        // plain HttpClient, best of 3 (this scenario does not download; the files are the emulator's small sample).
        var (fileBytes, fileSeconds) = (0L, double.NaN);
        if (jobs.FirstOrDefault(j => j.SeenDoneMs != null) is { } done)
        {
            var path = Path.Combine(work, "one-file.mp4");
            for (var i = 0; i < 3; i++)
            {
                var clock = Stopwatch.StartNew();
                await PlainCopyAsync(new Uri(emulator.BaseUris["OpenRouter"], "videos/" + done.Id + "/content?index=0"), path);
                fileSeconds = Math.Min(clock.Elapsed.TotalSeconds, double.IsNaN(fileSeconds) ? double.MaxValue : fileSeconds);
            }
            fileBytes = new FileInfo(path).Length;
            File.Delete(path);
        }
        var ideal = jobs.Count == 0 ? (double?)null : (jobs.Max(j => j.EndsMs) - startMs) / 1000.0 + (double.IsNaN(fileSeconds) ? 0 : fileSeconds);
        var numbers = new WaitingNumbers(run, polls.Average(), Percentile(delays, 0.5), delays.Count == 0 ? double.NaN : delays[^1]);
        Rows.Add(new Row("7. Waiting, jobs of 45 s ±10%, " + label, n, run.Seconds, ideal,
            string.Format(Inv, "{0:0.00} polls (max {1:0}) + 1", numbers.MeanPolls, polls.Max()), run.PeakMiB, run.CpuSeconds,
            string.Format(Inv, "{0}delay from each job's end to the first poll that saw it done: median {1:0.00} s, p90 {2:0.00} s, max {3:0.00} s; ideal: delay 0 + the file's time on the wire ({4:0.0} ms for one {5:N0}-byte file by a plain HttpClient, best of 3: the files are small here, so the ideal delay is about 0); ideal wall = the last job's end + that; polls counted at the emulator",
                Trouble(run, n, jobs.Count, unseen), numbers.MedianDelay, Percentile(delays, 0.9), numbers.MaxDelay, fileSeconds * 1000, fileBytes)));
        return numbers;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 8. N jobs of 45 s ±10% submitted and waited for in one pipeline under a rate limit of 10 requests/s per key.

    private static async Task RateLimitAsync(EmulatorProcess emulator, int n, string work)
    {
        const double limit = 10;
        NewJournal(work, "ratelimit");
        var before = await emulator.StatsAsync();
        await emulator.ConfigureAsync(new { jobSecondsMin = JobSecondsMin, jobSecondsMax = JobSecondsMax, fileSize = (long?)null, rateLimitPerSecond = limit });
        Bounded run;
        JsonElement after;
        try
        {
            run = RunBounded("$input | New-Video -Provider OpenRouter | Wait-Video", Rows45(n, "Limited45"));
            after = await emulator.StatsAsync();
        }
        finally
        {
            await emulator.ConfigureAsync(new { jobSecondsMin = (double?)null, jobSecondsMax = (double?)null, rateLimitPerSecond = (double?)null });
        }
        int Delta(string name) => after.GetProperty(name).GetInt32() - before.GetProperty(name).GetInt32();
        var (requests, limited) = (Delta("requests"), Delta("rateLimited"));
        var share = requests == 0 ? double.NaN : 100.0 * limited / requests;
        var (jobs, nowMs) = Timings(after, "Limited45 ");
        var (delays, unseen) = Delays(jobs, nowMs);
        var maxDelay = delays.Count == 0 ? double.NaN : delays[^1];
        // What the limit itself forces: one round of requests over all N jobs (a poll each) takes N / limit seconds, so a
        // client that polls each job at its end can still see the last of a round that long after its end.
        var forced = n / limit;
        var polls = jobs.Select(j => (double)j.Polls).DefaultIfEmpty(double.NaN).ToList();
        var firstSubmitted = jobs.Select(j => j.SubmittedMs).DefaultIfEmpty(0).Min();
        var lastSubmitted = jobs.Select(j => j.SubmittedMs).DefaultIfEmpty(0).Max();
        Rows.Add(new Row(string.Format(Inv, "8. {0:N0} jobs of 45 s ±10% under {1:0} requests/s per key (New-Video into Wait-Video)", n, limit), n, run.Seconds, null,
            string.Format(Inv, "{0:0.00} polls + {1:0.00} 429s + 1", polls.Average(), jobs.Select(j => (double)j.RateLimited).DefaultIfEmpty(double.NaN).Average()), run.PeakMiB, run.CpuSeconds,
            string.Format(Inv, "{0}{1:N0} requests, {2:N0} answered 429 ({3:0.0}%); submissions spread over {4:0.0} s; delay from each job's end to the first poll that saw it done: median {5:0.00} s, p90 {6:0.00} s, max {7:0.00} s, against forced = N / limit = {8:0.0} s (one round of a request per job at the limit)",
                Trouble(run, n, jobs.Count, unseen), requests, limited, share, (lastSubmitted - firstSubmitted) / 1000.0, Percentile(delays, 0.5), Percentile(delays, 0.9), maxDelay, forced)));
        Notes.Add(string.Format(Inv, "Rate limit: forced = N / limit = {0:N0} / {1:0} = {2:0.0} s, the time one round of requests over all jobs takes at the limit; the target allows each job to be seen done at most 2x that after its end.", n, limit, forced));
        Targets.Add(Goal(run, "ratelimit-429-share", share, "<=", 5, F(share, "0.0") + "%"));
        Targets.Add(Goal(run, "ratelimit-max-delay-vs-forced", maxDelay / forced, "<=", 2, string.Format(Inv, "{0:0.00}x ({1:0.0} s against {2:0.0} s)", maxDelay / forced, maxDelay, forced)));
    }
}
