using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Threading;

namespace VideoGen.Core
{
    /// <summary>
    /// An append-only record (JSON lines) of every job New-Video creates, flushed to disk before the job is
    /// emitted, so a job paid for survives a killed process. Save-Video and Wait-Video append when a job is
    /// saved or ends without a video; <see cref="ReadUnfinished"/> lists the rest for <c>Get-VideoJob | Wait-Video | Save-Video</c>.
    /// Lines hold ids, provider, model, name, prompt, base URI, status and a sanitized error: never a key.
    /// Thread-safe, and safe for several processes appending at once: each line is written whole by one write call
    /// under an exclusive lock (FileShare.None, retried while another process holds it) at the end as found under
    /// that lock, and flushed to disk before the call returns.
    /// </summary>
    public sealed class JobJournal
    {
        /// <summary>The environment variable that overrides the default path.</summary>
        public const string PathVariable = "VIDEOGEN_JOURNAL_PATH";

        private static readonly object Gate = new object();

        /// <summary>Uses the journal at <paramref name="path"/> (created on first write).</summary>
        public JobJournal(string path) => Path = System.IO.Path.GetFullPath(path);

        /// <summary>The journal file.</summary>
        public string Path { get; }

        /// <summary>
        /// The journal a cmdlet uses: <paramref name="explicitPath"/> (-JournalPath), else $env:VIDEOGEN_JOURNAL_PATH,
        /// else the per-user default: %LOCALAPPDATA%\VideoGen\journal.jsonl on Windows,
        /// $XDG_STATE_HOME/videogen/journal.jsonl (default ~/.local/state/videogen/journal.jsonl) elsewhere.
        /// </summary>
        public static JobJournal Resolve(string? explicitPath, Func<string, string?> getEnvironment)
        {
            if (!string.IsNullOrWhiteSpace(explicitPath))
            {
                return new JobJournal(explicitPath!);
            }
            var fromEnv = getEnvironment(PathVariable);
            if (!string.IsNullOrWhiteSpace(fromEnv))
            {
                return new JobJournal(fromEnv!);
            }
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return new JobJournal(System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "VideoGen", "journal.jsonl"));
            }
            var state = getEnvironment("XDG_STATE_HOME");
            if (string.IsNullOrWhiteSpace(state))
            {
                state = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
            }
            return new JobJournal(System.IO.Path.Combine(state!, "videogen", "journal.jsonl"));
        }

        /// <summary>How long an append or a read waits for another process's lock before it gives up. Default 30 s.</summary>
        public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Records a new job; returns once the line is on disk. Thread-safe; safe across processes.</summary>
        /// <exception cref="VideoGenException">UnexpectedAnswer: the journal cannot be written; the message and TaskId carry the task id.</exception>
        public void Submitted(VideoJob job) => Append("submitted", job, null, null);

        /// <summary>
        /// Records a created job with the fingerprint of the request that created it (<see cref="RequestFingerprint"/>), so a
        /// later run of the same rows is matched to it instead of paying again.
        /// </summary>
        /// <exception cref="VideoGenException">As for <see cref="Submitted(VideoJob)"/>.</exception>
        public void Submitted(VideoJob job, string? requestFingerprint) => Append("submitted", job, null, null, requestFingerprint);

        /// <summary>
        /// Records the file about to be put in place for a job (event <c>placing</c> with <c>path</c> and <c>sha256</c>), just
        /// before the rename: if the process dies between the rename and the <c>saved</c> event, the file is still known as this
        /// job's by its SHA-256.
        /// </summary>
        /// <exception cref="VideoGenException">As for <see cref="Submitted(VideoJob)"/>.</exception>
        public void Placing(VideoJob job, string path, string sha256) => Append("placing", job, path, sha256);

        /// <summary>Records that a job's video was saved (no SHA-256 known: prefer <see cref="Saved(SavedVideo)"/>).</summary>
        /// <exception cref="VideoGenException">As for <see cref="Submitted(VideoJob)"/>.</exception>
        public void Saved(VideoJob job, string path) => Append("saved", job, path, null);

        /// <summary>Records that a job's video was saved at <paramref name="path"/> with SHA-256 <paramref name="sha256"/> (lower-case hex).</summary>
        /// <exception cref="VideoGenException">As for <see cref="Submitted(VideoJob)"/>.</exception>
        public void Saved(VideoJob job, string path, string? sha256) => Append("saved", job, path, sha256);

        /// <summary>Records a saved file: its job, full path and SHA-256 (event <c>saved</c> with <c>path</c> and <c>sha256</c>).</summary>
        /// <exception cref="VideoGenException">As for <see cref="Submitted(VideoJob)"/>.</exception>
        public void Saved(SavedVideo saved)
        {
            var job = VideoJob.Restore(saved.Id, saved.Provider, saved.Model, saved.Name, status: nameof(VideoJobStatus.Succeeded));
            if (saved.CostUnit != null)
            {
                job.SetCost(saved.Cost, saved.CostUnit);
            }
            Append("saved", job, saved.Path, saved.Sha256);
        }

        /// <summary>Records a job's status as last seen (event <c>status</c>): Queued, Running, Succeeded, or a terminal status with its error.</summary>
        /// <exception cref="VideoGenException">As for <see cref="Submitted(VideoJob)"/>.</exception>
        public void StatusChanged(VideoJob job) => Append("status", job, null, null);

        /// <summary>Records that a job ended without a video (Failed, Cancelled, Expired), with its error.</summary>
        /// <exception cref="VideoGenException">As for <see cref="Submitted(VideoJob)"/>.</exception>
        public void Ended(VideoJob job) => Append("ended", job, null, null);

        /// <summary>The jobs neither saved nor ended, oldest first, ready to pipe into Wait-Video.</summary>
        public IReadOnlyList<VideoJob> ReadUnfinished() => ReadStates().Where(s => !s.IsDone).Select(s => s.Job).ToList();

        /// <summary>Every job the journal knows, oldest first, with the last status recorded.</summary>
        public IReadOnlyList<VideoJob> ReadAll() => ReadStates().Select(s => s.Job).ToList();

        /// <summary>
        /// Each job's last known state, in the order the jobs first appear: its status (Queued, Running, Succeeded,
        /// Failed with <see cref="VideoJob.Error"/> ...), whether and where it was saved with which SHA-256, and the
        /// submission time from its <c>submitted</c> line (later lines never replace it). Lines cut short by a crash are skipped.
        /// </summary>
        /// <exception cref="VideoGenException">UnexpectedAnswer: the journal exists but cannot be read.</exception>
        public IReadOnlyList<JournalEntry> ReadStates()
        {
            var order = new List<JournalEntry>();
            var entries = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);
            foreach (var line in ReadLines())
            {
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    var root = doc.RootElement;
                    var id = Str(root, "id");
                    if (id is null || string.IsNullOrWhiteSpace(id) || !Providers.ProviderMappings.TryParse(Str(root, "provider"), out var provider))
                    {
                        continue;
                    }
                    var key = provider + "/" + id;
                    var ev = Str(root, "event") ?? string.Empty;
                    if (!entries.TryGetValue(key, out var entry))
                    {
                        entry = new JournalEntry(VideoJob.Restore(id, provider, Str(root, "model"), Str(root, "name"), Str(root, "prompt"), Str(root, "baseUri"), Str(root, "pollingUrl")));
                        entries[key] = entry;
                        order.Add(entry);
                    }
                    entry.Apply(ev, root, Time(root, "at"), Time(root, "submittedAt"));
                }
                catch (JsonException)
                {
                    // A line cut short by a crash mid-write: the lines around it still count.
                }
            }
            return order;
        }

        /// <summary>The last recorded state of one job, or null where the journal does not know it.</summary>
        /// <exception cref="VideoGenException">As for <see cref="ReadStates"/>.</exception>
        public JournalEntry? Find(VideoProvider provider, string id) =>
            ReadStates().LastOrDefault(e => e.Job.Provider == provider && string.Equals(e.Job.Id, id, StringComparison.Ordinal));

        /// <summary>The SHA-256 (lower-case hex) recorded when the job's video was last saved, or null where none was recorded.</summary>
        /// <exception cref="VideoGenException">As for <see cref="ReadStates"/>.</exception>
        public string? SavedSha256(VideoProvider provider, string id) => Find(provider, id)?.Sha256;

        /// <summary>
        /// Whether the file at <paramref name="path"/> is <paramref name="job"/>'s saved video: the journal recorded a
        /// <c>saved</c> event for the job with a SHA-256, and the file's SHA-256 (computed now) equals one of those recorded
        /// (the job may have been saved more than once). False where the file does not exist or no SHA-256 was recorded.
        /// Save-Video can skip such a file instead of refusing it or downloading again.
        /// </summary>
        /// <exception cref="VideoGenException">As for <see cref="ReadStates"/>.</exception>
        /// <exception cref="IOException">The file exists but cannot be read.</exception>
        public bool IsSavedFile(VideoJob job, string path)
        {
            var entry = Find(job.Provider, job.Id);
            return entry != null && entry.IsSavedFile(path);
        }

        private List<string> ReadLines()
        {
            if (!File.Exists(Path))
            {
                return new List<string>();
            }
            string text;
            try
            {
                // A reader shares with other readers; it waits while a writer holds the file exclusively.
                using var stream = OpenLocked(FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
                using var reader = new StreamReader(stream, new UTF8Encoding(false));
                text = reader.ReadToEnd();
            }
            catch (FileNotFoundException)
            {
                return new List<string>();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new VideoGenException(VideoGenErrorKind.UnexpectedAnswer, "Could not read the job journal " + Path + ": " + ex.Message + ".", null, null, ex);
            }
            return text.Split('\n').Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
        }

        /// <summary>
        /// Opens the journal, waiting for another process's lock: on Windows FileShare is enforced by the OS; on
        /// Linux and macOS .NET takes an flock (exclusive for FileShare.None, shared otherwise), which every VideoGen
        /// process honours. Retries with a short randomized backoff until <see cref="LockTimeout"/>.
        /// </summary>
        private FileStream OpenLocked(FileMode mode, FileAccess access, FileShare share)
        {
            var deadline = DateTime.UtcNow + LockTimeout;
            var random = new Random(Guid.NewGuid().GetHashCode());
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    // Buffer size 1: no FileStream buffer, so each Write is one write(2) of the whole line.
                    return new FileStream(Path, mode, access, share, 1, FileOptions.None);
                }
                catch (IOException ex) when (IsLockConflict(ex) && DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(random.Next(1, Math.Min(50, 2 + attempt * 2)));
                }
            }
        }

        /// <summary>A sharing or lock violation (another process holds the file), not a missing directory or a full disk.</summary>
        private static bool IsLockConflict(IOException ex)
        {
            if (ex is FileNotFoundException || ex is DirectoryNotFoundException || ex is PathTooLongException)
            {
                return false;
            }
            var code = ex.HResult & 0xFFFF;
            // Windows: ERROR_SHARING_VIOLATION 32, ERROR_LOCK_VIOLATION 33. Unix: .NET reports EWOULDBLOCK from flock as a sharing violation (HResult 32 or 11/35).
            return code == 32 || code == 33 || code == 11 || code == 35 || ex.GetType() == typeof(IOException);
        }

        private void Append(string ev, VideoJob job, string? savedPath, string? sha256, string? requestFingerprint = null)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("event", ev);
                w.WriteString("at", DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture));
                w.WriteString("id", job.Id);
                w.WriteString("provider", job.Provider.ToString());
                w.WriteString("status", job.Status.ToString());
                Write(w, "model", job.Model);
                Write(w, "name", job.Name);
                Write(w, "prompt", job.Prompt);
                Write(w, "baseUri", job.BaseUri);
                Write(w, "pollingUrl", job.PollingUrl);
                Write(w, "submittedAt", job.SubmittedAt?.ToString("o", CultureInfo.InvariantCulture));
                Write(w, "providerStatus", Sanitizer.SanitizeOrNull(job.ProviderStatus));
                Write(w, "error", Sanitizer.SanitizeOrNull(job.Error));
                Write(w, "path", savedPath);
                Write(w, "sha256", sha256);
                Write(w, "request", requestFingerprint);
                Write(w, "cost", job.Cost?.ToString(CultureInfo.InvariantCulture));
                Write(w, "costUnit", job.CostUnit);
                w.WriteEndObject();
            }
            buffer.WriteByte((byte)'\n');
            var bytes = buffer.ToArray();
            try
            {
                // In this process one append at a time; across processes the exclusive open below.
                lock (Gate)
                {
                    Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
                    using var stream = OpenLocked(FileMode.OpenOrCreate, FileAccess.Write, FileShare.None);
                    // Seek to the end only once the lock is held: the end another process left, not the one at open.
                    stream.Seek(0, SeekOrigin.End);
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(flushToDisk: true);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new VideoGenException(VideoGenErrorKind.UnexpectedAnswer,
                    "Could not write the job journal " + Path + ": " + ex.Message + ". Task id " + job.Id + " at " + job.Provider + " was created; keep this id. Set -JournalPath or $env:" + PathVariable + " to a writable file.", job.Id, null, ex);
            }
        }

        private static DateTimeOffset? Time(JsonElement root, string name) =>
            DateTimeOffset.TryParse(Str(root, name), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : (DateTimeOffset?)null;

        private static void Write(Utf8JsonWriter w, string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                w.WriteString(name, value);
            }
        }

        private static string? Str(JsonElement root, string name) =>
            root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }

    /// <summary>One job's last known state in a <see cref="JobJournal"/>.</summary>
    public sealed class JournalEntry
    {
        private readonly List<string> _sha256s = new List<string>();

        internal JournalEntry(VideoJob job) => Job = job;

        /// <summary>
        /// The job as last recorded: <see cref="VideoJob.Status"/> the last status (Succeeded for a saved job),
        /// <see cref="VideoJob.Error"/> the last failure reason (sanitized), <see cref="VideoJob.SubmittedAt"/> from the
        /// <c>submitted</c> line, else the first line that carried one.
        /// </summary>
        public VideoJob Job { get; }

        /// <summary>The last event recorded: <c>submitted</c>, <c>status</c>, <c>saved</c> or <c>ended</c>.</summary>
        public string LastEvent { get; private set; } = string.Empty;

        /// <summary>When the last event was written (UTC), where recorded.</summary>
        public DateTimeOffset? LastEventAt { get; private set; }

        /// <summary>Whether a <c>saved</c> event was recorded.</summary>
        public bool IsSaved { get; private set; }

        /// <summary>Whether the job needs nothing more: saved, or ended without a video.</summary>
        public bool IsDone => IsSaved || IsEnded;

        /// <summary>Whether an <c>ended</c> event was recorded: the job finished without a video (Failed, Cancelled, Expired).</summary>
        public bool IsEnded { get; private set; }

        /// <summary>The full path of the last saved file, where saved.</summary>
        public string? SavedPath { get; private set; }

        /// <summary>The SHA-256 (lower-case hex) of the last saved file, where recorded.</summary>
        public string? Sha256 { get; private set; }

        /// <summary>The fingerprint of the request that created the job (<see cref="RequestFingerprint"/>), where recorded.</summary>
        public string? RequestFingerprint { get; private set; }

        /// <summary>Every SHA-256 recorded for this job's saved files (and files being put in place), oldest first.</summary>
        public IReadOnlyList<string> SavedSha256s => _sha256s;

        /// <summary>
        /// Whether the file at <paramref name="path"/> is this job's saved video: its SHA-256, computed now, equals one
        /// recorded in a <c>saved</c> event. False where the file does not exist or no SHA-256 was recorded. For many jobs,
        /// read <see cref="JobJournal.ReadStates"/> once and ask each entry, rather than <see cref="JobJournal.IsSavedFile"/> per job.
        /// </summary>
        /// <exception cref="IOException">The file exists but cannot be read.</exception>
        public bool IsSavedFile(string path)
        {
            if (_sha256s.Count == 0 || !File.Exists(path))
            {
                return false;
            }
            var actual = Downloading.VideoDownloader.Sha256OfFile(path);
            return _sha256s.Contains(actual, StringComparer.OrdinalIgnoreCase);
        }

        internal void Apply(string ev, JsonElement root, DateTimeOffset? at, DateTimeOffset? submittedAt)
        {
            LastEvent = ev;
            LastEventAt = at ?? LastEventAt;
            // The first time known wins: a later line (written from a restored job) never replaces it.
            if (Job.SubmittedAt is null && submittedAt is DateTimeOffset s)
            {
                Job.SubmittedAt = s;
            }
            Job.Model ??= Get(root, "model");
            Job.Name ??= Get(root, "name");
            Job.Prompt ??= Get(root, "prompt");
            Job.BaseUri ??= Get(root, "baseUri");
            Job.PollingUrl ??= Get(root, "pollingUrl");
            if (Enum.TryParse<VideoJobStatus>(Get(root, "status"), out var status) && Enum.IsDefined(typeof(VideoJobStatus), status))
            {
                Job.Status = status;
            }
            Job.ProviderStatus = Get(root, "providerStatus") ?? Job.ProviderStatus;
            if (decimal.TryParse(Get(root, "cost"), NumberStyles.Number, CultureInfo.InvariantCulture, out var cost) && Get(root, "costUnit") is string unit)
            {
                Job.SetCost(cost, unit);
            }
            if (ev == "submitted")
            {
                RequestFingerprint = Get(root, "request") ?? RequestFingerprint;
            }
            if (ev == "placing")
            {
                // The file is about to be renamed into place: its SHA-256 identifies it, though it is not yet saved.
                if (Get(root, "sha256") is string placing)
                {
                    _sha256s.Add(placing);
                }
                return;
            }
            if (ev == "saved")
            {
                IsSaved = true;
                Job.Status = VideoJobStatus.Succeeded;
                Job.Error = null;
                SavedPath = Get(root, "path") ?? SavedPath;
                Sha256 = Get(root, "sha256");
                if (Sha256 != null)
                {
                    _sha256s.Add(Sha256);
                }
            }
            else if (ev != "submitted")
            {
                IsEnded |= ev == "ended";
                Job.Error = Get(root, "error") ?? (Job.IsTerminal && Job.Status != VideoJobStatus.Succeeded ? Job.Error : null);
            }
        }

        private static string? Get(JsonElement root, string name) =>
            root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(v.GetString()) ? v.GetString() : null;
    }
}
