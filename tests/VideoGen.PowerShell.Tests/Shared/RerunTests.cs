using System.Management.Automation;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>Running the same rows again pays for nothing already paid for, and a run cut off after a rename poisons nothing.</summary>
public class RerunTests
{
    private static List<PSObject> Rows(string tag, string? changedPrompt = null) => Csv.Rows(
        "Name,Prompt\r\n" +
        "one,A red kite " + tag + "\r\n" +
        "two,Rain on a tin roof " + tag + "\r\n" +
        "three," + (changedPrompt ?? "Snow on pines") + " " + tag + "\r\n" +
        "four,A lighthouse at dawn " + tag + "\r\n" +
        "five,Dunes at noon " + tag + "\r\n");

    private const string Pipeline = "$rows | New-Video -Provider OpenRouter | Wait-Video | Save-Video -OutputDirectory $args[0]";

    [Fact]
    public void The_same_pipeline_twice_submits_each_row_once_and_the_second_run_writes_no_error()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var output = Path.Combine(ps.Directory, "twice");

        var first = ps.Set("rows", Rows(tag)).Run(Pipeline, output);
        var second = ps.Set("rows", Rows(tag)).Run("$VerbosePreference = 'Continue'; " + Pipeline, output);

        Assert.Empty(first.Errors);
        Assert.Equal(5, first.Output.Count);
        Assert.Empty(second.Errors);
        Assert.Equal(5, second.Output.Count);
        Assert.Equal(5, SharedEmulator.JobsTagged(tag).Count);
        Assert.Equal(5, Directory.GetFiles(output, "*.mp4").Length);
        Assert.Equal(first.Output.Select(o => o.Text("Id")).Order(), second.Output.Select(o => o.Text("Id")).Order());
        Assert.Equal(5, second.Verbose.Count(v => v.Message.Contains("was submitted before as task", StringComparison.Ordinal)));
        // Nothing already finished is waited for again: no poll in the second run.
        Assert.All(SharedEmulator.JobsTagged(tag), j => Assert.InRange(j.Polls, 1, 10));
        var pollsAfterFirst = SharedEmulator.JobsTagged(tag).Sum(j => j.Polls);

        var changed = ps.Set("rows", Rows(tag, "Fog over a harbour")).Run(Pipeline.Replace("Save-Video", "Save-Video -Force", StringComparison.Ordinal), output);

