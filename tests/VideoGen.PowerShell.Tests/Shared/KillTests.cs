using System.Diagnostics;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// A PowerShell process killed (SIGKILL) during a 20-row New-Video with slow answers: a resume from the journal saves every
/// job whose answer was read, and running the same rows again submits only what was never answered.
/// </summary>
public class KillTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(9)]
    [InlineData(16)]
    public async Task Killed_after_some_answers_the_resume_saves_every_journaled_job_and_nothing_is_paid_twice(int killAfterCreated)
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        // Every answer comes 400 ms after its job is created.
        emulator.State.AddFault(new VideoGen.Emulator.Fault { Route = "submit", Provider = "openrouter", Status = 200, DelayMs = 400, Count = 100 });
        using var ps = Engine.Start();
        var csv = Path.Combine(ps.Directory, "rows.csv");
        File.WriteAllText(csv, "Name,Prompt\n" + string.Join("\n", Enumerable.Range(1, 20).Select(i => "clip-" + i + ",Prompt number " + i)) + "\n");
        var baseUri = emulator.BaseUriFor("OpenRouter").AbsoluteUri;
        // The child reads the CSV itself (a line split is enough for these rows).
        const string script = @"
            $rows = [System.IO.File]::ReadAllLines($args[0]) | Where-Object { $_ -and $_ -notlike 'Name,*' } | ForEach-Object { $n, $p = $_ -split ',', 2; [pscustomobject]@{ Name = $n; Prompt = $p } }
            $rows | New-Video -Provider OpenRouter -BaseUri $args[1] -JournalPath $args[2] -ThrottleLimit 2";
        var child = Process.Start(new ProcessStartInfo("dotnet", [ChildHost.Dll, Repo.Manifest, script, csv, baseUri, ps.Journal])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (emulator.State.Submissions < killAfterCreated && !child.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        Assert.False(child.HasExited, "the child ended before the kill: " + await child.StandardError.ReadToEndAsync());
        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync();
        var createdAtKill = emulator.State.Jobs.Keys.ToHashSet();
        var output = Path.Combine(ps.Directory, "resumed");

        var resumed = ps.Run("Get-VideoJob | Wait-Video | Save-Video -OutputDirectory $args[0]", output);

        Assert.Empty(resumed.Errors);
        var journaled = StoreFile.Events(ps.Journal).Where(e => e.StartsWith("submitted:", StringComparison.Ordinal)).Select(e => e["submitted:".Length..]).ToHashSet();
        var journaledIds = createdAtKill.Where(journaled.Contains).ToHashSet();
        Assert.NotEmpty(journaledIds);
        // Every job whose answer was read is saved; only answers still on their way at the kill (at most the throttle limit) are unknown.
        Assert.Equal(journaledIds.Order(), resumed.Output.Select(o => o.Text("Id")!).Order());
        Assert.InRange(createdAtKill.Count - journaledIds.Count, 0, 2);

        // The same rows again: only the rows whose answer never arrived are submitted; nothing journaled is paid for twice.
        var rows = Csv.File(csv);
        var again = ps.Set("rows", rows).Run("$rows | New-Video -Provider OpenRouter -BaseUri $args[0] -ThrottleLimit 4 | Wait-Video | Save-Video -OutputDirectory $args[1]", baseUri, output);

        Assert.Empty(again.Errors);
        Assert.Equal(20, again.Output.Count);
        Assert.Equal(20, Directory.GetFiles(output, "*.mp4").Length);
        var prompts = emulator.State.Jobs.Values.GroupBy(j => j.Prompt).ToList();
        Assert.Equal(20, prompts.Count);
        Assert.All(prompts.Where(g => g.Count() > 1), g => Assert.DoesNotContain(g, j => journaledIds.Contains(j.Id)));
    }
}
