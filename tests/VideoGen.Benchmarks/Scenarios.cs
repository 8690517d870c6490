using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Reflection;
using System.Text.Json;

namespace VideoGen.Benchmarks;

internal static partial class Program
{
    /// <summary>Job times for the pipeline: the emulator's jobSeconds, and its slowJobSeconds for prompts with its [slow] marker.</summary>
    private const double FastJobSeconds = 5, SlowJobSeconds = 15;

    /// <summary>
    /// Rows for the pipeline, the lab case: every second prompt carries the emulator's [slow] marker, so half the jobs end
    /// at 5 s and half at 15 s (the spread's two ends; the emulator's jobSecondsMin/Max spread is used by scenario 7).
    /// </summary>
    private static List<(PSObject Row, double JobSeconds)> PipelineRows(int n, string prefix) =>
        Enumerable.Range(1, n).Select(i => i % 2 == 0
            ? (Shell.Row(("Prompt", prefix + " prompt " + i + " [slow]"), ("Name", prefix.ToLowerInvariant() + "-" + i.ToString("D5", Inv))), SlowJobSeconds)
            : (Shell.Row(("Prompt", prefix + " prompt " + i), ("Name", prefix.ToLowerInvariant() + "-" + i.ToString("D5", Inv))), FastJobSeconds)).ToList();

