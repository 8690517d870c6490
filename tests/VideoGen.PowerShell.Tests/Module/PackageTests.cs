using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>The .nupkg build.ps1 -Task Package makes where PSResourceGet is absent: dotnet pack of src/VideoGen.Module's nuspec over the built layout.</summary>
public class PackageTests
{
    [Fact]
    public async Task The_nupkg_holds_the_whole_layout_with_PowerShell_gallery_tags_and_imports_from_any_path()
    {
        using var ps = Engine.Start(importModule: false);
        var feed = Path.Combine(ps.Directory, "feed");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Name; // bin/<Configuration>/net10.0
        var version = ps.Run("(Test-ModuleManifest -Path $args[0]).Version.ToString()", Repo.Manifest).Output.Single().ToString();

        // No build server or reusable MSBuild node: one would inherit the output pipes and keep them open after pack exits,
        // so reading them to the end never returned (a fresh clone's test run hung here).
        var start = new ProcessStartInfo("dotnet", ["pack", Repo.File("src", "VideoGen.Module", "VideoGen.Module.csproj"), "-c", configuration, "--no-build", "-o", feed,
            "-p:NuspecProperties=version=" + version, "--disable-build-servers", "-nodeReuse:false"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        var pack = Process.Start(start)!;
        var output = pack.StandardOutput.ReadToEndAsync();
        var errors = pack.StandardError.ReadToEndAsync();
        Assert.True(pack.WaitForExit(TimeSpan.FromMinutes(3)), "dotnet pack did not exit within 3 minutes");
        var log = await output.WaitAsync(TimeSpan.FromSeconds(10)) + await errors.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(pack.ExitCode == 0, log);

        var nupkg = Assert.Single(Directory.GetFiles(feed, "*.nupkg"));
        Assert.Equal("VideoGen." + version + ".nupkg", Path.GetFileName(nupkg));
        using var zip = ZipFile.OpenRead(nupkg);
        var entries = zip.Entries.Select(e => e.FullName.Replace('\\', '/')).ToHashSet();
        var layout = Directory.GetFiles(Path.GetDirectoryName(Repo.Manifest)!, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.GetDirectoryName(Repo.Manifest)!, f).Replace('\\', '/')).ToList();
        Assert.Contains("dependencies/Polly.Core.dll", layout);
        Assert.All(layout, f => Assert.Contains(f, entries));
        Assert.Contains("LICENSE", entries);
        var nuspec = XDocument.Load(zip.GetEntry("VideoGen.nuspec")!.Open());
        var tags = nuspec.Descendants().Single(e => e.Name.LocalName == "tags").Value.Split(' ');
        Assert.Contains("PSModule", tags);
        Assert.Contains("PSCmdlet_New-Video", tags);

        // Installed as a module folder anywhere: <path>/VideoGen/<version>/, imported by path.
        var installed = Path.Combine(ps.Directory, "modules", "VideoGen", version);
        foreach (var entry in zip.Entries.Where(e => layout.Contains(e.FullName.Replace('\\', '/'))))
        {
            var target = Path.Combine(installed, entry.FullName);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            entry.ExtractToFile(target);
        }
        var result = ps.Run("Import-Module $args[0] -ErrorAction Stop; (Get-Command -Module VideoGen).Count; (Get-Help New-Video -Full).Parameters.Parameter.Name -contains 'ApiKey'",
            Path.Combine(installed, "VideoGen.psd1"));
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Equal("7", result.Output[0].ToString());
        Assert.Equal("True", result.Output[1].ToString());

        // SQLite's native library for every RID the module claims is in the package.
        var natives = ps.Run(SqliteNativeScript.Types + "$deps = $args[0]; $native::ClaimedRuntimeIdentifiers | ForEach-Object { $native::NativeLibraryPath($deps, $_) }",
            Path.Combine(installed, "dependencies"));
        Assert.Null(natives.Terminating);
        Assert.Empty(natives.Errors);
        Assert.NotEmpty(natives.Output);
        Assert.All(natives.Output, n => Assert.Contains(Path.GetRelativePath(installed, n.ToString()).Replace('\\', '/'), entries));
    }
}

/// <summary>The dependency list of the layout is derived from the build, and complete: nothing VideoGen loads is missing.</summary>
public class LayoutTests
{
    [Fact]
    public void Every_assembly_the_module_references_is_in_its_layout_or_the_platform()
    {
        var folder = Path.GetDirectoryName(Repo.Manifest)!;
        var files = new[] { Path.Combine(folder, "VideoGen.dll") }
            .Concat(Directory.GetFiles(Path.Combine(folder, "dependencies"), "*.dll").Where(f => !f.EndsWith("VideoGen.Isolation.dll", StringComparison.Ordinal)))
            .ToList();
        var shipped = files.Select(f => Path.GetFileNameWithoutExtension(f)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        // What netstandard2.0 assemblies may take from the platform: the facade itself, and PowerShell's own assembly.
        var platform = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "netstandard", "mscorlib", "System.Management.Automation" };
        var missing = new List<string>();
        foreach (var file in files)
        {
            using var stream = File.OpenRead(file);
            using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
            var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
            foreach (var handle in metadata.AssemblyReferences)
            {
                var name = metadata.GetString(metadata.GetAssemblyReference(handle).Name);
                if (!shipped.Contains(name) && !platform.Contains(name))
                {
                    missing.Add(Path.GetFileName(file) + " -> " + name);
                }
            }
        }

        Assert.Empty(missing);
        Assert.Contains("System.Threading.Channels", shipped);
        Assert.Contains("Polly.Core", shipped);
        Assert.True(File.Exists(Path.Combine(folder, "dependencies", "VideoGen.Isolation.dll")));
        Assert.False(File.Exists(Path.Combine(folder, "dependencies", "System.Management.Automation.dll")));
    }
}

/// <summary>
/// docs/scheduled-tasks.md's install: the package (the built layout as <c>VideoGen/&lt;version&gt;/</c>) copied into a folder
/// on $env:PSModulePath, after which <c>Import-Module VideoGen</c> by name (what the nightly script does) finds it, in a
/// fresh PowerShell process; without it, the error the issue met.
/// </summary>
public class InstalledModuleTests
{
    // PowerShell puts the user's and the machine's module folders before $env:PSModulePath when it starts (where a
    // VideoGen an admin installed would be found): the search is narrowed to the test's folder before it looks.
    private const string Script = @"
        $env:PSModulePath = $env:VG_TEST_MODULE_PATH
        @(Get-Module -ListAvailable -Name VideoGen | ForEach-Object { $_.Version.ToString() + ' ' + $_.ModuleBase })
        Import-Module VideoGen -ErrorAction Stop
        'imported from ' + (Get-Module VideoGen).ModuleBase
        'cmdlets ' + @(Get-Command -Module VideoGen).Count";

