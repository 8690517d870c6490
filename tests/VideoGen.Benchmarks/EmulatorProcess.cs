using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace VideoGen.Benchmarks;

/// <summary>The emulator as a child process on loopback, so its memory and CPU are not counted as VideoGen's.</summary>
internal sealed class EmulatorProcess : IDisposable
{
    private readonly Process _process;
    private readonly HttpClient _control = new();

    /// <summary>The providers the emulator serves, as -Provider spells them.</summary>
    public static readonly string[] Providers = ["FastRouter", "OpenRouter", "AppleRouter", "OpenAICompatible"];

    private EmulatorProcess(Process process, Dictionary<string, Uri> baseUris)
    {
        _process = process;
        BaseUris = baseUris;
    }

    public const string Key = "bench-key-not-a-secret";

    public Dictionary<string, Uri> BaseUris { get; }

    public Uri ControlBase => new(BaseUris["FastRouter"].GetLeftPart(UriPartial.Authority) + "/");

    public static string BaseUriVariable(string provider) => "VIDEOGEN_" + provider.ToUpperInvariant() + "_BASE_URI";

    public static string ApiKeyVariable(string provider) => provider.ToUpperInvariant() + "_API_KEY";

    /// <summary>The environment the cmdlets read: every provider's base URI and key.</summary>
    public IEnumerable<KeyValuePair<string, string>> Environment() =>
        BaseUris.SelectMany(p => new[] { KeyValuePair.Create(BaseUriVariable(p.Key), p.Value.AbsoluteUri), KeyValuePair.Create(ApiKeyVariable(p.Key), Key) });

    public static EmulatorProcess Start()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "VideoGen.Emulator.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "--key", Key, "--job-seconds", "5" })
        {
            info.ArgumentList.Add(a);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the emulator");
        var uris = new Dictionary<string, Uri>();
        while (uris.Count < Providers.Length)
        {
            var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the emulator exited");
            foreach (var p in Providers)
            {
                var prefix = BaseUriVariable(p) + "=";
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    var uri = line[prefix.Length..].Trim();
                    uris[p] = new Uri(uri.EndsWith('/') ? uri : uri + "/");
                }
            }
        }
        return new EmulatorProcess(process, uris);
    }

    public async Task ConfigureAsync(object settings) =>
        (await _control.PostAsJsonAsync(new Uri(ControlBase, "_emulator/config"), settings)).EnsureSuccessStatusCode();

    public async Task<int> TotalPollsAsync() => (await StatsAsync()).GetProperty("totalPolls").GetInt32();

    public async Task<int> SubmissionsAsync() => (await StatsAsync()).GetProperty("submissions").GetInt32();

    /// <summary>GET /_emulator/stats: counts (requests, rateLimited), the emulator's clock (nowMs), and every job with its provider, prompt, polls, 429s and times (submittedAtMs, endsAtMs, seenDoneAtMs).</summary>
    public async Task<JsonElement> StatsAsync() => await _control.GetFromJsonAsync<JsonElement>(new Uri(ControlBase, "_emulator/stats"));

    public void Dispose()
    {
        _control.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }
}

/// <summary>Samples this process's working set and CPU time while a scenario runs.</summary>
internal sealed class Meter : IDisposable
{
    private readonly Process _self = Process.GetCurrentProcess();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TimeSpan _cpuAtStart;
    private readonly long _baseline;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private long _peak;

    public Meter()
        : this(TimeSpan.FromMilliseconds(20))
    {
    }

    public Meter(TimeSpan every)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        _self.Refresh();
        _baseline = _self.WorkingSet64;
        _peak = _baseline;
        _cpuAtStart = _self.TotalProcessorTime;
        _sampler = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                _peak = Math.Max(_peak, WorkingSet());
                try
                {
                    await Task.Delay(every, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
    }

    /// <summary>
    /// This process's working set (resident memory). On Linux from /proc/self/statm, one short read: Process.Refresh()
    /// re-reads the process and every thread's stat file, which at ten samples a second was 6% of the CPU the 10,000-job
    /// scenario measured of the process it samples (perf). The same number: both are the kernel's resident set size.
    /// </summary>
    private long WorkingSet()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                var fields = File.ReadAllText("/proc/self/statm").Split(' ');
                return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
            }
            catch (Exception ex) when (ex is IOException || ex is FormatException || ex is IndexOutOfRangeException || ex is UnauthorizedAccessException)
            {
            }
        }
        _self.Refresh();
        return _self.WorkingSet64;
    }

    public TimeSpan Elapsed => _clock.Elapsed;
    public long PeakBytes => _peak;

    /// <summary>The peak so far, then starts a new peak from now (to tell one phase's peak from the next).</summary>
    public long TakePeak()
    {
        var peak = _peak;
        _peak = WorkingSet();
        return peak;
    }
    public long GrowthBytes => _peak - _baseline;
    public double CpuSeconds
    {
        get
        {
            _self.Refresh();
            return (_self.TotalProcessorTime - _cpuAtStart).TotalSeconds;
        }
    }

    public void Dispose()
    {
        _clock.Stop();
        _stop.Cancel();
        _sampler.Wait();
        _stop.Dispose();
    }
}
