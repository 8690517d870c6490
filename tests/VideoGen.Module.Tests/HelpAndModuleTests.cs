using System.Reflection;
using System.Runtime.Loader;
using System.Xml.Linq;
using VideoGen.Core;
using VideoGen.HelpGen;
using VideoGen.Isolation;

namespace VideoGen.Module.Tests;

/// <summary>Help comes from the cmdlets' documentation comments; a parameter without help or a cmdlet without examples fails here.</summary>
public class HelpTests
{
    private static IReadOnlyList<HelpCommand> Commands() =>
        HelpBuilder.Read(typeof(VideoGen.Commands.NewVideoCommand).Assembly, Path.Combine(AppContext.BaseDirectory, "VideoGen.xml"));

    [Fact]
    public void Every_cmdlet_has_a_synopsis_a_description_two_examples_and_help_for_every_parameter()
    {
        var commands = Commands();

        Assert.Equal(new[] { "Get-VideoJob", "Get-VideoStatus", "Import-VideoJob", "New-Video", "Remove-Video", "Save-Video", "Wait-Video" }, commands.Select(c => c.Name).OrderBy(n => n));
        Assert.Empty(HelpBuilder.Problems(commands));
    }

    [Fact]
    public void The_check_catches_a_parameter_without_help_and_a_cmdlet_with_one_example()
    {
        var good = Commands().First(c => c.Name == "New-Video");
        var bad = good with
        {
            Examples = good.Examples.Take(1).ToList(),
            Parameters = good.Parameters.Select(p => p.Name == "Seed" ? p with { Description = " " } : p).ToList(),
        };

        var problems = HelpBuilder.Problems(new[] { bad });

        Assert.Contains("New-Video: fewer than two examples", problems);
        Assert.Contains("New-Video -Seed: no help text", problems);
    }

    [Fact]
    public void The_maml_lists_each_parameter_with_type_pipeline_input_and_default_and_the_examples()
    {
        var maml = HelpBuilder.ToMaml(Commands());
        XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10", maml2 = "http://schemas.microsoft.com/maml/2004/10", dev = "http://schemas.microsoft.com/maml/dev/2004/10";
        var newVideo = maml.Root!.Elements(command + "command").Single(c => c.Element(command + "details")!.Element(command + "name")!.Value == "New-Video");
        var parameters = newVideo.Element(command + "parameters")!.Elements(command + "parameter").ToList();
        var prompt = parameters.Single(p => p.Element(maml2 + "name")!.Value == "Prompt");
        // Not mandatory for the binder, so New-Video can explain a CSV without a Prompt column itself (one error, not one per row).
        Assert.Equal("false", (string)prompt.Attribute("required")!);
        Assert.Equal("0", (string)prompt.Attribute("position")!);
        Assert.Equal("True (ByPropertyName)", (string)prompt.Attribute("pipelineInput")!);
        Assert.Equal("Text", (string)prompt.Attribute("aliases")!);
        var duration = parameters.Single(p => p.Element(maml2 + "name")!.Value == "Duration");
        Assert.Equal("Length, Seconds", (string)duration.Attribute("aliases")!);
        Assert.Contains(parameters, p => p.Element(maml2 + "name")!.Value == "ApiKey" && p.Element(dev + "type")!.Element(maml2 + "name")!.Value == "SecureString");
        var wait = maml.Root!.Elements(command + "command").Single(c => c.Element(command + "details")!.Element(command + "name")!.Value == "Wait-Video");
        var throttle = wait.Element(command + "parameters")!.Elements(command + "parameter").Single(p => p.Element(maml2 + "name")!.Value == "ThrottleLimit");
        Assert.Equal("8", throttle.Element(dev + "defaultValue")!.Value);
        Assert.True(newVideo.Element(command + "examples")!.Elements(command + "example").Count() >= 2);
        Assert.Contains("VideoGen.Core.VideoJob", newVideo.Element(command + "returnValues")!.Value);
        var save = maml.Root!.Elements(command + "command").Single(c => c.Element(command + "details")!.Element(command + "name")!.Value == "Save-Video");
        Assert.Equal(2, save.Element(command + "syntax")!.Elements(command + "syntaxItem").Count());
    }
}