    /// <summary>
    /// The bandwidth-aware ideal: the finish time of one link. Jobs sorted by their end (all submitted at 0, so a job
    /// ends at its job time); t = 0; for each, t = max(t, end) + size / the plain copy's measured rate.
    /// </summary>
    private static double Ideal(IEnumerable<double> ends, double secondsPerFile)
    {
        var t = 0.0;
        foreach (var end in ends.OrderBy(e => e))
        {
            t = Math.Max(t, end) + secondsPerFile;
        }
        return t;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 2. The pipeline through the real cmdlets at N and at 20, against the bandwidth-aware ideal; 6. the hand-written loop.

    private static async Task PipelineAsync(EmulatorProcess emulator, Sizes sizes, string work)
    {
        const long fileBytes = 1L << 20;
        await emulator.ConfigureAsync(new { jobSeconds = FastJobSeconds, slowJobSeconds = SlowJobSeconds, fileSize = fileBytes });
        var secondsPerFile = fileBytes / 1048576.0 / _plainMiBps;
        var wallAt = new Dictionary<int, double>();
        foreach (var n in new[] { sizes.Pipeline, sizes.Small }.Distinct())
        {
            NewJournal(work, "pipeline-" + n);
            // The model's history first, as a nightly batch has it: twelve jobs of 5 s and 15 s waited for in the same store, so
            // Wait-Video polls near their ends instead of at a new model's advised 10 s.
            using (var warmup = Shell.Start())
            {
                warmup.Run("$input | New-Video -Provider OpenRouter | Wait-Video", PipelineRows(12, "Warmup" + n).Select(r => (object)r.Row));
            }
            var rows = PipelineRows(n, "Pipeline" + n);
            var ideal = Ideal(rows.Select(r => r.JobSeconds), secondsPerFile);
            var dir = Path.Combine(work, "pipeline-" + n);
            using var shell = Shell.Start();
            var polls = await emulator.TotalPollsAsync();
            var clock = new Stopwatch();
            using var http = new HttpEvents(clock);
            List<PSObject> saved;
            List<ErrorRecord> errors;
            double wall, cpu, peak;
            using (var meter = new Meter())
            {
                clock.Start();
                (saved, errors) = shell.Run("$input | New-Video -Provider OpenRouter | Wait-Video | Save-Video -OutputDirectory $args[0]", rows.Select(r => (object)r.Row), dir);
                wall = clock.Elapsed.TotalSeconds;
                cpu = meter.CpuSeconds;
                peak = meter.PeakBytes / 1048576.0;
            }
            var perJob = (await emulator.TotalPollsAsync() - polls) / (double)n;
            var answers = http.Answers.ToList();
            static bool IsSubmit((double At, string Method, string Path, int Status) a) => a.Method == "POST" && a.Path.EndsWith("/videos", StringComparison.Ordinal);
            var posts = answers.Where(IsSubmit).Select(a => a.At).DefaultIfEmpty(double.NaN).ToList();
            var downloads = answers.Where(a => a.Path.EndsWith("/content", StringComparison.Ordinal)).Select(a => a.At).DefaultIfEmpty(double.NaN).ToList();
            var lateDownloads = answers.Where(a => a.Path.EndsWith("/content", StringComparison.Ordinal) && a.At >= SlowJobSeconds).Select(a => a.At).DefaultIfEmpty(double.NaN).ToList();
            // Where the time went: the same ideal from each job's actual end (its submission's answer + its job time,
            // answers taken in row order), so submission time and what follows it can be told apart.
            var answered = answers.Where(IsSubmit).Select(a => a.At).OrderBy(a => a).ToList();
            var actualIdeal = answered.Count == n ? Ideal(answered.Zip(rows, (at, r) => at + r.JobSeconds), secondsPerFile) : double.NaN;
            Rows.Add(new Row("2. Pipeline through the cmdlets (1 MiB files, jobs end at 5 s and 15 s)", n, wall, ideal,
                string.Format(Inv, "{0:0.00} polls + 2", perJob), peak, cpu,
                string.Format(Inv, "{0}submissions answered {1:0.00}-{2:0.00} s; downloads answered {3:0.00}-{4:0.00} s, the first after 15 s at {5:0.00} s; ideal = {6} files at {7:0} MiB/s after jobs end at 5 s and 15 s; from the jobs' actual ends (submission + job time) the ideal is {8:0.00} s ({9:0.00}x)",
                    saved.Count == n && errors.Count == 0 ? "" : $"{saved.Count} saved, {errors.Count} errors ({errors.FirstOrDefault()}); ",
                    posts.Min(), posts.Max(), downloads.Min(), downloads.Max(), lateDownloads.Min(), n, _plainMiBps, actualIdeal, wall / actualIdeal)));
            var ratio = wall / ideal;
            Targets.Add(new Target("pipeline-N" + n + "-vs-ideal", ratio, "x", "<=", 1.10, F(ratio, "0.000") + "x"));
            wallAt[n] = wall;
            try
            {
                Directory.Delete(dir, true);
            }
            catch (IOException)
            {
            }
        }

        // 6. The loop an admin writes by hand, with the cmdlets: submit one, poll it every 5 s until done, download, next.
        NewJournal(work, "loop");
        var naiveRows = PipelineRows(sizes.Naive, "Loop");
        var naiveDir = Path.Combine(work, "naive");
        Directory.CreateDirectory(naiveDir);
        using (var shell = Shell.Start())
        {
            var polls = await emulator.TotalPollsAsync();
            const string loop = """
                foreach ($row in $args[0]) {
                    $job = $row | New-Video -Provider OpenRouter
                    do { [System.Threading.Thread]::Sleep(5000); $job = $job | Get-VideoStatus } while ($job.Status -eq 'Queued' -or $job.Status -eq 'Running')
                    $job | Save-Video -OutputDirectory $args[1]
                }
                """;
            using var meter = new Meter();
            var clock = Stopwatch.StartNew();
            var (saved, errors) = shell.Run(loop, null, naiveRows.Select(r => r.Row).ToArray(), naiveDir);
            var wall = clock.Elapsed.TotalSeconds;
            var ideal = Ideal(naiveRows.Select(r => r.JobSeconds), 1 / _plainMiBps);
            Rows.Add(new Row("6. Hand-written loop (poll every 5 s), same jobs", sizes.Naive, wall, ideal,
                string.Format(Inv, "{0:0.00} polls + 2", (await emulator.TotalPollsAsync() - polls) / (double)sizes.Naive), meter.PeakBytes / 1048576.0, meter.CpuSeconds,
                saved.Count == sizes.Naive && errors.Count == 0 ? "" : $"{saved.Count} saved, {errors.Count} errors"));
            if (wallAt.TryGetValue(sizes.Naive, out var pipelineWall))
            {
                Notes.Add(string.Format(Inv, "The cmdlets' pipeline vs the hand-written loop, N = {0}: {1:0.0} s vs {2:0.0} s, {3:0.0}x faster.", sizes.Naive, pipelineWall, wall, wall / pipelineWall));
                Targets.Add(new Target("pipeline-vs-hand-written-loop-N" + sizes.Naive, wall / pipelineWall, "x", ">", 1, F(wall / pipelineWall, "0.0") + "x faster"));
            }
            else
            {
                // Quick sizes: the loop runs fewer rows than the pipeline's N = 20; compare per row.
                var small = wallAt[sizes.Small];
                var speed = wall / sizes.Naive / (small / sizes.Small);
                Notes.Add(string.Format(Inv, "The hand-written loop, N = {0}: {1:0.0} s ({2:0.0} s a row; the pipeline did {3} rows in {4:0.0} s): {5:0.0}x the pipeline's time per row.",
                    sizes.Naive, wall, wall / sizes.Naive, sizes.Small, small, speed));
                Targets.Add(new Target("pipeline-vs-hand-written-loop-per-row", speed, "x", ">", 1, F(speed, "0.0") + "x faster per row"));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 4. Many waiting jobs: Wait-Video holding N jobs for a minute in a process of its own (as an admin's pwsh would).

    private static async Task ManyWaitingAsync(EmulatorProcess emulator, int n, TimeSpan holdFor, string work)
    {
        await emulator.ConfigureAsync(new { jobSeconds = 3600, fileSize = (long?)null });
        var rows = Enumerable.Range(1, n).Select(i => (object)Shell.Row(("Prompt", "Waiting job " + i), ("Provider", EmulatorProcess.Providers[i % EmulatorProcess.Providers.Length]))).ToList();
        var file = Path.Combine(work, "waiting.tsv");
        var submitClock = Stopwatch.StartNew();
        using (var shell = Shell.Start())
        {
            var (jobs, errors) = shell.Run("$input | New-Video -ThrottleLimit 16", rows);
            if (jobs.Count != n)
            {
                throw new InvalidOperationException($"only {jobs.Count} of {n} waiting jobs were submitted: {errors.FirstOrDefault()}");
            }
            // What Export-Csv would keep of each job, for the child's Import-Csv-like rows.
            await File.WriteAllLinesAsync(file, jobs.Select(j => string.Join('\t', new[] { "Id", "Provider", "Model", "PollingUrl", "Status", "Name", "SubmittedAt" }
                .Select(p => j.Properties[p]?.Value?.ToString() ?? string.Empty))));
        }
        var submitSeconds = submitClock.Elapsed.TotalSeconds;
        var output = RunChild(["--child-wait", file, holdFor.TotalSeconds.ToString(Inv)]);
        var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        var stats = await emulator.StatsAsync();
        var pollsByProvider = stats.GetProperty("jobs").EnumerateArray()
            .Where(j => j.GetProperty("prompt").GetString()!.StartsWith("Waiting job ", StringComparison.Ordinal))
            .GroupBy(j => j.GetProperty("provider").GetString()!)
            .ToDictionary(g => g.Key, g => g.Average(j => j.GetProperty("polls").GetInt32()));
        var peak = result.GetProperty("peakMiB").GetDouble();
        var baseline = result.GetProperty("baselineMiB").GetDouble();
        var engine = result.GetProperty("engineMiB").GetDouble();
        var cpu = result.GetProperty("cpuSeconds").GetDouble();
        var seconds = result.GetProperty("seconds").GetDouble();
        var cpuPerMinute = cpu / (seconds / 60);
        var ceilings = result.GetProperty("ceilings").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        var totalPolls = pollsByProvider.Values.Sum() * n / Math.Max(1, pollsByProvider.Count);
        Notes.Add(string.Format(Inv, "Waiting {0:N0}: taking the rows in (the first {1:0} s: binding each row, its endpoint and history, starting its watch) took {2:0.00} CPU s and peaked at {3:0} MiB; " +
            "the waiting after it is the row's CPU and peak. CPU seconds every 5 s from the start: {4}.", n, IngestSeconds, result.GetProperty("ingestCpu").GetDouble(), result.GetProperty("ingestPeak").GetDouble(),
            string.Join(", ", result.GetProperty("timeline").EnumerateArray().Select(v => F(v.GetDouble())))));
        Notes.Add(string.Format(Inv, "Waiting {0:N0}: at the end of the minute, with every job still waiting, the managed heap held {1:0.0} MiB live after a full collection ({2:0.00} KiB a job over the engine's own); {3:0.0} MiB committed before it.",
            n, result.GetProperty("liveMiB").GetDouble(), (result.GetProperty("liveMiB").GetDouble() - result.GetProperty("engineHeapMiB").GetDouble()) * 1024 / n, result.GetProperty("committedMiB").GetDouble()));
        Rows.Add(new Row(string.Format(Inv, "4. Wait-Video holding {0:N0} jobs for {1:0} s (own process)", n, holdFor.TotalSeconds), n, seconds, holdFor.TotalSeconds,
            string.Join(", ", pollsByProvider.OrderBy(p => p.Key).Select(p => string.Format(Inv, "{0} {1:0.0}", p.Key, p.Value))) + " polls",
            peak, cpu,
            string.Format(Inv, "{0:0.00} CPU s per minute, {1:0} polls/s, {2:0.00} ms CPU per poll; working set {9:0} MiB with the engine and module imported, {3:0} MiB when Wait-Video starts (the {4:N0} rows stream in as Import-Csv's do), peak {10:0} MiB while waiting ({11:0.0} KiB a job); ceilings {5}; {6:N0} submitted through New-Video -ThrottleLimit 16 in {7:0.0} s ({8:0}/s)",
                cpuPerMinute, totalPolls / seconds, cpu * 1000 / Math.Max(1, totalPolls), baseline, n,
                string.Join(", ", ceilings.OrderBy(c => c.Key).Select(c => c.Key + " " + F(c.Value, "0") + " s")), n, submitSeconds, n / submitSeconds,
                engine, peak, (peak - baseline) * 1024 / n)));
        Targets.Add(new Target("waiting-peak-working-set", peak, "MiB", "<", 150, F(peak, "0") + " MiB"));
        Targets.Add(new Target("waiting-cpu-per-minute", cpuPerMinute, "s", "<=", 5, F(cpuPerMinute) + " CPU s/min"));
        foreach (var (provider, ceiling) in ceilings.OrderBy(c => c.Key))
        {
            // The providers' advice: AppleRouter's documents say every 10-30 s; the mappings' own note says the same of all.
            Targets.Add(new Target("poll-ceiling-" + provider + " (advice 10-30 s)", ceiling, "s", "in", 10, F(ceiling, "0") + " s") { Low = 10, High = 30 });
        }
    }

    /// <summary>How long the waiting process is given to take its rows in before the minute of waiting is measured.</summary>
    private const double IngestSeconds = 15;

    private static async Task<int> ChildWaitAsync(string file, double seconds)
    {
        using var shell = Shell.Start();
        var engineMiB = WorkingSetMiB();
        var engineHeapMiB = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
        // The rows stream in as Import-Csv's do in an admin's `Import-Csv jobs.csv | Wait-Video`: each row is made, bound and
        // dropped, so what stays in memory is Wait-Video's, not the input's (the engine has no Import-Csv; empty fields are left out).
        using var ps = shell.Create("""
            $names = 'Id', 'Provider', 'Model', 'PollingUrl', 'Status', 'Name', 'SubmittedAt'
            [System.IO.File]::ReadLines($args[0]) | ForEach-Object {
                $f = $_.Split("`t"); $row = [ordered]@{}
                for ($i = 0; $i -lt $names.Length; $i++) { if ($f[$i]) { $row[$names[$i]] = $f[$i] } }
                [pscustomobject]$row
            } | Wait-Video
            """, file);
        var input = new PSDataCollection<object>();
        input.Complete();
        var output = new PSDataCollection<PSObject>();
        using var meter = new Meter(TimeSpan.FromMilliseconds(100));
        var handle = ps.BeginInvoke(input, output);
        // Two phases: taking the rows in (the first IngestSeconds: binding 10,000 rows, each job's endpoint and history), then
        // the waiting itself, measured over `seconds`. CPU seconds every 5 s show where one ends.
        var timeline = new List<double>();
        for (var at = 5.0; at <= IngestSeconds; at += 5)
        {
            await Task.Delay(TimeSpan.FromSeconds(at) - meter.Elapsed);
            timeline.Add(Math.Round(meter.CpuSeconds, 2));
        }
        var ingestCpu = meter.CpuSeconds;
        var ingestPeak = meter.TakePeak() / 1048576.0;
        for (var at = IngestSeconds + 5; at <= IngestSeconds + seconds; at += 5)
        {
            await Task.Delay(TimeSpan.FromSeconds(at) - meter.Elapsed);
            timeline.Add(Math.Round(meter.CpuSeconds, 2));
        }
        var cpu = meter.CpuSeconds - ingestCpu;
        var elapsed = meter.Elapsed.TotalSeconds - IngestSeconds;
        var peak = meter.PeakBytes / 1048576.0;
        var baseline = (meter.PeakBytes - meter.GrowthBytes) / 1048576.0;
        var errors = ps.Streams.Error.Count;
        // The managed heap's live bytes with every job still waiting, after the peak was taken (the full collection it forces
        // would lower it): what the jobs' state costs, apart from code, the engine's own heap and the collector's slack.
        var committedMiB = GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0;
        var liveMiB = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
        ps.Stop();
        try
        {
            ps.EndInvoke(handle);
        }
        catch (PipelineStoppedException)
        {
        }
        // Each provider's poll ceiling, read from the mappings the module loaded (MaxPollInterval; not changed here).
        var ceilings = new Dictionary<string, double>();
        var core = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "VideoGen.Core");
        var all = core?.GetType("VideoGen.Core.Providers.ProviderMappings")?.GetField("All", BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null) as Array;
        foreach (var mapping in all ?? Array.Empty<object>())
        {
            var type = mapping!.GetType();
            ceilings[type.GetProperty("Provider")!.GetValue(mapping)!.ToString()!] = ((TimeSpan)type.GetProperty("MaxPollInterval")!.GetValue(mapping)!).TotalSeconds;
        }
        Console.WriteLine(JsonSerializer.Serialize(new { peakMiB = peak, baselineMiB = baseline, engineMiB, cpuSeconds = cpu, seconds = elapsed, emitted = output.Count, errors, ceilings, liveMiB, committedMiB, engineHeapMiB, timeline, ingestCpu, ingestPeak }));
        return 0;
    }

    /// <summary>This process's working set after a full collection.</summary>
    private static double WorkingSetMiB()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64 / 1048576.0;
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static void Print()
    {
        Console.WriteLine();
        Console.WriteLine("| Scenario | N | Wall (s) | Ideal (s) | Ratio | Requests per job | Peak WS (MiB) | CPU (s) | Note |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|---:|---:|---|");
        foreach (var r in Rows)
        {
            Console.WriteLine(string.Format(Inv, "| {0} | {1:N0} | {2:0.00} | {3} | {4} | {5} | {6} | {7} | {8} |",
                r.Scenario, r.N, r.WallSeconds, r.IdealSeconds is double i ? F(i) : "",
                r.IdealSeconds is double ideal && ideal > 0 ? F(r.WallSeconds / ideal) + "x" : "",
                r.RequestsPerJob, double.IsNaN(r.PeakMiB) ? "" : F(r.PeakMiB, "0"),
                double.IsNaN(r.CpuSeconds) ? "" : F(r.CpuSeconds), r.Note));
        }
        Console.WriteLine();
        foreach (var line in Notes)
        {
            Console.WriteLine("- " + line);
        }
        Console.WriteLine();
        foreach (var t in Targets)
        {
            var goal = t.Op == "in" ? "in " + F(t.Low, "0") + ".." + F(t.High, "0") : t.Op + " " + t.Goal.ToString(Inv);
            Console.WriteLine("target " + t.Name + ": " + (t.Shown ?? F(t.Value)) + " (goal " + goal + ") " + (t.Met ? "met" : "missed"));
        }
    }
}
