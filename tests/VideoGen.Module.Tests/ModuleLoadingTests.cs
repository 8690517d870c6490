using System.Text.RegularExpressions;
using VideoGen.Commands;

namespace VideoGen.Module.Tests;

/// <summary>Issue 13 item 9: what Windows PowerShell 5.1 loads, checked without Windows.</summary>
public sealed class ModuleLoadingTests : IDisposable
{
    private readonly string _module = Path.Combine(Path.GetTempPath(), "videogen-mod-" + Guid.NewGuid().ToString("N"));
    private readonly string _dependencies;

    public ModuleLoadingTests()
    {
        _dependencies = Path.Combine(_module, "dependencies");
        Directory.CreateDirectory(_dependencies);
        File.WriteAllText(Path.Combine(_dependencies, "System.Text.Json.dll"), "stand-in");
        File.WriteAllText(Path.Combine(_dependencies, "VideoGen.Core.dll"), "stand-in");
    }

    public void Dispose() => Directory.Delete(_module, true);

    private const string Json = "System.Text.Json, Version=8.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51";

    [Fact]
    public void The_resolver_refuses_an_assembly_that_is_not_VideoGens_even_for_a_name_it_ships()
    {
        var foreign = Path.Combine(Path.GetTempPath(), "another-module", "Other.dll");

        Assert.Null(ModuleInitializer.DependencyPath(_dependencies, Json, foreign));
        Assert.Null(ModuleInitializer.DependencyPath(_dependencies, Json, string.Empty)); // dynamic or loaded from bytes
    }

    [Fact]
    public void The_resolver_answers_VideoGens_own_assemblies_and_a_missing_requester_only_for_names_it_ships()
    {
        var expected = Path.Combine(_dependencies, "System.Text.Json.dll");

        Assert.Equal(expected, ModuleInitializer.DependencyPath(_dependencies, Json, Path.Combine(_module, "VideoGen.dll")));
        Assert.Equal(expected, ModuleInitializer.DependencyPath(_dependencies, Json, Path.Combine(_dependencies, "VideoGen.Core.dll")));
        Assert.Equal(expected, ModuleInitializer.DependencyPath(_dependencies, Json, null));
        Assert.Null(ModuleInitializer.DependencyPath(_dependencies, "Newtonsoft.Json, Version=13.0.0.0", null));
        Assert.Null(ModuleInitializer.DependencyPath(_dependencies, "Newtonsoft.Json", Path.Combine(_module, "VideoGen.dll")));
        Assert.Null(ModuleInitializer.DependencyPath(_dependencies, "not a valid , , name ===", null));
    }

    [Fact]
    public void The_module_cleans_up_after_itself_on_removal() =>
        Assert.True(typeof(System.Management.Automation.IModuleAssemblyCleanup).IsAssignableFrom(typeof(ModuleInitializer)));

    [Fact]
    public void The_manifest_declares_the_NET_Framework_that_Windows_PowerShell_needs()
    {
        var manifest = File.ReadAllText(Path.Combine(Repo.Root, "VideoGen.psd1"));

        Assert.Matches(new Regex(@"(?m)^\s*DotNetFrameworkVersion\s*=\s*'4\.7\.2'"), manifest);
    }
}
