using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;
using VideoGen.Core.Storage;

namespace VideoGen.Core
{
    /// <summary>
    /// The job store: every job New-Video creates, and every state it reaches, in one SQLite database (WAL,
    /// <c>synchronous=FULL</c>). The worker that read a task id commits it here before the job is emitted; a crash
    /// mid-write loses at most that write's transaction, never an earlier job. Several processes (a scheduled task and an
    /// admin's session) use one store at once: a writer waits up to <see cref="LockTimeout"/> for another and then fails
    /// with an error naming the task id it could not record. This class is the only code that opens the file.
    /// </summary>
    /// <remarks>
    /// <para>Schema (version <see cref="SchemaVersion"/>, in <c>PRAGMA user_version</c>, migrated forward on open): table
    /// <c>jobs</c>, one row per job (provider and task id, model, name, prompt, base URI, polling URL, request fingerprint,
    /// status, provider status, cost and unit, error, submitted/finished times, saved path and SHA-256, and since version 2 the
    /// times the last poll saw it running and the first saw it done, and the request's clip length and size) and the append-only
    /// table <c>events</c> (every status change, placing and saving of a file, with its UTC time). Indexes answer what the
    /// cmdlets ask: unfinished jobs, request fingerprint, provider+id, name, submission time, a model's finished jobs.</para>
    /// <para>Rows hold no key: text from a provider (status, error) passes <see cref="Sanitizer"/> first.</para>
    /// <para>SQLite's own rules apply: WAL needs shared memory, so a store on a network file system is refused
    /// (https://www.sqlite.org/wal.html, https://www.sqlite.org/useovernet.html); see docs/architecture.md.</para>
    /// </remarks>
    public sealed class JobJournal
    {
        /// <summary>The environment variable that overrides the default path.</summary>
        public const string PathVariable = "VIDEOGEN_JOURNAL_PATH";

        /// <summary>The file name of the per-user default store.</summary>
        public const string DefaultFileName = "journal.db";

        /// <summary>The file name of the JSON-lines journal of VideoGen 0.1, imported once into the default store.</summary>
        public const string LegacyFileName = "journal.jsonl";

        /// <summary>The schema version this build writes (<c>PRAGMA user_version</c>).</summary>
        public const int SchemaVersion = 1;

        private static readonly byte[] SqliteHeader = Encoding.ASCII.GetBytes("SQLite format 3\0");

        /// <summary>Forward migrations: entry i takes a store from version i to i + 1, in one transaction.</summary>
        private static readonly string[] Migrations =
        {
            @"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
              CREATE TABLE jobs (
                seq INTEGER PRIMARY KEY,
                provider TEXT NOT NULL,
                id TEXT NOT NULL,
                model TEXT,
                name TEXT COLLATE NOCASE,
                prompt TEXT,
                base_uri TEXT,
                polling_url TEXT,
                request_fingerprint TEXT,
                status TEXT NOT NULL,
                provider_status TEXT,
                cost TEXT,
                cost_unit TEXT,
                error TEXT,
                submitted_at TEXT,
                finished_at TEXT,
                last_event TEXT NOT NULL,
                last_event_at TEXT,
                saved INTEGER NOT NULL DEFAULT 0,
                ended INTEGER NOT NULL DEFAULT 0,
                saved_path TEXT,
                sha256 TEXT,
                imported INTEGER NOT NULL DEFAULT 0);
              CREATE UNIQUE INDEX jobs_provider_id ON jobs (id, provider);
              CREATE INDEX jobs_unfinished ON jobs (seq) WHERE saved = 0 AND ended = 0;
              CREATE INDEX jobs_fingerprint ON jobs (request_fingerprint) WHERE request_fingerprint IS NOT NULL;
              CREATE INDEX jobs_name ON jobs (name);
              CREATE INDEX jobs_unfingerprinted ON jobs (prompt) WHERE request_fingerprint IS NULL;
              CREATE INDEX jobs_submitted ON jobs (submitted_at);
              CREATE TABLE events (
                seq INTEGER PRIMARY KEY,
                job INTEGER NOT NULL REFERENCES jobs (seq),
                event TEXT NOT NULL,
                at TEXT NOT NULL,
                status TEXT,
                provider_status TEXT,
                error TEXT,
                path TEXT,
                sha256 TEXT);
              CREATE INDEX events_job ON events (job);",
        };

        private const string JobColumns = "seq, provider, id, model, name, prompt, base_uri, polling_url, request_fingerprint, status, provider_status, cost, cost_unit, error, submitted_at, finished_at, last_event, last_event_at, saved, ended, saved_path, sha256, imported, running_seen_at, done_seen_at, shape";

        private readonly object _openGate = new object();
        private bool _ready;

        /// <summary>Uses the store at <paramref name="path"/> (created, with its folder, on first use).</summary>
        public JobJournal(string path) => Path = System.IO.Path.GetFullPath(path);

        /// <summary>The store file.</summary>
        public string Path { get; }

        /// <summary>
        /// The store a cmdlet uses: <paramref name="explicitPath"/> (-JournalPath), else $env:VIDEOGEN_JOURNAL_PATH,
        /// else the per-user default: %LOCALAPPDATA%\VideoGen\journal.db on Windows,
        /// $XDG_STATE_HOME/videogen/journal.db (default ~/.local/state/videogen/journal.db) elsewhere: the folder of
        /// VideoGen 0.1's journal.jsonl, which <see cref="ImportLegacyDefault"/> imports once.
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
            return new JobJournal(System.IO.Path.Combine(DefaultFolder(getEnvironment), DefaultFileName)) { IsDefault = true };
        }