    [Fact]
    public async Task Copied_into_a_folder_on_PSModulePath_the_module_imports_by_name()
    {
        using var ps = Engine.Start(importModule: false);
        var version = ps.Run("(Test-ModuleManifest -Path $args[0]).Version.ToString()", Repo.Manifest).Output.Single().ToString();
        var modules = Path.Combine(ps.Directory, "modules");
        var installed = Path.Combine(modules, "VideoGen", version);
        CopyTree(Path.GetDirectoryName(Repo.Manifest)!, installed);

        var run = await ChildHost.RunAsync(Script, ps.Directory, [new("VG_TEST_MODULE_PATH", modules)], TimeSpan.FromSeconds(60));

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(version + " " + installed, Assert.Single(lines, l => l.StartsWith(version + " ", StringComparison.Ordinal)));
        Assert.Contains("imported from " + installed, lines);
        Assert.Contains("cmdlets 7", lines);
    }

    [Fact]
    public async Task Not_installed_Import_Module_by_name_fails_as_the_issue_saw()
    {
        using var ps = Engine.Start(importModule: false);

        var run = await ChildHost.RunAsync(Script, ps.Directory, [new("VG_TEST_MODULE_PATH", Path.Combine(ps.Directory, "empty"))], TimeSpan.FromSeconds(60));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Modules_ModuleNotFound", run.Errors, StringComparison.Ordinal);
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
