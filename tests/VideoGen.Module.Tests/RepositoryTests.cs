using System.Text.RegularExpressions;
using System.Xml.Linq;
using VideoGen.Core;

namespace VideoGen.Module.Tests;

/// <summary>What a clean clone must hold together: one version, the manifest's exports, the format file, the README's commands.</summary>
public class RepositoryTests
{
    private static string Read(params string[] parts) => File.ReadAllText(Path.Combine([Repo.Root, .. parts]));

    [Fact]
    public void The_manifest_version_is_the_one_in_Directory_Build_props()
    {
        var version = Regex.Match(Read("Directory.Build.props"), "<VersionPrefix>([^<]+)</VersionPrefix>").Groups[1].Value;
        var manifest = Regex.Match(Read("VideoGen.psd1"), @"ModuleVersion\s*=\s*'([^']+)'").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(version));
        Assert.Equal(version, manifest);
    }

    [Fact]
    public void The_manifest_exports_exactly_the_cmdlets_that_exist()
    {
        var manifest = Read("VideoGen.psd1");
        var exports = Regex.Match(manifest, @"CmdletsToExport\s*=\s*@\(([^)]*)\)").Groups[1].Value;
        var exported = Regex.Matches(exports, "'([^']+)'").Select(m => m.Groups[1].Value).OrderBy(x => x).ToArray();
        var declared = Directory.GetFiles(Path.Combine(Repo.Root, "src", "VideoGen", "Commands"), "*.cs")
            .Select(f => Regex.Match(File.ReadAllText(f), @"\[Cmdlet\(Verbs\w+\.(\w+), ""(\w+)"""))
            .Where(m => m.Success) // NewVideoCommand.Remix.cs is a part of New-Video, not a cmdlet of its own
            .Select(m => m.Groups[1].Value + "-" + m.Groups[2].Value).OrderBy(x => x).ToArray();
        Assert.Equal(new[] { "Get-VideoJob", "Get-VideoStatus", "Import-VideoJob", "New-Video", "Remove-Video", "Save-Video", "Wait-Video" }, exported);
        Assert.Equal(exported, declared);
        Assert.All(manifest.Split('\n').Where(l => l.Contains("ToExport", StringComparison.Ordinal)), l => Assert.DoesNotContain("*", l, StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(Repo.Root, "src", "VideoGen", Regex.Match(manifest, @"FormatsToProcess\s*=\s*@\('([^']+)'\)").Groups[1].Value)));
    }

    [Fact]
    public void The_manifest_names_its_files_as_they_lie_in_the_layout_and_no_script_lists_them_by_hand()
    {
        // src/VideoGen.Module copies VideoGen.psd1 verbatim into out/VideoGen beside VideoGen.dll and the format file;
        // the package is that folder as it is, so nothing rewrites the manifest.
        var manifest = Read("VideoGen.psd1");
        Assert.Contains("RootModule           = 'VideoGen.dll'", manifest);
        Assert.Contains("FormatsToProcess     = @('VideoGen.Format.ps1xml')", manifest);
        var module = Read("src", "VideoGen.Module", "VideoGen.Module.csproj");
        Assert.Contains("@(ReferenceCopyLocalPaths)", module);
        var build = Read("build.ps1");
        Assert.DoesNotContain("Polly.Core.dll", build);
        Assert.DoesNotContain("$manifest.Replace", build);
        foreach (var file in new[] { "LICENSE", "CHANGELOG.md", "docs/en-US/about_VideoGen.md", "docs/scheduled-tasks.md", "docs/providers.md", "examples/Invoke-NightlyVideos.ps1", "src/VideoGen.Module/VideoGen.nuspec" })
        {
            Assert.True(File.Exists(Path.Combine(Repo.Root, file)), file + " is missing");
        }
    }

    [Fact]
    public void The_manifest_declares_editions_version_and_no_wildcard_exports()
    {
        var manifest = Read("VideoGen.psd1");
        Assert.Matches(@"CompatiblePSEditions\s*=\s*@\('Desktop',\s*'Core'\)", manifest);
        Assert.Matches(@"PowerShellVersion\s*=\s*'5\.1'", manifest);
        Assert.Matches(@"FunctionsToExport\s*=\s*@\(\)", manifest);
        Assert.Matches(@"AliasesToExport\s*=\s*@\(\)", manifest);
        Assert.Contains("ProjectUri", manifest);
        Assert.Contains("LicenseUri", manifest);
        Assert.Contains("ReleaseNotes", manifest);
    }

    [Fact]
    public void The_format_file_has_a_table_and_a_list_view_for_each_output_type()
    {
        var doc = XDocument.Parse(Read("src", "VideoGen", "VideoGen.Format.ps1xml"));
        foreach (var type in new[] { "VideoGen.Core.VideoJob", "VideoGen.Core.SavedVideo" })
        {
            var views = doc.Descendants("View").Where(v => v.Element("ViewSelectedBy")!.Element("TypeName")!.Value == type).ToList();
            Assert.Contains(views, v => v.Element("TableControl") != null);
            Assert.Contains(views, v => v.Element("ListControl") != null);
            // Every property named in a view exists on the type.
            var properties = typeof(VideoJob).Assembly.GetType(type)!.GetProperties().Select(p => p.Name).ToHashSet();
            Assert.All(views.Descendants("PropertyName").Select(p => p.Value), name => Assert.Contains(name, properties));
        }
    }

    [Theory]
    [InlineData("VideoGen.Core.VideoJob")]
    [InlineData("VideoGen.Core.SavedVideo")]
    public void The_default_table_keeps_a_36_character_Id_within_80_columns_and_lets_one_column_take_the_rest(string type)
    {
        // PowerShell drops table columns from the right when the fixed widths do not fit; a column with no width
        // takes what is left. So: every column up to and including Id has a width, they end within 80 columns with
        // Id at 36 or more, and only the last column is left without a width (an empty Name takes no 25 columns).
        var doc = XDocument.Parse(Read("src", "VideoGen", "VideoGen.Format.ps1xml"));
        var table = doc.Descendants("View").First(v => v.Element("ViewSelectedBy")!.Element("TypeName")!.Value == type).Element("TableControl");
        Assert.NotNull(table);
        var headers = table!.Descendants("TableColumnHeader").Select(h => (Label: h.Element("Label")!.Value, Width: (int?)h.Element("Width"))).ToList();
        var id = headers.FindIndex(h => h.Label == "Id");
        Assert.True(id >= 0, type + "'s table has no Id column");
        Assert.True(headers[id].Width >= 36, "Id is narrower than a 36-character task id");
        Assert.All(headers.Take(id + 1), h => Assert.NotNull(h.Width));
        var idEnds = headers.Take(id + 1).Sum(h => h.Width!.Value) + id; // one space between columns
        Assert.InRange(idEnds, 36, 80);
        var fixedWidth = headers.Where(h => h.Width != null).Sum(h => h.Width!.Value) + headers.Count - 1;
        Assert.True(fixedWidth <= 80 - 10, type + ": the fixed columns leave less than 10 of 80 columns for the last one");
        Assert.Equal(new[] { headers.Count - 1 }, headers.Select((h, i) => (h, i)).Where(x => x.h.Width == null).Select(x => x.i).ToArray());
        Assert.Equal(headers.Count, table.Descendants("TableColumnItem").Count());
        // Sizes in human units, never megabytes to two places (0.00 for a small file).
        Assert.DoesNotContain("1MB", table.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_SavedVideo_list_view_gives_the_whole_path_the_size_and_the_id()
    {
        var doc = XDocument.Parse(Read("src", "VideoGen", "VideoGen.Format.ps1xml"));
        var list = doc.Descendants("View").Single(v => v.Element("ViewSelectedBy")!.Element("TypeName")!.Value == "VideoGen.Core.SavedVideo" && v.Element("ListControl") != null);
        var items = list.Descendants("ListItem").Select(i => i.Element("Label")?.Value ?? i.Element("PropertyName")?.Value).ToList();
        Assert.Contains("Path", items);
        Assert.Contains("Size", items);
        Assert.Contains("Id", items);
    }

    [Fact]
    public void Every_Pester_test_file_lies_under_tests_Pester_where_build_ps1_runs_them()
    {
        // build.ps1 hands Pester the folder tests/Pester: a *.Tests.ps1 anywhere else in tests/ would never run.
        var pester = Path.Combine(Repo.Root, "tests", "Pester");
        Assert.Contains("$config.Run.Path = Join-Path $root 'tests/Pester'", Read("build.ps1"), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(pester, "VideoGen.TestHelpers.psm1")));
        Assert.NotEmpty(Directory.GetFiles(pester, "*.Tests.ps1"));
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(Repo.Root, "tests"), "*.Tests.ps1", SearchOption.AllDirectories),
            f => !f.StartsWith(pester + Path.DirectorySeparatorChar, StringComparison.Ordinal));
    }

    [Fact]
    public void The_ci_script_runs_the_test_command_the_readme_gives()
    {
        var readme = Read("README.md");
        var ci = Read(".ci", "run");
        var command = Regex.Match(readme, "<!-- test-command -->\\s*```[a-z]*\\s*\\n([^\\n]+)\\n").Groups[1].Value.Trim();
        Assert.False(string.IsNullOrEmpty(command), "README.md has no test command block");
        Assert.Contains(command, ci);
    }

    [Fact]
    public void Every_job_property_a_later_cmdlet_needs_is_a_pipeline_parameter_of_the_job_cmdlets()
    {
        // Job objects bind to Get-VideoStatus, Wait-Video and Save-Video by property name.
        var source = Read("src", "VideoGen", "JobCmdletBase.cs") + Read("src", "VideoGen", "VideoGenCmdletBase.cs");
        var parameters = Regex.Matches(source, @"ValueFromPipelineByPropertyName = true\)\][^{]*?public [\w?<>]+ (\w+) \{", RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value).ToHashSet();
        foreach (var property in new[] { "Id", "Provider", "Model", "Name", "Prompt", "BaseUri", "PollingUrl", "VideoUrl", "Status" })
        {
            Assert.Contains(property, parameters);
            Assert.NotNull(typeof(VideoJob).GetProperty(property));
        }
    }
}
