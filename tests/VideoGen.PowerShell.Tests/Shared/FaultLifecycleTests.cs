using System.Management.Automation;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// Issue 11, through the real cmdlets: the emulator's answer-shape and lifecycle switches (fastRouterSoraJson,
/// fastRouterSubmitStatus, fastRouterAnswerModel, appleRouterQueuedStatus, resultTtlSeconds with expiredAnswer,
/// acceptUnknownFields) and the prompt markers [cancel] and [expire]. Each test has its own emulator.
/// </summary>
public class FaultLifecycleTests
{
    [Fact]
    public async Task FastRouters_documented_Sora_json_is_waited_for_as_Succeeded_and_Save_Video_refuses_it_as_a_video_naming_the_id()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync(o => o.FastRouterSoraJson = true);
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "sora");

        var done = ps.Run("New-Video -Prompt 'A Sora clip' -Provider FastRouter -Model openai/sora-2 -Duration 8 -BaseUri $args[0] -Name sora | Wait-Video -TimeoutSec 60",
            emulator.BaseUriFor("FastRouter").AbsoluteUri);
        Assert.Empty(done.Errors);
        var job = Assert.Single(done.Output);
        var id = job.Text("Id")!;
        Assert.Equal("Succeeded", job.Text("Status"));
        Assert.Equal("completed", job.Text("ProviderStatus"));

        var saved = ps.Set("job", job).Run("$job | Save-Video -OutputDirectory $args[0]", output);

        // Where this documented shape's video is downloaded from is not documented: JSON is never saved as a video.
        Assert.Empty(saved.Output);
        var error = Assert.Single(saved.Errors);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Contains(id, error.Exception.Message, StringComparison.Ordinal);
        Assert.True(!Directory.Exists(output) || Directory.GetFileSystemEntries(output).Length == 0,
            "left behind: " + (Directory.Exists(output) ? string.Join(", ", Directory.GetFileSystemEntries(output)) : string.Empty));
        Assert.Contains(ps.Run("Get-VideoJob").Output, j => j.Text("Id") == id);
    }

    [Theory]
    [InlineData("google/veo3", "queued", "Queued")]
    [InlineData("google/veo3", "processing", "Running")]
    [InlineData("openai/sora-2", "in_progress", "Running")]
    [InlineData("openai/sora-2", "completed", "Succeeded")]
    public async Task Every_documented_FastRouter_submit_status_is_shown_by_New_Video_and_the_job_is_then_saved(string model, string status, string shown)
    {
        // "completed" at submission means the video is ready: the emulator's job must then be finished too (its lifecycle
        // otherwise still answers the poll, which is where Sora's bytes come from, with a running status).
        await using var emulator = await SharedEmulator.StartPrivateAsync(o =>
        {
            o.FastRouterSubmitStatus = status;
            if (status == "completed")
            {
                o.JobDuration = TimeSpan.Zero;
            }
        });
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "status");

        var created = ps.Run("New-Video -Prompt 'A status' -Provider FastRouter -Model $args[1] -Duration 8 -BaseUri $args[0] -Name clip",
            emulator.BaseUriFor("FastRouter").AbsoluteUri, model);

        Assert.Empty(created.Errors);
        var job = Assert.Single(created.Output);
        Assert.Equal(shown, job.Text("Status"));
        Assert.Equal(status, job.Text("ProviderStatus"));
        Assert.Contains(job.Text("Id")!, File.ReadAllText(ps.Journal), StringComparison.Ordinal);

        var saved = ps.Set("job", job).Run("$job | Wait-Video -TimeoutSec 60 | Save-Video -OutputDirectory $args[0]", output);

        Assert.True(saved.Errors.Count == 0, string.Join("\n", saved.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)));
        Assert.Equal(job.Text("Id"), Assert.Single(saved.Output).Text("Id"));
        Mp4.AssertMp4(Path.Combine(output, "clip.mp4"));
    }

    [Fact]
    public async Task A_FastRouter_answer_naming_another_model_still_waits_and_saves_with_the_model_sent()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync(o => o.FastRouterAnswerModel = "google/veo3-fast");
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "model");

        var created = ps.Run("New-Video -Prompt 'Another model' -Provider FastRouter -Model google/veo3 -BaseUri $args[0] -Name model", emulator.BaseUriFor("FastRouter").AbsoluteUri);
        Assert.Empty(created.Errors);
        var job = Assert.Single(created.Output);
        Assert.Equal("google/veo3", job.Text("Model"));

        var result = ps.Set("job", job).Run("$job | Wait-Video -TimeoutSec 60 | Save-Video -OutputDirectory $args[0]", output);

        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)));
        Assert.Single(result.Output);
        Mp4.AssertMp4(Path.Combine(output, "model.mp4"));
        Assert.Equal("google/veo3", emulator.State.Jobs[job.Text("Id")!].Model);
    }

    [Theory]
    [InlineData("NOT_START", "Queued")]
    [InlineData("SUBMITTED", "Queued")]
    [InlineData("UNKNOWN", "Running")]
    public async Task AppleRouters_early_statuses_are_shown_while_queued_and_Wait_Video_then_finishes(string status, string shown)
    {
        // Queued for the first fifth of the job: 4 s, so the first poll (after 1 s: -PollIntervalSec overrides AppleRouter's advised 10 s) sees it even on a slow machine.
        await using var emulator = await SharedEmulator.StartPrivateAsync(o => { o.AppleRouterQueuedStatus = status; o.JobDuration = TimeSpan.FromSeconds(20); });
        using var ps = Engine.Start();
        var created = ps.Run("New-Video -Prompt 'Early status' -Provider AppleRouter -BaseUri $args[0] -Name early", emulator.BaseUriFor("AppleRouter").AbsoluteUri);
        Assert.Empty(created.Errors);
        var id = Assert.Single(created.Output).Text("Id")!;

        var polled = ps.Set("job", created.Output[0]).Run("$job | Get-VideoStatus");
        Assert.Empty(polled.Errors);
        var early = Assert.Single(polled.Output);
        // The job as Get-VideoStatus saw it goes on to Wait-Video, whose bar shows it from the start: on a loaded machine its
        // first poll may come after the queued phase, but the early status it was given is on the bar before that.
        var waited = ps.Set("job", early).Run("$job | Wait-Video -TimeoutSec 60 -PollIntervalSec 1");

        Assert.Equal(shown, early.Text("Status"));
        Assert.Equal(status, early.Text("ProviderStatus"));
        Assert.Empty(waited.Errors);
        var job = Assert.Single(waited.Output);
        Assert.Equal(id, job.Text("Id"));
        Assert.Equal("Succeeded", job.Text("Status"));
        // Wait-Video's bar for the job showed the early status while it lasted.
        Assert.Contains(waited.Progress, p => (p.StatusDescription ?? string.Empty).Contains(shown + " (" + status + ")", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("OpenRouter", "json")]
    [InlineData("AppleRouter", "empty")]
    [InlineData("FastRouter", "html")]
    [InlineData("OpenRouter", "html")]
    public async Task Save_Video_of_a_result_that_expired_after_the_wait_is_ObjectNotFound_naming_the_id(string provider, string answer)
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync(o => o.ExpiredAnswer = answer);
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "late");
        var done = ps.Run("New-Video -Prompt 'A late save' -Provider " + provider + " -BaseUri $args[0] -Name late | Wait-Video -TimeoutSec 60", emulator.BaseUriFor(provider).AbsoluteUri);
        Assert.Empty(done.Errors);
        var id = Assert.Single(done.Output).Text("Id")!;
        emulator.Options.ResultTtl = TimeSpan.Zero;

        var result = ps.Set("job", done.Output[0]).Run("$job | Save-Video -OutputDirectory $args[0]", output);

        Assert.Null(result.Terminating);
        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("VideoGen.NotFound,VideoGen.Commands.SaveVideoCommand", error.FullyQualifiedErrorId);
        Assert.Contains(id, error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains(id, PSObject.AsPSObject(error.TargetObject).ToString(), StringComparison.Ordinal);
        Assert.True(!Directory.Exists(output) || Directory.GetFileSystemEntries(output).Length == 0);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("empty")]
    [InlineData("html")]
    public async Task Wait_Video_for_a_result_that_expired_before_it_was_polled_is_ObjectNotFound_naming_the_id_and_emits_no_job(string answer)
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync(o => { o.ResultTtl = TimeSpan.Zero; o.ExpiredAnswer = answer; });
        using var ps = Engine.Start();
        var created = ps.Run("New-Video -Prompt 'Expired before the poll' -Provider OpenRouter -BaseUri $args[0] -Name gone", emulator.BaseUriFor("OpenRouter").AbsoluteUri);
        Assert.Empty(created.Errors);
        var id = Assert.Single(created.Output).Text("Id")!;

        var result = ps.Set("job", created.Output[0]).Run("$job | Wait-Video -TimeoutSec 60");

        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("VideoGen.NotFound,VideoGen.Commands.WaitVideoCommand", error.FullyQualifiedErrorId);
        Assert.Contains(id, error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(id, PSObject.AsPSObject(error.TargetObject).Text("Id"));
    }

    [Theory]
    [InlineData("FastRouter", false)]
    [InlineData("OpenRouter", false)]
    [InlineData("AppleRouter", false)]
    [InlineData("OpenAICompatible", false)]
    [InlineData("FastRouter", true)]
    [InlineData("OpenRouter", true)]
    [InlineData("AppleRouter", true)]
    [InlineData("OpenAICompatible", true)]
    public async Task The_full_pipeline_with_every_option_set_works_against_a_strict_and_a_lenient_provider(string provider, bool acceptUnknownFields)
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync(o => o.AcceptUnknownFields = acceptUnknownFields);
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "fields");
        var options = provider switch
        {
            "FastRouter" => " -Duration 8 -AspectRatio 16:9 -Resolution 720p -Seed 7 -GenerateAudio true",
            "OpenRouter" => " -Duration 8 -AspectRatio 16:9 -Resolution 720p -Seed 7 -GenerateAudio true",
            "AppleRouter" => " -Duration 8 -AspectRatio 16:9",
            _ => " -Duration 8 -Size 1280x720",
        };

        var result = ps.Run("New-Video -Prompt 'Every field' -Provider " + provider + options + " -BaseUri $args[0] -Name fields | Wait-Video -TimeoutSec 60 | Save-Video -OutputDirectory $args[1]",
            emulator.BaseUriFor(provider).AbsoluteUri, output);

        // A strict provider answers 400 to any field its document does not list; the cmdlets send none.
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)));
        Assert.Single(result.Output);
        Assert.Equal(1, emulator.State.Submissions);
        Mp4.AssertMp4(Path.Combine(output, "fields.mp4"));
    }

    [Theory]
    [InlineData("[cancel]", "Cancelled", "cancelled")]
    [InlineData("[expire]", "Expired", "expired")]
    public async Task An_OpenRouter_job_that_ends_cancelled_or_expired_is_an_error_naming_the_id_and_the_job_is_emitted_with_that_status(string marker, string status, string providerStatus)
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "ended");
        var created = ps.Run("New-Video -Prompt ('A fox ' + $args[1]) -Provider OpenRouter -BaseUri $args[0] -Name ended", emulator.BaseUriFor("OpenRouter").AbsoluteUri, marker);
        Assert.Empty(created.Errors);
        var id = Assert.Single(created.Output).Text("Id")!;

        var result = ps.Set("job", created.Output[0]).Run("$job | Wait-Video -TimeoutSec 60");

        var job = Assert.Single(result.Output);
        Assert.Equal(id, job.Text("Id"));
        Assert.Equal(status, job.Text("Status"));
        Assert.Equal(providerStatus, job.Text("ProviderStatus"));
        var error = Assert.Single(result.Errors);
        Assert.Equal("VideoGen.JobFailed,VideoGen.Commands.WaitVideoCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.NotSpecified, error.CategoryInfo.Category);
        Assert.Contains(id, error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("ended " + status, error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(id, PSObject.AsPSObject(error.TargetObject).Text("Id"));
        // Ended without a video: recorded, so a resume does not wait for it again.
        Assert.DoesNotContain(ps.Run("Get-VideoJob").Output, j => j.Text("Id") == id);
        Assert.Contains(ps.Run("Get-VideoJob -All").Output, j => j.Text("Id") == id);
        // Piped on, Save-Video saves nothing and does not report the same problem twice; -Verbose says why, with the id.
        var saved = ps.Set("job", job).Run("$job | Save-Video -OutputDirectory $args[0] -Verbose", output);
        Assert.Empty(saved.Output);
        Assert.Empty(saved.Errors);
        Assert.Contains(saved.Verbose, v => v.Message.Contains(id, StringComparison.Ordinal) && v.Message.Contains(status, StringComparison.Ordinal));
        Assert.True(!Directory.Exists(output) || Directory.GetFileSystemEntries(output).Length == 0);
    }
}
