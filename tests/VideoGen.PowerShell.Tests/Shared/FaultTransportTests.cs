using System.Management.Automation;
using VideoGen.Emulator;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// Issue 11, through the real cmdlets: answers that stall, redirect to another host name, arrive slowly, and result
/// files that need the key. Each test has its own emulator.
/// <para>The stall tests use the client's default 30 s body-inactivity timeout: the cmdlets offer no way to shorten it
/// (no parameter or environment variable; the shared client is built with VideoGenClientOptions' defaults), so each of
/// them takes a little over 30 s.</para>
/// </summary>
public class FaultTransportTests
{
    [Fact]
    public async Task A_poll_answer_that_stalls_half_way_costs_one_retry_and_Wait_Video_still_emits_the_finished_job()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var created = ps.Run("New-Video -Prompt 'A stalled poll' -Provider OpenRouter -BaseUri $args[0] -Name stalled", emulator.BaseUriFor("OpenRouter").AbsoluteUri);
        Assert.Empty(created.Errors);
        var id = Assert.Single(created.Output).Text("Id")!;
        emulator.State.AddFault(new Fault { Route = "poll", Provider = "openrouter", Status = 200, StallAfterBytes = 20 });

        // -TimeoutSec bounds the test if the stall were never detected.
        var result = ps.Set("job", created.Output[0]).Run("$job | Wait-Video -TimeoutSec 90 -Verbose");

        Assert.Empty(result.Errors);
        var job = Assert.Single(result.Output);
        Assert.Equal(id, job.Text("Id"));
        Assert.Equal("Succeeded", job.Text("Status"));
        Assert.True(emulator.State.Jobs[id].Polls >= 2, "polls: " + emulator.State.Jobs[id].Polls);
        Assert.Contains(result.Verbose, v => v.Message.StartsWith("Retry 1 of", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_download_that_stalls_half_way_resumes_and_Save_Video_saves_the_whole_file()
    {
        const int size = 256 * 1024;
        await using var emulator = await SharedEmulator.StartPrivateAsync(o => o.FileSize = size);
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "stalled");
        var done = ps.Run("New-Video -Prompt 'A stalled download' -Provider FastRouter -BaseUri $args[0] -Name stalled | Wait-Video -TimeoutSec 60",
            emulator.BaseUriFor("FastRouter").AbsoluteUri);
        Assert.Empty(done.Errors);
        var id = Assert.Single(done.Output).Text("Id")!;
        emulator.State.AddFault(new Fault { Route = "download", Provider = "files", Status = 200, StallAfterBytes = 100_000 });

        var result = ps.Set("job", done.Output[0]).Run("$job | Save-Video -OutputDirectory $args[0] -Verbose", output);

        Assert.Empty(result.Errors);
        var saved = Assert.Single(result.Output);
        Assert.Equal(id, saved.Text("Id"));
        var path = Path.Combine(output, "stalled.mp4");
        Assert.Equal(size, new FileInfo(path).Length);
        Assert.Equal(size, Convert.ToInt64(saved.Get("Length"), System.Globalization.CultureInfo.InvariantCulture));
        Mp4.AssertMp4(path);
        Assert.Equal(2, emulator.State.Jobs[id].Downloads);
        Assert.Equal(new[] { "stalled.mp4" }, Directory.GetFileSystemEntries(output).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData(302)]
    [InlineData(307)]
    public async Task A_download_redirected_to_another_host_name_is_saved_without_sending_the_key_there(int status)
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "redirected");
        var done = ps.Run("New-Video -Prompt 'A redirected file' -Provider FastRouter -BaseUri $args[0] -Name redirected | Wait-Video -TimeoutSec 60",
            emulator.BaseUriFor("FastRouter").AbsoluteUri);
        Assert.Empty(done.Errors);
        emulator.State.AddFault(new Fault { Route = "download", Provider = "files", Status = status, RedirectToHost = "localhost" });

        var result = ps.Set("job", done.Output[0]).Run("$job | Save-Video -OutputDirectory $args[0] -Verbose -Debug", output);

        Assert.Empty(result.Errors);
        Assert.Equal(done.Output[0].Text("Id"), Assert.Single(result.Output).Text("Id"));
        Mp4.AssertMp4(Path.Combine(output, "redirected.mp4"));
        // The file was asked for on the provider's host with the key, then on the other host name without it.
        Assert.Equal(new[] { ("127.0.0.1", true), ("localhost", false) }, emulator.State.FileRequests);
        Assert.Equal(0, emulator.State.Unauthorized);
        Assert.DoesNotContain(SharedEmulator.Key, result.AllText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_submit_answer_still_emits_the_job_and_journals_it()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        emulator.State.AddFault(new Fault { Route = "submit", Provider = "fastrouter", Status = 200, DelayMs = 3000 });
        using var ps = Engine.Start();

        var result = ps.Run("New-Video -Prompt 'A slow answer' -Provider FastRouter -BaseUri $args[0] -Name slow", emulator.BaseUriFor("FastRouter").AbsoluteUri);

        Assert.Empty(result.Errors);
        var job = Assert.Single(result.Output);
        var id = job.Text("Id")!;
        Assert.Equal(1, emulator.State.Submissions);
        Assert.Equal(id, Assert.Single(emulator.State.Jobs.Keys));
        Assert.Contains(id, File.ReadAllText(ps.Journal), StringComparison.Ordinal);
        var listed = Assert.Single(ps.Run("Get-VideoJob").Output);
        Assert.Equal(id, listed.Text("Id"));
        Assert.Equal("slow", listed.Text("Name"));
        // And it is followed to the end like any other.
        var finished = ps.Run("Get-VideoJob | Wait-Video -TimeoutSec 60 | Save-Video -OutputDirectory $args[0]", Path.Combine(ps.Directory, "slow"));
        Assert.Empty(finished.Errors);
        Mp4.AssertMp4(Path.Combine(ps.Directory, "slow", "slow.mp4"));
    }

    [Fact]
    public async Task Files_that_require_the_key_are_saved_from_the_providers_host_and_refused_off_host_with_the_id()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync(o => o.FilesRequireKey = true);
        var baseUri = emulator.BaseUriFor("FastRouter").AbsoluteUri;
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "keyed");
        var own = ps.Run("New-Video -Prompt 'Own host' -Provider FastRouter -BaseUri $args[0] -Name own | Wait-Video -TimeoutSec 60", baseUri);
        Assert.Empty(own.Errors);
        emulator.Options.FileHost = "localhost";
        var other = ps.Run("New-Video -Prompt 'Other host' -Provider FastRouter -BaseUri $args[0] -Name other | Wait-Video -TimeoutSec 60", baseUri);
        Assert.Empty(other.Errors);
        var otherId = other.Output[0].Text("Id")!;

