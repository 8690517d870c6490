using System.Text;
using VideoGen.Core;
using VideoGen.Core.Storage;

namespace VideoGen.Core.Tests;

/// <summary>The SQLite job store: old journals imported whole whatever became of them, indexed look-ups, network shares refused.</summary>
public class StoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "videogen-store-" + Guid.NewGuid().ToString("N"));

    public StoreTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, true);

    private static string Line(string ev, string id, string provider = "FastRouter", string? extra = null) =>
        "{\"event\":\"" + ev + "\",\"at\":\"2026-11-20T10:00:00.0000000+00:00\",\"id\":\"" + id + "\",\"provider\":\"" + provider + "\",\"status\":\"Queued\",\"model\":\"google/veo3-fast\",\"name\":\"n-" + id +
        "\",\"prompt\":\"prompt " + id + "\",\"submittedAt\":\"2026-11-20T10:00:00.0000000+00:00\"" + (extra ?? string.Empty) + "}";

    private JournalImportReport Import(byte[] bytes, out JobJournal store)
    {
        var legacy = Path.Combine(_folder, "journal.jsonl");
        File.WriteAllBytes(legacy, bytes);
        store = new JobJournal(Path.Combine(_folder, "store.db"));
        return store.Import(legacy);
    }

    [Fact]
    public void A_journal_whose_last_line_has_no_newline_imports_both_jobs_glued_together()
    {
        // The next job's line was appended straight after a last line without a newline.
        var text = Line("submitted", "a") + "\n" + Line("submitted", "b") + Line("submitted", "c") + "\n";

        var report = Import(Encoding.UTF8.GetBytes(text), out var store);

        Assert.Equal(new[] { "a", "b", "c" }, store.ReadUnfinished().Select(j => j.Id));
        Assert.Equal(3, report.Imported);
        Assert.Empty(report.Problems);
    }

    [Fact]
    public void A_line_cut_short_is_reported_with_its_number_and_every_complete_job_is_imported()
    {
        var cut = Line("submitted", "cut");
        var text = Line("submitted", "a") + "\n" + cut.Substring(0, 40) + "\n" + Line("submitted", "b") + "\n" +
            cut.Substring(0, 50) + Line("submitted", "glued") + "\n" + Line("saved", "a", extra: ",\"path\":\"/v/a.mp4\",\"sha256\":\"abc\"") + "\n" + Line("submitted", "last").Substring(0, 30);

        var report = Import(Encoding.UTF8.GetBytes(text), out var store);

        Assert.Equal(new[] { "b", "glued" }, store.ReadUnfinished().Select(j => j.Id));
        var a = store.Find(VideoProvider.FastRouter, "a")!;
        Assert.True(a.IsSaved);
        Assert.Equal("abc", a.Sha256);
        Assert.Equal(new[] { 2, 4, 6 }, report.Problems.Select(p => p.Line));
        Assert.All(report.Problems, p => Assert.Contains("cut short", p.Reason));
        Assert.Equal(3, report.Imported);
    }

    [Fact]
    public void A_journal_resaved_as_utf16_by_windows_powershell_with_utf8_lines_appended_imports_every_job()
    {
        // Get-Content $j | Out-File $j (Windows PowerShell 5.1): UTF-16 LE with a BOM and CRLF; VideoGen then appended UTF-8 lines.
        var utf16 = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(Line("submitted", "a") + "\r\n" + Line("submitted", "b", "OpenRouter") + "\r\n")).ToArray();
        var appended = Encoding.UTF8.GetBytes(Line("submitted", "c") + "\n" + Line("ended", "b", "OpenRouter", ",\"status\":\"Failed\",\"error\":\"policy\"") + "\n");

        var report = Import(utf16.Concat(appended).ToArray(), out var store);

        Assert.Empty(report.Problems);
        Assert.Equal(new[] { "a", "c" }, store.ReadUnfinished().Select(j => j.Id));
        var b = store.Find(VideoProvider.OpenRouter, "b")!;
        Assert.True(b.IsEnded);
        Assert.Equal(VideoJobStatus.Failed, b.Job.Status);
        Assert.Equal("policy", b.Job.Error);
        Assert.Equal("prompt a", store.Find(VideoProvider.FastRouter, "a")!.Job.Prompt);
    }

    [Fact]
    public void A_big_endian_utf16_journal_imports_too()
    {
        var bytes = Encoding.BigEndianUnicode.GetPreamble().Concat(Encoding.BigEndianUnicode.GetBytes(Line("submitted", "x") + "\r\n" + Line("submitted", "y") + "\r\n")).ToArray();

        var report = Import(bytes, out var store);

        Assert.Empty(report.Problems);
        Assert.Equal(new[] { "x", "y" }, store.ReadUnfinished().Select(j => j.Id));
    }

    [Fact]
    public void Importing_twice_adds_nothing_and_keeps_each_jobs_history()
    {
        var text = Line("submitted", "a", extra: ",\"request\":\"fp-a\"") + "\n" + Line("status", "a", extra: ",\"status\":\"Running\"") + "\n";
        Import(Encoding.UTF8.GetBytes(text), out var store);

        var again = store.Import(Path.Combine(_folder, "journal.jsonl"));

        Assert.Equal(0, again.Imported);
        Assert.Equal(1, again.AlreadyKnown);
        var a = store.Find(VideoProvider.FastRouter, "a")!;
        Assert.Equal(VideoJobStatus.Running, a.Job.Status);
        Assert.Equal("fp-a", a.RequestFingerprint);
        Assert.NotNull(store.FindByFingerprint(VideoProvider.FastRouter, " N-A ", "fp-a", store.LastSequence()));
    }

    [Fact]
    public void Jobs_without_a_fingerprint_match_by_provider_name_prompt_and_model_only()
    {
        Import(Encoding.UTF8.GetBytes(Line("submitted", "old") + "\n"), out var store);
        var upTo = store.LastSequence();

        Assert.Equal("old", store.FindUnfingerprinted(VideoProvider.FastRouter, "n-old", "prompt old", "google/veo3-fast", upTo)!.Job.Id);
        Assert.Null(store.FindUnfingerprinted(VideoProvider.FastRouter, "n-old", "another prompt", "google/veo3-fast", upTo));
        Assert.Null(store.FindUnfingerprinted(VideoProvider.FastRouter, "n-old", "prompt old", "kling", upTo));
        Assert.Null(store.FindUnfingerprinted(VideoProvider.OpenRouter, "n-old", "prompt old", "google/veo3-fast", upTo));
        Assert.Null(store.FindUnfingerprinted(VideoProvider.FastRouter, "n-old", "prompt old", "google/veo3-fast", upTo - 1));
    }

    [Fact]
    public void The_default_store_imports_the_old_default_journal_once()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "videogen"));
        File.WriteAllText(Path.Combine(_folder, "videogen", "journal.jsonl"), Line("submitted", "legacy") + "\n");
        var store = JobJournal.Resolve(null, n => n == "XDG_STATE_HOME" ? _folder : null);

        var first = store.ImportLegacyDefault();
        var second = JobJournal.Resolve(null, n => n == "XDG_STATE_HOME" ? _folder : null).ImportLegacyDefault();

        Assert.Equal(1, first!.Imported);
        Assert.Null(second);
        Assert.Equal("legacy", Assert.Single(store.ReadUnfinished()).Id);
        Assert.True(File.Exists(Path.Combine(_folder, "videogen", "journal.jsonl")));
        Assert.Null(new JobJournal(Path.Combine(_folder, "elsewhere.db")).ImportLegacyDefault());
    }

    [Fact]
    public void Queries_filter_by_status_provider_name_and_time_and_list_oldest_first()
    {
        var store = new JobJournal(Path.Combine(_folder, "q.db"));
        var a = VideoJob.Restore("a", VideoProvider.FastRouter, "m", "Lighthouse-1");
        var b = VideoJob.Restore("b", VideoProvider.OpenRouter, "m", "lighthouse-2");
        var c = VideoJob.Restore("c", VideoProvider.OpenRouter, "m", "kitchen_pour");
        store.Submitted(a);
        store.Submitted(b);
        store.Submitted(c);
        store.Ended(VideoJob.Restore("b", VideoProvider.OpenRouter, "m", status: "Failed"));

        Assert.Equal(new[] { "a", "c" }, store.Query(new JournalQuery { UnfinishedOnly = true }).Select(e => e.Job.Id));
        Assert.Equal(new[] { "b" }, store.Query(new JournalQuery { Statuses = new[] { VideoJobStatus.Failed } }).Select(e => e.Job.Id));
        Assert.Equal(new[] { "b", "c" }, store.Query(new JournalQuery { Providers = new[] { VideoProvider.OpenRouter } }).Select(e => e.Job.Id));
        Assert.Equal(new[] { "a", "b" }, store.Query(new JournalQuery { NameLike = new[] { "LIGHTHOUSE%" } }).Select(e => e.Job.Id));
        Assert.Equal(new[] { "c" }, store.Query(new JournalQuery { NameLike = new[] { "kitchen\\_%" } }).Select(e => e.Job.Id));
        Assert.Empty(store.Query(new JournalQuery { Since = DateTimeOffset.UtcNow.AddMinutes(1) }));
    }

    [Fact]
    public void Every_status_change_is_an_event_with_its_time()
    {
        var path = Path.Combine(_folder, "events.db");
        var store = new JobJournal(path);
        var job = VideoJob.Restore("e", VideoProvider.FastRouter, "m");
        store.Submitted(job);
        store.StatusChanged(VideoJob.Restore("e", VideoProvider.FastRouter, "m", status: "Running"));
        store.StatusChanged(VideoJob.Restore("e", VideoProvider.FastRouter, "m", status: "Succeeded"));
        store.Saved(VideoJob.Restore("e", VideoProvider.FastRouter, "m", status: "Succeeded"), "/v/e.mp4", "ff");

        using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + path + ";Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT event || ':' || COALESCE(status, '') FROM events ORDER BY seq";
        using var reader = command.ExecuteReader();
        var events = new List<string>();
        while (reader.Read())
        {
            events.Add(reader.GetString(0));
        }
        Assert.Equal(new[] { "submitted:Queued", "status:Running", "status:Succeeded", "saved:Succeeded" }, events);
        var entry = store.Find(VideoProvider.FastRouter, "e")!;
        Assert.NotNull(entry.FinishedAt);
        Assert.Equal(new[] { "ff" }, entry.SavedSha256s);
    }

    [Theory]
    [InlineData("/mnt/share/videogen/journal.db", "nfs4")]
    [InlineData("/mnt/share", "nfs4")]
    [InlineData("/mnt/smb/jobs.db", "cifs")]
    [InlineData("/home/admin/.local/state/videogen/journal.db", null)]
    [InlineData("/mnt/shared-local/jobs.db", null)]
    [InlineData("/media/my drive/jobs.db", "fuse.sshfs")]
    public void A_store_on_a_network_file_system_is_recognised_from_proc_mounts(string path, string? expected)
    {
        const string mounts = "/dev/sda1 / ext4 rw,relatime 0 0\n" +
            "server:/export /mnt/share nfs4 rw,relatime 0 0\n" +
            "//nas/videos /mnt/smb cifs rw 0 0\n" +
            "/dev/sdb1 /mnt/shared-local xfs rw 0 0\n" +
            "admin@host:/ /media/my\\040drive fuse.sshfs rw 0 0\n" +
            "tmpfs /home/admin/.cache tmpfs rw 0 0\n";

        Assert.Equal(expected, StoreLocation.NetworkTypeFromMounts(path, mounts));
    }

    [Fact]
    public void A_utf16_journal_with_characters_past_latin1_and_a_newline_byte_inside_a_character_imports_every_job()
    {
        // U+040A has the bytes 0A 04 in UTF-16 LE: a byte-wise split on newlines cut it in two. Prompts in CJK have few zero bytes.
        var text = Line("submitted", "a").Replace("n-a", "Њ—é") + "\r\n" + Line("submitted", "b").Replace("prompt b", new string('中', 300)) + "\r\n" + Line("submitted", "c") + "\r\n";
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(text)).Concat(Encoding.UTF8.GetBytes(string.Concat(Line("submitted", "d") + "\n", Line("submitted", "e").AsSpan(0, 20)))).ToArray();

        var report = Import(bytes, out var store);

        Assert.Equal(new[] { "a", "b", "c", "d" }, store.ReadUnfinished().Select(j => j.Id));
        Assert.Equal("Њ—é", store.Find(VideoProvider.FastRouter, "a")!.Job.Name);
        Assert.Equal(new[] { 5 }, report.Problems.Select(p => p.Line));
    }

    [Fact]
    public void Imported_jobs_are_marked_so_their_base_uri_is_never_trusted_with_a_key()
    {
        var text = Line("submitted", "evil", extra: ",\"baseUri\":\"http://127.0.0.1:9/\"") + "\n";
        Import(Encoding.UTF8.GetBytes(text), out var store);
        store.StatusChanged(VideoJob.Restore("evil", VideoProvider.FastRouter, "m", status: "Running"));
        store.Submitted(VideoJob.Restore("mine", VideoProvider.FastRouter, "m"));

        Assert.True(store.Find(VideoProvider.FastRouter, "evil")!.IsImported);
        Assert.False(store.Find(VideoProvider.FastRouter, "mine")!.IsImported);
    }

    [Fact]
    public void Legacy_matching_compares_names_as_a_rerun_does_whatever_their_letters_and_spaces()
    {
        var text = Line("submitted", "old").Replace("n-old", "Émile ") + "\n";
        Import(Encoding.UTF8.GetBytes(text), out var store);

        Assert.Equal("old", store.FindUnfingerprinted(VideoProvider.FastRouter, "émile", "prompt old", "google/veo3-fast", store.LastSequence())!.Job.Id);
    }

    [Fact]
    public void Of_two_mounts_on_one_point_the_later_one_counts()
    {
        Assert.Null(StoreLocation.NetworkTypeFromMounts("/mnt/data/j.db", "/dev/sda1 / ext4 rw 0 0\nsrv:/x /mnt/data nfs4 rw 0 0\n/dev/sdb1 /mnt/data ext4 rw 0 0\n"));
        Assert.Equal("nfs4", StoreLocation.NetworkTypeFromMounts("/mnt/data/j.db", "/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 /mnt/data ext4 rw 0 0\nsrv:/x /mnt/data nfs4 rw 0 0\n"));
    }
}
