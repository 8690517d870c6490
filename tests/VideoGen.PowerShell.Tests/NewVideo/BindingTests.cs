using System.Management.Automation;
using System.Text.Json.Nodes;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>CSV rows bind to New-Video by property name: every documented column and alias, odd case, extra columns, bad rows.</summary>
public class BindingTests
{
    private static JsonObject Body(string tag) => JsonNode.Parse(Assert.Single(SharedEmulator.JobsTagged(tag)).SubmittedBody!)!.AsObject();

    [Theory]
    [InlineData("Duration", "5", "length", "5")]
    [InlineData("Length", "5", "length", "5")]
    [InlineData("Seconds", "5", "length", "5")]
    [InlineData("AspectRatio", "9:16", "aspectRatio", "9:16")]
    [InlineData("Aspect", "9:16", "aspectRatio", "9:16")]
    [InlineData("Resolution", "720p", "resolution", "720p")]
    [InlineData("Image", "https://images.example.com/cat.png", "image", "https://images.example.com/cat.png")]
    [InlineData("ImageUrl", "https://images.example.com/cat.png", "image", "https://images.example.com/cat.png")]
    [InlineData("Seed", "42", "seed", "42")]
    [InlineData("GenerateAudio", "true", "generateAudio", "true")]
    [InlineData("Audio", "false", "generateAudio", "false")]
    [InlineData("Mode", "pro", "mode", "pro")]
    [InlineData("Model", "kling-ai/kling-v2-1", "model", "kling-ai/kling-v2-1")]
    public void Each_documented_column_and_alias_reaches_the_provider(string column, string value, string field, string expected)
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt,Provider," + column + "\r\nbound,A paper boat on a pond " + tag + ",FastRouter," + value + "\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video");

