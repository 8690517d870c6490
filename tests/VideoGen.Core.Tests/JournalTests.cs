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
        await using var server = await VideoGen.Emulator.EmulatorServer.StartAsync(new VideoGen.Emulator.EmulatorOptions { ApiKey = TestClient.Key, JobDuration = TimeSpan.FromMilliseconds(300) });
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
        Assert.DoesNotContain(TestClient.Key, File.ReadAllText(_path));
        Assert.Equal(1, server.State.Submissions);
    }

    [Fact]
    public void Each_job_reports_its_last_state_saved_with_path_and_sha_failed_with_reason_and_keeps_its_submission_time()
    {
        var journal = new JobJournal(_path);
        var a = Submitted("a");
        var b = Submitted("b", VideoProvider.OpenRouter);
        var c = Submitted("c", VideoProvider.AppleRouter);
        var submittedAt = a.SubmittedAt;
        journal.Submitted(a);
        journal.Submitted(b);
        journal.Submitted(c);
        // Later lines written from jobs restored elsewhere carry another (or no) submission time.
        var later = VideoJob.Restore("a", VideoProvider.FastRouter, "m-a", status: "Succeeded");
        later.SubmittedAt = DateTimeOffset.UtcNow.AddHours(5);
        journal.StatusChanged(later);
        journal.Saved(later, "/videos/a.mp4", "abc123");
        var failed = VideoJob.Restore("b", VideoProvider.OpenRouter, "m-b", status: "Failed");
        failed.Error = "content policy; echo Bearer sk-live-fake0123";
        journal.Ended(failed);

        var states = journal.ReadStates();

        Assert.Equal(new[] { "a", "b", "c" }, states.Select(s => s.Job.Id));
        var sa = states[0];
        Assert.True(sa.IsSaved);
        Assert.True(sa.IsDone);
        Assert.Equal("saved", sa.LastEvent);
        Assert.Equal(VideoJobStatus.Succeeded, sa.Job.Status);
        Assert.Equal("/videos/a.mp4", sa.SavedPath);
        Assert.Equal("abc123", sa.Sha256);
        Assert.Equal(submittedAt, sa.Job.SubmittedAt);
        Assert.Equal(VideoJobStatus.Failed, states[1].Job.Status);
        Assert.StartsWith("content policy", states[1].Job.Error);
        Assert.DoesNotContain("sk-live", states[1].Job.Error);
        Assert.DoesNotContain("sk-live", File.ReadAllText(_path));
        Assert.Equal(VideoJobStatus.Queued, states[2].Job.Status);
        Assert.False(states[2].IsDone);
        Assert.Equal("abc123", journal.SavedSha256(VideoProvider.FastRouter, "a"));
        Assert.Null(journal.SavedSha256(VideoProvider.AppleRouter, "c"));
        Assert.Equal(new[] { "c" }, journal.ReadUnfinished().Select(j => j.Id));
    }

    [Fact]
    public void A_file_at_the_target_whose_sha_matches_the_saved_record_is_recognised_as_the_jobs_file()
    {
        var journal = new JobJournal(_path);
        var job = Submitted("s");
        journal.Submitted(job);
        var file = Path.Combine(Path.GetDirectoryName(_path)!, "s.mp4");
        File.WriteAllText(file, "the video bytes");
        var sha = VideoGen.Core.Downloading.VideoDownloader.Sha256OfFile(file);
        Assert.False(journal.IsSavedFile(job, file)); // not saved yet

        journal.Saved(job, file, sha);

        Assert.True(journal.IsSavedFile(job, file));
        Assert.True(journal.ReadStates().Single(e => e.Job.Id == "s").IsSavedFile(file));
        Assert.False(journal.IsSavedFile(Submitted("other"), file));
        File.WriteAllText(file, "another video");
        Assert.False(journal.IsSavedFile(job, file));
    }

    [Fact]
    public void Two_processes_appending_1000_jobs_each_lose_and_interleave_no_line()
    {
        var writer = Path.Combine(Repo.Root, "tests", "VideoGen.JournalWriter", "bin",
            new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "VideoGen.JournalWriter.dll");
        Assert.True(File.Exists(writer), "build the solution first: " + writer);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var processes = new[] { "p1", "p2" }.Select(prefix =>
        {
            var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in new[] { writer, _path, prefix, "1000" })
            {
                info.ArgumentList.Add(arg);
            }
            return System.Diagnostics.Process.Start(info)!;
        }).ToList();
        try
        {
            foreach (var p in processes)
            {
                p.StandardInput.WriteLine("go"); // both start appending together
            }
            foreach (var p in processes)
            {
                Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), "a writer did not finish");
                Assert.Equal(0, p.ExitCode);
            }
        }
        finally
        {
            foreach (var p in processes)
            {
                if (!p.HasExited)
                {
                    p.Kill();
                }
                p.Dispose();
            }
        }

        var lines = File.ReadAllText(_path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2000, lines.Length);
        foreach (var line in lines)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line); // whole lines: each parses
        }
        var ids = new JobJournal(_path).ReadAll().Select(j => j.Id).ToHashSet();
        for (var i = 0; i < 1000; i++)
        {
            Assert.Contains("p1-" + i, ids);
            Assert.Contains("p2-" + i, ids);
        }
    }
}
