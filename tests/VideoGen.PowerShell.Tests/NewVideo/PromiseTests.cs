using System.Management.Automation;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>However New-Video ends, a submission already sent is answered, committed to the store and named.</summary>
public class EndOfCommandTests
{
    [Fact]
    public async Task ErrorAction_Stop_on_a_later_bad_row_still_stores_and_names_the_job_in_flight()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        // The first submission is created at once and answered 2 s later; the second row is refused before it is sent.
        emulator.State.AddFault(new VideoGen.Emulator.Fault { Route = "submit", Provider = "openrouter", Status = 200, DelayMs = 2000, Count = 1 });
        var console = new TextHost(200);
        using var ps = Engine.Start(host: console);
        var rows = Csv.Rows("Name,Prompt,Duration\r\nslow,A slow answer,\r\nbad,A bad row,abc\r\nnever,Not sent,\r\n");

        // The bad row comes a second after the first, while the first one's answer is on its way.
        var result = ps.Set("rows", rows).Run("& { $rows[0]; [System.Threading.Thread]::Sleep(1000); $rows[1..2] } | New-Video -Provider OpenRouter -BaseUri $args[0] -ThrottleLimit 1 -ErrorAction Stop",
            emulator.BaseUriFor("OpenRouter").AbsoluteUri);

        Assert.NotNull(result.Terminating);
        var created = Assert.Single(emulator.State.Jobs.Keys);
        var named = string.Join("\n", result.Warnings.Select(w => w.Message)) + string.Join("\n", console.WarningLines);
        Assert.Contains(created, named, StringComparison.Ordinal);
        Assert.Contains("(slow)", named, StringComparison.Ordinal);
        var stored = ps.Run("Get-VideoJob -All").Output;
        Assert.Equal(created, Assert.Single(stored).Text("Id"));
    }

    [Fact]
    public async Task A_terminating_error_later_in_the_pipeline_still_stores_and_names_the_jobs_not_emitted()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        emulator.State.AddFault(new VideoGen.Emulator.Fault { Route = "submit", Provider = "openrouter", Status = 200, DelayMs = 1500, Count = 2 });
        var console = new TextHost(200);
        using var ps = Engine.Start(host: console);
        var rows = Csv.Rows("Name,Prompt\r\nfirst,The first\r\nsecond,The second\r\n");

        // The command after New-Video throws at the first job it gets: the second job is still on its way.
        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider OpenRouter -BaseUri $args[0] -ThrottleLimit 2 | ForEach-Object { throw 'downstream failed' }",
            emulator.BaseUriFor("OpenRouter").AbsoluteUri);

        Assert.NotNull(result.Terminating);
        Assert.Equal(2, emulator.State.Jobs.Count);
        var named = string.Join("\n", result.Warnings.Select(w => w.Message)) + string.Join("\n", console.WarningLines);
        var stored = ps.Run("Get-VideoJob -All").Output.Select(o => o.Text("Id")).ToList();
        Assert.All(emulator.State.Jobs.Keys, id => Assert.Contains(id, stored));
        // The job handed to the failing command is not named again; every other one is.
        Assert.Contains(emulator.State.Jobs.Keys, id => named.Contains(id, StringComparison.Ordinal));
    }
}

/// <summary>Pay once: the same request on the wire is not paid for twice; a different one always is.</summary>
public class PayOnceTests
{
    private static string Nested(string effort) =>
        "New-Video -Prompt $args[0] -Name vertex -Provider OpenRouter -ProviderOptions @{ 'google-vertex' = @{ output_config = @{ effort = '" + effort + "' } } }";

    [Fact]
    public void Provider_options_that_differ_only_deep_inside_are_two_requests_and_the_same_ones_are_one()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var prompt = "Vertex options " + tag;

        var low = ps.Run(Nested("low"), prompt);
        var high = ps.Run(Nested("high"), prompt);
        // The same values again, the table written in another order: the job of the first run.
        var lowAgain = ps.Run("New-Video -Prompt $args[0] -Name vertex -Provider OpenRouter -ProviderOptions @{ 'google-vertex' = @{ output_config = @{ effort = 'low' } }; 'other' = $null }; " +
            "New-Video -Prompt $args[0] -Name vertex -Provider OpenRouter -ProviderOptions @{ 'other' = $null; 'google-vertex' = @{ output_config = @{ effort = 'low' } } }", prompt);

