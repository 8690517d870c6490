using VideoGen.Core;
using VideoGen.Core.Providers;

namespace VideoGen.Core.Tests;

/// <summary>The job journal: nothing paid for is lost after a crash, and nothing secret is written.</summary>
public class JournalTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "videogen-journal-" + Guid.NewGuid().ToString("N"), "journal.db");

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
    public void A_store_that_is_not_a_store_is_refused_naming_the_file_and_left_unchanged()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        File.WriteAllText(_path, "{\"event\":\"submitted\",\"id\":\"a\",\"provider\":\"FastRouter\"}\n");
        var jsonl = Assert.Throws<VideoGenException>(() => new JobJournal(_path).EnsureWritable());
        Assert.Contains(_path, jsonl.Message);
        Assert.Contains("Import-VideoJob -Path", jsonl.Message);

        File.WriteAllBytes(_path, System.Text.Encoding.ASCII.GetBytes("this is no database at all, just some bytes a disk left behind"));
        var junk = Assert.Throws<VideoGenException>(() => new JobJournal(_path).EnsureWritable());
        Assert.Contains(_path, junk.Message);
        Assert.Equal("this is no database at all, just some bytes a disk left behind", File.ReadAllText(_path));
        Assert.Throws<VideoGenException>(() => new JobJournal(_path).Submitted(Submitted("x")));
    }

    [Fact]
    public void A_store_whose_pages_are_damaged_gives_an_error_naming_the_file()
    {
        var journal = new JobJournal(_path);
        for (var i = 0; i < 50; i++)
        {
            journal.Submitted(Submitted("d" + i));
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        // Checkpointed into the main file, then its schema page overwritten: the header is intact, the content is not.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + _path + ";Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;";
            command.ExecuteNonQuery();
        }
        using (var stream = new FileStream(_path, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = 100;
            var garbage = Enumerable.Repeat((byte)0xA5, 3000).ToArray();
            stream.Write(garbage, 0, garbage.Length);
        }

        var error = Assert.ThrowsAny<VideoGenException>(() => new JobJournal(_path).EnsureWritable());
        Assert.Contains(_path, error.Message);
        Assert.Contains("damaged", error.Message);
    }

    [Fact]
    public void A_writer_that_waits_past_the_lock_timeout_names_the_task_id_and_says_to_let_the_other_process_finish()
    {
        var journal = new JobJournal(_path);
        journal.Submitted(Submitted("first"));
        using var other = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + _path + ";Pooling=False");
        other.Open();
        using var hold = other.BeginTransaction(); // BEGIN IMMEDIATE: the write lock, as another process's write holds it
        var busy = new JobJournal(_path) { LockTimeout = TimeSpan.FromSeconds(1) };

        var error = Assert.Throws<VideoGenException>(() => busy.Submitted(Submitted("blocked")));

        Assert.Equal("blocked", error.TaskId);
        Assert.Contains("blocked", error.Message);
        Assert.Contains("another process", error.Message);
        Assert.Contains("finish or stop it", error.Message);
        Assert.DoesNotContain("local disk", error.Message);
    }

    [Fact]
    public void A_later_process_migrates_nothing_and_a_newer_schema_is_refused()
    {
        var journal = new JobJournal(_path);
        journal.Submitted(Submitted("v"));
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + _path + ";Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version";
            Assert.Equal((long)JobJournal.SchemaVersion, (long)command.ExecuteScalar()!);
            command.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", (string)command.ExecuteScalar()!);
            command.CommandText = "PRAGMA user_version = 99";
            command.ExecuteNonQuery();
        }
        var newer = Assert.Throws<VideoGenException>(() => new JobJournal(_path).EnsureWritable());
        Assert.Contains("newer", newer.Message);
    }

    [Fact]
    public void The_store_keeps_how_long_each_watched_job_took_and_a_store_without_those_columns_gets_them_at_the_same_schema_version()
    {
        // A store as VideoGen wrote it before schema 2: its tables, no duration columns.
        var journal = new JobJournal(_path);
        journal.Submitted(Submitted("old"));
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + _path + ";Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DROP INDEX jobs_durations; ALTER TABLE jobs DROP COLUMN running_seen_at; ALTER TABLE jobs DROP COLUMN done_seen_at; ALTER TABLE jobs DROP COLUMN shape;";
            command.ExecuteNonQuery();
        }
        var store = new JobJournal(_path);
        var submittedAt = DateTimeOffset.UtcNow.AddSeconds(-50);
        foreach (var id in new[] { "d1", "d2" })
        {
            var job = VideoJob.Restore(id, VideoProvider.OpenRouter, "google/veo-3.1", status: "Queued");
            job.SubmittedAt = submittedAt;
            job.Shape = "8s 720p";
            store.Submitted(job);
            job.LastSeenRunning = submittedAt.AddSeconds(40);
            job.SetStatus(VideoJobStatus.Running, "in_progress", DateTimeOffset.UtcNow);
            store.StatusChanged(job);
            job.SetStatus(VideoJobStatus.Succeeded, "completed", DateTimeOffset.UtcNow);
            store.StatusChanged(job);
        }
        // An imported job's submission time came from a file: it teaches nothing.
        var imported = VideoJob.Restore("imp", VideoProvider.OpenRouter, "google/veo-3.1", status: "Queued");
        store.ImportJobs(new[] { JournalEntry.Imported(imported, DateTimeOffset.UtcNow.AddDays(-3)) }, new JournalImportReport("test"));
        imported.SetStatus(VideoJobStatus.Succeeded, "completed", DateTimeOffset.UtcNow);
        store.StatusChanged(imported);

        var durations = store.Durations(VideoProvider.OpenRouter, "google/veo-3.1", null);

        Assert.Equal(2, durations.Count);
        Assert.All(durations, d =>
        {
            Assert.Equal("8s 720p", d.Shape);
            Assert.InRange(d.Earliest.TotalSeconds, 39.9, 40.1);
            Assert.InRange(d.Latest.TotalSeconds, 49, 60);
        });
        Assert.Empty(store.Durations(VideoProvider.OpenRouter, "another-model", null));
        Assert.Empty(store.Durations(VideoProvider.OpenRouter, "google/veo-3.1", "https://gateway.example/v1/"));
        Assert.Empty(store.Durations(VideoProvider.FastRouter, "google/veo-3.1", null));
        Assert.Equal("8s 720p", store.Find(VideoProvider.OpenRouter, "d1")!.Job.Shape);
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
        Assert.Equal(Path.GetFullPath("x.db"), JobJournal.Resolve("x.db", _ => "/elsewhere.db").Path);
        Assert.False(JobJournal.Resolve("x.db", _ => null).IsDefault);
        Assert.Equal(Path.GetFullPath("/elsewhere.db"), JobJournal.Resolve(null, n => n == JobJournal.PathVariable ? "/elsewhere.db" : null).Path);
        var fallback = JobJournal.Resolve(null, n => n == "XDG_STATE_HOME" ? "/state" : null);
        Assert.True(fallback.IsDefault);
        Assert.Equal(Path.GetFullPath("/state/videogen/journal.db"), fallback.Path);
        Assert.Contains("videogen", fallback.Path, StringComparison.OrdinalIgnoreCase);
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
    public void Two_processes_writing_1000_jobs_each_into_one_store_leave_2000_jobs()
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

        var ids = new JobJournal(_path).ReadUnfinished().Select(j => j.Id).ToList();
        Assert.Equal(2000, ids.Count);
        Assert.Equal(2000, ids.Distinct().Count());
        Assert.Equal(1000, ids.Count(i => i.StartsWith("p1-", StringComparison.Ordinal)));
    }
}