        Assert.Empty(result.Errors);
        Assert.Equal("bound", Assert.Single(result.Output).Text("Name"));
        Assert.Equal(expected, Body(tag)[field]?.ToString(), ignoreCase: true);
    }

    [Theory]
    [InlineData("Name")]
    [InlineData("Label")]
    public void The_name_column_and_its_alias_label_the_job(string column)
    {
        using var ps = Engine.Start();
        var rows = Csv.Rows(column + ",Prompt\r\nmy-label,A red kite " + SharedEmulator.NewTag() + "\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider OpenRouter");

        Assert.Equal("my-label", Assert.Single(result.Output).Text("Name"));
    }

    [Fact]
    public void Headers_in_any_case_bind_and_unknown_columns_are_ignored()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("name,PROMPT,notes,Cost,duration\r\nodd-case,Snow on pines " + tag + ",ignore me,12.5,8\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider OpenRouter");

        Assert.Empty(result.Errors);
        Assert.Equal("odd-case", Assert.Single(result.Output).Text("Name"));
        var body = Body(tag);
        Assert.Equal("8", body["duration"]?.ToString());
        Assert.DoesNotContain("ignore me", body.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Each_row_may_name_its_own_provider()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt,Provider\r\na,Dunes " + tag + ",OpenRouter\r\nb,Rain " + tag + ",AppleRouter\r\nc,Fog " + tag + ",FastRouter\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video");

        Assert.Empty(result.Errors);
        Assert.Equal(new[] { "applerouter", "fastrouter", "openrouter" }, SharedEmulator.JobsTagged(tag).Select(j => j.Provider.ToLowerInvariant()).Order());
        Assert.Equal(new[] { "AppleRouter", "FastRouter", "OpenRouter" }, result.Output.Select(o => o.Text("Provider")).Order());
    }

    [Fact]
    public void A_csv_without_a_Prompt_column_gets_one_error_naming_the_columns_New_Video_reads()
    {
        using var ps = Engine.Start();
        var rows = Csv.Rows("Name,Description\r\nno-prompt,A harbour\r\nalso-none,A forest\r\nthird,A desert\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider FastRouter");

        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.Equal("VideoGen.NoPromptColumn,VideoGen.Commands.NewVideoCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("they have: Name, Description", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("Prompt (or Text)", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_semicolon_csv_read_with_the_comma_delimiter_is_explained_once()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        // What Import-Csv makes of an Excel CSV saved with ';' when -Delimiter is not given: one column per row.
        var rows = Csv.Rows("Name;Prompt;Duration\r\na;A kite " + tag + ";8\r\nb;A boat " + tag + ";8\r\n");
        Assert.Single(rows[0].Properties);

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider FastRouter");

        var error = Assert.Single(result.Errors);
        Assert.Equal("VideoGen.WrongCsvDelimiter,VideoGen.Commands.NewVideoCommand", error.FullyQualifiedErrorId);
        Assert.Contains("-Delimiter ';'", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(SharedEmulator.JobsTagged(tag));

        // Read with the right delimiter, the same file submits both rows.
        var right = ps.Set("rows", Csv.Rows("Name;Prompt;Duration\r\na;A kite " + tag + ";8\r\nb;A boat " + tag + ";8\r\n", ';')).Run("$rows | New-Video -Provider FastRouter");
        Assert.Empty(right.Errors);
        Assert.Equal(2, SharedEmulator.JobsTagged(tag).Count);
    }

    [Fact]
    public void Entirely_empty_rows_are_skipped_with_a_verbose_line_and_no_error()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt,Duration\r\na,A kite " + tag + ",8\r\n,,\r\nb,A boat " + tag + ",8\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider FastRouter -Verbose");

        Assert.Empty(result.Errors);
        Assert.Equal(2, result.Output.Count);
        Assert.Contains(result.Verbose, v => v.Message.Contains("Row 2 is empty", StringComparison.Ordinal));
    }

    [Fact]
    public void Lines_of_text_piped_in_are_prompts()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();

        // FastRouter takes 4-12 s: a line's own Length (here 18) must not be taken for -Duration by its alias Length.
        var result = ps.Run("('A kite ' + $args[0]), ('A boat ' + $args[0]) | New-Video -Provider FastRouter", tag);
        var typed = ps.Run("('A comet ' + $args[0]) | New-Video -Provider FastRouter -Duration 6", tag);

        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        Assert.Empty(typed.Errors);
        var jobs = SharedEmulator.JobsTagged(tag);
        // Each line is its own prompt (the second is not the first again).
        Assert.Equal(new[] { "A boat " + tag, "A comet " + tag, "A kite " + tag }, jobs.Select(j => j.Prompt).Order());
        Assert.DoesNotContain(jobs.Where(j => !j.Prompt.StartsWith("A comet", StringComparison.Ordinal)), j => j.SubmittedBody!.Contains("\"length\"", StringComparison.Ordinal));
        Assert.Contains("\"length\":6", jobs.Single(j => j.Prompt.StartsWith("A comet", StringComparison.Ordinal)).SubmittedBody!.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_mixed_with_rows_and_typed_values_each_keep_their_own_prompt_and_duration()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();

        // A line, a row with its own Prompt and Duration, then two lines: each is sent as itself.
        var mixed = ps.Run(@"
            ('A kite ' + $args[0]), [pscustomobject]@{ Prompt = ('B boat ' + $args[0]); Name = 'b'; Duration = '8' }, ('C comet ' + $args[0]), ('D dune ' + $args[0]) |
                New-Video -Provider FastRouter", tag);
        // -Prompt typed, lines piped as names: the lines' lengths are not durations.
        var typed = ps.Run("'clip-one', 'clip-2' | New-Video -Prompt ('E sunset ' + $args[0]) -Provider FastRouter -Name { $_ }", tag);

        Assert.True(mixed.Errors.Count == 0 && typed.Errors.Count == 0, string.Join("\n", mixed.Errors.Concat(typed.Errors)));
        var jobs = SharedEmulator.JobsTagged(tag);
        Assert.Equal(new[] { "A kite", "B boat", "C comet", "D dune", "E sunset", "E sunset" }, jobs.Select(j => j.Prompt.Split(' ')[0] + " " + j.Prompt.Split(' ')[1]).Order());
        Assert.Equal(new[] { "clip-2", "clip-one" }, typed.Output.Select(o => o.Text("Name")!).Order());
        foreach (var job in jobs)
        {
            var body = job.SubmittedBody!.Replace(" ", "", StringComparison.Ordinal);
            Assert.True(job.Prompt.StartsWith("B boat", StringComparison.Ordinal) ? body.Contains("\"length\":8", StringComparison.Ordinal) : !body.Contains("\"length\"", StringComparison.Ordinal), job.Prompt + ": " + body);
        }
    }

    [Theory]
    [InlineData("8")]
    [InlineData("8s")]
    [InlineData("8.0")]
    public void Duration_reads_the_forms_a_spreadsheet_writes(string duration)
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt,Duration\r\nd,A kite " + tag + "," + duration + "\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider FastRouter");

        Assert.Empty(result.Errors);
        Assert.Equal("8", Body(tag)["length"]?.ToString());
    }

    [Fact]
    public void Bad_rows_give_an_error_naming_row_and_field_and_the_other_rows_go_on()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows(
            "Name,Prompt,Duration,AspectRatio\r\n" +
            "good-a,A lighthouse " + tag + ",8,16:9\r\n" +
            "bad-length,A harbour " + tag + ",7,16:9\r\n" +
            "bad-aspect,A forest " + tag + ",8,2:1\r\n" +
            "empty,,8,16:9\r\n" +
            "good-b,A desert " + tag + ",4,9:16\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider FastRouter");

        Assert.Equal(new[] { "good-a", "good-b" }, result.Output.Select(o => o.Text("Name")).Order());
        Assert.Equal(2, SharedEmulator.JobsTagged(tag).Count);
        Assert.Equal(3, result.Errors.Count);
        Assert.Contains("row 2 ('bad-length'), field Duration", result.Errors[0].Exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("row 3 ('bad-aspect'), field AspectRatio", result.Errors[1].Exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("row 4 ('empty'), field Prompt", result.Errors[2].Exception.Message, StringComparison.OrdinalIgnoreCase);
        // The summary counts them.
        Assert.Contains(result.Information, i => (i.MessageData?.ToString() ?? string.Empty).StartsWith("New-Video: 2 job(s) created, 0 taken from the job store without paying again, 3 row(s) failed;", StringComparison.Ordinal));
        Assert.All(result.Errors, e =>
        {
            Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
            Assert.Equal("VideoGen.InvalidArgument,VideoGen.Commands.NewVideoCommand", e.FullyQualifiedErrorId);
            Assert.NotNull(e.TargetObject);
        });
    }

    [Fact]
    public void A_mode_outside_the_validated_set_fails_that_row_only()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt,Mode\r\nturbo,Fast cars " + tag + ",turbo\r\nstd,Slow cars " + tag + ",std\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider FastRouter -Model kling-ai/kling-v2-1");

        Assert.Equal("std", Assert.Single(result.Output).Text("Name"));
        var error = Assert.Single(result.Errors);
        Assert.Contains("Mode", error.ToString(), StringComparison.Ordinal);
        Assert.Single(SharedEmulator.JobsTagged(tag));
    }

    [Fact]
    public void The_prompt_binds_by_position_and_by_its_alias_Text()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();

        var result = ps.Set("row", Csv.Rows("Text,Name\r\nBy alias " + tag + ",alias\r\n")[0])
            .Run("New-Video ('By position ' + $args[0]) -Provider AppleRouter -Name position; $row | New-Video -Provider AppleRouter", tag);

        Assert.Empty(result.Errors);
        Assert.Equal(new[] { "alias", "position" }, result.Output.Select(o => o.Text("Name")).Order());
        Assert.Equal(2, SharedEmulator.JobsTagged(tag).Count);
    }

    [Fact]
    public void ThrottleLimit_out_of_range_is_refused_by_the_binder_before_anything_is_sent()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();

        var result = ps.Run("New-Video -Prompt ('Never ' + $args[0]) -Provider FastRouter -ThrottleLimit 0", tag);

        var error = result.Terminating as ParameterBindingException ?? (result.Terminating as RuntimeException)?.ErrorRecord.Exception as ParameterBindingException
            ?? Assert.Single(result.Errors).Exception as ParameterBindingException;
        Assert.NotNull(error);
        Assert.Equal("ThrottleLimit", error!.ParameterName);
        Assert.Empty(SharedEmulator.JobsTagged(tag));
    }
}
