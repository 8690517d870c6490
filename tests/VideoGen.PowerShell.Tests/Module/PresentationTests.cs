using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Text;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// What an admin sees of VideoJob and SavedVideo at the console: the module's format file rendered by the engine's own
/// formatter (Out-Host, which is in the core engine) to a host of a fixed width, 80 and 120 columns.
/// </summary>
public class PresentationTests
{
    /// <summary>A 36-character id, as FastRouter and AppleRouter give (a UUID): the width Id must always have.</summary>
    private const string LongId = "3f2b8c1e-7a4d-4e0f-9b6a-2d5c8e1f0a47";

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void The_VideoJob_table_shows_the_whole_36_character_Id_with_status_provider_and_name(int width)
    {
        using var console = new TextConsole(width);

        var text = console.Render(@"
            $job = New-Video -Prompt ('Presentation ' + $args[0]) -Provider OpenRouter -Name harbour-lights
            $long = $job.GetType()::Restore($args[1], $job.Provider, $job.Model, 'city-rain-night', 'p', $null, $null, $null, 'Running')
            $unnamed = $job.GetType()::Restore('aaaaaaaa-1111-2222-3333-444444444444', $job.Provider, $job.Model, $null, 'p', $null, $null, $null, 'Succeeded')
            $job, $long, $unnamed | Out-Host", SharedEmulator.NewTag(), LongId);

        var lines = Lines(text);
        var header = Assert.Single(lines, l => l.TrimStart().StartsWith("Id", StringComparison.Ordinal));
        Assert.Matches(@"^Id\s+Status\s+Provider\s+Name\s*$", header);
        Assert.Contains(lines, l => l.StartsWith(LongId + " ", StringComparison.Ordinal) && l.Contains("Running", StringComparison.Ordinal) && l.Contains("OpenRouter", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("aaaaaaaa-1111-2222-3333-444444444444 Succeeded", StringComparison.Ordinal));
        // Name takes what is left: at 80 columns 12 (the rest cut with an ellipsis), at 120 the whole name.
        Assert.True(lines.Any(l => l.Contains(width >= 120 ? "harbour-lights" : "harbour-lig", StringComparison.Ordinal)), string.Join("\n", lines));
        if (width >= 120)
        {
            Assert.Contains(lines, l => l.TrimEnd().EndsWith("city-rain-night", StringComparison.Ordinal));
        }
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= width, "wider than " + width + ": " + l));
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void The_SavedVideo_table_shows_Id_a_size_in_KB_and_the_file_name(int width)
    {
        using var console = new TextConsole(width);
        var output = Path.Combine(console.Directory, "videos");

        var text = console.Render(@"
            $saved = New-Video -Prompt ('Saved ' + $args[0]) -Provider FastRouter -Name city-rain-night | Wait-Video | Save-Video -OutputDirectory $args[1]
            $saved | Out-Host
            '<<length>>' + $saved.Length
            '<<id>>' + $saved.Id", SharedEmulator.NewTag(), output);

        var lines = Lines(text);
        var length = long.Parse(Assert.Single(lines, l => l.StartsWith("<<length>>", StringComparison.Ordinal))["<<length>>".Length..], CultureInfo.InvariantCulture);
        var id = Assert.Single(lines, l => l.StartsWith("<<id>>", StringComparison.Ordinal))["<<id>>".Length..];
        Assert.InRange(length, 1024, 1024 * 1024 - 1);
        Assert.Matches(@"^Id\s+Size\s+File\s*$", Assert.Single(lines, l => l.StartsWith("Id ", StringComparison.Ordinal)));
        var row = Assert.Single(lines, l => l.StartsWith(id + " ", StringComparison.Ordinal));
        var kb = (length / 1024.0).ToString("0.0", CultureInfo.CurrentCulture) + " KB";
        Assert.Contains(kb, row, StringComparison.Ordinal);
        Assert.DoesNotContain("0.00", row, StringComparison.Ordinal);
        Assert.EndsWith("city-rain-night.mp4", row.TrimEnd(), StringComparison.Ordinal);
    }

    /// <summary>The rendered lines without the colour codes PowerShell 7.6 puts around table headers (the setting is process-wide, so it is left alone).</summary>
    private static List<string> Lines(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, "\u001b\\[[0-9;]*m", string.Empty)
            .Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n').Where(l => l.Trim().Length > 0).ToList();

    /// <summary>A runspace whose host is a plain-text console of a fixed width; Out-Host renders into it.</summary>
    internal sealed class TextConsole : IDisposable
    {
        private readonly Runspace _runspace;
        private readonly TextHost _host;

        public TextConsole(int width)
        {
            SharedEmulator.EnsureStarted();
            Directory = Path.Combine(Path.GetTempPath(), "vg-present-" + Guid.NewGuid().ToString("N")[..12]);
            System.IO.Directory.CreateDirectory(Directory);
            _host = new TextHost(width);
            _runspace = RunspaceFactory.CreateRunspace(_host, InitialSessionState.CreateDefault2());
            _runspace.Open();
            Invoke("$PSDefaultParameterValues['*:JournalPath'] = $args[0]; Import-Module $args[1] -ErrorAction Stop", [Path.Combine(Directory, "journal.db"), Repo.Manifest]);
        }

        public string Directory { get; }

        /// <summary>Runs a script; returns what reached the console, then its output as lines.</summary>
        public string Render(string script, params object?[] args)
        {
            var output = Invoke(script, args);
            return _host.Text + "\n" + string.Join("\n", output.Select(o => o.ToString()));
        }

        private List<PSObject> Invoke(string script, object?[] args)
        {
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = _runspace;
            ps.AddScript(script);
            foreach (var a in args)
            {
                ps.AddArgument(a);
            }
            var output = ps.Invoke().Where(o => o != null).ToList();
            Assert.True(ps.Streams.Error.Count == 0, string.Join("\n", ps.Streams.Error));
            return output;
        }

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
        }
    }
}

/// <summary>
/// What a scheduler's log gets (#14, item 10): with $PSStyle.OutputRendering = 'PlainText', as
/// examples/Invoke-NightlyVideos.ps1 sets it, a whole run rendered to the console (tables, the failed job's error, a
/// verbose status change, the summaries) holds no ANSI escape; with 'Ansi' the same run does, so the check can fail.
/// $PSStyle is process-wide: these run alone and put it back.
/// </summary>
[Collection(ProcessEnvironmentGroup.Name)]
public class PlainTextLogTests
{
    [Theory]
    [InlineData("PlainText", false)]
    [InlineData("Ansi", true)]
    public void A_run_rendered_to_the_console_has_colour_codes_only_when_rendering_asks_for_them(string rendering, bool codes)
    {
        using var console = new PresentationTests.TextConsole(120);
        var tag = SharedEmulator.NewTag();
        var output = Path.Combine(console.Directory, "videos");
        string text;
        var before = System.Management.Automation.PSStyle.Instance.OutputRendering;
        try
        {
            text = console.Render(@"
                $PSStyle.OutputRendering = $args[2]
                & {
                    New-Video -Prompt ('Log lake ' + $args[0]) -Provider OpenRouter -Name log-lake | Wait-Video -Verbose | Save-Video -OutputDirectory $args[1]
                    New-Video -Prompt ('This one will [fail] ' + $args[0]) -Provider OpenRouter -Name log-doomed | Wait-Video
                } $args[0] $args[1] *>&1 | Out-Host", tag, output, rendering);
        }
        finally
        {
            System.Management.Automation.PSStyle.Instance.OutputRendering = before;
        }

        var doomed = Assert.Single(SharedEmulator.JobsTagged(tag), j => j.Prompt.Contains("[fail]", StringComparison.Ordinal));
        // The run is all there: the saved file's name, the failed job's id in its error, a verbose status change.
        Assert.Contains("log-lake.mp4", text, StringComparison.Ordinal);
        Assert.Contains(doomed.Id, text, StringComparison.Ordinal);
        Assert.Contains("VERBOSE:", text, StringComparison.Ordinal);
        // OpenRouter reports a job's cost when it ends, not when it is created.
        Assert.Contains("New-Video: 1 job(s) created, 0 taken from the job store without paying again, 0 row(s) failed; cost reported: none.", text, StringComparison.Ordinal);
        // The summary gives the size in the unit that fits, as the table does (a 4 KB file is not "0.0 MB").
        var length = new FileInfo(Path.Combine(output, "log-lake.mp4")).Length;
        Assert.Contains("Save-Video: 1 saved (" + (length / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KB)", text, StringComparison.Ordinal);
        Assert.Equal(codes, text.Contains('\u001b', StringComparison.Ordinal));
    }

    /// <summary>
    /// VideoGen's own text carries no escape codes, whatever the rendering: the records themselves (summaries, errors,
    /// warnings, verbose lines, output) reach a transcript, *>&amp;1 | Out-File or a host that does not strip them.
    /// </summary>
    [Fact]
    public void The_records_VideoGen_writes_hold_no_escape_codes()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();

        var result = ps.Run(@"
            $VerbosePreference = 'Continue'
            New-Video -Prompt ('Raw lake ' + $args[0]) -Provider OpenRouter -Name raw-lake | Wait-Video | Save-Video -OutputDirectory $args[1]
            New-Video -Prompt ('This one will [fail] ' + $args[0]) -Provider OpenRouter -Name raw-doomed | Wait-Video
            Get-VideoStatus -Id no-such-task -Provider OpenRouter
            New-Video -Prompt ('Plain key ' + $args[0]) -Provider OpenRouter -ApiKey 'vg-plain-text-key-for-this-test' -WhatIf", tag, Path.Combine(ps.Directory, "raw"));

        Assert.NotEmpty(result.Information);
        Assert.NotEmpty(result.Errors);
        Assert.NotEmpty(result.Warnings);
        Assert.NotEmpty(result.Verbose);
        Assert.DoesNotContain('\u001b', result.AllText());
    }
}
