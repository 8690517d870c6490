using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Text;

namespace VideoGen.PowerShell.Tests.Support;

/// <summary>A console host of fixed width that keeps what is written to it (tables, errors, verbose and warning lines, as a console log would), and the warnings on their own.</summary>
internal sealed class TextHost(int width) : PSHost
{
    private readonly TextUI _ui = new(width);

    public string Text => _ui.Text;

    /// <summary>Warning lines written straight to the host (what a cmdlet can still show after Ctrl+C).</summary>
    public IReadOnlyList<string> WarningLines => _ui.WarningLines;

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

internal sealed class TextUI(int width) : PSHostUserInterface
{
    private readonly StringBuilder _text = new();
    private readonly TextRawUI _raw = new(width);
    private readonly List<string> _warnings = new();

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
    public override bool SupportsVirtualTerminal => true;

    private void Append(string value)
    {
        lock (_text)
        {
            _text.Append(value);
        }
    }

    // As the console host writes: text through PSHostUserInterface.GetOutputString, which drops ANSI escapes when
    // $PSStyle.OutputRendering is PlainText (this console, like pwsh's on a terminal, supports virtual-terminal codes);
    // verbose, debug and warning lines with their prefixes.
    public override void Write(string value) => Append(GetOutputString(value, SupportsVirtualTerminal));
    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Write(value);
    public override void WriteLine(string value) => Write(value + "\n");
    public override void WriteErrorLine(string value) => Write(value + "\n");
    public override void WriteDebugLine(string message) => WriteLine("DEBUG: " + message);
    public override void WriteProgress(long sourceId, ProgressRecord record) { }
    public override void WriteVerboseLine(string message) => WriteLine("VERBOSE: " + message);
    public override void WriteWarningLine(string message)
    {
        lock (_warnings)
        {
            _warnings.Add(message);
        }
        WriteLine("WARNING: " + message);
    }

    public IReadOnlyList<string> WarningLines
    {
        get
        {
            lock (_warnings)
            {
                return _warnings.ToList();
            }
        }
    }
    public override string ReadLine() => throw new NotSupportedException();
    public override System.Security.SecureString ReadLineAsSecureString() => throw new NotSupportedException();
    public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) => throw new NotSupportedException();
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();
    public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice) => throw new NotSupportedException();
}

internal sealed class TextRawUI(int width) : PSHostRawUserInterface
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
