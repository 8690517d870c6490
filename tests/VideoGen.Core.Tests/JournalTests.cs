using VideoGen.Core;
using VideoGen.Core.Providers;

namespace VideoGen.Core.Tests;

/// <summary>The job journal: nothing paid for is lost after a crash, and nothing secret is written.</summary>
public class JournalTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "videogen-journal-" + Guid.NewGuid().ToString("N"), "journal.jsonl");

    public void Dispose()
    {
        if (Directory.Exists(Path.GetDirectoryName(_path)))
        {
            Directory.Delete(Path.GetDirectoryName(_path)!, true);
        }
    }

    private static VideoJob Submitted(string id, VideoProvider provider = VideoProvider.FastRouter)
    {
        var m = ProviderMappings.For(provider);
        return m.ReadSubmitResponse(new ProviderResponse(200, "application/json", System.Text.Encoding.UTF8.GetBytes("{\"id\":\"" + id + "\",\"task_id\":\"" + id + "\",\"status\":\"queued\",\"polling_url\":\"/api/v1/videos/" + id + "\"}")),
            new VideoRequest { Prompt = "prompt " + id, Name = "name-" + id, Model = "m-" + id }, m.DefaultBaseUri!, DateTimeOffset.UtcNow);
    }

    [Fact]
    public void Unfinished_jobs_are_those_submitted_and_neither_saved_nor_ended()
    {
        var journal = new JobJournal(_path);
        var a = Submitted("a");
        var b = Submitted("b", VideoProvider.OpenRouter);
        var c = Submitted("c", VideoProvider.AppleRouter);
        journal.Submitted(a);
        journal.Submitted(b);
        journal.Submitted(c);
        journal.Saved(a, "/videos/a.mp4");
        var failed = VideoJob.Restore("c", VideoProvider.AppleRouter, null, status: "Failed");
        journal.Ended(failed);

        var unfinished = journal.ReadUnfinished();

        var only = Assert.Single(unfinished);
        Assert.Equal("b", only.Id);
        Assert.Equal(VideoProvider.OpenRouter, only.Provider);
        Assert.Equal("m-b", only.Model);
        Assert.Equal("name-b", only.Name);
        Assert.Equal("prompt b", only.Prompt);
        Assert.Equal("https://openrouter.ai/api/v1/videos/b", only.PollingUrl);
        Assert.Equal("https://openrouter.ai/api/v1", only.BaseUri);
        Assert.NotNull(only.SubmittedAt);
        Assert.Equal(3, journal.ReadAll().Count);
    }

    [Fact]
    public void A_line_cut_short_by_a_crash_does_not_hide_the_others()
    {
        var journal = new JobJournal(_path);
        journal.Submitted(Submitted("first"));
        File.AppendAllText(_path, "{\"event\":\"submitted\",\"id\":\"trunc");
        File.AppendAllText(_path, "\n");
        journal.Submitted(Submitted("second"));

        Assert.Equal(new[] { "first", "second" }, journal.ReadUnfinished().Select(j => j.Id));
    }

    [Fact]
    public void Several_writers_at_once_lose_no_line()
    {
        var journal = new JobJournal(_path);
        Parallel.For(0, 200, i => new JobJournal(_path).Submitted(Submitted("j" + i)));

        Assert.Equal(200, journal.ReadUnfinished().Select(j => j.Id).Distinct().Count());
    }

    [Fact]
    public void The_path_comes_from_the_parameter_then_the_variable_then_a_per_user_default()
    {
        Assert.Equal(Path.GetFullPath("x.jsonl"), JobJournal.Resolve("x.jsonl", _ => "/elsewhere.jsonl").Path);
        Assert.Equal(Path.GetFullPath("/elsewhere.jsonl"), JobJournal.Resolve(null, n => n == JobJournal.PathVariable ? "/elsewhere.jsonl" : null).Path);
        var fallback = JobJournal.Resolve(null, n => n == "XDG_STATE_HOME" ? "/state" : null).Path;
        Assert.EndsWith("journal.jsonl", fallback);
        Assert.Contains("videogen", fallback, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_full_run_records_every_job_and_leaves_nothing_unfinished_and_no_key()
    {
        await using var server = await VideoGen.Emulator.EmulatorServer.StartAsync(new VideoGen.Emulator.EmulatorOptions { ApiKey = CorePipeline.Key, JobDuration = TimeSpan.FromMilliseconds(300) });
        var pipeline = Pipelines.For(server);
        var journal = new JobJournal(_path);
        var endpoint = pipeline.Endpoint(VideoProvider.FastRouter);
        var job = await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "Journal me", Name = "journal-me" }, null, default);
        journal.Submitted(job);
        Assert.Single(journal.ReadUnfinished());

        var resumed = journal.ReadUnfinished()[0];
        var target = Path.Combine(Path.GetDirectoryName(_path)!, "journal-me.mp4");
        await Task.Delay(400);
        var saved = await new VideoGen.Core.Downloading.VideoDownloader(pipeline.Client).SaveAsync(
            EndpointResolver.Resolve(resumed.Provider, resumed.BaseUri, null, pipeline.Environment), resumed, target, false, null, null, default);
        journal.Saved(resumed, saved.Path);

        Assert.Empty(journal.ReadUnfinished());
        Assert.DoesNotContain(CorePipeline.Key, File.ReadAllText(_path));
        Assert.Equal(1, server.State.Submissions);
    }
}
