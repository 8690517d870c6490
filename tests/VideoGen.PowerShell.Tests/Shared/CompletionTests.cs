using System.Text.RegularExpressions;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// Tab on New-Video's -Duration, -AspectRatio and -Resolution offers the provider's documented values (not file
/// names), and the help an admin reaches from the console: -Provider names OpenAICompatible, and every cmdlet has an
/// online help address that exists in docs/cmdlets.md.
/// </summary>
public class CompletionTests
{
    [Fact]
    public void Duration_completes_to_the_providers_documented_lengths()
    {
        using var ps = Engine.Start();
        // A file that would be offered if the completer gave nothing (PowerShell falls back to file names).
        File.WriteAllText(Path.Combine(ps.Directory, "4-not-a-duration.txt"), "x");

        Assert.Equal(new[] { "4", "5", "6", "8", "10", "12" }, ps.Complete("New-Video -Provider FastRouter -Duration "));
        Assert.Equal(new[] { "4", "8", "12" }, ps.Complete("New-Video -Provider FastRouter -Model openai/sora-2 -Duration "));
        Assert.Equal(new[] { "4", "8", "12" }, ps.Complete("New-Video -Provider OpenAICompatible -Duration "));
        Assert.Equal(new[] { "4", "8", "12" }, ps.Complete("New-Video -Provider AppleRouter -Model veo-3.1 -Duration "));
        Assert.Equal(new[] { "10", "12" }, ps.Complete("New-Video -Provider FastRouter -Duration 1"));
        Assert.DoesNotContain(ps.Complete("New-Video -Duration 4"), c => c.Contains("not-a-duration", StringComparison.Ordinal));
    }

    [Fact]
    public void Duration_AspectRatio_and_Resolution_complete_from_the_OpenRouter_models_capabilities()
    {
        using var ps = Engine.Start();

        // The emulator's GET /videos/models: google/veo-3.1 takes 4, 6, 8 s; bytedance/seedance-2.0 takes 5, 10 s and 21:9.
        Assert.Equal(new[] { "4", "6", "8" }, ps.Complete("New-Video -Provider OpenRouter -Model google/veo-3.1 -Duration "));
        Assert.Equal(new[] { "5", "10" }, ps.Complete("New-Video -Provider OpenRouter -Model bytedance/seedance-2.0 -Duration "));
        Assert.Equal(new[] { "16:9", "9:16", "1:1", "21:9" }, ps.Complete("New-Video -Provider OpenRouter -Model bytedance/seedance-2.0 -AspectRatio "));
        Assert.Equal(new[] { "720p", "1080p" }, ps.Complete("New-Video -Provider OpenRouter -Model google/veo-3.1 -Resolution "));
        // The default model (google/veo-3.1) where no -Model is typed.
        Assert.Equal(new[] { "4", "6", "8" }, ps.Complete("New-Video -Provider OpenRouter -Duration "));
    }

    [Fact]
    public void AspectRatio_and_Resolution_complete_to_the_documented_values_of_the_provider_typed()
    {
        using var ps = Engine.Start();

        Assert.Equal(new[] { "16:9", "9:16", "4:3", "3:4", "1:1", "5:3", "3:5" }, ps.Complete("New-Video -Provider FastRouter -AspectRatio "));
        Assert.Equal(new[] { "16:9", "9:16" }, ps.Complete("New-Video -Provider OpenAICompatible -AspectRatio "));
        Assert.Equal(new[] { "480p", "720p", "1080p" }, ps.Complete("New-Video -Provider FastRouter -Resolution "));
        Assert.Equal(new[] { "9:16" }, ps.Complete("New-Video -Provider FastRouter -AspectRatio 9"));
        Assert.Equal(new[] { "1080p" }, ps.Complete("New-Video -Provider FastRouter -Resolution 10"));
    }

