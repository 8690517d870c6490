using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>Ctrl+C (PowerShell.Stop()): returns promptly, loses no task id, leaves no temporary file.</summary>
public class StopTests
{
    [Fact]
    public void Stop_during_Wait_Video_returns_promptly_and_every_id_stays_in_the_journal()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt\r\na,A [slow] one " + tag + "\r\nb,A [slow] two " + tag + "\r\n");
        var submitted = ps.Set("rows", rows).Run("$rows | New-Video -Provider OpenRouter");
        Assert.Equal(2, submitted.Output.Count);
        var polled = 0;

        var (result, took) = ps.Set("jobs", submitted.Output).RunAndStop("$jobs | Wait-Video",
            () => (polled = SharedEmulator.JobsTagged(tag).Sum(j => j.Polls)) >= 2, TimeSpan.FromSeconds(30));

        Assert.True(polled >= 2);
        Assert.True(took < TimeSpan.FromSeconds(10), "Stop took " + took);
        Assert.Empty(result.Output);
        var journal = File.ReadAllText(ps.Journal);
        Assert.All(SharedEmulator.JobsTagged(tag), j => Assert.Contains(j.Id, journal, StringComparison.Ordinal));
        Assert.Equal(2, ps.Run("Get-VideoJob").Output.Count);
    }

    [Fact]
    public async Task Stop_during_Save_Video_leaves_no_temporary_or_partial_file()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync(o => { o.JobDuration = TimeSpan.Zero; o.FileSize = 1L << 30; });
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "stopped");
        Directory.CreateDirectory(output);
        var job = ps.Run("New-Video -Prompt 'A large file' -Provider OpenRouter -BaseUri $args[0] -Name big | Wait-Video", emulator.BaseUriFor("OpenRouter").AbsoluteUri);
        Assert.Empty(job.Errors);

        var (result, took) = ps.Set("job", job.Output[0]).RunAndStop("$job | Save-Video -OutputDirectory $args[0]",
            () => Directory.GetFileSystemEntries(output).Length > 0, TimeSpan.FromSeconds(30), output);

        Assert.True(took < TimeSpan.FromSeconds(10), "Stop took " + took);
        Assert.Empty(result.Output);
        // The temporary file is removed on cancel; a final file appears only when complete and verified.
        var left = Directory.GetFileSystemEntries(output);
        Assert.True(left.Length == 0 || (left.Length == 1 && new FileInfo(left[0]).Length == 1L << 30 && left[0].EndsWith("big.mp4", StringComparison.Ordinal)),
            "left behind: " + string.Join(", ", left));
    }
}

/// <summary>Ctrl+C while submissions are in flight: every id the provider created is journaled and named.</summary>
public class StopDuringSubmissionTests
{
    [Fact]
    public async Task Stop_with_four_submissions_in_flight_loses_no_task_id()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        // Each job is created at once; its answer comes 1.5 s later.
        emulator.State.AddFault(new VideoGen.Emulator.Fault { Route = "submit", Provider = "openrouter", Status = 200, DelayMs = 1500, Count = 4 });
        // A console host: once PowerShell is stopping it refuses writes to the streams, so the warning naming the ids goes
        // to the host, as an admin at the console or a transcript sees it.
        var console = new TextHost(120);
        using var ps = Engine.Start(host: console);
        var rows = Csv.Rows("Name,Prompt\r\na,One\r\nb,Two\r\nc,Three\r\nd,Four\r\n");

        var (result, took) = ps.Set("rows", rows).RunAndStop("$rows | New-Video -Provider OpenRouter -BaseUri $args[0] -ThrottleLimit 4",
            () => emulator.State.Submissions >= 4, TimeSpan.FromSeconds(30), emulator.BaseUriFor("OpenRouter").AbsoluteUri);

        var created = emulator.State.Jobs.Keys.ToList();
        Assert.Equal(4, created.Count);
        Assert.True(took < TimeSpan.FromSeconds(35), "Stop took " + took);
        var journal = File.ReadAllText(ps.Journal);
        var named = string.Join("\n", result.Warnings.Select(w => w.Message)) + string.Join("\n", console.WarningLines) + string.Join("\n", result.Output.Select(o => o.Text("Id")));
        Assert.All(created, id =>
        {
            Assert.Contains(id, journal, StringComparison.Ordinal);
            Assert.Contains(id, named, StringComparison.Ordinal);
        });
        Assert.Equal(4, ps.Run("Get-VideoJob").Output.Count);
    }

    [Fact]
    public async Task Stop_with_a_remix_whose_answer_does_not_come_names_the_row()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        var console = new TextHost(200);
        using var ps = Engine.Start(host: console);
        var uri = emulator.BaseUriFor("OpenAICompatible").AbsoluteUri;
        var done = RemixTests.FinishedVideo(ps, uri, "A dam");
        // The remix is created at once; its answer comes after 33 s, past the 30 s Ctrl+C waits for answers.
        emulator.State.AddFault(new VideoGen.Emulator.Fault { Route = "remix", Provider = "applerouter", Status = 200, DelayMs = 33000, Count = 1 });

        var (result, _) = ps.Set("done", done).RunAndStop("New-Video -RemixOf $done -Prompt 'The dam in fog' -Name fog -Provider OpenAICompatible -BaseUri $args[0]",
            () => emulator.State.Remixes >= 1, TimeSpan.FromSeconds(30), uri);

        var named = string.Join("\n", result.Warnings.Select(w => w.Message)) + string.Join("\n", console.WarningLines);
        Assert.Contains("Stopped while row 1 ('fog') was being submitted", named, StringComparison.Ordinal);
        Assert.Contains("may have been created", named, StringComparison.Ordinal);
    }
}
