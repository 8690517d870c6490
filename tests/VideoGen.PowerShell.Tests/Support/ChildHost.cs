using System.Diagnostics;
using System.Reflection;

namespace VideoGen.PowerShell.Tests.Support;

/// <summary>What a script run in the child test host did: its exit code, what it printed, and the script itself.</summary>
internal sealed record ChildRun(int ExitCode, string Output, string Errors, string Script)
{
    public override string ToString() => "exit " + ExitCode + "\nscript:\n" + Script + "\nstdout:\n" + Output + "\nstderr:\n" + Errors;
}

/// <summary>
/// tests/VideoGen.TestHost: a PowerShell 7.6 engine in a process of its own (a second PowerShell window, a scheduled
/// task), with an environment of the test's choosing and an Import-Csv stand-in.
/// </summary>
internal static class ChildHost
{
    /// <summary>The host's built dll.</summary>
    public static string Dll => Metadata("TestHost");

    /// <summary>The configuration the tests were built in (Release in CI).</summary>
    public static string Configuration => Metadata("Configuration");

    /// <summary>
    /// Runs <paramref name="script"/> with nothing imported, at <paramref name="workingDirectory"/> (where the engine's
    /// location starts), with this process's environment changed by <paramref name="environment"/> (a null value removes
    /// the variable); kills it after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<ChildRun> RunAsync(string script, string workingDirectory, IEnumerable<KeyValuePair<string, string?>> environment, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var a in (string[])[Dll, "-", script])
        {
            info.ArgumentList.Add(a);
        }
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }
        using var child = Process.Start(info)!;
        var output = child.StandardOutput.ReadToEndAsync();
        var errors = child.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await child.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            throw new TimeoutException("the child PowerShell did not finish within " + timeout + ":\n" + script);
        }
        // A process it started and left running could hold the pipes open: the reads are bounded too.
        var streams = TimeSpan.FromSeconds(10);
        return new ChildRun(child.ExitCode, await output.WaitAsync(streams), await errors.WaitAsync(streams), script);
    }

    private static string Metadata(string key) =>
        typeof(ChildHost).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