    [Fact]
    public void With_no_provider_typed_every_providers_values_are_offered_once()
    {
        using var ps = Engine.Start();

        var durations = ps.Complete("New-Video -Prompt x -Duration ");
        var aspects = ps.Complete("New-Video -Prompt x -AspectRatio ");
        var resolutions = ps.Complete("New-Video -Prompt x -Resolution ");

        Assert.Equal(durations.Distinct().Count(), durations.Length);
        Assert.Equal(durations.OrderBy(int.Parse), durations);
        foreach (var value in new[] { "4", "5", "8", "12" })
        {
            Assert.Contains(value, durations);
        }
        foreach (var value in new[] { "16:9", "5:3", "21:9" })
        {
            Assert.Contains(value, aspects);
        }
        foreach (var value in new[] { "480p", "1080p", "4K" })
        {
            Assert.Contains(value, resolutions);
        }
        Assert.Equal(aspects.Distinct(StringComparer.OrdinalIgnoreCase).Count(), aspects.Length);
    }

    [Fact]
    public void Every_completed_value_passes_New_Video_validation_for_that_provider()
    {
        // What Tab offers, New-Video accepts: -WhatIf validates the row (an error names the field) and submits nothing.
        using var ps = Engine.Start();
        foreach (var (provider, model) in new[] { ("FastRouter", "google/veo3"), ("FastRouter", "openai/sora-2"), ("OpenRouter", "google/veo-3.1"), ("AppleRouter", "kling-v1"), ("OpenAICompatible", "sora-2"),
            ("Fal", "fal-ai/veo3.1"), ("Fal", "fal-ai/kling-video/v2.5-turbo/pro/text-to-video"), ("Fal", "fal-ai/minimax/hailuo-02/standard/text-to-video") })
        {
            foreach (var parameter in new[] { "Duration", "AspectRatio", "Resolution" })
            {
                foreach (var value in ps.Complete($"New-Video -Provider {provider} -Model {model} -{parameter} "))
                {
                    var result = ps.Run("New-Video -Prompt 'completion check' -Provider $args[0] -Model $args[1] -WhatIf -" + parameter + " $args[2]", provider, model, value);
                    Assert.Null(result.Terminating);
                    Assert.True(result.Errors.Count == 0, $"{provider} {model} -{parameter} {value}: " + string.Join("\n", result.Errors));
                }
            }
        }
    }

    [Fact]
    public void Get_Help_Full_of_New_Video_names_OpenAICompatible_in_the_synopsis_and_for_Provider()
    {
        using var ps = Engine.Start();

        var result = ps.Run(@"
            $help = Get-Help New-Video -Full
            [string]$help.Synopsis
            (($help.Parameters.Parameter | Where-Object Name -eq 'Provider').Description | ForEach-Object Text) -join ' '");

        Assert.Null(result.Terminating);
        Assert.Contains("OpenAICompatible", result.Output[0].ToString(), StringComparison.Ordinal);
        Assert.Contains("OpenAICompatible", result.Output[1].ToString(), StringComparison.Ordinal);
    }

    public static TheoryData<string> Cmdlets => new() { "New-Video", "Get-VideoStatus", "Wait-Video", "Save-Video", "Get-VideoJob", "Import-VideoJob", "Remove-Video" };

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Every_cmdlet_has_an_online_help_address_with_a_section_in_docs_cmdlets_md(string name)
    {
        using var ps = Engine.Start();

        var uri = ps.Run("(Get-Command $args[0]).HelpUri", name).Output.Single().ToString();
        var project = Regex.Match(File.ReadAllText(Repo.Manifest), @"ProjectUri\s*=\s*'([^']+)'").Groups[1].Value;

        Assert.Equal(project + "/blob/main/docs/cmdlets.md#" + name.ToLowerInvariant(), uri);
        // GitHub's anchor for a heading '## New-Video' is #new-video.
        var headings = Regex.Matches(File.ReadAllText(Repo.File("docs", "cmdlets.md")), @"(?m)^#{1,3} (.+?)\s*$").Select(m => m.Groups[1].Value.Trim().ToLowerInvariant().Replace(' ', '-'));
        Assert.Contains(name.ToLowerInvariant(), headings);
    }
}
