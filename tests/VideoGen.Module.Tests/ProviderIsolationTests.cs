using System.Text.RegularExpressions;
using VideoGen.Core;

namespace VideoGen.Module.Tests;

/// <summary>
/// A provider is one folder (src/VideoGen.Core/Providers/&lt;Provider&gt;): outside the provider folders, no code in the core
/// or the cmdlets names one provider's member of <see cref="VideoProvider"/>, one provider's types, or a provider's name
/// as a string. The one registration line (Providers/ProviderMappings.cs) names every mapping, and the enum declares
/// every provider; comments may name providers.
/// </summary>
public class ProviderIsolationTests
{
    private static readonly string Providers = Path.Combine(Repo.Root, "src", "VideoGen.Core", "Providers");

    /// <summary>The folders that hold provider knowledge: one per provider, and the OpenAI-style wire format two of them share.</summary>
    private static string[] ProviderFolders() => Directory.GetDirectories(Providers);

    private static string Code(string file)
    {
        // Comments out (XML docs, line and block comments); string literals stay.
        var text = Regex.Replace(File.ReadAllText(file), @"/\*.*?\*/", " ", RegexOptions.Singleline);
        return string.Join("\n", text.Split('\n').Select(line => Regex.Replace(line, @"^\s*//.*$", string.Empty)));
    }

    private static IEnumerable<string> SharedFiles() =>
        new[] { Path.Combine(Repo.Root, "src", "VideoGen.Core"), Path.Combine(Repo.Root, "src", "VideoGen") }
            .SelectMany(root => Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal) &&
                        !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Where(f => !ProviderFolders().Any(folder => f.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            .Where(f => Path.GetFileName(f) != "ProviderMappings.cs");

    [Fact]
    public void No_code_outside_the_provider_folders_branches_on_a_provider_or_calls_one_providers_type()
    {
        var providerNames = Enum.GetNames<VideoProvider>();
        var providerTypes = ProviderFolders()
            .SelectMany(folder => Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories))
            .SelectMany(f => Regex.Matches(Code(f), @"\b(?:class|interface|struct|enum|record)\s+(\w+)").Select(m => m.Groups[1].Value))
            .Distinct().ToList();
        Assert.Contains("FastRouterMapping", providerTypes); // the scan finds what it guards

        var offences = new List<string>();
        foreach (var file in SharedFiles())
        {
            var code = Code(file);
            var relative = Path.GetRelativePath(Repo.Root, file);
            foreach (var name in providerNames)
            {
                if (Regex.IsMatch(code, @"\bVideoProvider\s*\.\s*" + name + @"\b"))
                {
                    offences.Add(relative + ": VideoProvider." + name);
                }
                if (Regex.IsMatch(code, "\"[^\"\\n]*\\b" + name + "\\b[^\"\\n]*\""))
                {
                    offences.Add(relative + ": a string naming " + name);
                }
            }
            foreach (var type in providerTypes)
            {
                if (Regex.IsMatch(code, @"\b" + type + @"\b"))
                {
                    offences.Add(relative + ": " + type);
                }
            }
        }

        Assert.True(offences.Count == 0, "provider knowledge outside the provider folders:\n" + string.Join("\n", offences));
    }

    [Fact]
    public void Every_provider_has_its_folder_with_its_mapping_and_rules()
    {
        var shared = new[] { "OpenAIStyle" };
        foreach (var name in Enum.GetNames<VideoProvider>())
        {
            var folder = Path.Combine(Providers, name);
            Assert.True(Directory.Exists(folder), name + " has no folder " + folder);
            Assert.True(File.Exists(Path.Combine(folder, name + "Mapping.cs")), name + "Mapping.cs missing");
            Assert.True(File.Exists(Path.Combine(folder, name + "Rules.cs")), name + "Rules.cs missing");
        }
        Assert.All(ProviderFolders().Select(Path.GetFileName), f => Assert.True(Enum.GetNames<VideoProvider>().Contains(f) || shared.Contains(f), f + " is neither a provider nor a shared wire format"));
    }
}