        Assert.Empty(low.Errors);
        Assert.Empty(high.Errors);
        Assert.NotEqual(low.Output[0].Text("Id"), high.Output[0].Text("Id"));
        Assert.Empty(lowAgain.Errors);
        Assert.Equal(lowAgain.Output[0].Text("Id"), lowAgain.Output[1].Text("Id"));
        Assert.Equal(3, SharedEmulator.JobsTagged(tag).Count);
    }

    [Fact]
    public void A_local_image_whose_content_changed_is_a_new_request()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var image = Path.Combine(ps.Directory, "reference.png");
        var png = File.ReadAllBytes(Repo.File("tests", "VideoGen.Core.Tests", "Assets", "reference.png"));
        File.WriteAllBytes(image, png);
        const string Submit = "New-Video -Prompt $args[0] -Name framed -Image $args[1] -Provider OpenAICompatible";

        var first = ps.Run(Submit, "Framed " + tag, image);
        var same = ps.Run(Submit, "Framed " + tag, image);
        File.WriteAllBytes(image, [.. png, 0, 0, 0, 0]);
        var changed = ps.Run(Submit, "Framed " + tag, image);

        Assert.Empty(first.Errors);
        Assert.Empty(changed.Errors);
        Assert.Equal(first.Output[0].Text("Id"), same.Output[0].Text("Id"));
        Assert.NotEqual(first.Output[0].Text("Id"), changed.Output[0].Text("Id"));
        Assert.Equal(2, SharedEmulator.JobsTagged(tag).Count);
    }

    [Fact]
    public async Task The_same_row_sent_to_another_gateway_is_paid_for_there_and_followed_there()
    {
        await using var other = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var otherUri = other.BaseUriFor("OpenAICompatible").AbsoluteUri;

        var first = ps.Run("New-Video -Prompt $args[0] -Name gw -Provider OpenAICompatible", "Gateways " + tag);
        var elsewhere = ps.Run("New-Video -Prompt $args[0] -Name gw -Provider OpenAICompatible -BaseUri $args[1] | Wait-Video -TimeoutSec 60", "Gateways " + tag, otherUri);

        Assert.Empty(first.Errors);
        Assert.Empty(elsewhere.Errors);
        Assert.Equal(1, other.State.Submissions);
        Assert.Equal(otherUri.TrimEnd('/'), elsewhere.Output[0].Text("BaseUri")!.TrimEnd('/'));
        Assert.Single(SharedEmulator.JobsTagged(tag));
        Assert.NotEqual(first.Output[0].Text("Id"), elsewhere.Output[0].Text("Id"));
    }

    [Fact]
    public void An_image_url_is_fetched_once_and_its_bytes_are_what_is_fingerprinted_and_sent()
    {
        // A signed, one-time image URL: each GET answers other bytes, and a second GET would be refused.
        var png = File.ReadAllBytes(Repo.File("tests", "VideoGen.Core.Tests", "Assets", "reference.png"));
        var served = 0;
        using var images = new StubServer(c => Interlocked.Increment(ref served) == 1
            ? StubServer.RespondAsync(c, 200, "image/png", [.. png, 1])
            : StubServer.JsonAsync(c, 403, "{\"error\":\"this link was used\"}"));
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();

        // -WhatIf never touches the link; the confirmed run reads it once.
        var whatIf = ps.Run("New-Video -Prompt $args[0] -Name once -Image $args[1] -Provider OpenAICompatible -WhatIf", "Signed link " + tag, images.Root + "img.png");
        var result = ps.Run("New-Video -Prompt $args[0] -Name once -Image $args[1] -Provider OpenAICompatible", "Signed link " + tag, images.Root + "img.png");

        Assert.Empty(whatIf.Errors);
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        Assert.Single(result.Output);
        Assert.Single(SharedEmulator.JobsTagged(tag));
        Assert.Equal(1, images.Count("GET"));
    }

    [Fact]
    public async Task Ctrl_C_while_a_row_reads_its_image_sends_nothing_and_names_nothing_as_maybe_created()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        var png = File.ReadAllBytes(Repo.File("tests", "VideoGen.Core.Tests", "Assets", "reference.png"));
        using var images = new StubServer(async c =>
        {
            await Task.Delay(4000);
            await StubServer.RespondAsync(c, 200, "image/png", png);
        });
        var console = new TextHost(200);
        using var ps = Engine.Start(host: console);

        var (result, _) = ps.RunAndStop("New-Video -Prompt 'A slow image' -Name slow -Image $args[1] -Provider OpenAICompatible -BaseUri $args[0]",
            () => images.Count("GET") >= 1, TimeSpan.FromSeconds(30), emulator.BaseUriFor("OpenAICompatible").AbsoluteUri, images.Root + "img.png");
        await Task.Delay(6000);

        Assert.Equal(0, emulator.State.Submissions);
        var named = string.Join("\n", result.Warnings.Select(w => w.Message)) + string.Join("\n", console.WarningLines);
        Assert.DoesNotContain("may have been created", named, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_identical_rows_are_two_jobs_and_a_rerun_takes_each_once()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        List<PSObject> Rows() => Csv.Rows("Name,Prompt\r\ntwin,Twins " + tag + "\r\ntwin,Twins " + tag + "\r\n");

        var first = ps.Set("rows", Rows()).Run("$rows | New-Video -Provider OpenRouter");
        var again = ps.Set("rows", Rows()).Run("$rows | New-Video -Provider OpenRouter");

        Assert.Equal(2, SharedEmulator.JobsTagged(tag).Count);
        Assert.Equal(2, first.Output.Select(o => o.Text("Id")).Distinct().Count());
        Assert.Equal(first.Output.Select(o => o.Text("Id")).Order(), again.Output.Select(o => o.Text("Id")).Order());
    }
}

