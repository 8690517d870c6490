using System.Diagnostics;
using System.Management.Automation;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// Issue 24 through the real cmdlets: Wait-Video learns from the job store how long a model's jobs take and polls near the
/// end; without history it starts at the provider's advised interval (not 1 s); one request budget per host is shared by
/// New-Video's submissions and every poll.
/// </summary>
public class WaitingTests
{
    [Fact]
    public async Task A_second_run_of_a_model_is_polled_near_the_end_it_learnt_from_the_first_and_says_so()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync(o => o.JobDuration = TimeSpan.FromSeconds(4));
        using var ps = Engine.Start();
        var baseUri = emulator.BaseUriFor("OpenRouter").AbsoluteUri;
        const string Wait = "$base = $args[0]; $args[1] | ForEach-Object { New-Video -Prompt $_ -Provider OpenRouter -Model google/veo-3.1 -Duration 4 -BaseUri $base } | Wait-Video -Verbose";

        // Three jobs through New-Video | Wait-Video -Verbose: the verbose line that says how each was waited for, and the polls of each.
        List<int> Run(string run, string says)
        {
            var result = ps.Run(Wait, baseUri, new[] { run + " one", run + " two", run + " three" });
            Assert.Empty(result.Errors);
            Assert.Equal(3, result.Output.Count);
            Assert.Contains(result.Verbose, v => v.Message.Contains(says, StringComparison.Ordinal));
            return emulator.State.Jobs.Values.Where(j => j.Prompt.StartsWith(run, StringComparison.Ordinal)).Select(j => j.Polls).ToList();
        }

        var coldPolls = Run("cold", "no finished job of google/veo-3.1 at OpenRouter in the job store to learn from; polling every 0.5 s ($env:VIDEOGEN_POLL_INTERVAL_SEC)");
        var warmPolls = Run("warm", "from 3 finished jobs of google/veo-3.1 4s");

        // Cold: every half second for 4 s. Warm: nothing before the window the first run showed, then at most three.
        Assert.All(coldPolls, p => Assert.True(p >= 4, "cold polls: " + string.Join(", ", coldPolls)));
        Assert.All(warmPolls, p => Assert.InRange(p, 1, 3));
        Assert.True(warmPolls.Sum() < coldPolls.Sum(), "warm " + string.Join(", ", warmPolls) + " against cold " + string.Join(", ", coldPolls));
    }

    [Fact]
    public async Task Without_history_the_first_poll_waits_the_providers_advised_ten_seconds()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync(o => o.JobDuration = TimeSpan.FromSeconds(1));
        using var ps = Engine.Start(importModule: false);
        var script = "Import-Module '" + Repo.Manifest + "' -ErrorAction Stop; " +
                     "New-Video -Prompt 'advised interval' -Provider OpenRouter -BaseUri '" + emulator.BaseUriFor("OpenRouter").AbsoluteUri + "' -JournalPath '" + ps.Journal + "' | " +
                     "Wait-Video -TimeoutSec 4 -Verbose -JournalPath '" + ps.Journal + "' 4>&1 2>&1 | ForEach-Object { \"$_\" }";

        var run = await ChildHost.RunAsync(script, ps.Directory,
            [new("OPENROUTER_API_KEY", SharedEmulator.Key), new("VIDEOGEN_PROVIDER", null), new("VIDEOGEN_POLL_INTERVAL_SEC", null), new("VIDEOGEN_MAX_REQUESTS_PER_SEC", null)],
            TimeSpan.FromSeconds(90));

        // The job was done after 1 s, but no poll came before the advised 10 s: -TimeoutSec 4 ended the wait first.
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("polling every 10 s (the provider's advised interval)", run.Output, StringComparison.Ordinal);
        var polls = emulator.State.Jobs.Values.Single().Polls;
        Assert.True(polls <= 1, "polls: " + polls);
        Assert.Contains(polls == 0 ? "was not polled yet" : "was still Queued", run.Output, StringComparison.Ordinal);
        Assert.Contains("after 4 s", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submissions_and_polls_share_one_request_budget_per_host()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync(o => o.JobDuration = TimeSpan.Zero);
        using var ps = Engine.Start(importModule: false);
        var script = "Import-Module '" + Repo.Manifest + "' -ErrorAction Stop; $clock = [Diagnostics.Stopwatch]::StartNew(); " +
                     "$jobs = 1..6 | ForEach-Object { New-Video -Prompt \"budget $_\" -Provider OpenRouter -BaseUri '" + emulator.BaseUriFor("OpenRouter").AbsoluteUri + "' -JournalPath '" + ps.Journal + "' } | " +
                     "Wait-Video -JournalPath '" + ps.Journal + "'; 'jobs=' + @($jobs).Count; 'seconds=' + $clock.Elapsed.TotalSeconds.ToString([cultureinfo]::InvariantCulture)";

        var run = await ChildHost.RunAsync(script, ps.Directory,
            [new("OPENROUTER_API_KEY", SharedEmulator.Key), new("VIDEOGEN_PROVIDER", null), new("VIDEOGEN_POLL_INTERVAL_SEC", "0.1"), new("VIDEOGEN_MAX_REQUESTS_PER_SEC", "2")],
            TimeSpan.FromSeconds(120));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("jobs=6", run.Output, StringComparison.Ordinal);
        // Six submissions, a model-list check and at least six polls at 2 a second after a burst of 2: at least 5 s, however fast.
        var seconds = double.Parse(run.Output.Split('\n').Single(l => l.StartsWith("seconds=", StringComparison.Ordinal))["seconds=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        var requests = emulator.State.Submissions + emulator.State.TotalPolls;
        Assert.True(requests >= 12, "requests: " + requests);
        Assert.True(seconds >= (requests - 2) / 2.0 - 0.5, requests + " requests at 2/s took " + seconds + " s\n" + run);
    }
}