/// <summary>VideoGen's own load context on PowerShell 7: our libraries load there, framework ones stay shared.</summary>
public class IsolationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "videogen-deps-" + Guid.NewGuid().ToString("N"));

    public IsolationTests()
    {
        Directory.CreateDirectory(_folder);
        foreach (var name in new[] { "Polly.Core.dll", "VideoGen.Core.dll", "System.Text.Json.dll", "Microsoft.Bcl.TimeProvider.dll" })
        {
            var source = Path.Combine(AppContext.BaseDirectory, name);
            if (File.Exists(source))
            {
                File.Copy(source, Path.Combine(_folder, name));
            }
        }
    }

    public void Dispose() => Directory.Delete(_folder, true);

    /// <summary>
    /// What PowerShell 7 shares: its runtime folder's assemblies. (In this test host the trusted platform list also
    /// names the test's own dependencies, Polly.Core among them; in PowerShell it does not.)
    /// </summary>
    private static HashSet<string> RuntimeNames() =>
        Directory.GetFiles(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "*.dll").Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.OrdinalIgnoreCase)!;

    [Fact]
    public void Our_libraries_load_in_our_context_beside_another_copy_in_the_default_one()
    {
        var context = new VideoGenLoadContext(_folder, RuntimeNames());
        var shared = typeof(Polly.ResiliencePipeline).Assembly;

        var ours = context.LoadFromAssemblyName(new AssemblyName("Polly.Core"));

        Assert.NotSame(shared, ours);
        Assert.Same(context, AssemblyLoadContext.GetLoadContext(ours));
        Assert.Equal(shared.GetName().Name, ours.GetName().Name);
        var core = context.LoadFromAssemblyName(new AssemblyName("VideoGen.Core"));
        Assert.Same(context, AssemblyLoadContext.GetLoadContext(core));
    }

    [Fact]
    public void Framework_assemblies_are_never_loaded_twice()
    {
        var context = new VideoGenLoadContext(_folder, RuntimeNames());

        var json = context.LoadFromAssemblyName(new AssemblyName("System.Text.Json"));

        Assert.Same(typeof(System.Text.Json.JsonDocument).Assembly, json);
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(json));
        Assert.Contains("System.Text.Json", VideoGenLoadContext.TrustedPlatformNames());
    }
}

/// <summary>
/// PowerShell reads VideoGen.dll's exported types before it runs the module initializer that makes the
/// dependencies/ folder resolvable. Loading an exported type must therefore not need VideoGen.Core or its
/// libraries: no base type or interface from them, and no value-type field from them (a field's value type is
/// loaded with its class to lay it out).
/// </summary>
public class ModuleLoadOrderTests
{
    [Fact]
    public void Exported_types_load_without_the_dependencies_folder()
    {
        var module = typeof(VideoGen.Commands.NewVideoCommand).Assembly;
        var dependencies = new[] { typeof(VideoJob).Assembly, typeof(Polly.ResiliencePipeline).Assembly }.Select(a => a.GetName().Name).ToHashSet();
        bool FromDependency(Type t) =>
            dependencies.Contains(t.Assembly.GetName().Name) || (t.IsGenericType && t.GetGenericArguments().Any(FromDependency));

        var problems = new List<string>();
        foreach (var type in module.ExportedTypes)
        {
            for (var b = type.BaseType; b != null; b = b.BaseType)
            {
                if (FromDependency(b))
                {
                    problems.Add(type.Name + " derives from " + b.Name);
                }
            }
            problems.AddRange(type.GetInterfaces().Where(FromDependency).Select(i => type.Name + " implements " + i.Name));
            problems.AddRange(type.GetFields(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(f => f.FieldType.IsValueType && FromDependency(f.FieldType))
                .Select(f => type.Name + "." + f.Name + " is a " + f.FieldType.Name));
        }

        Assert.Empty(problems);
        Assert.Contains(module.ExportedTypes, t => t.Name == "SaveVideoCommand");
    }
}
