using System.Management.Automation.Language;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// The scripts an admin runs or reads (the scheduled-task example, the emulator helper) and the Pester suite parse
/// without errors on the PowerShell 7.6 parser: the Pester suite itself runs only where pwsh is installed.
/// </summary>
public class PresentationScriptTests
{
    [Theory]
    [InlineData("examples", "Invoke-NightlyVideos.ps1")]
    [InlineData("tests", "EmulatorHelper.ps1")]
    [InlineData("tests", "VideoGen.Tests.ps1")]
    public void The_script_parses_without_errors(string folder, string file)
    {
        Parser.ParseFile(Repo.File(folder, file), out _, out var errors);

        Assert.True(errors.Length == 0, string.Join("\n", errors.Select(e => e.Extent.StartLineNumber + ": " + e.Message)));
    }
}
