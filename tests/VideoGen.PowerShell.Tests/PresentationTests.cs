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
    private sealed class TextConsole : IDisposable
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
            Invoke("$PSDefaultParameterValues['*:JournalPath'] = $args[0]; Import-Module $args[1] -ErrorAction Stop", [Path.Combine(Directory, "journal.jsonl"), Repo.Manifest]);
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

    private sealed class TextHost(int width) : PSHost
    {
        private readonly TextUI _ui = new(width);

        public string Text => _ui.Text;

        public override string Name => "VideoGenTestConsole";
        public override Version Version => new(1, 0);
        public override Guid InstanceId { get; } = Guid.NewGuid();
        public override PSHostUserInterface UI => _ui;
        public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;
        public override void SetShouldExit(int exitCode) { }
        public override void EnterNestedPrompt() => throw new NotSupportedException();
        public override void ExitNestedPrompt() => throw new NotSupportedException();
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
    }

    private sealed class TextUI(int width) : PSHostUserInterface
    {
        private readonly StringBuilder _text = new();
        private readonly TextRawUI _raw = new(width);

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public override PSHostRawUserInterface RawUI => _raw;
        public override bool SupportsVirtualTerminal => false;

        private void Append(string value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }

        public override void Write(string value) => Append(value);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Append(value);
        public override void WriteLine(string value) => Append(value + "\n");
        public override void WriteErrorLine(string value) => Append(value + "\n");
        public override void WriteDebugLine(string message) { }
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override void WriteVerboseLine(string message) { }
        public override void WriteWarningLine(string message) { }
        public override string ReadLine() => throw new NotSupportedException();
        public override System.Security.SecureString ReadLineAsSecureString() => throw new NotSupportedException();
        public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) => throw new NotSupportedException();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();
        public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice) => throw new NotSupportedException();
    }

    private sealed class TextRawUI(int width) : PSHostRawUserInterface
    {
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override Coordinates CursorPosition { get; set; }
        public override Coordinates WindowPosition { get; set; }
        public override int CursorSize { get; set; }
        public override Size BufferSize { get => new(width, 3000); set { } }
        public override Size WindowSize { get => new(width, 50); set { } }
        public override Size MaxWindowSize => new(width, 50);
        public override Size MaxPhysicalWindowSize => new(width, 50);
        public override bool KeyAvailable => false;
        public override string WindowTitle { get; set; } = string.Empty;
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();
        public override void FlushInputBuffer() { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => new BufferCell[0, 0];
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
    }
}
