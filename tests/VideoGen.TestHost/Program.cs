using System.Management.Automation;
using System.Management.Automation.Runspaces;

// Runs one script with the module imported (or, with - for the manifest, imported by nobody but the script); $args are
// the remaining arguments. Writes each output object's text on a line and each error to standard error; exit code 0, or
// 1 when the script wrote errors or stopped at a terminating one. The session has an Import-Csv stand-in (the hosted engine has no Utility module).
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: VideoGen.TestHost <manifest.psd1|-> <script> [args...]");
    return 2;
}
var iss = InitialSessionState.CreateDefault2();
iss.Commands.Add(new SessionStateCmdletEntry("Import-Csv", typeof(VideoGen.TestHost.ImportCsvStandInCommand), null));
using var runspace = RunspaceFactory.CreateRunspace(iss);
runspace.Open();
using var ps = PowerShell.Create();
ps.Runspace = runspace;
if (args[0] != "-")
{
    ps.AddScript("param($Manifest) Import-Module $Manifest -ErrorAction Stop").AddArgument(args[0]);
    try
    {
        ps.Invoke();
    }
    catch (RuntimeException ex)
    {
        return Terminated(ex);
    }
    ps.Commands.Clear();
}
ps.AddScript(args[1]);
foreach (var a in args.Skip(2))
{
    ps.AddArgument(a);
}
var output = new PSDataCollection<PSObject>();
output.DataAdded += (_, e) => Console.WriteLine(output[e.Index]?.ToString());
try
{
    ps.Invoke(null, output);
}
catch (RuntimeException ex)
{
    return Terminated(ex);
}
foreach (var error in ps.Streams.Error)
{
    Console.Error.WriteLine(error.ToString());
}
return ps.Streams.Error.Count > 0 ? 1 : 0;

// A terminating error ends the script as it ends pwsh -File: the error (with its FullyQualifiedErrorId) on standard error, exit code 1.
static int Terminated(RuntimeException ex)
{
    Console.Error.WriteLine((ex.ErrorRecord is { } record ? record.FullyQualifiedErrorId + ": " + record : ex.Message));
    return 1;
}
