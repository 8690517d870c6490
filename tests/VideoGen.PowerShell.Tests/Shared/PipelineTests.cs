using System.Management.Automation;
using System.Security.Cryptography;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>The main job through the real cmdlets: CSV rows | New-Video | Wait-Video | Save-Video against the emulator.</summary>
public class PipelineTests
{
    /// <summary>The rows of examples/prompts.csv, each prompt tagged so the emulator's jobs for this test can be found.</summary>
    internal static List<PSObject> ExampleRows(string tag)
    {
        var rows = Csv.File(Repo.File("examples", "prompts.csv"));
        foreach (var row in rows)
        {
            row.Properties["Prompt"].Value = row.Text("Prompt") + " " + tag;
        }
        return rows;
    }

    [Theory]
    [InlineData("FastRouter")]
    [InlineData("OpenRouter")]
    [InlineData("AppleRouter")]
    [InlineData("Fal")]
    public void Every_row_of_the_example_csv_becomes_one_valid_mp4_named_after_it(string provider)
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = ExampleRows(tag);
        var output = Path.Combine(ps.Directory, "videos");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider $args[0] | Wait-Video | Save-Video -OutputDirectory $args[1]", provider, output);

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Equal(rows.Count, result.Output.Count);
        Assert.All(result.Output, o => Assert.Equal("VideoGen.Core.SavedVideo", o.TypeNames[0]));
        foreach (var row in rows)
        {
            var path = Path.Combine(output, row.Text("Name") + ".mp4");
            Mp4.AssertMp4(path);
            var saved = Assert.Single(result.Output, o => o.Text("Path") == path);
            Assert.Equal(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant(), saved.Text("Sha256"));
            Assert.Equal(new FileInfo(path).Length, Convert.ToInt64(saved.Get("Length"), System.Globalization.CultureInfo.InvariantCulture));
        }
        // Every job the provider created for these rows is in the output, once.
        var created = SharedEmulator.JobsTagged(tag);
        Assert.Equal(rows.Count, created.Count);
        Assert.Equal(created.Select(j => j.Id).Order(), result.Output.Select(o => o.Text("Id")!).Order());
        Assert.All(created, j => Assert.Equal(provider.ToLowerInvariant(), j.Provider.ToLowerInvariant()));
        Assert.DoesNotContain(Directory.GetFiles(output), f => !f.EndsWith(".mp4", StringComparison.Ordinal));
    }

    [Fact]
    public void OpenAI_style_route_uploads_a_local_image_and_saves_video_thumbnail_and_spritesheet()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var image = Path.Combine(ps.Directory, "ref.png");
        File.WriteAllBytes(image, Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="));
        var output = Path.Combine(ps.Directory, "variants");

        var result = ps.Run(@"
            $job = New-Video -Prompt ('A cow dancing ' + $args[0]) -Provider OpenAICompatible -Duration 8 -AspectRatio 9:16 -Image $args[1] -Name cow | Wait-Video
            foreach ($variant in 'Video', 'Thumbnail', 'Spritesheet') { $job | Save-Video -OutputDirectory $args[2] -Variant $variant }", tag, image, output);

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Equal(3, result.Output.Count);
        Mp4.AssertMp4(Path.Combine(output, "cow.mp4"));
        Assert.True(File.Exists(Path.Combine(output, "cow.webp")));
        Assert.True(File.Exists(Path.Combine(output, "cow.jpg")));
        var job = Assert.Single(SharedEmulator.JobsTagged(tag));
        Assert.Equal(new FileInfo(image).Length, job.Upload?.Length);
    }

    [Fact]
    public void A_failed_job_is_emitted_and_gives_an_error_record_carrying_its_id()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();

        var result = ps.Run("New-Video -Prompt ('This one will [fail] ' + $args[0]) -Provider OpenRouter -Name doomed | Wait-Video", tag);

        var job = Assert.Single(result.Output);
        Assert.Equal("Failed", job.Text("Status"));
        var error = Assert.Single(result.Errors);
        var id = Assert.Single(SharedEmulator.JobsTagged(tag)).Id;
        Assert.Equal(id, job.Text("Id"));
        Assert.Equal(id, PSObject.AsPSObject(error.Exception).Text("TaskId"));
        Assert.Equal(id, PSObject.AsPSObject(error.TargetObject).Text("Id"));
        Assert.Contains(id, error.Exception.Message, StringComparison.Ordinal);
        Assert.StartsWith("VideoGen.JobFailed", error.FullyQualifiedErrorId, StringComparison.Ordinal);
    }

    [Fact]
    public void An_existing_file_is_refused_without_Force_and_left_untouched()
    {
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "existing");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "keep.mp4"), "precious");

        var result = ps.Run("New-Video -Prompt ('Harbour lights ' + $args[0]) -Provider FastRouter -Name keep | Wait-Video | Save-Video -OutputDirectory $args[1]",
            SharedEmulator.NewTag(), output);

        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
        Assert.Equal("precious", File.ReadAllText(Path.Combine(output, "keep.mp4")));
    }

    [Fact]
    public void With_Force_an_existing_file_is_replaced_by_the_video()
    {
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "forced");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "keep.mp4"), "old");

        var result = ps.Run("New-Video -Prompt ('Harbour lights ' + $args[0]) -Provider FastRouter -Name keep | Wait-Video | Save-Video -OutputDirectory $args[1] -Force",
            SharedEmulator.NewTag(), output);

        Assert.Empty(result.Errors);
        Assert.Single(result.Output);
        Mp4.AssertMp4(Path.Combine(output, "keep.mp4"));
    }

    [Fact]
    public void Wait_Video_TimeoutSec_emits_the_running_job_with_a_timeout_error_carrying_its_id()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();

        var result = ps.Run("New-Video -Prompt ('A [slow] sunrise ' + $args[0]) -Provider AppleRouter -Name slow | Wait-Video -TimeoutSec 1", tag);

        var id = Assert.Single(SharedEmulator.JobsTagged(tag)).Id;
        var job = Assert.Single(result.Output);
        Assert.Equal(id, job.Text("Id"));
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.OperationTimeout, error.CategoryInfo.Category);
        Assert.Equal(id, PSObject.AsPSObject(error.Exception).Text("TaskId"));
        Assert.Contains(id, error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Jobs_exported_as_csv_resume_in_a_new_session_without_submitting_again()
    {
        var tag = SharedEmulator.NewTag();
        string exported;
        using (var first = Engine.Start())
        {
            var rows = ExampleRows(tag).Take(2).ToList();
            var submitted = first.Set("rows", rows).Run("$rows | New-Video -Provider FastRouter");
            Assert.Empty(submitted.Errors);
            Assert.Equal(2, submitted.Output.Count);
            exported = Csv.Export(submitted.Output);
        }
        Assert.Equal(2, SharedEmulator.JobsTagged(tag).Count);

        using var second = Engine.Start();
        var jobs = Csv.Rows(exported);
        Assert.All(jobs, j => Assert.All(j.Properties, p => Assert.True(p.Value is null or string)));
        var output = Path.Combine(second.Directory, "resumed");
        var result = second.Set("jobs", jobs).Run("$jobs | Wait-Video | Save-Video -OutputDirectory $args[0]", output);

        Assert.Empty(result.Errors);
        Assert.Equal(jobs.Select(j => j.Text("Id")).Order(), result.Output.Select(o => o.Text("Id")).Order());
        Assert.Equal(2, SharedEmulator.JobsTagged(tag).Count);
        Assert.All(result.Output, o => Mp4.AssertMp4(o.Text("Path")!));
    }
}

/// <summary>FastRouter's two answer families through the cmdlets: Sora (seconds/size) and a model whose polls answer bytes.</summary>
public class FastRouterShapeTests
{
    [Fact]
    public void Sora_and_a_pollo_model_whose_polls_answer_bytes_both_save_a_valid_file()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt,Model,Duration,AspectRatio\r\nsora-clip,Paper boats " + tag + ",openai/sora-2,4,16:9\r\npollo-clip,A fox in snow " + tag + ",pollo/pollo-v1-6,,\r\n");
        var output = Path.Combine(ps.Directory, "fast");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider FastRouter | Wait-Video | Save-Video -OutputDirectory $args[0]", output);

        Assert.Empty(result.Errors);
        Mp4.AssertMp4(Path.Combine(output, "sora-clip.mp4"));
        Mp4.AssertMp4(Path.Combine(output, "pollo-clip.mp4"));
        Assert.Contains(SharedEmulator.JobsTagged(tag), j => j.Id.StartsWith("pol_", StringComparison.Ordinal) && j.Model == "pollo/pollo-v1-6");
    }
}
