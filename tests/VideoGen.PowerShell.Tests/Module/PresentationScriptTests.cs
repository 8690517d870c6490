using System.Management.Automation.Language;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// The scripts an admin runs or reads (the scheduled-task example, the emulator helper) and the Pester suite (every file
/// of tests/Pester, its helper module included) parse without errors on the PowerShell 7.6 parser: the Pester suite
/// itself runs only where pwsh is installed.
/// </summary>
public class PresentationScriptTests
{
    public static TheoryData<string> Scripts()
    {
        var scripts = new TheoryData<string> { "examples/Invoke-NightlyVideos.ps1", "tests/EmulatorHelper.ps1" };
        foreach (var file in Directory.GetFiles(Repo.File("tests", "Pester")).Where(f => f.EndsWith(".ps1", StringComparison.Ordinal) || f.EndsWith(".psm1", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            scripts.Add("tests/Pester/" + Path.GetFileName(file));
        }
        return scripts;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void The_script_parses_without_errors(string file)
    {
        Parser.ParseFile(Repo.File(file.Split('/')), out _, out var errors);

        Assert.True(errors.Length == 0, string.Join("\n", errors.Select(e => e.Extent.StartLineNumber + ": " + e.Message)));
    }
}
