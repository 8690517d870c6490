using System.Management.Automation;
using VideoGen.Emulator;

namespace VideoGen.PowerShell.Tests.Support;

/// <summary>
/// One emulator for the whole test run, on loopback, reached the way an admin configures VideoGen: the
/// provider key variables and VIDEOGEN_&lt;PROVIDER&gt;_BASE_URI. Tests tell their jobs apart by a tag in the prompt,
/// and change no switch on it; a test that needs faults or other switches starts its own
/// (<see cref="StartPrivateAsync"/>) and passes -BaseUri.
/// </summary>
internal static class SharedEmulator
{
    /// <summary>A distinctive key, so a leak anywhere is found by a plain substring search.</summary>
    public const string Key = "vg-engine-test-key-4b1d9e07c2";

    private static readonly Lazy<EmulatorServer> Instance = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static EmulatorServer Server => Instance.Value;

    public static string[] Providers { get; } = ["FastRouter", "OpenRouter", "AppleRouter", "OpenAICompatible", "Fal"];

    public static void EnsureStarted() => _ = Instance.Value;

    /// <summary>Jobs the shared emulator created whose prompt carries <paramref name="tag"/>.</summary>
    public static List<EmulatedJob> JobsTagged(string tag) =>
        Server.State.Jobs.Values.Where(j => j.Prompt.Contains(tag, StringComparison.Ordinal)).ToList();

    /// <summary>A fresh tag for one test's prompts.</summary>
    public static string NewTag() => "#t" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>The variable a provider's key is read from, as the README gives it: fal's own FAL_KEY, the others' &lt;PROVIDER&gt;_API_KEY.</summary>
    public static string KeyVariable(string provider) => provider == "Fal" ? "FAL_KEY" : provider.ToUpperInvariant() + "_API_KEY";

    /// <summary>An emulator of a test's own (same key), for faults and switches; reach it with -BaseUri.</summary>
    public static Task<EmulatorServer> StartPrivateAsync(Action<EmulatorOptions>? configure = null)
    {
        var options = new EmulatorOptions { ApiKey = Key, JobDuration = TimeSpan.FromSeconds(1) };
        configure?.Invoke(options);
        return EmulatorServer.StartAsync(options);
    }

    private static EmulatorServer Start()
    {
        var server = EmulatorServer.StartAsync(new EmulatorOptions { ApiKey = Key, JobDuration = TimeSpan.FromSeconds(1) }).GetAwaiter().GetResult();
        foreach (var provider in Providers)
        {
            var upper = provider.ToUpperInvariant();
            Environment.SetEnvironmentVariable(KeyVariable(provider), Key);
            Environment.SetEnvironmentVariable("VIDEOGEN_" + upper + "_BASE_URI", server.BaseUriFor(provider).AbsoluteUri);
        }
        Environment.SetEnvironmentVariable("VIDEOGEN_PROVIDER", null);
        // A stalled body is given up after 3 s instead of 30 (read once, when the module's shared client is created):
        // the stall tests then take seconds, and this setting itself is exercised.
        Environment.SetEnvironmentVariable("VIDEOGEN_BODY_INACTIVITY_SEC", "3");
        // The emulator's jobs take a second, not the minutes real ones take: where Wait-Video has no history of a model it polls
        // every half second instead of the providers' advised 10 s (a test of the advised interval runs in a child process).
        Environment.SetEnvironmentVariable("VIDEOGEN_POLL_INTERVAL_SEC", "0.5");
        // No test may write the user's own journal: every engine sets -JournalPath; this catches any that does not.
        Environment.SetEnvironmentVariable("VIDEOGEN_JOURNAL_PATH", Path.Combine(Path.GetTempPath(), "vg-engine-default-" + Guid.NewGuid().ToString("N") + ".db"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }
}

/// <summary>CSV text as Import-Csv yields it (<see cref="VideoGen.Tests.Shared.CsvText"/>), and what Export-Csv writes.</summary>
internal static class Csv
{
    public static List<PSObject> Rows(string text, char delimiter = ',') => VideoGen.Tests.Shared.CsvText.Rows(text, delimiter);

    public static List<PSObject> File(string path) => Rows(System.IO.File.ReadAllText(path));

    /// <summary>What `$objects | Export-Csv` writes: every property as a quoted string, the header from the first object.</summary>
    public static string Export(IEnumerable<PSObject> objects)
    {
        var list = objects.ToList();
        if (list.Count == 0)
        {
            return string.Empty;
        }
        var names = list[0].Properties.Where(p => p.IsGettable).Select(p => p.Name).ToList();
        static string Quote(string? s) => "\"" + (s ?? string.Empty).Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var lines = new List<string> { string.Join(",", names.Select(Quote)) };
        foreach (var o in list)
        {
            lines.Add(string.Join(",", names.Select(n => Quote(o.Properties[n]?.Value?.ToString()))));
        }
        return string.Join("\r\n", lines) + "\r\n";
    }
}
