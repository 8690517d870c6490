using System.Management.Automation;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// Issue 17: Remove-Video on the OpenAI-style route, against an emulator of each test's own (its request and delete
/// counters are the test's alone). A provider without delete is refused with the remix in NewVideo/RemixTests.cs.
/// </summary>
public class RemoveVideoTests
{
    [Fact]
    public async Task Remove_Video_WhatIf_sends_nothing_and_Confirm_false_sends_one_DELETE_and_ends_the_job_in_the_journal()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var uri = emulator.BaseUriFor("OpenAICompatible").AbsoluteUri;
        var done = RemixTests.FinishedVideo(ps, uri, "A forest", "forest");
        var requestsBefore = emulator.State.Requests;

        var whatIf = ps.Set("done", done).Run("$done | Remove-Video -WhatIf");

        Assert.True(whatIf.Errors.Count == 0, RemixTests.Describe(whatIf));
        Assert.Empty(whatIf.Output);
        Assert.Equal(requestsBefore, emulator.State.Requests);
        Assert.Equal(0, emulator.State.Deletes);

        var removed = ps.Run("$done | Remove-Video -Confirm:$false");

        Assert.True(removed.Errors.Count == 0, RemixTests.Describe(removed));
        Assert.Empty(removed.Output);
        Assert.Equal(1, emulator.State.Deletes);
        Assert.Equal(requestsBefore + 1, emulator.State.Requests);
        Assert.True(emulator.State.Jobs[done.Text("Id")!].Deleted);
        Assert.Contains("ended:" + done.Text("Id"), StoreFile.Events(ps.Journal));
        Assert.Empty(ps.Run("Get-VideoJob").Output);
    }

    [Fact]
    public async Task Remove_Video_PassThru_emits_the_job_and_takes_Id_with_Provider()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var uri = emulator.BaseUriFor("OpenAICompatible").AbsoluteUri;
        var done = RemixTests.FinishedVideo(ps, uri, "A desert");

        var result = ps.Run("Remove-Video -Id $args[1] -Provider OpenAICompatible -BaseUri $args[0] -Confirm:$false -PassThru", uri, done.Text("Id"));

        Assert.True(result.Errors.Count == 0, RemixTests.Describe(result));
        var job = Assert.Single(result.Output);
        Assert.Equal(done.Text("Id"), job.Text("Id"));
        Assert.Equal("deleted", job.Text("ProviderStatus"));
        Assert.Equal(1, emulator.State.Deletes);

        // Gone at the provider: deleting again is the provider's 404, naming the id.
        var again = ps.Run("Remove-Video -Id $args[1] -Provider OpenAICompatible -BaseUri $args[0] -Confirm:$false", uri, done.Text("Id"));
        var error = Assert.Single(again.Errors);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains(done.Text("Id")!, error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(1, emulator.State.Deletes);
    }
}
