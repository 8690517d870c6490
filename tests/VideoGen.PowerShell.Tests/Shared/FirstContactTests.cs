using System.Management.Automation;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>What an admin meets first: one error per problem, checked before money is spent, commands ready to paste.</summary>
public class FirstContactTests
{
    [Fact]
    public void A_timed_out_job_is_one_error_not_one_in_Wait_Video_and_another_in_Save_Video()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();

        var result = ps.Run("New-Video -Prompt ('A [slow] dawn ' + $args[0]) -Provider OpenRouter -Name slow | Wait-Video -TimeoutSec 1 | Save-Video -OutputDirectory $args[1]",
            tag, Path.Combine(ps.Directory, "timeout"));

        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.OperationTimeout, error.CategoryInfo.Category);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void A_read_only_output_directory_stops_the_pipeline_before_anything_is_submitted()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        // A path under a regular file can never be created, whoever runs the test (root ignores permission bits).
        var blocker = Path.Combine(ps.Directory, "not-a-folder");
        File.WriteAllText(blocker, "x");
        var output = Path.Combine(blocker, "videos");

        var result = ps.Run("New-Video -Prompt ('Never paid ' + $args[0]) -Provider FastRouter | Wait-Video | Save-Video -OutputDirectory $args[1]", tag, output);

        var error = (result.Terminating as RuntimeException)?.ErrorRecord ?? Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        Assert.StartsWith("VideoGen.PathNotWritable", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains(output, error.Exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".partial", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(SharedEmulator.JobsTagged(tag));
    }

    [Fact]
    public void An_unwritable_journal_stops_New_Video_before_anything_is_submitted()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var blocker = Path.Combine(ps.Directory, "file");
        File.WriteAllText(blocker, "x");

        var result = ps.Run("New-Video -Prompt ('Never paid ' + $args[0]) -Provider FastRouter -JournalPath $args[1]", tag, Path.Combine(blocker, "journal.db"));

        var error = (result.Terminating as RuntimeException)?.ErrorRecord ?? Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        Assert.StartsWith("VideoGen.JournalNotWritable", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Empty(SharedEmulator.JobsTagged(tag));
    }

    [Fact]
    public void FastRouter_Id_without_Model_is_refused_locally_with_what_to_add()
    {
        using var ps = Engine.Start();
        var before = SharedEmulator.Server.State.TotalPolls;

        var result = ps.Run("Wait-Video -Id abc123 -Provider FastRouter");

        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("-Model", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void An_unknown_id_is_an_error_with_a_ready_to_run_command_and_no_job()
    {
        using var ps = Engine.Start();

        var result = ps.Run("Wait-Video -Id no-such-task-77 -Provider OpenRouter");

        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("Get-VideoStatus -Id no-such-task-77 -Provider OpenRouter", error.ErrorDetails?.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_job_recommends_a_command_with_provider_and_model()
    {
        using var ps = Engine.Start();

        var result = ps.Run("New-Video -Prompt ('It will [fail] ' + $args[0]) -Provider FastRouter -Model google/veo3 | Wait-Video", SharedEmulator.NewTag());

        var error = Assert.Single(result.Errors);
        Assert.Matches(@"Get-VideoStatus -Id \S+ -Provider FastRouter -Model 'google/veo3'", error.ErrorDetails?.RecommendedAction);
    }

    [Fact]
    public void A_plain_text_ApiKey_is_accepted_with_a_warning_saying_how_to_pass_it_safely()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();

        var result = ps.Run("New-Video -Prompt ('Plain key ' + $args[0]) -Provider AppleRouter -ApiKey $args[1]", tag, SharedEmulator.Key);

        Assert.Empty(result.Errors);
        Assert.Single(SharedEmulator.JobsTagged(tag));
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("Get-Secret", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SharedEmulator.Key, result.AllText(), StringComparison.Ordinal);
    }
}
