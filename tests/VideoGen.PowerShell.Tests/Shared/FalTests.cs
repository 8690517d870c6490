using System.Management.Automation;
using System.Text.Json;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// fal's queue through the real cmdlets against the emulator's fal port: the model's own spellings on the wire, the
/// key as <c>Authorization: Key …</c> from <c>$env:FAL_KEY</c>, the queue position, the result read once COMPLETED,
/// a failed model's reason, completion and -WhatIf (docs/providers.md, fal).
/// </summary>
public class FalTests
{
    [Fact]
    public void A_csv_row_goes_to_the_models_queue_in_the_models_own_spelling_and_its_video_is_saved()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt,Model,Duration,AspectRatio,Resolution,Seed\r\n" +
            "veo,A fox in snow " + tag + ",fal-ai/veo3.1,6,9:16,1080P,7\r\n" +
            "kling,A kite over dunes " + tag + ",fal-ai/kling-video/v2.5-turbo/pro/text-to-video,10,1:1,,\r\n");
        var output = Path.Combine(ps.Directory, "fal");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider Fal | Wait-Video | Save-Video -OutputDirectory $args[0]", output);

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Equal(2, result.Output.Count);
        Mp4.AssertMp4(Path.Combine(output, "veo.mp4"));
        Mp4.AssertMp4(Path.Combine(output, "kling.mp4"));
        var jobs = SharedEmulator.JobsTagged(tag);
        var veo = JsonDocument.Parse(Assert.Single(jobs, j => j.Model == "fal-ai/veo3.1").SubmittedBody!).RootElement;
        Assert.Equal("6s", veo.GetProperty("duration").GetString());
        Assert.Equal("9:16", veo.GetProperty("aspect_ratio").GetString());
        Assert.Equal("1080p", veo.GetProperty("resolution").GetString());
        Assert.Equal(7, veo.GetProperty("seed").GetInt64());
        var kling = JsonDocument.Parse(Assert.Single(jobs, j => j.Model == "fal-ai/kling-video/v2.5-turbo/pro/text-to-video").SubmittedBody!).RootElement;
        Assert.Equal("10", kling.GetProperty("duration").GetString());
        Assert.False(kling.TryGetProperty("resolution", out _));
        // The result was read once per job, after the status said COMPLETED.
        Assert.All(jobs, j => Assert.Equal(1, j.Results));
    }

    [Fact]
    public void A_failed_model_is_a_failed_job_whose_error_gives_fals_reason_and_the_other_row_is_saved()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt\r\ngood,Fine " + tag + "\r\nbad,Broken [fail] " + tag + "\r\n");
        var output = Path.Combine(ps.Directory, "fal-failed");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider Fal | Wait-Video | Save-Video -OutputDirectory $args[0]", output);

        Assert.Null(result.Terminating);
        Mp4.AssertMp4(Path.Combine(output, "good.mp4"));
        Assert.False(File.Exists(Path.Combine(output, "bad.mp4")));
        var failed = Assert.Single(SharedEmulator.JobsTagged(tag), j => j.Prompt.Contains("[fail]", StringComparison.Ordinal));
        var error = Assert.Single(result.Errors, e => e.ToString().Contains(failed.Id, StringComparison.Ordinal));
        Assert.Contains("HTTP 422", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("The emulator was asked to fail this job. (body.prompt)", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_VideoStatus_shows_the_queue_position_while_the_request_waits()
    {
        using var ps = Engine.Start();
        await using var server = await SharedEmulator.StartPrivateAsync(o => o.JobDuration = TimeSpan.FromSeconds(8));
        {
            var tag = SharedEmulator.NewTag();
            // Three requests at once: the emulator queues each for the first fifth of its 8 s, the third behind the other two.
            var result = ps.Run(@"
                $base, $tag = $args
                $jobs = 1..3 | ForEach-Object { New-Video -Provider Fal -BaseUri $base -Prompt ""Queue $_ $tag"" }
                $jobs[2] | Get-VideoStatus -Provider Fal -BaseUri $base", server.BaseUriFor("Fal").AbsoluteUri, tag);

            Assert.Null(result.Terminating);
            Assert.Empty(result.Errors);
            Assert.Equal(3, server.State.Submissions);
            var status = result.Output.Last();
            Assert.Equal("Queued", status.Text("Status"));
            Assert.Equal("IN_QUEUE", status.Text("ProviderStatus"));
            Assert.Equal(2, Convert.ToInt32(status.Get("QueuePosition"), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Tab_completes_fals_documented_models_and_each_models_own_values_and_WhatIf_submits_nothing()
    {
        var console = new TextHost(200);
        using var ps = Engine.Start(host: console);
        var tag = SharedEmulator.NewTag();

        var models = ps.Complete("New-Video -Provider Fal -Model ");
        Assert.Contains("fal-ai/veo3.1/fast", models);
        Assert.Contains("fal-ai/minimax/hailuo-02/standard/text-to-video", models);
        Assert.Equal(new[] { "5", "10" }, ps.Complete("New-Video -Provider Fal -Model fal-ai/kling-video/v2.5-turbo/pro/text-to-video -Duration "));
        Assert.Equal(new[] { "4", "6", "8" }, ps.Complete("New-Video -Provider Fal -Model fal-ai/veo3.1 -Duration "));
        Assert.Empty(ps.Complete("New-Video -Provider Fal -Model fal-ai/minimax/hailuo-02/standard/text-to-video -AspectRatio "));

        var result = ps.Run("New-Video -Provider Fal -Model fal-ai/veo3.1 -Prompt ('What if ' + $args[0]) -Duration 8 -WhatIf", tag);

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Empty(result.Output);
        Assert.Empty(SharedEmulator.JobsTagged(tag));
        Assert.Contains("Fal", console.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_fal_cannot_honour_is_refused_naming_the_row_and_field_before_anything_is_paid_and_the_other_rows_go_on()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt,Model,Duration,AspectRatio\r\n" +
            "ok,Fine " + tag + ",fal-ai/veo3.1,8,16:9\r\n" +
            "seven,Seven seconds " + tag + ",fal-ai/veo3.1,7,16:9\r\n" +
            "hailuo,No aspect " + tag + ",fal-ai/minimax/hailuo-02/standard/text-to-video,6,16:9\r\n" +
            "noapp,No app " + tag + ",veo3,8,\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider Fal");

        Assert.Null(result.Terminating);
        Assert.Equal("ok", Assert.Single(result.Output).Text("Name"));
        Assert.Single(SharedEmulator.JobsTagged(tag));
        Assert.Equal(3, result.Errors.Count);
        Assert.Contains(result.Errors, e => e.ToString().Contains("'seven'", StringComparison.Ordinal) && e.ToString().Contains("Duration", StringComparison.Ordinal) &&
            e.ToString().Contains("4, 6, 8", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.ToString().Contains("'hailuo'", StringComparison.Ordinal) && e.ToString().Contains("AspectRatio", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.ToString().Contains("'noapp'", StringComparison.Ordinal) && e.ToString().Contains("owner/app", StringComparison.Ordinal));
    }

    [Fact]
    public void A_fal_job_known_by_id_alone_asks_for_its_model_and_sends_nothing_and_with_the_model_it_is_followed()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var submitted = ps.Run("New-Video -Provider Fal -Prompt ('By id ' + $args[0])", tag);
        Assert.Empty(submitted.Errors);
        var id = submitted.Output.Single().Text("Id");
        var job = Assert.Single(SharedEmulator.JobsTagged(tag));
        var before = job.Polls;

        var alone = ps.Run("Get-VideoStatus -Provider Fal -Id $args[0]", id);
        var withModel = ps.Run("Get-VideoStatus -Provider Fal -Id $args[0] -Model fal-ai/veo3.1/fast", id);

        var refusal = Assert.Single(alone.Errors);
        Assert.Contains("-Model", refusal.ToString(), StringComparison.Ordinal);
        Assert.Contains("Nothing was sent", refusal.ToString(), StringComparison.Ordinal);
        Assert.Empty(withModel.Errors);
        Assert.Equal(id, withModel.Output.Single().Text("Id"));
        Assert.Equal(before + 1, job.Polls);
    }

    [Fact]
    public async Task Without_FAL_KEY_the_error_names_the_variable_and_the_key_goes_as_fals_Key_scheme()
    {
        using var ps = Engine.Start();
        await using var server = await SharedEmulator.StartPrivateAsync();
        {
            var missing = ps.Run(@"
                $saved = $env:FAL_KEY; $env:FAL_KEY = $null
                try { New-Video -Provider Fal -Prompt 'no key' -BaseUri $args[0] } finally { $env:FAL_KEY = $saved }", server.BaseUriFor("Fal").AbsoluteUri);
            var error = Assert.Single(missing.Errors);
            Assert.Contains("$env:FAL_KEY", error.ToString(), StringComparison.Ordinal);
            Assert.Equal(0, server.State.Submissions);

            // The emulator's fal port takes only "Key <key>": a submission that got through carried it so.
            var sent = ps.Run("New-Video -Provider Fal -Prompt 'with key' -BaseUri $args[0]", server.BaseUriFor("Fal").AbsoluteUri);
            Assert.Empty(sent.Errors);
            Assert.Equal(1, server.State.Submissions);
            Assert.Equal(0, server.State.Unauthorized);
        }
    }
}
