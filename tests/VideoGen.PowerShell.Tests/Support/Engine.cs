using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace VideoGen.PowerShell.Tests.Support;

/// <summary>Everything one invocation wrote: output and the six streams, and a terminating error if there was one.</summary>
internal sealed class PsResult
{
    public required List<PSObject> Output { get; init; }
    public required List<ErrorRecord> Errors { get; init; }
    public required List<WarningRecord> Warnings { get; init; }
    public required List<VerboseRecord> Verbose { get; init; }
    public required List<DebugRecord> Debug { get; init; }
    public required List<InformationRecord> Information { get; init; }
    public required List<ProgressRecord> Progress { get; init; }

    /// <summary>The terminating error (the exception PowerShell.Invoke threw), or null.</summary>
    public Exception? Terminating { get; init; }

    /// <summary>Every text a user or a log could see, for leak checks: output (every property and ToString), all streams, errors in full.</summary>
    public string AllText()
    {
        var parts = new List<string>();
        foreach (var o in Output)
        {
            parts.Add(o.ToString());
            foreach (var p in o.Properties)
            {
                object? value;
                try
                {
                    value = p.Value;
                }
                catch (GetValueException)
                {
                    continue;
                }
                parts.Add(p.Name + "=" + value);
            }
        }
        foreach (var e in Errors)
        {
            parts.Add(e.ToString());
            parts.Add(e.Exception.ToString());
            parts.Add(e.ErrorDetails?.Message ?? string.Empty);
            parts.Add(e.ErrorDetails?.RecommendedAction ?? string.Empty);
            parts.Add(e.TargetObject is null ? string.Empty : PSObject.AsPSObject(e.TargetObject).ToString());
            parts.Add(e.FullyQualifiedErrorId);
        }
        parts.AddRange(Warnings.Select(w => w.Message));
        parts.AddRange(Verbose.Select(v => v.Message));
        parts.AddRange(Debug.Select(d => d.Message));
        parts.AddRange(Information.Select(i => i.MessageData?.ToString() ?? string.Empty));
        parts.AddRange(Progress.Select(p => p.Activity + " " + p.StatusDescription + " " + p.CurrentOperation));
        if (Terminating != null)
        {
            parts.Add(Terminating.ToString());
        }
        return string.Join("\n", parts);
    }
}

/// <summary>
/// A runspace of the real PowerShell engine (InitialSessionState.CreateDefault2: the engine's core cmdlets, not
/// Microsoft.PowerShell.Utility) with VideoGen imported through its manifest, a journal of its own
/// ($PSDefaultParameterValues['*:JournalPath']) and a temporary folder. Each test makes its own.
/// </summary>
internal sealed class Engine : IDisposable
{
    private readonly Runspace _runspace;

    private Engine(Runspace runspace, string directory)
    {
        _runspace = runspace;
        Directory = directory;
        Journal = Path.Combine(directory, "journal.db");
    }

    /// <summary>A temporary folder, deleted with the engine.</summary>
    public string Directory { get; }

    /// <summary>This engine's journal; every cmdlet with -JournalPath uses it unless a test says otherwise.</summary>
    public string Journal { get; }

