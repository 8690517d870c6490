using System.Management.Automation;
using VideoGen.Emulator;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// Issue 17: New-Video -RemixOf on the OpenAI-style route, against an emulator of each test's own (its request, remix and
/// delete counters are the test's alone). Remove-Video's own tests are in RemoveVideo/RemoveVideoTests.cs.
/// </summary>
public class RemixTests
{
    /// <summary>A finished OpenAI-style video at the test's emulator, to remix or delete: the job Wait-Video emitted.</summary>
    internal static PSObject FinishedVideo(Engine ps, string uri, string prompt, string? name = null)
    {
        var made = ps.Run("New-Video -Prompt $args[1] -Provider OpenAICompatible -BaseUri $args[0]" + (name is null ? string.Empty : " -Name $args[2]") + " | Wait-Video", uri, prompt, name);
        Assert.True(made.Errors.Count == 0, Describe(made));
        return Assert.Single(made.Output);
    }

    internal static string Describe(PsResult result) =>
        string.Join("\n", result.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)) + "\n" + result.Terminating;

    [Fact]
    public async Task Remix_of_a_finished_video_is_journaled_waited_for_and_saved_as_an_MP4()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var uri = emulator.BaseUriFor("OpenAICompatible").AbsoluteUri;
        var output = Path.Combine(ps.Directory, "remix");
        var source = ps.Run("New-Video -Prompt 'A lighthouse at dawn' -Provider OpenAICompatible -BaseUri $args[0] -Name lighthouse | Wait-Video", uri);
        Assert.True(source.Errors.Count == 0, Describe(source));
        var done = Assert.Single(source.Output);
        Assert.Equal("Succeeded", done.Text("Status"));
        var sourceJob = emulator.State.Jobs[done.Text("Id")!];
        var pollsBefore = sourceJob.Polls;
        var requestsBefore = emulator.State.Requests;

        var result = ps.Set("done", done).Run(
            "New-Video -Provider OpenAICompatible -RemixOf $done -Prompt 'The same lighthouse at night' -BaseUri $args[0] -Name night | Wait-Video | Save-Video -OutputDirectory $args[1]",
            uri, output);

        Assert.True(result.Errors.Count == 0, Describe(result));
        var saved = Assert.Single(result.Output);
        Assert.Equal("night", saved.Text("Name"));
        Mp4.AssertMp4(Path.Combine(output, "night.mp4"));
        Assert.Equal(1, emulator.State.Remixes);
        // The job object said Succeeded: no GET of the source before the remix.
        Assert.Equal(pollsBefore, sourceJob.Polls);
        var remix = emulator.State.Jobs.Values.Single(j => j.RemixedFrom != null);
        Assert.Equal(done.Text("Id"), remix.RemixedFrom);
        Assert.Equal("The same lighthouse at night", remix.Prompt);
        Assert.Equal(remix.Id, saved.Text("Id"));
        Assert.True(emulator.State.Requests > requestsBefore);
        // Journaled like any other job: submitted, then saved.
        var events = StoreFile.Events(ps.Journal);
        Assert.Contains("submitted:" + remix.Id, events);
        Assert.Contains("saved:" + remix.Id, events);
    }

    [Fact]
    public async Task Remix_by_id_checks_the_source_with_one_GET_and_a_rerun_pays_nothing_again()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var uri = emulator.BaseUriFor("OpenAICompatible").AbsoluteUri;
        var done = FinishedVideo(ps, uri, "A harbour");
        var id = done.Text("Id")!;
        var sourceJob = emulator.State.Jobs[id];
        var pollsBefore = sourceJob.Polls;

        var first = ps.Run("New-Video -RemixOf $args[1] -Provider OpenAICompatible -Prompt 'A harbour in fog' -BaseUri $args[0]", uri, id);
        var again = ps.Run("New-Video -RemixOf $args[1] -Provider OpenAICompatible -Prompt 'A harbour in fog' -BaseUri $args[0]", uri, id);

        Assert.True(first.Errors.Count == 0, Describe(first));
        var remixed = Assert.Single(first.Output);
        Assert.Equal("OpenAICompatible", remixed.Text("Provider"));
        Assert.NotEqual(id, remixed.Text("Id"));
        Assert.Equal(pollsBefore + 1, sourceJob.Polls);
        // The same remix again is recognised in the journal and not paid for twice.
        Assert.Equal(remixed.Text("Id"), Assert.Single(again.Output).Text("Id"));
        Assert.Equal(1, emulator.State.Remixes);
    }

    [Fact]
    public async Task Remix_of_an_unfinished_video_is_a_clear_error_and_sends_no_remix()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var uri = emulator.BaseUriFor("OpenAICompatible").AbsoluteUri;
        var running = Assert.Single(ps.Run("New-Video -Prompt 'A slow comet [slow]' -Provider OpenAICompatible -BaseUri $args[0] -Name comet", uri).Output);
        var requestsBefore = emulator.State.Requests;

        // The job object says Queued: refused with no request at all.
        var fromObject = ps.Set("running", running).Run("New-Video -Provider OpenAICompatible -RemixOf $running -Prompt 'A fast comet' -BaseUri $args[0]", uri);

        Assert.Empty(fromObject.Output);
        var error = Assert.Single(fromObject.Errors);
        Assert.Equal("VideoGen.RemixSourceNotFinished,VideoGen.Commands.NewVideoCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
        Assert.Contains("not finished", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("Wait-Video", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains(running.Text("Id")!, error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(requestsBefore, emulator.State.Requests);

        // By id: one GET of the source (not paid), no remix.
        var byId = ps.Run("New-Video -RemixOf $args[1] -Provider OpenAICompatible -Prompt 'A fast comet' -BaseUri $args[0]", uri, running.Text("Id"));

        Assert.Empty(byId.Output);
        Assert.Equal("VideoGen.RemixSourceNotFinished,VideoGen.Commands.NewVideoCommand", Assert.Single(byId.Errors).FullyQualifiedErrorId);
        Assert.Equal(requestsBefore + 1, emulator.State.Requests);
        Assert.Equal(0, emulator.State.Remixes);
        Assert.Equal(1, emulator.State.Submissions);
    }

    [Theory]
    [InlineData("FastRouter", "google/veo3")]
    [InlineData("OpenRouter", "google/veo-3.1")]
    public async Task Remix_and_Remove_Video_are_refused_before_any_request_where_the_provider_has_neither(string provider, string model)
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var uri = emulator.BaseUriFor(provider).AbsoluteUri;

        var remix = ps.Run("New-Video -RemixOf task-1 -Provider $args[1] -Model $args[2] -Prompt 'At night' -BaseUri $args[0]", uri, provider, model);
        var remove = ps.Run("Remove-Video -Id task-1 -Provider $args[1] -Model $args[2] -BaseUri $args[0] -Confirm:$false", uri, provider, model);

        Assert.Empty(remix.Output);
        var remixError = Assert.Single(remix.Errors);
        Assert.Equal("VideoGen.RemixNotSupported,VideoGen.Commands.NewVideoCommand", remixError.FullyQualifiedErrorId);
        Assert.Contains(provider + " has no remix", remixError.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was sent", remixError.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(remove.Output);
        var removeError = Assert.Single(remove.Errors);
        Assert.Equal("VideoGen.DeleteNotSupported,VideoGen.Commands.RemoveVideoCommand", removeError.FullyQualifiedErrorId);
        Assert.Contains(provider + " has no delete", removeError.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(0, emulator.State.Requests);
    }

    [Fact]
    public async Task AppleRouter_remixes_its_veo_videos_with_the_16x9_size_and_refuses_its_generations_tasks()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var uri = emulator.BaseUriFor("AppleRouter").AbsoluteUri;
        var image = new Uri(emulator.BaseUriFor("AppleRouter"), "assets/reference.webp").AbsoluteUri;
        var output = Path.Combine(ps.Directory, "apple");

        var veo = ps.Run("New-Video -Prompt 'A cow dancing' -Provider AppleRouter -Model veo-3.1 -Duration 8 -Size 16x9 -Image $args[1] -BaseUri $args[0] -Name cow | Wait-Video", uri, image);
        Assert.True(veo.Errors.Count == 0, Describe(veo));
        var source = Assert.Single(veo.Output);
        Assert.Equal("16x9", emulator.State.Jobs[source.Text("Id")!].Size);

        var result = ps.Set("source", source).Run("$source | New-Video -RemixOf { $_.Id } -Prompt 'A cow dancing in the rain' | Wait-Video | Save-Video -OutputDirectory $args[0]", output);

        Assert.True(result.Errors.Count == 0, Describe(result));
        Assert.Equal("cow-remix", Assert.Single(result.Output).Text("Name"));
        Mp4.AssertMp4(Path.Combine(output, "cow-remix.mp4"));
        var remix = emulator.State.Jobs.Values.Single(j => j.RemixedFrom == source.Text("Id"));
        Assert.Equal("veo-3.1", remix.Model);
        Assert.Equal("16x9", remix.Size);

        var kling = Assert.Single(ps.Run("New-Video -Prompt 'A kite' -Provider AppleRouter -Model kling-v1 -BaseUri $args[0]", uri).Output);
        var requests = emulator.State.Requests;
        var refused = ps.Set("kling", kling).Run("New-Video -RemixOf $kling -Prompt 'Two kites'; $kling | Remove-Video -Confirm:$false");
        Assert.Equal(2, refused.Errors.Count);
        Assert.Equal("VideoGen.RemixNotSupported,VideoGen.Commands.NewVideoCommand", refused.Errors[0].FullyQualifiedErrorId);
        Assert.Equal("VideoGen.DeleteNotSupported,VideoGen.Commands.RemoveVideoCommand", refused.Errors[1].FullyQualifiedErrorId);
        Assert.Contains("/v1/videos", refused.Errors[0].Exception.Message, StringComparison.Ordinal);
        Assert.Equal(requests, emulator.State.Requests);
    }

    [Fact]
    public async Task A_remix_row_with_generation_fields_or_WhatIf_sends_nothing_and_a_CSV_RemixOf_column_remixes()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var uri = emulator.BaseUriFor("OpenAICompatible").AbsoluteUri;
        var done = FinishedVideo(ps, uri, "A meadow");
        var requests = emulator.State.Requests;

        var withFields = ps.Set("done", done).Run("New-Video -Provider OpenAICompatible -RemixOf $done -Prompt 'A meadow in snow' -Duration 8 -Size 1280x720 -BaseUri $args[0]", uri);
        var whatIf = ps.Run("New-Video -Provider OpenAICompatible -RemixOf $done -Prompt 'A meadow in snow' -BaseUri $args[0] -WhatIf", uri);

        var error = Assert.Single(withFields.Errors);
        Assert.Contains("Duration, Size", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(withFields.Output);
        Assert.Empty(whatIf.Errors);
        Assert.Empty(whatIf.Output);
        Assert.Equal(requests, emulator.State.Requests);

        // One CSV of remixes and new prompts: the RemixOf column makes a row a remix; a blank one is a plain row.
        var rows = Csv.Rows("Name,Prompt,RemixOf,Provider\r\nsnow,A meadow in snow," + done.Text("Id") + ",OpenAICompatible\r\nsea,A calm sea,,OpenAICompatible\r\n");
        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider OpenAICompatible -BaseUri $args[0] | Wait-Video | Save-Video -OutputDirectory $args[1]", uri, Path.Combine(ps.Directory, "csv"));

        Assert.True(result.Errors.Count == 0, Describe(result));
        Assert.Equal(new[] { "sea", "snow" }, result.Output.Select(o => o.Text("Name")!).Order());
        Assert.Equal(1, emulator.State.Remixes);
        Assert.Equal(done.Text("Id"), emulator.State.Jobs.Values.Single(j => j.Prompt == "A meadow in snow").RemixedFrom);
    }

    [Fact]
    public async Task New_rows_and_remixes_in_one_CSV_share_the_ThrottleLimit()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var uri = emulator.BaseUriFor("OpenAICompatible").AbsoluteUri;
        var done = FinishedVideo(ps, uri, "A quarry");
        // Every submission and remix is answered after 300 ms, so requests sent together overlap at the emulator.
        emulator.State.AddFault(new Fault { Route = "submit", Provider = "applerouter", Status = 200, DelayMs = 300, Count = 100 });
        emulator.State.AddFault(new Fault { Route = "remix", Provider = "applerouter", Status = 200, DelayMs = 300, Count = 100 });
        var lines = Enumerable.Range(1, 4).SelectMany(i => new[] { "new" + i + ",A quarry at hour " + i + ",", "remix" + i + ",The quarry in rain " + i + "," + done.Text("Id") });
        var rows = Csv.Rows("Name,Prompt,RemixOf\r\n" + string.Join("\r\n", lines) + "\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider OpenAICompatible -BaseUri $args[0] -ThrottleLimit 2", uri);

        Assert.True(result.Errors.Count == 0, Describe(result));
        Assert.Equal(8, result.Output.Count);
        Assert.Equal(4, emulator.State.Remixes);
        // Two at once, new rows and remixes together: never more than -ThrottleLimit paid requests in flight.
        Assert.Equal(2, emulator.State.MaxPaidInFlight);
    }

    [Fact]
    public async Task Ids_piped_as_lines_remix_with_the_typed_prompt_and_a_line_that_is_the_source_is_not_a_prompt()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var uri = emulator.BaseUriFor("OpenAICompatible").AbsoluteUri;
        var id = FinishedVideo(ps, uri, "A pier").Text("Id")!;

        var remixed = ps.Run("$args[1] | New-Video -RemixOf { $_ } -Prompt 'The pier at night' -Provider OpenAICompatible -BaseUri $args[0]", uri, id);
        var noPrompt = ps.Run("$args[1] | New-Video -RemixOf { $_ } -Provider OpenAICompatible -BaseUri $args[0]", uri, id);
        var source = ps.Run("Get-VideoStatus -Id $args[1] -Provider OpenAICompatible -BaseUri $args[0]", uri, id).Output.Single();
        var noPromptObject = ps.Set("source", source).Run("$args[1] | New-Video -RemixOf $source -Provider OpenAICompatible -BaseUri $args[0]", uri, id);

        // The id's own Length is not a -Duration (a remix refuses one), and the id is not taken for the prompt.
        Assert.True(remixed.Errors.Count == 0, Describe(remixed));
        Assert.Equal("The pier at night", emulator.State.Jobs.Values.Single(j => j.RemixedFrom == id).Prompt);
        Assert.Contains("a remix needs -Prompt", Assert.Single(noPrompt.Errors).Exception.Message, StringComparison.Ordinal);
        Assert.Contains("a remix needs -Prompt", Assert.Single(noPromptObject.Errors).Exception.Message, StringComparison.Ordinal);
        Assert.Equal(1, emulator.State.Remixes);
    }

    [Fact]
    public async Task A_402_while_a_remix_checks_its_source_stops_that_remix_before_it_is_paid_for()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var uri = emulator.BaseUriFor("OpenAICompatible").AbsoluteUri;
        var id = FinishedVideo(ps, uri, "A pier").Text("Id")!;
        // Row 1's check of its source (a GET) takes 2 s; meanwhile row 2's submission is answered 402.
        emulator.State.AddFault(new Fault { Route = "poll", Provider = "applerouter", Status = 200, DelayMs = 2000, Count = 1 });
        emulator.State.AddFault(new Fault { Route = "submit", Provider = "applerouter", Status = 402, Count = 1,
            Body = "{\"error\":{\"message\":\"Insufficient credits\",\"type\":\"insufficient_quota\"}}" });
        var rows = Csv.Rows("Name,Prompt,RemixOf\r\nr1,The pier at dusk," + id + "\r\nn2,A new pier,\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider OpenAICompatible -BaseUri $args[0] -ThrottleLimit 2", uri);

        Assert.Equal(0, emulator.State.Remixes);
        Assert.Empty(result.Output);
        Assert.Contains(result.Errors, e => e.FullyQualifiedErrorId.StartsWith("VideoGen.NotSubmitted", StringComparison.Ordinal) && e.Exception.Message.Contains("row 1 ('r1')", StringComparison.Ordinal));
    }
}
