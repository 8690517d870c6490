using System.Management.Automation;
using VideoGen.Tests.Shared;

namespace VideoGen.TestHost;

/// <summary>
/// Import-Csv for scripts pasted from the documentation: the hosted engine has no Microsoft.PowerShell.Utility, so this
/// stand-in reads the file (relative to the current location, as Import-Csv does) with a real CSV parser and writes one
/// object per row, as Import-Csv does.
/// </summary>
[Cmdlet(VerbsData.Import, "Csv")]
public sealed class ImportCsvStandInCommand : PSCmdlet
{
    /// <summary>The CSV file, relative to the current location or absolute.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Path { get; set; } = string.Empty;

    /// <summary>The field delimiter (Import-Csv's default, a comma).</summary>
    [Parameter]
    public char Delimiter { get; set; } = ',';

    /// <summary>Writes one PSCustomObject per row, every value a string.</summary>
    protected override void ProcessRecord()
    {
        var full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        foreach (var row in CsvText.Rows(File.ReadAllText(full), Delimiter))
        {
            WriteObject(row);
        }
    }
}