        /// <summary>The per-user folder of the default store.</summary>
        public static string DefaultFolder(Func<string, string?> getEnvironment)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "VideoGen");
            }
            var state = getEnvironment("XDG_STATE_HOME");
            if (string.IsNullOrWhiteSpace(state))
            {
                state = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
            }
            return System.IO.Path.Combine(state!, "videogen");
        }

        /// <summary>Whether a file's first bytes look like a JSON-lines journal of VideoGen 0.1 (a byte-order mark and white space aside, it starts with <c>{</c>, in UTF-8 or UTF-16).</summary>
        public static bool LooksLikeJsonLines(byte[] head, int count) => LegacyJournal.LooksLikeJsonLines(head, count);

        /// <summary>Whether this is the per-user default store (neither -JournalPath nor the variable named it).</summary>
        public bool IsDefault { get; private set; }

        /// <summary>How long a write waits for another process's write before it fails. Default 30 s.</summary>
        public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Records a new job; returns once it is committed. Thread-safe; safe across processes.</summary>
        /// <exception cref="VideoGenException">UnexpectedAnswer: the store cannot be written; the message and TaskId carry the task id.</exception>
        public void Submitted(VideoJob job) => Record("submitted", job, null, null, null);

        /// <summary>
        /// Records a created job with the fingerprint of the request that created it (<see cref="RequestFingerprint"/>), so a
        /// later run of the same rows is matched to it instead of paying again.
        /// </summary>
        /// <exception cref="VideoGenException">As for <see cref="Submitted(VideoJob)"/>.</exception>
        public void Submitted(VideoJob job, string? requestFingerprint) => Record("submitted", job, null, null, requestFingerprint);

        /// <summary>
        /// Records the file about to be put in place for a job (event <c>placing</c> with its path and SHA-256), just before
        /// the rename: if the process dies between the rename and the <c>saved</c> event, the file is still known as this
        /// job's by its SHA-256.
        /// </summary>
        /// <exception cref="VideoGenException">As for <see cref="Submitted(VideoJob)"/>.</exception>
        public void Placing(VideoJob job, string path, string sha256) => Record("placing", job, path, sha256, null);

        /// <summary>Records that a job's video was saved (no SHA-256 known: prefer <see cref="Saved(SavedVideo)"/>).</summary>
        /// <exception cref="VideoGenException">As for <see cref="Submitted(VideoJob)"/>.</exception>
        public void Saved(VideoJob job, string path) => Record("saved", job, path, null, null);

        /// <summary>Records that a job's video was saved at <paramref name="path"/> with SHA-256 <paramref name="sha256"/> (lower-case hex).</summary>
        /// <exception cref="VideoGenException">As for <see cref="Submitted(VideoJob)"/>.</exception>
        public void Saved(VideoJob job, string path, string? sha256) => Record("saved", job, path, sha256, null);

        /// <summary>Records a saved file: its job, full path and SHA-256.</summary>
        /// <exception cref="VideoGenException">As for <see cref="Submitted(VideoJob)"/>.</exception>
        public void Saved(SavedVideo saved)
        {
            var job = VideoJob.Restore(saved.Id, saved.Provider, saved.Model, saved.Name, status: nameof(VideoJobStatus.Succeeded));
            if (saved.CostUnit != null)
            {
                job.SetCost(saved.Cost, saved.CostUnit);
            }
            Record("saved", job, saved.Path, saved.Sha256, null);
        }

        /// <summary>Records a job's status as seen (event <c>status</c>): Queued, Running, Succeeded, or a terminal status with its error.</summary>
        /// <exception cref="VideoGenException">As for <see cref="Submitted(VideoJob)"/>.</exception>
        public void StatusChanged(VideoJob job) => Record("status", job, null, null, null);

        /// <summary>Records that a job ended without a video (Failed, Cancelled, Expired), with its error.</summary>
        /// <exception cref="VideoGenException">As for <see cref="Submitted(VideoJob)"/>.</exception>
        public void Ended(VideoJob job) => Record("ended", job, null, null, null);

        /// <summary>The jobs neither saved nor ended, oldest first, ready to pipe into Wait-Video.</summary>
        /// <exception cref="VideoGenException">As for <see cref="ReadStates"/>.</exception>
        public IReadOnlyList<VideoJob> ReadUnfinished() => Query(new JournalQuery { UnfinishedOnly = true }).Select(s => s.Job).ToList();

        /// <summary>Every job the store knows, oldest first, with the last status recorded.</summary>
        /// <exception cref="VideoGenException">As for <see cref="ReadStates"/>.</exception>
        public IReadOnlyList<VideoJob> ReadAll() => Query(new JournalQuery()).Select(s => s.Job).ToList();

        /// <summary>
        /// Each job's last known state, oldest first: its status (Queued, Running, Succeeded, Failed with
        /// <see cref="VideoJob.Error"/> ...), whether and where it was saved with which SHA-256, and the submission time.
        /// </summary>
        /// <exception cref="VideoGenException">UnexpectedAnswer: the store exists but cannot be read (damaged, not a store, locked past the timeout).</exception>
        public IReadOnlyList<JournalEntry> ReadStates() => Query(new JournalQuery()).ToList();

        /// <summary>
        /// The jobs matching <paramref name="query"/>, oldest first, read as they are enumerated (one query, indexed where the
        /// filter allows). Enumerate to the end or dispose the enumerator.
        /// </summary>
        /// <exception cref="VideoGenException">As for <see cref="ReadStates"/>.</exception>
        public IEnumerable<JournalEntry> Query(JournalQuery query)
        {
            if (query is null)
            {
                throw new ArgumentNullException(nameof(query));
            }
            if (!StoreExists())
            {
                yield break;
            }
            using var connection = Open(write: false);
            if (connection is null)
            {
                yield break;
            }
            using var command = connection.CreateCommand();
            var where = new List<string>();
            if (query.UnfinishedOnly)
            {
                where.Add("saved = 0 AND ended = 0");
            }
            // One parameter a value ($p0, $p1, ...), for the IN and LIKE lists.
            List<string> Parameters(IEnumerable<string> values)
            {
                var names = new List<string>();
                foreach (var value in values)
                {
                    var name = "$p" + command.Parameters.Count.ToString(CultureInfo.InvariantCulture);
                    command.Parameters.AddWithValue(name, value);
                    names.Add(name);
                }
                return names;
            }
            if (query.Statuses != null && query.Statuses.Count > 0)
            {
                where.Add("status IN (" + string.Join(", ", Parameters(query.Statuses.Distinct().Select(v => v.ToString()))) + ")");
            }
            if (query.Providers != null && query.Providers.Count > 0)
            {
                where.Add("provider IN (" + string.Join(", ", Parameters(query.Providers.Distinct().Select(v => v.ToString()))) + ")");
            }
            if (query.NameLike != null && query.NameLike.Count > 0)
            {
                where.Add("(" + string.Join(" OR ", Parameters(query.NameLike).Select(p => "name LIKE " + p + " ESCAPE '\\'")) + ")");
            }
            if (query.Since is DateTimeOffset since)
            {
                where.Add("submitted_at >= $since");
                command.Parameters.AddWithValue("$since", Time(since));
            }
            command.CommandText = "SELECT " + JobColumns + " FROM jobs" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty) + " ORDER BY seq";
            SqliteDataReader reader;
            try
            {
                reader = command.ExecuteReader();
            }
            catch (SqliteException ex)
            {
                throw Unreadable(ex);
            }
            using (reader)
            {
                while (true)
                {
                    JournalEntry entry;
                    try
                    {
                        if (!reader.Read())
                        {
                            yield break;
                        }
                        entry = ReadEntry(reader);
                    }
                    catch (SqliteException ex)
                    {
                        throw Unreadable(ex);
                    }
                    yield return entry;
                }
            }
        }

        /// <summary>The last recorded state of one job, or null where the store does not know it (an indexed look-up).</summary>
        /// <exception cref="VideoGenException">As for <see cref="ReadStates"/>.</exception>
        public JournalEntry? Find(VideoProvider provider, string id) =>
            Single("SELECT " + JobColumns + " FROM jobs WHERE id = $id AND provider = $provider", ("$id", id), ("$provider", provider.ToString()));

        /// <summary>The job recorded with task id <paramref name="id"/> at any provider (the first recorded), or null.</summary>
        /// <exception cref="VideoGenException">As for <see cref="ReadStates"/>.</exception>
        public JournalEntry? FindById(string id) =>
            Single("SELECT " + JobColumns + " FROM jobs WHERE id = $id ORDER BY seq LIMIT 1", ("$id", id));

        /// <summary>
        /// The job a request was already paid for: recorded with this provider, <paramref name="name"/> (as <see cref="SameName"/>) and request fingerprint, at or before sequence <paramref name="recordedUpTo"/> (see <see cref="LastSequence"/>:
        /// a command matches only jobs recorded before it started). The newest such job that <paramref name="accept"/> takes (all, where null), or null.
        /// </summary>
        /// <exception cref="VideoGenException">As for <see cref="ReadStates"/>.</exception>
        public JournalEntry? FindByFingerprint(VideoProvider provider, string? name, string requestFingerprint, long recordedUpTo, Func<JournalEntry, bool>? accept = null)
        {
            var matches = Many("SELECT " + JobColumns + " FROM jobs WHERE request_fingerprint = $fp AND provider = $provider AND seq <= $upTo ORDER BY seq DESC",
                ("$fp", requestFingerprint), ("$provider", provider.ToString()), ("$upTo", recordedUpTo));
            return matches.FirstOrDefault(e => SameName(e.Job.Name, name) && (accept is null || accept(e)));
        }

        /// <summary>Names match as a re-run sees them: trimmed, case-insensitive (invariant); null is the empty name.</summary>
        public static bool SameName(string? a, string? b) =>
            string.Equals((a ?? string.Empty).Trim(), (b ?? string.Empty).Trim(), StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// A job imported from an older journal without a request fingerprint (written before re-run matching) that a row
        /// matches by provider, name (as <see cref="SameName"/>), prompt and model (ordinal), recorded at or before <paramref name="recordedUpTo"/>;
        /// the newest such job that <paramref name="accept"/> takes (all, where null), or null. Callers warn that the match is by these fields only.
        /// </summary>
        /// <exception cref="VideoGenException">As for <see cref="ReadStates"/>.</exception>
        public JournalEntry? FindUnfingerprinted(VideoProvider provider, string? name, string? prompt, string? model, long recordedUpTo, Func<JournalEntry, bool>? accept = null)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                return null;
            }
            if (prompt is null)
            {
                return null;
            }
            // By the prompt (exact, indexed among the jobs without a fingerprint); the name as a re-run compares it, here.
            var matches = Many("SELECT " + JobColumns + " FROM jobs WHERE prompt = $prompt AND request_fingerprint IS NULL AND provider = $provider AND seq <= $upTo ORDER BY seq DESC",
                ("$prompt", prompt), ("$provider", provider.ToString()), ("$upTo", recordedUpTo));
            return matches.FirstOrDefault(e => SameName(e.Job.Name, name) &&
                string.Equals(e.Job.Prompt, prompt, StringComparison.Ordinal) && string.Equals(e.Job.Model, model, StringComparison.Ordinal) && (accept is null || accept(e)));
        }

        /// <summary>
        /// What the store knows of how long <paramref name="model"/>'s jobs at <paramref name="provider"/> take: for each of the
        /// last <paramref name="limit"/> jobs that succeeded and were seen done by a poll, the time from the submission's answer
        /// to the last poll that saw it running (zero where none did) and to the first poll that saw it done, and the request's
        /// clip length and size (<see cref="Waiting.JobDuration"/>). Only jobs New-Video submitted here at <paramref name="baseUri"/>
        /// count: an imported job's or a piped row's submission time came from a file, and a gateway's jobs say nothing of the
        /// provider's; a job that took longer than <see cref="Waiting.JobDuration.Longest"/> is left out. Empty for a missing store.
        /// </summary>
        /// <exception cref="VideoGenException">As for <see cref="ReadStates"/>.</exception>
        public IReadOnlyList<Waiting.JobDuration> Durations(VideoProvider provider, string model, string? baseUri, int limit = 100)
        {
            // Only jobs New-Video submitted here (their 'submitted' event: the time is this machine's own, not a file's), at the
            // same base URI (a gateway's jobs say nothing of the provider's), that took a plausible time (at most a day).
            return Read("SELECT shape, submitted_at, running_seen_at, done_seen_at FROM jobs WHERE provider = $provider AND model = $model" +
                    " AND done_seen_at IS NOT NULL AND submitted_at IS NOT NULL AND status = 'Succeeded' AND imported = 0 AND base_uri IS $base_uri" +
                    " AND EXISTS (SELECT 1 FROM events WHERE events.job = jobs.seq AND events.event = 'submitted') ORDER BY seq DESC LIMIT $limit",
                    r =>
                    {
                        var submitted = ParseTime(r.GetString(1));
                        var running = r.IsDBNull(2) ? null : ParseTime(r.GetString(2));
                        var done = ParseTime(r.GetString(3));
                        return submitted is DateTimeOffset from && done is DateTimeOffset to && to > from && to - from <= Waiting.JobDuration.Longest
                            ? new Waiting.JobDuration(r.IsDBNull(0) ? null : r.GetString(0),
                                running is DateTimeOffset seen && seen > from && seen <= to ? seen - from : TimeSpan.Zero, to - from)
                            : null;
                    },
                    ("$provider", provider.ToString()), ("$model", model), ("$base_uri", (object?)baseUri ?? DBNull.Value), ("$limit", limit))
                .Where(d => d != null).Select(d => d!).ToList();
        }

        /// <summary>The sequence number of the newest job recorded (0 for an empty or missing store).</summary>
        /// <exception cref="VideoGenException">As for <see cref="ReadStates"/>.</exception>
        public long LastSequence() => Read("SELECT COALESCE(MAX(seq), 0) FROM jobs", r => r.GetInt64(0)).FirstOrDefault();

        /// <summary>The SHA-256 (lower-case hex) recorded when the job's video was last saved, or null where none was recorded.</summary>
        /// <exception cref="VideoGenException">As for <see cref="ReadStates"/>.</exception>
        public string? SavedSha256(VideoProvider provider, string id) => Find(provider, id)?.Sha256;

        /// <summary>
        /// Whether the file at <paramref name="path"/> is <paramref name="job"/>'s saved video: its SHA-256 (computed now)
        /// equals one recorded for the job (saved, or being put in place). False where the file does not exist or no SHA-256
        /// was recorded.
        /// </summary>
        /// <exception cref="VideoGenException">As for <see cref="ReadStates"/>.</exception>
        /// <exception cref="IOException">The file exists but cannot be read.</exception>
        public bool IsSavedFile(VideoJob job, string path)
        {
            var entry = Find(job.Provider, job.Id);
            return entry != null && entry.IsSavedFile(path);
        }

        /// <summary>
        /// Opens (creating where missing) the store and checks it can be written: what New-Video and Save-Video ask before
        /// anything is paid for or downloaded. Creates the folder, the file and the schema; migrates an older schema.
        /// </summary>
        /// <exception cref="VideoGenException">UnexpectedAnswer: not writable, damaged, a JSON-lines journal (the message gives
        /// the Import-VideoJob command), on a network file system, or made by a newer VideoGen; the message names the path.</exception>
        public void EnsureWritable()
        {
            using var connection = Open(write: true);
            try
            {
                using var transaction = connection!.BeginTransaction();
                transaction.Rollback();
            }
            catch (SqliteException ex)
            {
                throw Unwritable(ex, null);
            }
        }

        /// <summary>
        /// Imports VideoGen 0.1's journal.jsonl from the default store's folder into the default store, once (the store
        /// remembers the import; the old file is kept). Returns the report where an import ran now, else null. Does nothing
        /// for a store named by -JournalPath or the variable.
        /// </summary>
        /// <exception cref="VideoGenException">UnexpectedAnswer: the store cannot be written.</exception>
        public JournalImportReport? ImportLegacyDefault()
        {
            if (!IsDefault)
            {
                return null;
            }
            var legacy = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, LegacyFileName);
            if (!File.Exists(legacy))
            {
                return null;
            }
            var marker = "imported:" + legacy;
            using (var connection = Open(write: true))
            {
                if (ReadMeta(connection!, marker) != null)
                {
                    return null;
                }
            }
            var report = Import(legacy);
            using (var connection = Open(write: true))
            {
                WriteMeta(connection!, marker, Time(DateTimeOffset.UtcNow));
            }
            return report;
        }

        /// <summary>
        /// Imports a JSON-lines journal of VideoGen 0.1 (any of UTF-8, UTF-16 LE/BE, or a mix, as Windows PowerShell 5.1's
        /// Out-File leaves it; lines glued together where a newline was lost; lines cut short). Jobs already in the store are
        /// left as they are. Every complete job is imported; what could not be read is in the report with its line number.
        /// </summary>
        /// <exception cref="VideoGenException">UnexpectedAnswer: the file cannot be read, or the store cannot be written.</exception>
        public JournalImportReport Import(string legacyJournalPath)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(legacyJournalPath);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new VideoGenException(VideoGenErrorKind.UnexpectedAnswer, "Could not read " + legacyJournalPath + ": " + ex.Message + ".", null, null, ex);
            }
            var parsed = LegacyJournal.Parse(bytes);
            var report = new JournalImportReport(legacyJournalPath);
            report.Problems.AddRange(parsed.Problems);
            ImportEntries(parsed.Entries, report);
            return report;
        }

        /// <summary>
        /// Imports jobs read elsewhere (rows of a CSV written by Export-Csv, restored by the caller) as they are: each becomes a
        /// job with an <c>imported</c> event, unless the store knows its provider and id already.
        /// </summary>
        /// <exception cref="VideoGenException">UnexpectedAnswer: the store cannot be written.</exception>
        public void ImportJobs(IEnumerable<JournalEntry> entries, JournalImportReport report) => ImportEntries(entries, report);

        private void ImportEntries(IEnumerable<JournalEntry> entries, JournalImportReport report)
        {
            using var connection = Open(write: true);
            var batch = 0;
            SqliteTransaction? transaction = null;
            try
            {
                foreach (var entry in entries)
                {
                    transaction ??= connection!.BeginTransaction();
                    if (ReadEntryFor(connection!, transaction, entry.Job.Provider, entry.Job.Id) != null)
                    {
                        report.AlreadyKnown++;
                        continue;
                    }
                    entry.IsImported = true;
                    var seq = WriteJob(connection!, transaction, entry, insert: true);
                    IReadOnlyList<JournalEvent> history = entry.History.Count > 0 ? entry.History : new[] { new JournalEvent("imported", entry.LastEventAt ?? DateTimeOffset.UtcNow, entry.Job.Status.ToString(), null, null, entry.SavedPath, entry.Sha256) };
                    foreach (var e in history)
                    {
                        InsertEvent(connection!, transaction, seq, e);
                    }
                    report.Imported++;
                    if (++batch == 1000)
                    {
                        transaction.Commit();
                        transaction.Dispose();
                        transaction = null;
                        batch = 0;
                    }
                }
                transaction?.Commit();
            }
            catch (SqliteException ex)
            {
                throw Unwritable(ex, null);
            }
            finally
            {
                transaction?.Dispose();
            }
        }

        /// <summary>The SHA-256s recorded for the job with sequence <paramref name="seq"/> (placing and saved events), oldest first.</summary>
        internal List<string> Sha256sOf(long seq) =>
            Read("SELECT sha256 FROM events WHERE job = $job AND sha256 IS NOT NULL AND event IN ('placing', 'saved', 'imported') ORDER BY seq",
                r => r.GetString(0), ("$job", seq));

        private void Record(string ev, VideoJob job, string? path, string? sha256, string? requestFingerprint)
        {
            var at = DateTimeOffset.UtcNow;
            try
            {
                using var connection = Open(write: true, job);
                using var transaction = connection!.BeginTransaction();
                var entry = ReadEntryFor(connection, transaction, job.Provider, job.Id) ?? new JournalEntry(VideoJob.Restore(job.Id, job.Provider, job.Model, job.Name, job.Prompt, job.BaseUri, job.PollingUrl), null, 0);
                var known = entry.Seq != 0;
                var e = JournalEvent.From(ev, at, job, path, sha256, requestFingerprint);
                entry.Apply(e);
                var seq = WriteJob(connection, transaction, entry, insert: !known);
                InsertEvent(connection, transaction, seq, e);
                transaction.Commit();
            }
            catch (SqliteException ex)
            {
                throw Unwritable(ex, job);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw Unwritable(ex, job);
            }
        }

        private JournalEntry? ReadEntryFor(SqliteConnection connection, SqliteTransaction transaction, VideoProvider provider, string id)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT " + JobColumns + " FROM jobs WHERE id = $id AND provider = $provider";
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$provider", provider.ToString());
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadEntry(reader) : null;
        }

        private static long WriteJob(SqliteConnection connection, SqliteTransaction transaction, JournalEntry entry, bool insert)
        {
            var job = entry.Job;
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = insert
                ? @"INSERT INTO jobs (provider, id, model, name, prompt, base_uri, polling_url, request_fingerprint, status, provider_status, cost, cost_unit, error,
                      submitted_at, finished_at, last_event, last_event_at, saved, ended, saved_path, sha256, imported, running_seen_at, done_seen_at, shape)
                    VALUES ($provider, $id, $model, $name, $prompt, $base_uri, $polling_url, $fp, $status, $provider_status, $cost, $cost_unit, $error,
                      $submitted_at, $finished_at, $last_event, $last_event_at, $saved, $ended, $saved_path, $sha256, $imported, $running_seen_at, $done_seen_at, $shape)"
                : @"UPDATE jobs SET model = $model, name = $name, prompt = $prompt, base_uri = $base_uri, polling_url = $polling_url, request_fingerprint = $fp,
                      status = $status, provider_status = $provider_status, cost = $cost, cost_unit = $cost_unit, error = $error, submitted_at = $submitted_at,
                      finished_at = $finished_at, last_event = $last_event, last_event_at = $last_event_at, saved = $saved, ended = $ended,
                      saved_path = $saved_path, sha256 = $sha256, imported = $imported, running_seen_at = $running_seen_at, done_seen_at = $done_seen_at, shape = $shape
                    WHERE id = $id AND provider = $provider";
            Add(command, "$provider", job.Provider.ToString());
            Add(command, "$id", job.Id);
            Add(command, "$model", job.Model);
            Add(command, "$name", job.Name);
            Add(command, "$prompt", job.Prompt);
            Add(command, "$base_uri", job.BaseUri);
            Add(command, "$polling_url", job.PollingUrl);
            Add(command, "$fp", entry.RequestFingerprint);
            Add(command, "$status", job.Status.ToString());
            Add(command, "$provider_status", Clean(job.ProviderStatus));
            Add(command, "$cost", job.Cost?.ToString(CultureInfo.InvariantCulture));
            Add(command, "$cost_unit", job.CostUnit);
            Add(command, "$error", Clean(job.Error));
            Add(command, "$submitted_at", job.SubmittedAt is DateTimeOffset s ? Time(s) : null);
            Add(command, "$finished_at", entry.FinishedAt is DateTimeOffset f ? Time(f) : null);
            Add(command, "$last_event", entry.LastEvent);
            Add(command, "$last_event_at", entry.LastEventAt is DateTimeOffset l ? Time(l) : null);
            command.Parameters.AddWithValue("$saved", entry.IsSaved ? 1 : 0);
            command.Parameters.AddWithValue("$ended", entry.IsEnded ? 1 : 0);
            Add(command, "$saved_path", entry.SavedPath);
            Add(command, "$sha256", entry.Sha256);
            command.Parameters.AddWithValue("$imported", entry.IsImported ? 1 : 0);
            Add(command, "$running_seen_at", job.LastSeenRunning is DateTimeOffset r ? Time(r) : null);
            Add(command, "$done_seen_at", entry.DoneSeenAt is DateTimeOffset d ? Time(d) : null);
            Add(command, "$shape", job.Shape);
            command.ExecuteNonQuery();
            if (!insert)
            {
                return entry.Seq;
            }
            using var last = connection.CreateCommand();
            last.Transaction = transaction;
            last.CommandText = "SELECT last_insert_rowid()";
            return Convert.ToInt64(last.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        private static void InsertEvent(SqliteConnection connection, SqliteTransaction transaction, long job, JournalEvent e)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO events (job, event, at, status, provider_status, error, path, sha256) VALUES ($job, $event, $at, $status, $provider_status, $error, $path, $sha256)";
            command.Parameters.AddWithValue("$job", job);
            Add(command, "$event", e.Event);
            Add(command, "$at", Time(e.At));
            Add(command, "$status", e.Status);
            Add(command, "$provider_status", Clean(e.ProviderStatus));
            Add(command, "$error", Clean(e.Error));
            Add(command, "$path", e.Path);
            Add(command, "$sha256", e.Sha256);
            command.ExecuteNonQuery();
        }

        private JournalEntry ReadEntry(SqliteDataReader r)
        {
            string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
            var seq = r.GetInt64(0);
            if (!Providers.ProviderMappings.TryParse(S(1), out var provider))
            {
                throw new VideoGenException(VideoGenErrorKind.UnexpectedAnswer, "The job store " + Path + " names an unknown provider '" + S(1) + "' for task " + S(2) + ".");
            }
            var job = VideoJob.Restore(r.GetString(2), provider, S(3), S(4), S(5), S(6), S(7), null, S(9), S(13));
            job.ProviderStatus = S(10);
            if (decimal.TryParse(S(11), NumberStyles.Number, CultureInfo.InvariantCulture, out var cost) && S(12) is string unit)
            {
                job.SetCost(cost, unit);
            }
            job.SubmittedAt = ParseTime(S(14));
            var entry = new JournalEntry(job, this, seq)
            {
                RequestFingerprint = S(8),
                FinishedAt = ParseTime(S(15)),
                LastEvent = S(16) ?? string.Empty,
                LastEventAt = ParseTime(S(17)),
                IsSaved = r.GetInt64(18) != 0,
                IsEnded = r.GetInt64(19) != 0,
                SavedPath = S(20),
                Sha256 = S(21),
                IsImported = r.GetInt64(22) != 0,
                DoneSeenAt = ParseTime(S(24)),
            };
            job.LastSeenRunning = ParseTime(S(23));
            job.Shape = S(25);
            if (entry.FinishedAt is DateTimeOffset finished && job.IsTerminal)
            {
                job.CompletedAt = finished;
            }
            return entry;
        }

        private JournalEntry? Single(string sql, params (string Name, object Value)[] parameters) => Many(sql, parameters).FirstOrDefault();

        /// <summary>Whether the store file exists; a folder at its path is an error, not an empty store.</summary>
        private bool StoreExists()
        {
            if (Directory.Exists(Path))
            {
                throw new VideoGenException(VideoGenErrorKind.UnexpectedAnswer, "The job store " + Path + " is a folder. Give -JournalPath or $env:" + PathVariable + " a file, such as " + System.IO.Path.Combine(Path, DefaultFileName) + ".");
            }
            return File.Exists(Path);
        }

        private List<JournalEntry> Many(string sql, params (string Name, object Value)[] parameters) => Read(sql, ReadEntry, parameters);

        /// <summary>
        /// The one way a look-up reads the store: every row of <paramref name="sql"/>, made by <paramref name="row"/>; empty
        /// where no store exists yet. A SQLite failure becomes the store's "could not read" error naming the file.
        /// </summary>
        private List<T> Read<T>(string sql, Func<SqliteDataReader, T> row, params (string Name, object Value)[] parameters)
        {
            var result = new List<T>();
            if (!StoreExists())
            {
                return result;
            }
            using var connection = Open(write: false);
            if (connection is null)
            {
                return result;
            }
            try
            {
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                foreach (var (name, value) in parameters)
                {
                    command.Parameters.AddWithValue(name, value);
                }
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    result.Add(row(reader));
                }
            }
            catch (SqliteException ex)
            {
                throw Unreadable(ex);
            }
            return result;
        }

        /// <summary>
        /// A connection to the store, schema ready. For reading, null where the file holds no store yet (empty). The first
        /// open of this instance checks the file (a SQLite store, not a JSON-lines journal; not on a network file system),
        /// sets WAL and migrates the schema forward.
        /// </summary>
        private SqliteConnection? Open(bool write, VideoJob? job = null)
        {
            try
            {
                SqliteNative.EnsureLoaded();
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is DllNotFoundException || ex is BadImageFormatException || ex is TypeInitializationException)
            {
                var kept = job is null ? string.Empty : " Task id " + job.Id + " at " + job.Provider + " was created; keep this id.";
                throw new VideoGenException(VideoGenErrorKind.UnexpectedAnswer, "The job store " + Path + " cannot be opened: SQLite did not load (" + ex.Message + ")." + kept, job?.Id, null, ex);
            }
            if (!_ready)
            {
                lock (_openGate)
                {
                    if (!_ready)
                    {
                        Prepare(write, job);
                    }
                }
                if (!_ready)
                {
                    return null; // a read of a store that does not exist yet
                }
            }
            var connection = new SqliteConnection(ConnectionString(SqliteOpenMode.ReadWrite));
            try
            {
                connection.Open();
                Pragmas(connection);
                return connection;
            }
            catch (SqliteException ex)
            {
                connection.Dispose();
                throw write ? Unwritable(ex, job) : Unreadable(ex);
            }
        }

        private void Prepare(bool write, VideoJob? job)
        {
            var exists = File.Exists(Path) && new FileInfo(Path).Length > 0;
            if (exists)
            {
                CheckHeader();
            }
            else if (!write)
            {
                return;
            }
            var network = StoreLocation.NetworkFileSystem(Path);
            if (network != null)
            {
                throw new VideoGenException(VideoGenErrorKind.UnexpectedAnswer,
                    "The job store " + Path + " is on a network file system (" + network + "), where SQLite's write-ahead log cannot work and locking is unreliable, " +
                    "so a store there could lose or corrupt task ids. Nothing was written. Keep the store on a local disk: give -JournalPath or $env:" + PathVariable +
                    " a local path (the default is " + System.IO.Path.Combine(DefaultFolder(Environment.GetEnvironmentVariable), DefaultFileName) + ").", job?.Id);
            }
            try
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw Unwritable(ex, job);
            }
            using var connection = new SqliteConnection(ConnectionString(SqliteOpenMode.ReadWriteCreate));
            try
            {
                connection.Open();
                using (var wal = connection.CreateCommand())
                {
                    wal.CommandText = "PRAGMA journal_mode = WAL";
                    var mode = Convert.ToString(wal.ExecuteScalar(), CultureInfo.InvariantCulture);
                    if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new VideoGenException(VideoGenErrorKind.UnexpectedAnswer,
                            "The job store " + Path + " could not be put in write-ahead-log mode (SQLite answered '" + mode + "'). Keep the store on a local disk: give -JournalPath a local path.", job?.Id);
                    }
                }
                Pragmas(connection);
                Migrate(connection);
                AddDurationColumns(connection);
            }
            catch (SqliteException ex)
            {
                throw write ? Unwritable(ex, job) : Unreadable(ex);
            }
            _ready = true;
        }

        /// <summary>Refuses a file that is not a SQLite store: a JSON-lines journal (with the command that imports it) or anything else.</summary>
        private void CheckHeader()
        {
            var head = new byte[SqliteHeader.Length];
            int read;
            try
            {
                using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                read = stream.Read(head, 0, head.Length);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new VideoGenException(VideoGenErrorKind.UnexpectedAnswer, "Could not read the job store " + Path + ": " + ex.Message + ".", null, null, ex);
            }
            if (read == SqliteHeader.Length && head.SequenceEqual(SqliteHeader))
            {
                return;
            }
            if (LegacyJournal.LooksLikeJsonLines(head, read))
            {
                throw new VideoGenException(VideoGenErrorKind.UnexpectedAnswer,
                    "The file " + Path + " is a JSON-lines job journal of VideoGen 0.1, not a job store; it was not changed. Import it into a store and use that: " +
                    "Import-VideoJob -Path '" + Path + "' -JournalPath '" + System.IO.Path.ChangeExtension(Path, ".db") + "', then give that -JournalPath (or $env:" + PathVariable + ").");
            }
            throw new VideoGenException(VideoGenErrorKind.UnexpectedAnswer,
                "The file " + Path + " is not a VideoGen job store (no SQLite header); it was not changed and nothing was submitted. Give -JournalPath or $env:" + PathVariable +
                " another file, or move this one aside.");
        }

        private void Migrate(SqliteConnection connection)
        {
            long version;
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "PRAGMA user_version";
                version = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
            }
            if (version > SchemaVersion)
            {
                throw new VideoGenException(VideoGenErrorKind.UnexpectedAnswer,
                    "The job store " + Path + " has schema version " + version.ToString(CultureInfo.InvariantCulture) + ", newer than this VideoGen's " +
                    SchemaVersion.ToString(CultureInfo.InvariantCulture) + ". Update VideoGen (Update-Module VideoGen), or give -JournalPath another file.");
            }
            while (version < SchemaVersion)
            {
                using var transaction = connection.BeginTransaction();
                using (var command = connection.CreateCommand())
                {
                    command.Transaction = transaction;
                    // Re-read under the write lock: another process may have migrated meanwhile.
                    command.CommandText = "PRAGMA user_version";
                    version = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
                    if (version >= SchemaVersion)
                    {
                        transaction.Rollback();
                        break;
                    }
                    command.CommandText = Migrations[version] + "; PRAGMA user_version = " + (version + 1).ToString(CultureInfo.InvariantCulture) + ";";
                    command.ExecuteNonQuery();
                }
                transaction.Commit();
                version++;
            }
        }

        /// <summary>
        /// What a job's duration is learnt from (Wait-Video's expected end): the last poll that saw it running, the first that saw
        /// it done (this machine's clock, like submitted_at) and the request's clip length and size. Added as nullable columns
        /// without a new schema version, so an older VideoGen sharing the store (Windows PowerShell 5.1 and pwsh 7 installs of
        /// different versions) keeps reading and writing it: it names its columns and leaves these null. Added once, under the
        /// write lock, by whichever process gets there first.
        /// </summary>
        private static void AddDurationColumns(SqliteConnection connection)
        {
            bool Present()
            {
                using var info = connection.CreateCommand();
                info.CommandText = "SELECT COUNT(*) FROM pragma_table_info('jobs') WHERE name = 'shape'";
                return Convert.ToInt64(info.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
            }
            if (Present())
            {
                return;
            }
            using var transaction = connection.BeginTransaction();
            if (!Present())
            {
                using var alter = connection.CreateCommand();
                alter.Transaction = transaction;
                alter.CommandText = @"ALTER TABLE jobs ADD COLUMN running_seen_at TEXT;
                    ALTER TABLE jobs ADD COLUMN done_seen_at TEXT;
                    ALTER TABLE jobs ADD COLUMN shape TEXT;
                    CREATE INDEX IF NOT EXISTS jobs_durations ON jobs (provider, model, seq) WHERE done_seen_at IS NOT NULL;";
                alter.ExecuteNonQuery();
            }
            transaction.Commit();
        }

        private string ConnectionString(SqliteOpenMode mode) => new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = mode,
            Pooling = false,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(LockTimeout.TotalSeconds)),
        }.ToString();

        private void Pragmas(SqliteConnection connection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = " +
                ((long)LockTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + ";";
            command.ExecuteNonQuery();
        }

        private static string? ReadMeta(SqliteConnection connection, string key)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT value FROM meta WHERE key = $key";
            command.Parameters.AddWithValue("$key", key);
            return command.ExecuteScalar() as string;
        }

        private void WriteMeta(SqliteConnection connection, string key, string value)
        {
            try
            {
                using var command = connection.CreateCommand();
                command.CommandText = "INSERT OR REPLACE INTO meta (key, value) VALUES ($key, $value)";
                command.Parameters.AddWithValue("$key", key);
                command.Parameters.AddWithValue("$value", value);
                command.ExecuteNonQuery();
            }
            catch (SqliteException ex)
            {
                throw Unwritable(ex, null);
            }
        }

        private VideoGenException Unreadable(SqliteException ex) =>
            new VideoGenException(VideoGenErrorKind.UnexpectedAnswer, "Could not read the job store " + Path + ": " + Describe(ex) + ".", null, null, ex);

        private VideoGenException Unwritable(Exception ex, VideoJob? job)
        {
            var reason = ex is SqliteException sqlite ? Describe(sqlite) : ex.Message;
            var kept = job is null ? string.Empty : " Task id " + job.Id + " at " + job.Provider + " was created; keep this id.";
            // A store another process holds needs that process to finish, not another file.
            var busy = ex is SqliteException locked && ((locked.SqliteErrorCode & 0xFF) == 5 || (locked.SqliteErrorCode & 0xFF) == 6);
            var advice = busy
                ? " Let the other VideoGen command (a scheduled task?) finish or stop it, then run this one again."
                : " Set -JournalPath or $env:" + PathVariable + " to a writable file on a local disk.";
            return new VideoGenException(VideoGenErrorKind.UnexpectedAnswer, "Could not write the job store " + Path + ": " + reason + "." + kept + advice, job?.Id, null, ex);
        }

        /// <summary>SQLite's reason in words an admin can act on: busy (another process), damaged, read-only, full.</summary>
        private string Describe(SqliteException ex)
        {
            switch (ex.SqliteErrorCode & 0xFF)
            {
                case 5: // SQLITE_BUSY
                case 6: // SQLITE_LOCKED
                    return "another process kept it locked for more than " + LockTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s (" + ex.Message + ")";
                case 11: // SQLITE_CORRUPT
                case 26: // SQLITE_NOTADB
                    return "SQLite finds it damaged (" + ex.Message + "). Move it aside and import what it held from a copy or an export (Import-VideoJob), or give -JournalPath another file";
                case 8: // SQLITE_READONLY
                    return "it is read-only (" + ex.Message + ")";
                case 13: // SQLITE_FULL
                    return "the disk is full (" + ex.Message + ")";
                case 14: // SQLITE_CANTOPEN
                    return "it cannot be opened (" + ex.Message + ")";
                default:
                    return ex.Message;
            }
        }

        /// <summary>
        /// The store's one boundary for text that came from outside (a provider's status and error, or an imported file's):
        /// <see cref="Sanitizer"/>'s rules, and every provider key configured in this process's environment removed too, so an
        /// imported row that quotes a key never stores it.
        /// </summary>
        private static string? Clean(string? text)
        {
            var clean = Sanitizer.SanitizeOrNull(text);
            if (string.IsNullOrEmpty(clean))
            {
                return clean;
            }
            foreach (VideoProvider provider in Enum.GetValues(typeof(VideoProvider)))
            {
                var key = Environment.GetEnvironmentVariable(EndpointResolver.ApiKeyVariable(provider))?.Trim();
                if (!string.IsNullOrEmpty(key))
                {
                    clean = clean!.Replace(key, Sanitizer.Redacted);
                }
            }
            return clean;
        }

        private static void Add(SqliteCommand command, string name, string? value) => command.Parameters.AddWithValue(name, (object?)value ?? DBNull.Value);

        internal static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

        private static DateTimeOffset? ParseTime(string? text) =>
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : (DateTimeOffset?)null;
    }

    /// <summary>What <see cref="JobJournal.Query"/> selects. Every filter given must hold (and); within one filter, any value (or).</summary>
    public sealed class JournalQuery
    {
        /// <summary>Only jobs neither saved nor ended.</summary>
        public bool UnfinishedOnly { get; set; }

        /// <summary>Only jobs whose last status is one of these.</summary>
        public IReadOnlyCollection<VideoJobStatus>? Statuses { get; set; }

        /// <summary>Only jobs at one of these providers.</summary>
        public IReadOnlyCollection<VideoProvider>? Providers { get; set; }

        /// <summary>Only jobs whose name matches one of these SQL LIKE patterns (escape character <c>\</c>, case-insensitive for ASCII).</summary>
        public IReadOnlyCollection<string>? NameLike { get; set; }

        /// <summary>Only jobs submitted at or after this time.</summary>
        public DateTimeOffset? Since { get; set; }
    }

    /// <summary>What an import into the job store did: jobs imported, jobs already known, and what could not be read.</summary>
    public sealed class JournalImportReport
    {
        /// <summary>Creates an empty report for <paramref name="source"/>.</summary>
        public JournalImportReport(string source) => Source = source;

        /// <summary>The file imported.</summary>
        public string Source { get; }

        /// <summary>Jobs added to the store.</summary>
        public int Imported { get; set; }

        /// <summary>Jobs the store knew already (same provider and task id), left as they were.</summary>
        public int AlreadyKnown { get; set; }

        /// <summary>What could not be read: line (or row) number and why, in file order. Nothing is dropped silently.</summary>
        public List<JournalImportProblem> Problems { get; } = new List<JournalImportProblem>();
    }

    /// <summary>A line or row an import could not read.</summary>
    public sealed class JournalImportProblem
    {
        /// <summary>Creates the problem.</summary>
        public JournalImportProblem(int line, string reason)
        {
            Line = line;
            Reason = reason;
        }

        /// <summary>The 1-based line (JSON lines) or row (CSV) number.</summary>
        public int Line { get; }

        /// <summary>Why it could not be read, with the start of its text.</summary>
        public string Reason { get; }

        /// <inheritdoc/>
        public override string ToString() => "line " + Line.ToString(CultureInfo.InvariantCulture) + ": " + Reason;
    }
}
