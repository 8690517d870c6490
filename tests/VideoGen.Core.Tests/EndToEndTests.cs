using System.Security.Cryptography;
using VideoGen.Core;
using VideoGen.Core.Downloading;

namespace VideoGen.Core.Tests;

/// <summary>The main job on real input: examples/prompts.csv through submit, wait and save, against the emulator over loopback HTTP.</summary>
public class EndToEndTests : IClassFixture<EmulatorFixture>, IDisposable
{
    private readonly EmulatorFixture _fixture;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "videogen-e2e-" + Guid.NewGuid().ToString("N"));

    public EndToEndTests(EmulatorFixture fixture) => _fixture = fixture;

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, true);
        }
    }

    [Theory]
    [InlineData("FastRouter")]
    [InlineData("OpenRouter")]
    [InlineData("AppleRouter")]
    public async Task Every_row_of_the_example_csv_becomes_one_valid_mp4_named_after_it(string provider)
    {
        var rows = Repo.ReadCsv(Path.Combine(Repo.Root, "examples", "prompts.csv"));
        Assert.True(rows.Count >= 6);
        var pipeline = Pipelines.For(_fixture.Server);

        var result = await pipeline.RunAsync(rows, provider, _directory);

        Assert.Empty(result.RowErrors);
        Assert.Empty(result.SaveErrors);
        Assert.All(result.Waited, w => Assert.Null(w.Error));
        Assert.Equal(rows.Count, result.Submitted.Count);
        Assert.Equal(rows.Count, result.Saved.Count);
        foreach (var row in rows)
        {
            var path = Path.Combine(_directory, row["Name"] + ".mp4");
            Mp4.AssertMp4(path);
            var saved = Assert.Single(result.Saved, s => s.Path == Path.GetFullPath(path));
            Assert.Equal(new FileInfo(path).Length, saved.Length);
            Assert.Equal(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant(), saved.Sha256);
        }
        // Every job id the provider created is present in the results, and each exists at the emulator.
        var ids = result.Submitted.Select(j => j.Id).ToHashSet();
        Assert.Equal(ids, result.Waited.Select(w => w.Job.Id).ToHashSet());
        Assert.Equal(ids, result.Saved.Select(s => s.Id).ToHashSet());
        Assert.All(ids, id => Assert.True(_fixture.Server.State.Jobs.ContainsKey(id)));
        Assert.All(result.Submitted, j => Assert.Equal(Enum.Parse<VideoProvider>(provider), j.Provider));
        Assert.Empty(Directory.GetFiles(_directory, "*.partial", SearchOption.AllDirectories).Concat(Directory.GetFiles(_directory, ".*")));
    }

    [Fact]
    public async Task A_bad_row_yields_an_error_naming_the_row_and_the_other_rows_still_produce_videos()
    {
        var rows = new List<Dictionary<string, string?>>
        {
            new() { ["Name"] = "good-one", ["Prompt"] = "A red kite over green hills", ["Provider"] = "OpenRouter" },
            new() { ["Name"] = "empty-prompt", ["Prompt"] = "   ", ["Provider"] = "OpenRouter" },
            new() { ["Name"] = "no-such-provider", ["Prompt"] = "A boat", ["Provider"] = "MoonRouter" },
            new() { ["Name"] = "good-two", ["Prompt"] = "Rain on a tin roof", ["Provider"] = "FastRouter", ["Length"] = "5" },
        };
        var pipeline = Pipelines.For(_fixture.Server);
        var submissionsBefore = _fixture.Server.State.Submissions;

        var result = await pipeline.RunAsync(rows, null, _directory);

        Assert.Equal(2, result.RowErrors.Count);
        Assert.Contains("row 2 ('empty-prompt')", result.RowErrors[0].Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("field Prompt", result.RowErrors[0].Message);
        Assert.Contains("row 3 ('no-such-provider')", result.RowErrors[1].Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("field Provider", result.RowErrors[1].Message);
        Assert.All(result.RowErrors, e => Assert.Equal(VideoGenErrorKind.InvalidArgument, e.Kind));
        Assert.Equal(2, _fixture.Server.State.Submissions - submissionsBefore);
        Mp4.AssertMp4(Path.Combine(_directory, "good-one.mp4"));
        Mp4.AssertMp4(Path.Combine(_directory, "good-two.mp4"));
        Assert.Equal(2, Directory.GetFiles(_directory).Length);
    }

    [Fact]
    public async Task A_failed_job_is_an_error_carrying_its_id_and_the_others_are_saved()
    {
        var rows = new List<Dictionary<string, string?>>
        {
            new() { ["Name"] = "ok", ["Prompt"] = "Sunrise over a harbour" },
            new() { ["Name"] = "doomed", ["Prompt"] = "This one [fail]s at the provider" },
        };
        var pipeline = Pipelines.For(_fixture.Server);

        var result = await pipeline.RunAsync(rows, "AppleRouter", _directory);

        var failed = Assert.Single(result.Waited, w => w.Error != null);
        Assert.Equal(VideoJobStatus.Failed, failed.Job.Status);
        Assert.Equal(failed.Job.Id, failed.Error!.TaskId);
        Assert.Contains(failed.Job.Id, failed.Error.Message);
        Assert.Equal(VideoGenErrorKind.JobFailed, failed.Error.Kind);
        Assert.Single(result.Saved);
        Assert.False(File.Exists(Path.Combine(_directory, "doomed.mp4")));
    }

    [Fact]
    public async Task FastRouter_Sora_and_polls_that_answer_bytes_still_save_a_valid_file()
    {
        var rows = new List<Dictionary<string, string?>>
        {
            new() { ["Name"] = "sora-clip", ["Prompt"] = "Paper boats on a canal", ["Model"] = "openai/sora-2", ["Duration"] = "4", ["AspectRatio"] = "16:9" },
            new() { ["Name"] = "pollo-clip", ["Prompt"] = "A fox in snow", ["Model"] = "pollo/pollo-v1-6" },
        };
        var pipeline = Pipelines.For(_fixture.Server);

        var result = await pipeline.RunAsync(rows, "FastRouter", _directory);

        Assert.Empty(result.RowErrors);
        Assert.Empty(result.SaveErrors);
        Mp4.AssertMp4(Path.Combine(_directory, "sora-clip.mp4"));
        Mp4.AssertMp4(Path.Combine(_directory, "pollo-clip.mp4"));
        // Submissions run in parallel, so jobs arrive in the order the provider answers.
        Assert.Contains(result.Submitted, j => j.Id.StartsWith("pol_", StringComparison.Ordinal) && j.Model == "pollo/pollo-v1-6");
    }

    [Fact]
    public void File_names_are_safe_on_windows_and_linux()
    {
        Assert.Equal("a_b_c", FileNames.Sanitize("a/b\\c"));
        Assert.Equal("etc_passwd", FileNames.Sanitize("../../etc/passwd").TrimStart('_', '.'));
        Assert.DoesNotContain("..", FileNames.Sanitize(".."));
        Assert.Equal("_CON", FileNames.Sanitize("CON"));
        Assert.Equal("video", FileNames.Sanitize("   "));
        Assert.Equal("what_ why_", FileNames.Sanitize("what? why*"));
        Assert.Equal(FileNames.MaxBaseLength, FileNames.Sanitize(new string('x', 500)).Length);
        Assert.Equal("task1.mp4", FileNames.ForJob(VideoJob.Restore("task1", VideoProvider.FastRouter, null)));
    }
}
