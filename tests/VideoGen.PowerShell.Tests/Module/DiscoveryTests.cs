using System.Management.Automation;
using System.Reflection;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>What an admin finds with Get-Help, Tab and Get-Command, and the manifest as PowerShell reads it.</summary>
public class DiscoveryTests
{
    public static TheoryData<string> Cmdlets => new() { "New-Video", "Get-VideoStatus", "Wait-Video", "Save-Video", "Get-VideoJob", "Import-VideoJob", "Remove-Video" };

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Get_Help_Full_gives_a_synopsis_every_parameter_described_and_two_examples(string name)
    {
        using var ps = Engine.Start();

        var result = ps.Run(@"
            $help = Get-Help $args[0] -Full
            $declared = (Get-Command $args[0]).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and $_ -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters }
            [pscustomobject]@{
                Synopsis = [string]$help.Synopsis
                Examples = @($help.Examples.Example).Count
                Returns = @($help.ReturnValues.ReturnValue).Count
                Undescribed = @($declared | Where-Object { $p = $_; $entry = $help.Parameters.Parameter | Where-Object Name -eq $p; -not $entry -or -not (($entry.Description | ForEach-Object Text) -join '').Trim() })
                Declared = @($declared).Count
            }", name);

        Assert.Null(result.Terminating);
        var help = Assert.Single(result.Output);
        Assert.False(string.IsNullOrWhiteSpace(help.Text("Synopsis")));
        Assert.DoesNotMatch("^\\s*" + name + "\\s", help.Text("Synopsis"));
        Assert.True((int)help.Get("Examples")! >= 2);
        Assert.True((int)help.Get("Returns")! >= 1);
        Assert.True((int)help.Get("Declared")! >= 1);
        Assert.Empty((object[])help.Get("Undescribed")!);
    }

    [Fact]
    public void Get_Help_about_VideoGen_answers()
    {
        using var ps = Engine.Start();

        var result = ps.Run("Get-Help about_VideoGen | ForEach-Object { if ($_ -is [string]) { $_ } else { $_.ToString() } }");

        Assert.Contains("THE JOURNAL AND RESUMING", string.Join("\n", result.Output.Select(o => o.ToString())), StringComparison.Ordinal);
    }

    [Fact]
    public void Tab_completes_Provider_with_every_provider()
    {
        using var ps = Engine.Start();
        Assert.Equal(new[] { "FastRouter", "OpenRouter", "AppleRouter", "OpenAICompatible", "Fal" }, ps.Complete("New-Video -Provider "));
        Assert.Equal(new[] { "OpenRouter", "OpenAICompatible" }, ps.Complete("Wait-Video -Provider O"));
        Assert.Equal(new[] { "FastRouter", "Fal" }, ps.Complete("Get-VideoStatus -Provider F"));
        // Only the OpenAI-style route has delete and remix.
        Assert.Equal(new[] { "AppleRouter", "OpenAICompatible" }, ps.Complete("Remove-Video -Provider "));
        Assert.Equal(new[] { "AppleRouter", "OpenAICompatible" }, ps.Complete("New-Video -RemixOf video_1 -Provider "));
    }

    [Fact]
    public void Tab_completes_Model_from_the_documented_FastRouter_list_and_from_OpenRouters_model_list()
    {
        using var ps = Engine.Start();
        Assert.Contains("google/veo3", ps.Complete("New-Video -Provider FastRouter -Model google/veo"));
        Assert.Contains("google/veo-3.1", ps.Complete("New-Video -Provider OpenRouter -Model goo"));
    }

    [Fact]
    public void Tab_completes_Variant()
    {
        using var ps = Engine.Start();
        Assert.Equal(new[] { "Spritesheet" }, ps.Complete("Save-Video -Variant Sp"));
        Assert.Equal(new[] { "Thumbnail" }, ps.Complete("Save-Video -Variant T"));
    }

    [Fact]
    public void The_module_exports_exactly_its_cmdlets_with_their_output_types()
    {
        using var ps = Engine.Start();

        var names = ps.Run("(Get-Command -Module VideoGen).Name").Output.Select(o => o.ToString()).Order();
        var types = ps.Run("(Get-Command New-Video).OutputType.Name; (Get-Command Save-Video).OutputType.Name").Output.Select(o => o.ToString()).ToList();

        Assert.Equal(new[] { "Get-VideoJob", "Get-VideoStatus", "Import-VideoJob", "New-Video", "Remove-Video", "Save-Video", "Wait-Video" }, names);
        Assert.Contains("VideoGen.Core.VideoJob", types);
        Assert.Contains("VideoGen.Core.SavedVideo", types);
    }

    [Fact]
    public void Test_ModuleManifest_accepts_the_built_manifest()
    {
        using var ps = Engine.Start(importModule: false);

        var result = ps.Run("Test-ModuleManifest -Path $args[0] -ErrorAction Stop | ForEach-Object { $_.Version.ToString(); $_.ExportedCmdlets.Count }", Repo.Manifest);

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Equal("7", result.Output[1].ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+$", result.Output[0].ToString());
    }

    [Fact]
    public void Another_Polly_Core_loaded_first_does_not_break_the_module_and_both_load_side_by_side()
    {
        var other = typeof(DiscoveryTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "OtherPollyCore").Value!;
        Assert.True(File.Exists(other), other);
        using var ps = Engine.Start(importModule: false);
        var tag = SharedEmulator.NewTag();

        var result = ps.Run(@"
            $null = [System.Reflection.Assembly]::LoadFrom($args[0])
            Import-Module $args[1] -Force -ErrorAction Stop
            $saved = @(New-Video -Prompt ('Conflict ' + $args[2]) -Provider OpenRouter | Wait-Video | Save-Video -OutputDirectory $args[3])
            $saved.Count
            [System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Polly.Core' -and $_.Location } |
                ForEach-Object { [System.Diagnostics.FileVersionInfo]::GetVersionInfo($_.Location).FileVersion }",
            other, Repo.Manifest, tag, Path.Combine(ps.Directory, "conflict"));

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Equal("1", result.Output[0].ToString());
        var versions = result.Output.Skip(1).Select(o => o.ToString()).ToList();
        Assert.Contains(versions, v => v.StartsWith("8.5.2", StringComparison.Ordinal));
        Assert.Contains(versions, v => v.StartsWith("8.9.1", StringComparison.Ordinal));
    }
}