/// <summary>-MaxCost is enforced or refused, never ignored; the credit the provider says is left is checked first.</summary>
public class BudgetTests
{
    [Theory]
    [InlineData("OpenAICompatible")]
    [InlineData("AppleRouter")]
    public void MaxCost_where_no_price_is_known_submits_nothing_and_says_how_to_give_one(string provider)
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt\r\na,One " + tag + "\r\nb,Two " + tag + "\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider " + provider + " -MaxCost 0.5");

        Assert.Empty(SharedEmulator.JobsTagged(tag));
        Assert.Empty(result.Output);
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, e =>
        {
            Assert.Equal("VideoGen.BudgetExceeded,VideoGen.Commands.NewVideoCommand", e.FullyQualifiedErrorId);
            Assert.Contains("-PricePerJob", e.Exception.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_budget_that_cannot_be_counted_is_said_under_WhatIf_and_for_a_remix_too()
    {
        using var ps = Engine.Start();

        var whatIf = ps.Run("New-Video -Prompt 'What if' -Provider OpenAICompatible -MaxCost 1 -WhatIf");
        var remix = ps.Run("New-Video -RemixOf video_123 -Prompt 'Now in fog' -Provider OpenAICompatible -MaxCost 1");

        Assert.Equal("VideoGen.BudgetExceeded,VideoGen.Commands.NewVideoCommand", Assert.Single(whatIf.Errors).FullyQualifiedErrorId);
        var refused = Assert.Single(remix.Errors);
        Assert.Equal("VideoGen.BudgetExceeded,VideoGen.Commands.NewVideoCommand", refused.FullyQualifiedErrorId);
        Assert.Contains("-PricePerJob", refused.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_submission_whose_answer_was_lost_stops_a_budget_counted_from_answers()
    {
        // FastRouter reports each job's cost in its answer: a 502 after the POST leaves a job that may exist at an unknown cost.
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        emulator.State.AddFault(new VideoGen.Emulator.Fault { Route = "submit", Provider = "fastrouter", Status = 502, Count = 1 });
        using var ps = Engine.Start();
        var rows = Csv.Rows("Name,Prompt\r\na,One\r\nb,Two\r\nc,Three\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider FastRouter -BaseUri $args[0] -MaxCost 100 -ThrottleLimit 1", emulator.BaseUriFor("FastRouter").AbsoluteUri);

        Assert.Empty(result.Output);
        // In any order: the lost answer's error is written when its outcome is drained, the refusals when their rows come up.
        Assert.Single(result.Errors, e => e.FullyQualifiedErrorId.StartsWith("VideoGen.SubmissionOutcomeUnknown", StringComparison.Ordinal));
        Assert.Equal(0, emulator.State.Submissions);
        Assert.Equal(2, result.Errors.Count(e => e.FullyQualifiedErrorId.StartsWith("VideoGen.BudgetExceeded", StringComparison.Ordinal) &&
            e.Exception.Message.Contains("may have been created", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_price_per_job_makes_the_budget_count_and_stop_exactly()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt\r\na,One " + tag + "\r\nb,Two " + tag + "\r\nc,Three " + tag + "\r\nd,Four " + tag + "\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider OpenAICompatible -MaxCost 0.5 -PricePerJob 0.2 -ThrottleLimit 1");

        Assert.Equal(3, SharedEmulator.JobsTagged(tag).Count);
        var error = Assert.Single(result.Errors);
        Assert.Equal("VideoGen.BudgetExceeded,VideoGen.Commands.NewVideoCommand", error.FullyQualifiedErrorId);
        Assert.Contains("row 4 ('d')", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenRouter_rows_whose_estimate_exceeds_the_credit_left_on_the_key_are_refused_unless_forced()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync(o => o.KeyLimitRemaining = 1.0m);
        using var ps = Engine.Start();
        var uri = emulator.BaseUriFor("OpenRouter").AbsoluteUri;
        var rows = Csv.Rows("Name,Prompt,Duration\r\na,One,8\r\nb,Two,8\r\nc,Three,8\r\n");

        var refused = ps.Set("rows", rows).Run("$rows | New-Video -Provider OpenRouter -BaseUri $args[0] -ThrottleLimit 1", uri);
        var submittedBefore = emulator.State.Submissions;
        var forced = ps.Set("rows", Csv.Rows("Name,Prompt,Duration\r\nb,Two,8\r\nc,Three,8\r\n")).Run("$rows | New-Video -Provider OpenRouter -BaseUri $args[0] -Force", uri);

        Assert.Equal(1, submittedBefore);
        Assert.Single(refused.Output);
        Assert.Equal(2, refused.Errors.Count);
        Assert.All(refused.Errors, e =>
        {
            Assert.Equal("VideoGen.CreditTooLow,VideoGen.Commands.NewVideoCommand", e.FullyQualifiedErrorId);
            Assert.Contains("credit left", e.Exception.Message, StringComparison.Ordinal);
        });
        Assert.Empty(forced.Errors);
        Assert.Equal(3, emulator.State.Submissions);
    }
}
