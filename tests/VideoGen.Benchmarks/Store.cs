using System.Diagnostics;

namespace VideoGen.Benchmarks;

/// <summary>
/// 6. The job store at scale: New-Video of one row, Get-VideoJob and Get-VideoJob -Name in fresh processes, against a
/// store holding a history of finished jobs (a nightly 1,000-row task for months), next to the same on an empty store.
/// The history is written by tests/VideoGen.JournalWriter --seed (one SQL statement, in a process of its own).
/// </summary>
internal static partial class Program
{
    private static void StoreAtScale(int[] histories, string work)
    {
        var store = Path.Combine(work, "store-at-scale.db");
        var seeder = Path.Combine(Shell.Root, "tests", "VideoGen.JournalWriter", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "VideoGen.JournalWriter.dll");
        RunChild(["--child-store", store]); // creates the store (schema, WAL), as a first New-Video does
        var empty = MeasureStore(store);
        Rows.Add(new Row("6. job store, empty: New-Video 1 row / Get-VideoJob / -Name", 1, empty.NewVideo / 1000, null, "", empty.PeakMiB, double.NaN,
            string.Format(Inv, "medians of 3 fresh processes: New-Video {0:0} ms, Get-VideoJob {1:0} ms, Get-VideoJob -Name {2:0} ms", empty.NewVideo, empty.GetJobs, empty.GetByName)));
        long seeded = 0;
        foreach (var history in histories)
        {
            var seed = Stopwatch.StartNew();
            var info = new ProcessStartInfo("dotnet") { UseShellExecute = false };
            foreach (var a in new[] { seeder, "--seed", store, (history - seeded).ToString(Inv) })
            {
                info.ArgumentList.Add(a);
            }
            using (var process = Process.Start(info)!)
            {
                process.WaitForExit();
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException("seeding the store failed with exit code " + process.ExitCode);
                }
            }
            seeded = history;
            var bytes = new FileInfo(store).Length + (File.Exists(store + "-wal") ? new FileInfo(store + "-wal").Length : 0);
            var full = MeasureStore(store);
            var label = history.ToString("N0", Inv);
            Rows.Add(new Row("6. job store, " + label + " finished jobs", history, full.NewVideo / 1000, null, "", full.PeakMiB, double.NaN,
                string.Format(Inv, "New-Video {0:0} ms ({1:0.00}x empty), Get-VideoJob {2:0} ms ({3:0.00}x), -Name {4:0} ms ({5:0.00}x), peak {6:+0;-0;0} MiB; {7:0} bytes a job ({8:0} MiB; seeded in {9:0.0} s)",
                    full.NewVideo, full.NewVideo / empty.NewVideo, full.GetJobs, full.GetJobs / empty.GetJobs, full.GetByName, full.GetByName / empty.GetByName,
                    full.PeakMiB - empty.PeakMiB, (double)bytes / history, bytes / 1048576.0, seed.Elapsed.TotalSeconds)));
            Targets.Add(new Target("store-" + label + "-new-video", full.NewVideo / empty.NewVideo, "x", "<=", 1.5, F(full.NewVideo / empty.NewVideo) + "x empty"));
            Targets.Add(new Target("store-" + label + "-get-videojob", full.GetJobs / empty.GetJobs, "x", "<=", 1.5, F(full.GetJobs / empty.GetJobs) + "x empty"));
            Targets.Add(new Target("store-" + label + "-peak", full.PeakMiB - empty.PeakMiB, "MiB", "<=", 50, (full.PeakMiB - empty.PeakMiB).ToString("+0;-0;0", Inv) + " MiB"));
        }
    }

    private sealed record StoreTimes(double NewVideo, double GetJobs, double GetByName, double PeakMiB);

    /// <summary>Medians of three fresh processes.</summary>
    private static StoreTimes MeasureStore(string store)
    {
        var runs = Enumerable.Range(0, 3).Select(_ => RunChild(["--child-store", store]).Trim().Split('\n')[^1].Split(' ').Select(v => double.Parse(v, Inv)).ToArray()).ToList();
        double Median(int k) => runs.Select(r => r[k]).OrderBy(v => v).ElementAt(1);
        return new StoreTimes(Median(0), Median(1), Median(2), Median(3));
    }

    /// <summary>In a fresh process, after Import-Module: New-Video of one row, Get-VideoJob, Get-VideoJob -Name (ms), and the process's peak (MiB).</summary>
    private static int ChildStore(string store)
    {
        using var shell = Shell.Start();
        var clock = Stopwatch.StartNew();
        var (_, errors) = shell.Run("New-Video -Prompt ('A store benchmark ' + [guid]::NewGuid()) -Provider FastRouter -JournalPath $args[0]", null, store);
        var newVideo = clock.Elapsed.TotalMilliseconds;
        if (errors.Count > 0)
        {
            Console.Error.WriteLine(errors[0].ToString());
            return 1;
        }
        clock.Restart();
        shell.Run("Get-VideoJob -JournalPath $args[0]", store);
        var getJobs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        shell.Run("Get-VideoJob -JournalPath $args[0] -All -Name 'clip-4242*'", store);
        var byName = clock.Elapsed.TotalMilliseconds;
        Console.WriteLine(string.Join(' ', new[] { newVideo, getJobs, byName, Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0 }.Select(v => v.ToString("0.0", Inv))));
        return 0;
    }
}
