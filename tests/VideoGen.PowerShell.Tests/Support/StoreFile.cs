using System.Diagnostics;
using System.Reflection;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// Looks inside a job store the module wrote, through tests/VideoGen.JournalWriter in a process of its own: this test host
/// loads no SQLite (one here would be shared with the module's load context, and two copies of SQLite in one process must
/// not use one file). Only between commands.
/// </summary>
internal static class StoreFile
{
    private static string Dll => typeof(StoreFile).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "JournalWriter").Value!;

    /// <summary>Each event as "event:task id", oldest first.</summary>
    public static List<string> Events(string path) => Run("--events", path).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    /// <summary>Runs SQL against the store (to leave the state a crash would).</summary>
    public static void Execute(string path, string sql) => Run("--sql", path, sql);

    private static string Run(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(true);
            throw new TimeoutException("VideoGen.JournalWriter " + string.Join(' ', arguments) + " did not finish in 60 s.");
        }
        Assert.True(process.ExitCode == 0, "VideoGen.JournalWriter " + string.Join(' ', arguments) + " failed: " + errors.Result);
        return output.Result;
    }
}
