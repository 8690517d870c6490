using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>Get-VideoJob through the real cmdlets: the jobs the journal holds that are not saved yet.</summary>
public class GetVideoJobTests
{
    [Fact]
    public void Get_VideoJob_resumes_from_the_journal_and_lists_nothing_once_saved()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = PipelineTests.ExampleRows(tag).Take(3).ToList();
        var submitted = ps.Set("rows", rows).Run("$rows | New-Video -Provider OpenRouter");
        Assert.Equal(3, submitted.Output.Count);

        var listed = ps.Run("Get-VideoJob");
        Assert.Equal(submitted.Output.Select(o => o.Text("Id")).Order(), listed.Output.Select(o => o.Text("Id")).Order());
        var output = Path.Combine(ps.Directory, "journal-resume");
        var saved = ps.Run("Get-VideoJob | Wait-Video | Save-Video -OutputDirectory $args[0]", output);

        Assert.Empty(saved.Errors);
        Assert.Equal(3, saved.Output.Count);
        Assert.Empty(ps.Run("Get-VideoJob").Output);
        Assert.Equal(3, SharedEmulator.JobsTagged(tag).Count);
    }
}