        Assert.Empty(changed.Errors);
        Assert.Equal(6, SharedEmulator.JobsTagged(tag).Count);
        Assert.Equal(pollsAfterFirst, SharedEmulator.JobsTagged(tag).Where(j => !j.Prompt.StartsWith("Fog", StringComparison.Ordinal)).Sum(j => j.Polls));
    }

    /// <summary>
    /// The journal keeps no video URL; FastRouter's and AppleRouter's downloads need one (OpenRouter's and the
    /// OpenAI-style route's need only the id). A job the journal gives back is polled once for it, not downloaded blind.
    /// </summary>
    [Theory]
    [InlineData("FastRouter", 2)] // its poll route, tried as the download, answers JSON (a URL to fetch): then one poll
    [InlineData("AppleRouter", 1)] // no result_url to fetch: one poll
    [InlineData("OpenRouter", 0)] // videos/{id}/content takes the id
    [InlineData("OpenAICompatible", 0)]
    public void The_same_rows_saved_again_into_another_folder_are_downloaded_without_paying_again(string provider, int pollsPerJob)
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var pipeline = "$rows | New-Video -Provider " + provider + " | Wait-Video | Save-Video -OutputDirectory $args[0]";

        var first = ps.Set("rows", Rows(tag)).Run(pipeline, Path.Combine(ps.Directory, "first"));
        var pollsAfterFirst = SharedEmulator.JobsTagged(tag).Sum(j => j.Polls);
        var second = ps.Set("rows", Rows(tag)).Run(pipeline, Path.Combine(ps.Directory, "second"));

        Assert.Empty(first.Errors);
        Assert.True(second.Errors.Count == 0, string.Join("\n", second.Errors));
        Assert.Equal(5, SharedEmulator.JobsTagged(tag).Count);
        // Requests to the poll route per job, where the download needs the URL the journal does not keep; none where the id is enough.
        Assert.Equal(pollsAfterFirst + 5 * pollsPerJob, SharedEmulator.JobsTagged(tag).Sum(j => j.Polls));
        foreach (var folder in new[] { "first", "second" })
        {
            var files = Directory.GetFiles(Path.Combine(ps.Directory, folder), "*.mp4");
            Assert.Equal(5, files.Length);
            Assert.All(files, Mp4.AssertMp4);
        }
    }

    /// <summary>FastRouter's bytes form: the finished poll answers the video itself, so Save-Video downloads it once, with no poll before.</summary>
    [Fact]
    public async Task FastRouter_answering_the_video_in_its_poll_is_downloaded_once()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync(o => o.FastRouterAnswersBytes = true);
        using var ps = Engine.Start();
        var uri = emulator.BaseUriFor("FastRouter").AbsoluteUri;
        var waited = ps.Run("New-Video -Prompt 'A kite over the bay' -Provider FastRouter -BaseUri $args[0] -Name bytes | Wait-Video", uri);
        Assert.True(waited.Errors.Count == 0, string.Join("\n", waited.Errors));
        var job = emulator.State.Jobs.Values.Single();
        var polls = job.Polls;

        var saved = ps.Set("job", waited.Output[0]).Run("$job | Save-Video -OutputDirectory $args[0]", Path.Combine(ps.Directory, "bytes"));

        Assert.True(saved.Errors.Count == 0, string.Join("\n", saved.Errors));
        Mp4.AssertMp4(Assert.Single(saved.Output).Text("Path")!);
        // One request to the poll route: the download itself.
        Assert.Equal(polls + 1, job.Polls);
    }

    /// <summary>
    /// A video URL carried from earlier (a file exported after Wait-Video) that the server no longer serves, as a signed
    /// URL that expired: Save-Video asks for a new one with one poll and saves; a second refusal is an error with the id.
    /// </summary>
    [Fact]
    public async Task A_stored_video_URL_no_longer_served_is_asked_for_again_once()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var uri = emulator.BaseUriFor("FastRouter").AbsoluteUri;
        var made = ps.Run("'A kite', 'A comet' | New-Video -Provider FastRouter -BaseUri $args[0] | Wait-Video", uri);
        Assert.True(made.Errors.Count == 0, string.Join("\n", made.Errors));
        var jobs = made.Output;
        Assert.Equal(2, jobs.Count);
        Assert.All(jobs, j => Assert.False(string.IsNullOrEmpty(j.Text("VideoUrl"))));
        var polls = emulator.State.Jobs.Values.Sum(j => j.Polls);
        emulator.State.AddFault(new VideoGen.Emulator.Fault { Route = "download", Provider = "files", Status = 403, Count = 1 });

        var saved = ps.Set("job", jobs[0]).Run("$job | Save-Video -OutputDirectory $args[0] -ThrottleLimit 1 -Verbose", Path.Combine(ps.Directory, "expired"));

        Assert.True(saved.Errors.Count == 0, string.Join("\n", saved.Errors));
        Mp4.AssertMp4(Assert.Single(saved.Output).Text("Path")!);
        Assert.Equal(polls + 1, emulator.State.Jobs.Values.Sum(j => j.Polls));
        Assert.Contains(saved.Verbose, v => v.Message.Contains("no longer served (HTTP 403)", StringComparison.Ordinal));

        emulator.State.AddFault(new VideoGen.Emulator.Fault { Route = "download", Provider = "files", Status = 403, Count = 2 });
        var refused = ps.Set("job", jobs[1]).Run("$job | Save-Video -OutputDirectory $args[0]", Path.Combine(ps.Directory, "expired"));

        Assert.Empty(refused.Output);
        var error = Assert.Single(refused.Errors);
        Assert.Contains(jobs[1].Text("Id")!, error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(polls + 2, emulator.State.Jobs.Values.Sum(j => j.Polls));
    }

    [Fact]
    public void A_failed_job_is_not_submitted_again_and_its_failure_is_reported_again_with_the_reason()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt\r\ndoomed,This one will [fail] " + tag + "\r\n");

        var first = ps.Set("rows", rows).Run("$rows | New-Video -Provider AppleRouter | Wait-Video");
        var second = ps.Set("rows", rows).Run("$rows | New-Video -Provider AppleRouter | Wait-Video");

        Assert.Single(SharedEmulator.JobsTagged(tag));
        var again = Assert.Single(second.Errors);
        Assert.Equal(Assert.Single(first.Errors).Exception.Message, again.Exception.Message);
        Assert.StartsWith("VideoGen.JobFailed", again.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal("Failed", Assert.Single(second.Output).Text("Status"));
    }

    [Fact]
    public void Force_submits_a_recorded_row_anew()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt\r\nagain,Paid twice on purpose " + tag + "\r\n");

        ps.Set("rows", rows).Run("$rows | New-Video -Provider FastRouter");
        var forced = ps.Set("rows", rows).Run("$rows | New-Video -Provider FastRouter -Force");

        Assert.Empty(forced.Errors);
        Assert.Equal(2, SharedEmulator.JobsTagged(tag).Count);
    }

    [Fact]
    public void A_run_cut_off_after_the_rename_but_before_the_saved_event_leaves_later_runs_and_resumes_clean()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var output = Path.Combine(ps.Directory, "cut");
        var first = ps.Set("rows", Rows(tag)).Run(Pipeline, output);
        Assert.Empty(first.Errors);
        // The state a kill leaves between the rename and the saved event: every file in place, its SHA-256 journaled by
        // the "placing" event just before the rename, and no "saved" event.
        Assert.Equal(5, StoreFile.Events(ps.Journal).Count(e => e.StartsWith("placing:", StringComparison.Ordinal)));
        StoreFile.Execute(ps.Journal, "DELETE FROM events WHERE event = 'saved'; UPDATE jobs SET saved = 0, saved_path = NULL, sha256 = NULL, last_event = 'placing'");
        Assert.Equal(5, ps.Run("Get-VideoJob").Output.Count);

        var again = ps.Set("rows", Rows(tag)).Run(Pipeline, output);
        var resumed = ps.Run("Get-VideoJob | Wait-Video | Save-Video -OutputDirectory $args[0]", output);
        var all = ps.Run("Get-VideoJob -All");

        Assert.Empty(again.Errors);
        Assert.Equal(5, again.Output.Count);
        Assert.Empty(resumed.Errors);
        Assert.Empty(resumed.Output);
        Assert.Equal(5, SharedEmulator.JobsTagged(tag).Count);
        Assert.Empty(ps.Run("Get-VideoJob").Output);
        Assert.Equal(5, all.Output.Count);
        Assert.All(all.Output, j =>
        {
            Assert.Equal("Succeeded", j.Text("Status"));
            Assert.Equal(true, j.Get("Saved"));
            Assert.StartsWith(output, j.Text("SavedPath"), StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Get_VideoJob_All_keeps_the_submission_time_after_Wait_Video()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();

        ps.Run("New-Video -Prompt ('Timed ' + $args[0]) -Provider FastRouter -Name timed | Wait-Video", tag);
        var all = Assert.Single(ps.Run("Get-VideoJob -All").Output);

        Assert.Equal("Succeeded", all.Text("Status"));
        Assert.NotNull(all.Get("SubmittedAt"));
    }
}
