using System.Management.Automation;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>Money under control: the cost each provider reports, summaries, -WhatIf estimates and a budget.</summary>
public class CostTests
{
    [Fact]
    public void FastRouter_reports_credits_at_submission_and_the_cost_reaches_the_saved_file_the_journal_and_the_summaries()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();

        var result = ps.Run("$InformationPreference = 'Continue'; New-Video -Prompt ('Costed ' + $args[0]) -Provider FastRouter -Name costed | Wait-Video | Save-Video -OutputDirectory $args[1]",
            tag, Path.Combine(ps.Directory, "cost"));

        Assert.Empty(result.Errors);
        var saved = Assert.Single(result.Output);
        Assert.Equal(1.5m, saved.Get("Cost"));
        Assert.Equal("credits", saved.Text("CostUnit"));
        var summaries = result.Information.Where(i => i.Tags.Contains("Summary")).Select(i => i.MessageData.ToString()).ToList();
        Assert.Equal(3, summaries.Count);
        Assert.Contains(summaries, m => m!.StartsWith("New-Video: 1 job(s) created", StringComparison.Ordinal) && m.Contains("1.5 credits", StringComparison.Ordinal));
        Assert.Contains(summaries, m => m!.StartsWith("Wait-Video: 1 job(s), 1 succeeded", StringComparison.Ordinal) && m.Contains("1.5 credits", StringComparison.Ordinal));
        Assert.Contains(summaries, m => m!.StartsWith("Save-Video: 1 saved", StringComparison.Ordinal) && m.Contains("1.5 credits", StringComparison.Ordinal));
        var recorded = Assert.Single(ps.Run("Get-VideoJob -All").Output);
        Assert.Equal(1.5m, recorded.Get("Cost"));
        Assert.Equal("credits", recorded.Text("CostUnit"));
    }

    [Fact]
    public void OpenRouter_reports_USD_once_the_job_completes()
    {
        using var ps = Engine.Start();

        var submitted = ps.Run("New-Video -Prompt ('Costed later ' + $args[0]) -Provider OpenRouter", SharedEmulator.NewTag());
        var finished = ps.Set("job", submitted.Output[0]).Run("$job | Wait-Video");

        Assert.Null(submitted.Output[0].Get("Cost"));
        var job = Assert.Single(finished.Output);
        Assert.Equal(0.5m, job.Get("Cost"));
        Assert.Equal("USD", job.Text("CostUnit"));
        Assert.Equal(false, job.Get("CostIsByok"));
    }

    [Fact]
    public void WhatIf_shows_an_estimate_per_row_and_in_total_from_OpenRouters_published_prices()
    {
        var console = new TextHost(200);
        using var ps = Engine.Start(host: console);
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt,Duration\r\na,One " + tag + ",8\r\nb,Two " + tag + ",4\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider OpenRouter -WhatIf");

        Assert.Empty(SharedEmulator.JobsTagged(tag));
        Assert.Contains("(estimate 0.80 USD from the published prices)", console.Text, StringComparison.Ordinal);
        Assert.Contains("(estimate 0.40 USD from the published prices)", console.Text, StringComparison.Ordinal);
        var total = Assert.Single(result.Information, i => i.Tags.Contains("PSHOST"));
        Assert.Contains("estimated total for 2 row(s): 1.20 USD", total.MessageData.ToString(), StringComparison.Ordinal);
        Assert.Contains("estimate", total.MessageData.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_budget_of_3_credits_submits_exactly_two_rows_of_1_5_credits_and_names_the_others()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt\r\na,One " + tag + "\r\nb,Two " + tag + "\r\nc,Three " + tag + "\r\nd,Four " + tag + "\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider FastRouter -MaxCost 3 -ThrottleLimit 1");

        Assert.Equal(2, SharedEmulator.JobsTagged(tag).Count);
        Assert.Equal(new[] { "a", "b" }, result.Output.Select(o => o.Text("Name")).Order());
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, e =>
        {
            Assert.Equal(ErrorCategory.QuotaExceeded, e.CategoryInfo.Category);
            Assert.Equal("VideoGen.BudgetExceeded,VideoGen.Commands.NewVideoCommand", e.FullyQualifiedErrorId);
        });
        // One error per row not sent; in the order they were refused (a row refused before it waits for a slot can come first).
        Assert.Single(result.Errors, e => e.Exception.Message.Contains("row 3 ('c')", StringComparison.OrdinalIgnoreCase));
        Assert.Single(result.Errors, e => e.Exception.Message.Contains("row 4 ('d')", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void On_OpenRouter_where_cost_is_known_only_at_completion_the_estimate_is_what_stops_the_budget()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt,Duration\r\na,One " + tag + ",8\r\nb,Two " + tag + ",8\r\nc,Three " + tag + ",8\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider OpenRouter -MaxCost 1.5 -ThrottleLimit 1");

        Assert.Equal(2, SharedEmulator.JobsTagged(tag).Count);
        var error = Assert.Single(result.Errors);
        Assert.Equal("VideoGen.BudgetExceeded,VideoGen.Commands.NewVideoCommand", error.FullyQualifiedErrorId);
        Assert.Contains("row 3 ('c')", error.Exception.Message, StringComparison.OrdinalIgnoreCase);
    }
}