        var savedOwn = ps.Set("job", own.Output[0]).Run("$job | Save-Video -OutputDirectory $args[0]", output);
        var savedOther = ps.Set("job", other.Output[0]).Run("$job | Save-Video -OutputDirectory $args[0] -Verbose -Debug", output);

        Assert.Empty(savedOwn.Errors);
        Mp4.AssertMp4(Path.Combine(output, "own.mp4"));
        Assert.Empty(savedOther.Output);
        var error = Assert.Single(savedOther.Errors);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.Equal("VideoGen.Authentication,VideoGen.Commands.SaveVideoCommand", error.FullyQualifiedErrorId);
        Assert.Contains(otherId, error.Exception.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(output, "other.mp4")));
        Assert.DoesNotContain(emulator.State.FileRequests, r => r.Host == "localhost" && r.WithKey);
        Assert.Contains(emulator.State.FileRequests, r => r.Host == "localhost" && !r.WithKey);
        Assert.DoesNotContain(SharedEmulator.Key, savedOther.AllText(), StringComparison.Ordinal);
        // Not saved, so still listed to resume.
        Assert.Contains(ps.Run("Get-VideoJob").Output, j => j.Text("Id") == otherId);
    }
    [Fact]
    public async Task Ctrl_C_while_a_slow_submit_answer_is_on_its_way_still_journals_the_job_it_created()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        emulator.State.AddFault(new Fault { Route = "submit", Provider = "openrouter", Status = 200, DelayMs = 3000 });
        using var ps = Engine.Start();

        // The job exists at the provider as soon as the submission arrives; the answer with its id comes 3 s later.
        var (result, _) = ps.RunAndStop("New-Video -Prompt 'Stopped while answering' -Provider OpenRouter -BaseUri $args[0] -Name stopped",
            () => emulator.State.Submissions >= 1, TimeSpan.FromSeconds(30), emulator.BaseUriFor("OpenRouter").AbsoluteUri);

        var id = Assert.Single(emulator.State.Jobs.Keys);
        Assert.Empty(result.Output);
        Assert.Contains(id, File.ReadAllText(ps.Journal), StringComparison.Ordinal);
        var listed = Assert.Single(ps.Run("Get-VideoJob").Output);
        Assert.Equal(id, listed.Text("Id"));
        Assert.Equal("stopped", listed.Text("Name"));
    }

    [Fact]
    public async Task A_submit_answer_that_stalls_half_way_says_a_job_may_exist_and_is_not_sent_twice()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        emulator.State.AddFault(new Fault { Route = "submit", Provider = "openrouter", Status = 200, StallAfterBytes = 5 });
        using var ps = Engine.Start();

        var result = ps.Run("New-Video -Prompt 'A stalled answer' -Provider OpenRouter -BaseUri $args[0] -Name stalled", emulator.BaseUriFor("OpenRouter").AbsoluteUri);

        Assert.Null(result.Terminating);
        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.Equal("VideoGen.SubmissionOutcomeUnknown,VideoGen.Commands.NewVideoCommand", error.FullyQualifiedErrorId);
        Assert.Contains("('stalled')", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("may have been created", error.Exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SharedEmulator.Key, result.AllText(), StringComparison.Ordinal);
        Assert.Equal(1, emulator.State.Submissions); // one job at the provider, not a second paid one
    }
}
