using System.Management.Automation;
using VideoGen.Emulator;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>A task id is money already spent: out of credits, unreadable answers, blank ids and -WhatIf lose nothing and touch nothing.</summary>
public class NothingLostTests
{
    [Fact]
    public async Task A_store_that_cannot_record_a_created_job_stops_submitting_and_names_the_id_and_the_rows_not_sent()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        // Row 1's answer comes a second after its job is created: the store's folder is removed meanwhile (a disk pulled, a
        // share gone), so the worker that reads the answer cannot record it.
        emulator.State.AddFault(new Fault { Route = "submit", Provider = "openrouter", Status = 200, DelayMs = 1000, Count = 10 });
        using var ps = Engine.Start();
        var folder = Path.Combine(ps.Directory, "store");
        var store = Path.Combine(folder, "jobs.db");
        var rows = Csv.Rows("Name,Prompt\r\nfirst,A lighthouse\r\nsecond,A harbour\r\nthird,A forest\r\n");
        var pull = Task.Run(async () =>
        {
            var until = DateTime.UtcNow.AddSeconds(30);
            while (emulator.State.Submissions < 1 && DateTime.UtcNow < until)
            {
                await Task.Delay(20);
            }
            Directory.Delete(folder, true);
        });

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider OpenRouter -BaseUri $args[0] -ThrottleLimit 1 -JournalPath $args[1]",
            emulator.BaseUriFor("OpenRouter").AbsoluteUri, store);
        await pull;

        var created = Assert.Single(emulator.State.Jobs.Keys);
        Assert.Equal(new[] { "A lighthouse" }, emulator.State.Prompts);
        Assert.Equal(created, Assert.Single(result.Output).Text("Id"));
        var notRecorded = Assert.Single(result.Errors, e => e.FullyQualifiedErrorId.StartsWith("VideoGen.JournalWriteFailed", StringComparison.Ordinal));
        Assert.Contains(created, notRecorded.Exception.Message, StringComparison.Ordinal);
        var notSent = Assert.Single(result.Errors, e => e.FullyQualifiedErrorId.StartsWith("VideoGen.NotSubmitted", StringComparison.Ordinal));
        Assert.Equal(ErrorCategory.WriteError, notSent.CategoryInfo.Category);
        Assert.Contains("job store", notSent.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("row 2 ('second')", notSent.Exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("row 3 ('third')", notSent.Exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("402", notSent.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Out_of_credits_on_row_2_of_3_stops_submitting_while_row_1_is_still_waited_for_and_saved()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var rows = Csv.Rows("Name,Prompt\r\nfirst,A lighthouse\r\nsecond,A harbour\r\nthird,A forest\r\n");
        var output = Path.Combine(ps.Directory, "credits");
        // Row 1 is sent before the fault is armed, so the 402 answers row 2 exactly.
        var fault = new Fault { Route = "submit", Provider = "openrouter", Status = 402, Count = 1,
            Body = "{\"error\":{\"code\":402,\"message\":\"Insufficient credits\"}}" };

        var result = ps.Set("rows", rows).Set("emu", emulator).Set("fault", fault).Run(@"
            & { $rows[0]; $until = [DateTime]::UtcNow.AddSeconds(30); while ($emu.State.Submissions -lt 1 -and [DateTime]::UtcNow -lt $until) { [System.Threading.Thread]::Sleep(20) }; $emu.State.AddFault($fault); $rows[1]; $rows[2] } |
                New-Video -Provider OpenRouter -BaseUri $args[0] -ThrottleLimit 1 -Verbose | Wait-Video | Save-Video -OutputDirectory $args[1]",
            emulator.BaseUriFor("OpenRouter").AbsoluteUri, output);

        Assert.Null(result.Terminating);
        Assert.True(result.Output.Count == 1, string.Join("\n", result.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)) + "\n" + string.Join("\n", emulator.State.Prompts) + "\n" + string.Join("\n", result.Verbose.Select(v => v.Message)) + string.Join("\n", result.Debug.Select(v => v.Message)));
        var saved = Assert.Single(result.Output);
        Assert.Equal("first", saved.Text("Name"));
        Mp4.AssertMp4(Path.Combine(output, "first.mp4"));
        Assert.Equal(new[] { "A lighthouse" }, emulator.State.Prompts);
        Assert.Equal(2, result.Errors.Count);
        Assert.Equal("VideoGen.OutOfCredits,VideoGen.Commands.NewVideoCommand", result.Errors[0].FullyQualifiedErrorId);
        Assert.Contains("row 2 ('second')", result.Errors[0].Exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("VideoGen.NotSubmitted,VideoGen.Commands.NewVideoCommand", result.Errors[1].FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.QuotaExceeded, result.Errors[1].CategoryInfo.Category);
        Assert.Contains("1 row(s)", result.Errors[1].Exception.Message, StringComparison.Ordinal);
        Assert.Contains("row 3 ('third')", result.Errors[1].Exception.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_rows_a_402_kept_from_being_submitted_are_named_in_row_order()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        // The first submission is answered 402 after half a second, while rows 2 to 4 wait for the one slot.
        emulator.State.AddFault(new Fault { Route = "submit", Provider = "openrouter", Status = 402, Count = 1, DelayMs = 500,
            Body = "{\"error\":{\"code\":402,\"message\":\"Insufficient credits\"}}" });
        using var ps = Engine.Start();
        var rows = Csv.Rows("Name,Prompt\r\na,One\r\nb,Two\r\nc,Three\r\nd,Four\r\ne,Five\r\nf,Six\r\n");

        // Rows 5 and 6 come after the 402 was read (refused as they arrive), rows 2 to 4 before it (refused by the engine).
        var result = ps.Set("rows", rows).Run(
            "& { $rows[0..3]; [System.Threading.Thread]::Sleep(1500); $rows[4..5] } | New-Video -Provider OpenRouter -BaseUri $args[0] -ThrottleLimit 1",
            emulator.BaseUriFor("OpenRouter").AbsoluteUri);

        Assert.Empty(result.Output);
        Assert.Equal(2, result.Errors.Count);
        Assert.Equal("VideoGen.NotSubmitted,VideoGen.Commands.NewVideoCommand", result.Errors[1].FullyQualifiedErrorId);
        Assert.Contains("5 row(s) were not submitted", result.Errors[1].Exception.Message, StringComparison.Ordinal);
        Assert.Contains(": row 2 ('b'), row 3 ('c'), row 4 ('d'), row 5 ('e'), row 6 ('f').", result.Errors[1].Exception.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_answer_with_a_task_id_that_cannot_be_read_in_full_keeps_the_id_in_the_journal_and_the_error()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        emulator.State.AddFault(new Fault { Route = "submit", Provider = "openrouter", Status = 202, Count = 1,
            Body = "{\"id\":\"or-unreadable-0042\",\"polling_url\":\"http://[not a uri\",\"status\":\"pending\"}" });
        using var ps = Engine.Start();

        var result = ps.Run("New-Video -Prompt 'A comet' -Provider OpenRouter -BaseUri $args[0] -Name comet", emulator.BaseUriFor("OpenRouter").AbsoluteUri);

        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.Contains("or-unreadable-0042", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal("or-unreadable-0042", PSObject.AsPSObject(error.TargetObject).Text("Id"));
        Assert.Contains("or-unreadable-0042", File.ReadAllText(ps.Journal), StringComparison.Ordinal);
        var listed = Assert.Single(ps.Run("Get-VideoJob").Output);
        Assert.Equal("or-unreadable-0042", listed.Text("Id"));
        Assert.Equal("comet", listed.Text("Name"));
    }

    [Theory]
    [InlineData("Get-VideoStatus")]
    [InlineData("Wait-Video")]
    [InlineData("Save-Video")]
    public void A_blank_Id_is_an_error_for_that_row_only(string cmdlet)
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var done = ps.Run("New-Video -Prompt ('Good row ' + $args[0]) -Provider FastRouter -Name good | Wait-Video", tag);
        Assert.Empty(done.Errors);
        var rows = new List<PSObject> { Csv.Rows("Id,Provider,Model,Name\r\n   ,FastRouter,google/veo3-fast,blank\r\n")[0], done.Output[0] };

        var result = ps.Set("rows", rows).Run("$rows | " + cmdlet + (cmdlet == "Save-Video" ? " -OutputDirectory $args[0]" : string.Empty), Path.Combine(ps.Directory, "blank"));

        Assert.Null(result.Terminating);
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("blank Id", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("(Name 'blank')", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(done.Output[0].Text("Id"), Assert.Single(result.Output).Text("Id"));
    }

    [Fact]
    public void Save_Video_WhatIf_creates_no_directory()
    {
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "not", "yet");

        var result = ps.Run("New-Video -Prompt ('Dry run ' + $args[0]) -Provider AppleRouter -Name dry | Wait-Video | Save-Video -OutputDirectory $args[1] -WhatIf",
            SharedEmulator.NewTag(), output);

        Assert.Empty(result.Errors);
        Assert.False(Directory.Exists(Path.Combine(ps.Directory, "not")));
    }
}
