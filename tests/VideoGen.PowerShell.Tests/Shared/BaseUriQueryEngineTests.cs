using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// Issue 23 item 7, through the real cmdlets: a -BaseUri with a query (an Azure-style gateway's <c>?api-version=preview</c>)
/// keeps its path, so the whole run (create, wait, save, poll again by id, delete) reaches the emulator's /v1 routes, which
/// ignore the unknown query. Before, New-Video sent POST /videos and got 404.
/// </summary>
public class BaseUriQueryEngineTests
{
    [Fact]
    public async Task A_BaseUri_with_a_query_reaches_the_gateways_path_on_every_request()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        var baseUri = emulator.BaseUriFor("OpenAICompatible").AbsoluteUri.TrimEnd('/') + "?api-version=preview";
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "queried");

        var run = ps.Run("New-Video -Prompt 'A gateway with a query' -Provider OpenAICompatible -Duration 4 -BaseUri $args[0] -Name queried | Wait-Video -TimeoutSec 60 | Save-Video -OutputDirectory $args[1]",
            baseUri, output);

        Assert.Null(run.Terminating);
        Assert.Empty(run.Errors);
        var saved = Assert.Single(run.Output);
        var id = saved.Text("Id")!;
        Mp4.AssertMp4(Path.Combine(output, "queried.mp4"));
        Assert.True(emulator.State.Jobs[id].Polls >= 1);
        Assert.Equal(1, emulator.State.Jobs[id].Downloads);

        var status = ps.Run("Get-VideoStatus -Id $args[0] -Provider OpenAICompatible -BaseUri $args[1]", id, baseUri);
        Assert.Empty(status.Errors);
        Assert.Equal("Succeeded", Assert.Single(status.Output).Text("Status"));

        var removed = ps.Set("job", status.Output[0]).Run("$job | Remove-Video -Confirm:$false");
        Assert.Empty(removed.Errors);
        Assert.True(emulator.State.Jobs[id].Deleted);
    }
}
