using System.Collections.Concurrent;
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace VideoGen.Benchmarks;

/// <summary>
/// A runspace of the real PowerShell 7.6 engine hosted in this process (InitialSessionState.CreateDefault2, no
/// execution policy: setting one throws on Linux), with VideoGen imported through its manifest from out/VideoGen.
/// The cmdlets read their provider base URIs, keys and journal from this process's environment, as in pwsh.
/// </summary>
internal sealed class Shell : IDisposable
{
    private readonly Runspace _runspace;

    private Shell(Runspace runspace) => _runspace = runspace;

    /// <summary>out/VideoGen/VideoGen.psd1, built by src/VideoGen.Module.</summary>
    public static string Manifest => Path.Combine(Root, "out", "VideoGen", "VideoGen.psd1");

    public static string Root { get; } = FindRoot();

    /// <summary>A new runspace; <paramref name="import"/> imports the module (Import-Module -ErrorAction Stop).</summary>
    public static Shell Start(bool import = true)
    {
        var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        var shell = new Shell(runspace);
        if (import)
        {
            shell.Run("Import-Module $args[0] -ErrorAction Stop", Manifest);
        }
        return shell;
    }

    /// <summary>Runs a script with <paramref name="args"/> as $args; throws on a terminating error.</summary>
    public List<PSObject> Run(string script, params object?[] args) => Run(script, null, args).Output;

    /// <summary>Runs a script with pipeline input; returns its output and the error records it wrote.</summary>
    public (List<PSObject> Output, List<ErrorRecord> Errors) Run(string script, IEnumerable<object>? input, params object?[] args)
    {
        using var ps = Create(script, args);
        var output = input is null ? ps.Invoke() : ps.Invoke(input);
        return (output.Where(o => o != null).ToList(), ps.Streams.Error.ToList());
    }

    /// <summary>Creates an invocation on this runspace for callers that need BeginInvoke and Stop.</summary>
    public PowerShell Create(string script, params object?[] args)
    {
        var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        foreach (var a in args)
        {
            ps.AddArgument(a);
        }
        return ps;
    }

    /// <summary>A row as Import-Csv makes it: a PSObject whose properties are note properties with string values.</summary>
    public static PSObject Row(params (string Name, string Value)[] columns)
    {
        var row = new PSObject();
        foreach (var (name, value) in columns)
        {
            row.Properties.Add(new PSNoteProperty(name, value));
        }
        return row;
    }

    public void Dispose() => _runspace.Dispose();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VideoGen.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("VideoGen.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// When this process's HTTP requests are answered, from the runtime's own HttpClient diagnostics (the
/// "HttpHandlerDiagnosticListener" events), so the harness can see inside the cmdlets without changing them: the
/// first submission's answer, the last one, the first and last download. Recording costs an Activity per request,
/// so it is switched on only where a scenario needs it (never while CPU per minute is measured).
/// </summary>
internal sealed class HttpEvents : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly Stopwatch _clock;
    private readonly IDisposable _allListeners;
    private readonly List<IDisposable> _subscriptions = new();

    /// <summary>Each answered request: seconds on the clock given, method, path, HTTP status (0 when it failed).</summary>
    public ConcurrentQueue<(double At, string Method, string Path, int Status)> Answers { get; } = new();

    public HttpEvents(Stopwatch clock)
    {
        _clock = clock;
        _allListeners = DiagnosticListener.AllListeners.Subscribe(this);
    }

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == "HttpHandlerDiagnosticListener")
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(value.Subscribe(this, (name, _, _) => name.StartsWith("System.Net.Http.HttpRequestOut", StringComparison.Ordinal)));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key != "System.Net.Http.HttpRequestOut.Stop" || value.Value is null)
        {
            return;
        }
        var at = _clock.Elapsed.TotalSeconds;
        var type = value.Value.GetType();
        var request = type.GetProperty("Request")?.GetValue(value.Value) as HttpRequestMessage;
        var response = type.GetProperty("Response")?.GetValue(value.Value) as HttpResponseMessage;
        Answers.Enqueue((at, request?.Method.Method ?? "?", request?.RequestUri?.AbsolutePath ?? "?", response is null ? 0 : (int)response.StatusCode));
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        _allListeners.Dispose();
        lock (_subscriptions)
        {
            foreach (var s in _subscriptions)
            {
                s.Dispose();
            }
        }
    }
}
