using System.Management.Automation;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>What the cmdlets write besides output: progress, ShouldProcess, error records, and never the key.</summary>
public class StreamTests
{
    [Fact]
    public void Wait_Video_progress_completes_every_activity_it_opened_and_nests_job_bars_under_the_overall_bar()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt\r\na,One " + tag + "\r\nb,Two " + tag + "\r\nc,Three " + tag + "\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider OpenRouter | Wait-Video");

        Assert.Empty(result.Errors);
        Assert.Equal(3, result.Output.Count);
        Assert.NotEmpty(result.Progress);
        foreach (var id in result.Progress.Select(p => p.ActivityId).Distinct())
        {
            Assert.Contains(result.Progress, p => p.ActivityId == id && p.RecordType == ProgressRecordType.Completed);
        }
        var parent = result.Progress.First().ActivityId;
        Assert.Contains(result.Progress, p => p.ParentActivityId == parent);
        Assert.Equal(ProgressRecordType.Completed, result.Progress.Last(p => p.ActivityId == parent).RecordType);
    }

    [Fact]
    public void Save_Video_progress_completes_every_activity_it_opened()
    {
        using var ps = Engine.Start();
        var result = ps.Run("New-Video -Prompt ('Saved ' + $args[0]) -Provider AppleRouter | Wait-Video | Save-Video -OutputDirectory $args[1]",
            SharedEmulator.NewTag(), Path.Combine(ps.Directory, "p"));

        Assert.Empty(result.Errors);
        var saving = result.Progress.Where(p => p.Activity.StartsWith("Saving", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(saving);
        foreach (var id in result.Progress.Select(p => p.ActivityId).Distinct())
        {
            Assert.Contains(result.Progress, p => p.ActivityId == id && p.RecordType == ProgressRecordType.Completed);
        }
    }

    [Fact]
    public void WhatIf_submits_nothing_and_emits_nothing()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt\r\na,One " + tag + "\r\nb,Two " + tag + "\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider FastRouter -WhatIf");

        Assert.Null(result.Terminating);
        Assert.Empty(result.Output);
        Assert.Empty(result.Errors);
        Assert.Empty(SharedEmulator.JobsTagged(tag));
    }

    [Fact]
    public void Confirm_false_submits_every_row()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt\r\na,One " + tag + "\r\nb,Two " + tag + "\r\nc,Three " + tag + "\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider FastRouter -Confirm:$false");

        Assert.Equal(3, result.Output.Count);
        Assert.Equal(3, SharedEmulator.JobsTagged(tag).Count);
    }

    [Fact]
    public void Save_Video_WhatIf_writes_no_file()
    {
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "whatif");
        Directory.CreateDirectory(output);

        var result = ps.Run("New-Video -Prompt ('Not saved ' + $args[0]) -Provider OpenRouter -Name nosave | Wait-Video | Save-Video -OutputDirectory $args[1] -WhatIf",
            SharedEmulator.NewTag(), output);

        Assert.Empty(result.Errors);
        Assert.Empty(result.Output);
        Assert.Empty(Directory.GetFileSystemEntries(output));
    }

    [Theory]
    [InlineData("FastRouter")]
    [InlineData("OpenRouter")]
    [InlineData("AppleRouter")]
    [InlineData("OpenAICompatible")]
    public void The_key_appears_nowhere_with_Verbose_and_Debug_on_success_and_error_paths(string provider)
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var output = Path.Combine(ps.Directory, "leak");

        var result = ps.Run(@"
            $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'
            $extra = @{}; if ($args[0] -eq 'OpenAICompatible') { $extra.Duration = 8 }
            $jobs = @(New-Video -Prompt ('Leak check ' + $args[1]) -Provider $args[0] -Name ok @extra
                      New-Video -Prompt ('Leak check [fail] ' + $args[1]) -Provider $args[0] -Name bad @extra)
            $jobs
            $jobs | Wait-Video | Save-Video -OutputDirectory $args[2]
            Get-VideoStatus -Id no-such-task-0001 -Provider $args[0] -Model google/veo3", provider, tag, output);

        Assert.NotEmpty(result.Verbose);
        Assert.NotEmpty(result.Debug);
        Assert.True(result.Errors.Count >= 2, "expected the failed job and the unknown id to be errors: " + string.Join("\n", result.Errors));
        Assert.Contains(result.Output, o => o.TypeNames[0] == "VideoGen.Core.SavedVideo");
        var everything = result.AllText() + "\n" + Csv.Export(result.Output.Where(o => o.TypeNames[0] == "VideoGen.Core.VideoJob")) + "\n" + File.ReadAllText(ps.Journal);
        Assert.Contains("ok", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(SharedEmulator.Key, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(SharedEmulator.Key[..12], everything, StringComparison.Ordinal);
    }

    [Fact]
    public void Verbose_and_debug_lines_follow_the_callers_preference_however_it_is_given()
    {
        // The cmdlets drop (neither sanitize nor queue) the lines their preference would hide: what shows must not change.
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();

        var result = ps.Run(@"
            function Invoke-Batch { [CmdletBinding()] param($tag) New-Video -Prompt ('Prefs ' + $tag) -Provider OpenRouter -Name f | Wait-Video }
            $VerbosePreference = 'SilentlyContinue'; $DebugPreference = 'SilentlyContinue'
            New-Video -Prompt ('Prefs quiet ' + $args[0]) -Provider OpenRouter -Name q | Wait-Video
            New-Video -Prompt ('Prefs switches ' + $args[0]) -Provider OpenRouter -Name s -Verbose -Debug | Wait-Video -Verbose -Debug
            Invoke-Batch $args[0] -Verbose
            $VerbosePreference = 'Continue'
            New-Video -Prompt ('Prefs preference ' + $args[0]) -Provider OpenRouter -Name p | Wait-Video
            New-Video -Prompt ('Prefs off ' + $args[0]) -Provider OpenRouter -Name o -Verbose:$false | Wait-Video -Verbose:$false", tag);

        Assert.Empty(result.Errors);
        Assert.Equal(5, result.Output.Count);
        // Each phase's lines name its job: the quiet and -Verbose:$false phases write none, the others write theirs.
        string Verbose() => string.Join("\n", result.Verbose.Select(v => v.Message));
        string Debug() => string.Join("\n", result.Debug.Select(d => d.Message));
        var jobs = result.Output.ToDictionary(o => (string)o.Properties["Name"].Value, o => (string)o.Properties["Id"].Value);
        Assert.DoesNotContain(jobs["q"], Verbose() + Debug());
        Assert.DoesNotContain(jobs["o"], Verbose() + Debug());
        Assert.Contains(jobs["s"], Verbose());
        Assert.Contains("Poll answer for " + jobs["s"], Debug());
        Assert.Contains(jobs["f"], Verbose());
        Assert.Contains(jobs["p"], Verbose());
        Assert.DoesNotContain("Poll answer for " + jobs["p"], Debug());
    }
}
