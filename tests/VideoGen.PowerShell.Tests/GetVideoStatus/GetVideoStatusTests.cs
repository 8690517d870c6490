using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>Get-VideoStatus through the real cmdlets: one poll per job piped in.</summary>
public class GetVideoStatusTests
{
    [Fact]
    public void Get_VideoStatus_polls_each_job_once_and_emits_its_status()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();

        var result = ps.Run("$job = New-Video -Prompt ('A kite ' + $args[0]) -Provider AppleRouter; $job | Get-VideoStatus", tag);

        Assert.Empty(result.Errors);
        var status = Assert.Single(result.Output);
        var job = Assert.Single(SharedEmulator.JobsTagged(tag));
        Assert.Equal(job.Id, status.Text("Id"));
        Assert.Equal(1, job.Polls);
        Assert.Contains(status.Text("Status"), new[] { "Queued", "Running", "Succeeded" });
    }
}
