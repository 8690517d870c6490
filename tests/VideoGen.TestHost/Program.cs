using System.Management.Automation;
using System.Management.Automation.Runspaces;

// Runs one script with the module imported; $args are the remaining arguments. Writes each output object's text on a
// line and each error to standard error; exit code 0, or 1 when the script wrote errors.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: VideoGen.TestHost <manifest.psd1> <script> [args...]");
    return 2;
}
using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
runspace.Open();
using var ps = PowerShell.Create();
ps.Runspace = runspace;
ps.AddScript("param($Manifest) Import-Module $Manifest -ErrorAction Stop").AddArgument(args[0]);
ps.Invoke();
ps.Commands.Clear();
ps.AddScript(args[1]);
foreach (var a in args.Skip(2))
{
    ps.AddArgument(a);
}
var output = new PSDataCollection<PSObject>();
output.DataAdded += (_, e) => Console.WriteLine(output[e.Index]?.ToString());
ps.Invoke(null, output);
foreach (var error in ps.Streams.Error)
{
    Console.Error.WriteLine(error.ToString());
}
return ps.Streams.Error.Count > 0 ? 1 : 0;