    /// <summary>A new runspace with the module imported from out/VideoGen/VideoGen.psd1.</summary>
    public static Engine Start(bool importModule = true, System.Management.Automation.Host.PSHost? host = null)
    {
        SharedEmulator.EnsureStarted();
        var directory = Path.Combine(Path.GetTempPath(), "vg-engine-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        Runspace runspace;
        for (var attempt = 1; ; attempt++)
        {
            var iss = InitialSessionState.CreateDefault2();
            // The runspace is not given an execution policy: setting one throws PlatformNotSupportedException on Linux.
            runspace = host is null ? RunspaceFactory.CreateRunspace(iss) : RunspaceFactory.CreateRunspace(host, iss);
            runspace.Open();
            try
            {
                runspace.SessionStateProxy.Path.SetLocation(directory);
                break;
            }
            catch (PSInvalidOperationException) when (attempt < 3)
            {
                // Seen once in a clean-clone run: a runspace opened while others opened on other threads had no current
                // location ("operation get_CurrentLocation is not valid"); a new runspace has one.
                runspace.Dispose();
            }
        }
        var engine = new Engine(runspace, directory);
        var setup = engine.Run("$PSDefaultParameterValues['*:JournalPath'] = $args[0]", engine.Journal);
        Assert.Null(setup.Terminating);
        if (importModule)
        {
            var import = engine.Run("Import-Module $args[0] -ErrorAction Stop", Repo.Manifest);
            Assert.True(import.Terminating is null && import.Errors.Count == 0,
                "Import-Module failed: " + import.Terminating + string.Join("\n", import.Errors));
        }
        return engine;
    }

    /// <summary>Sets a variable in the runspace ($name).</summary>
    public Engine Set(string name, object? value)
    {
        _runspace.SessionStateProxy.SetVariable(name, value);
        return this;
    }

    /// <summary>What Tab offers at the end of <paramref name="line"/> (TabExpansion2's completion texts); the completion itself must not fail.</summary>
    public string[] Complete(string line)
    {
        var result = Run("(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches | ForEach-Object CompletionText", line);
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        return result.Output.Select(o => o.ToString()).ToArray();
    }

    /// <summary>Runs a script; <paramref name="args"/> are $args[0..].</summary>
    public PsResult Run(string script, params object?[] args)
    {
        using var ps = Create(script, args);
        return Collect(ps, () => ps.Invoke());
    }

    /// <summary>
    /// Runs a script and calls PowerShell.Stop() (what Ctrl+C does) once <paramref name="stopWhen"/> is true; returns what
    /// was written and how long Stop() took to return.
    /// </summary>
    public (PsResult Result, TimeSpan StopTook) RunAndStop(string script, Func<bool> stopWhen, TimeSpan giveUpAfter, params object?[] args)
    {
        using var ps = Create(script, args);
        var output = new PSDataCollection<PSObject>();
        var handle = ps.BeginInvoke<PSObject, PSObject>(null, output);
        var deadline = DateTime.UtcNow + giveUpAfter;
        while (!stopWhen() && !handle.IsCompleted)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The condition to stop at never came within " + giveUpAfter + ".");
            }
            Thread.Sleep(20);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        ps.Stop();
        var took = clock.Elapsed;
        Exception? terminating = null;
        try
        {
            ps.EndInvoke(handle);
        }
        catch (Exception ex)
        {
            terminating = ex;
        }
        return (Snapshot(ps, output.ToList(), terminating), took);
    }

    private System.Management.Automation.PowerShell Create(string script, object?[] args)
    {
        var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        foreach (var a in args)
        {
            ps.AddArgument(a);
        }
        return ps;
    }

    private static PsResult Collect(System.Management.Automation.PowerShell ps, Func<Collection<PSObject>> invoke)
    {
        List<PSObject> output = [];
        Exception? terminating = null;
        try
        {
            output = invoke().Where(o => o != null).ToList();
        }
        catch (RuntimeException ex)
        {
            terminating = ex;
        }
        return Snapshot(ps, output, terminating);
    }

    private static PsResult Snapshot(System.Management.Automation.PowerShell ps, List<PSObject> output, Exception? terminating) => new()
    {
        Output = output,
        Errors = ps.Streams.Error.ToList(),
        Warnings = ps.Streams.Warning.ToList(),
        Verbose = ps.Streams.Verbose.ToList(),
        Debug = ps.Streams.Debug.ToList(),
        Information = ps.Streams.Information.ToList(),
        Progress = ps.Streams.Progress.ToList(),
        Terminating = terminating,
    };

    public void Dispose()
    {
        _runspace.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Reads a property of an emitted object as PowerShell sees it.</summary>
internal static class PSObjects
{
    public static object? Get(this PSObject o, string name) => o.Properties[name]?.Value;

    public static string? Text(this PSObject o, string name) => o.Properties[name]?.Value?.ToString();
}
