using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace VideoGen.Core
{
    /// <summary>One job's last known state in a <see cref="JobJournal"/>.</summary>
    public sealed class JournalEntry
    {
        private readonly JobJournal? _store;
        private List<string>? _sha256s;

        /// <summary>A state not (yet) in a store: an import builds these, then the store keeps them.</summary>
        /// <param name="job">The job as last known.</param>
        public JournalEntry(VideoJob job) : this(job, null, 0)
        {
        }

        /// <summary>
        /// A job read elsewhere (a CSV row written by Export-Csv) as a state to import: an <c>imported</c> event with its status,
        /// and for a job that ended without a video (Failed, Cancelled, Expired) an <c>ended</c> one, so Get-VideoJob lists
        /// only jobs that still need Wait-Video or Save-Video.
        /// </summary>
        /// <param name="job">The job as restored (<see cref="VideoJob.Restore(string, VideoProvider, string, string, string, string, string, string, string, string)"/>).</param>
        /// <param name="submittedAt">When it was submitted, where the row says.</param>
        public static JournalEntry Imported(VideoJob job, DateTimeOffset? submittedAt)
        {
            if (job is null)
            {
                throw new ArgumentNullException(nameof(job));
            }
            if (job.SubmittedAt is null && submittedAt is DateTimeOffset at)
            {
                job.SubmittedAt = at;
            }
            var entry = new JournalEntry(job);
            var now = DateTimeOffset.UtcNow;
            entry.Apply(new JournalEvent("imported", now, job.Status.ToString(), job.ProviderStatus, job.Error, null, null));
            if (job.IsTerminal && job.Status != VideoJobStatus.Succeeded)
            {
                entry.Apply(new JournalEvent("ended", now, job.Status.ToString(), job.ProviderStatus, job.Error, null, null));
            }
            return entry;
        }

        internal JournalEntry(VideoJob job, JobJournal? store, long seq)
        {
            Job = job ?? throw new ArgumentNullException(nameof(job));
            _store = store;
            Seq = seq;
        }

        /// <summary>
        /// The job as last recorded: <see cref="VideoJob.Status"/> the last status (Succeeded for a saved job),
        /// <see cref="VideoJob.Error"/> the last failure reason (sanitized), <see cref="VideoJob.SubmittedAt"/> the first
        /// submission time known.
        /// </summary>
        public VideoJob Job { get; }

        /// <summary>The store's sequence number of the job (its order of recording); 0 for a state not in a store.</summary>
        internal long Seq { get; }

        /// <summary>The last event recorded: <c>submitted</c>, <c>status</c>, <c>placing</c>, <c>saved</c>, <c>ended</c> or <c>imported</c>.</summary>
        public string LastEvent { get; internal set; } = string.Empty;

        /// <summary>When the last event was written (UTC), where recorded.</summary>
        public DateTimeOffset? LastEventAt { get; internal set; }

        /// <summary>When the job was first recorded terminal (UTC), where recorded.</summary>
        public DateTimeOffset? FinishedAt { get; internal set; }

        /// <summary>When a poll first saw the job terminal (UTC, this machine's clock), where one did: with the submission time and
        /// <see cref="VideoJob.LastSeenRunning"/>, what a model's expected duration is learnt from.</summary>
        internal DateTimeOffset? DoneSeenAt { get; set; }

        /// <summary>Whether the job's video was saved.</summary>
        public bool IsSaved { get; internal set; }

        /// <summary>Whether the job needs nothing more: saved, or ended without a video.</summary>
        public bool IsDone => IsSaved || IsEnded;

        /// <summary>Whether the job was recorded as ended without a video (Failed, Cancelled, Expired, deleted).</summary>
        public bool IsEnded { get; internal set; }

        /// <summary>The full path of the last saved file, where saved.</summary>
        public string? SavedPath { get; internal set; }

        /// <summary>The SHA-256 (lower-case hex) of the last saved file, where recorded.</summary>
        public string? Sha256 { get; internal set; }

        /// <summary>
        /// Whether the job came into the store from a file (Import-VideoJob, the one-time import of an old journal) rather than
        /// from New-Video here: its base URI is then not trusted to receive a key (it is checked like a piped row's).
        /// </summary>
        public bool IsImported { get; internal set; }

        /// <summary>The fingerprint of the request that created the job (<see cref="RequestFingerprint"/>), where recorded.</summary>
        public string? RequestFingerprint { get; internal set; }

        /// <summary>Every SHA-256 recorded for this job's saved files (and files being put in place), oldest first.</summary>
        /// <exception cref="VideoGenException">The store cannot be read.</exception>
        public IReadOnlyList<string> SavedSha256s
        {
            get
            {
                if (_sha256s is null)
                {
                    _sha256s = _store != null && Seq != 0 ? _store.Sha256sOf(Seq) : History.Where(e => e.Sha256 != null && (e.Event == "placing" || e.Event == "saved")).Select(e => e.Sha256!).ToList();
                }
                return _sha256s;
            }
        }

        /// <summary>The events that built this state, oldest first, where it was built from events here (an import); empty for a state read from a store.</summary>
        internal List<JournalEvent> History { get; } = new List<JournalEvent>();

        /// <summary>
        /// Whether the file at <paramref name="path"/> is this job's saved video: its SHA-256, computed now, equals one
        /// recorded. False where the file does not exist or no SHA-256 was recorded.
        /// </summary>
        /// <exception cref="IOException">The file exists but cannot be read.</exception>
        public bool IsSavedFile(string path)
        {
            if (SavedSha256s.Count == 0 || !File.Exists(path))
            {
                return false;
            }
            var actual = Downloading.VideoDownloader.Sha256OfFile(path);
            return SavedSha256s.Contains(actual, StringComparer.OrdinalIgnoreCase);
        }

        /// <summary>Folds one event into the state: the one rule for live writes and imports alike.</summary>
        internal void Apply(JournalEvent e)
        {
            LastEvent = e.Event;
            LastEventAt = e.At;
            // The first time known wins: a later event (written from a restored job) never replaces it.
            if (Job.SubmittedAt is null && e.SubmittedAt is DateTimeOffset s)
            {
                Job.SubmittedAt = s;
            }
            Job.Model ??= e.Model;
            Job.Name ??= e.Name;
            Job.Prompt ??= e.Prompt;
            Job.BaseUri ??= e.BaseUri;
            Job.PollingUrl ??= e.PollingUrl;
            Job.Shape ??= e.Shape;
            if (e.LastSeenRunning is DateTimeOffset running && (Job.LastSeenRunning is null || running > Job.LastSeenRunning))
            {
                Job.LastSeenRunning = running;
            }
            if (Enum.TryParse<VideoJobStatus>(e.Status, out var status) && Enum.IsDefined(typeof(VideoJobStatus), status))
            {
                Job.Status = status;
            }
            Job.ProviderStatus = e.ProviderStatus ?? Job.ProviderStatus;
            if (e.Cost is decimal cost && e.CostUnit != null)
            {
                Job.SetCost(cost, e.CostUnit);
            }
            if (e.Event == "submitted")
            {
                RequestFingerprint = e.RequestFingerprint ?? RequestFingerprint;
            }
            // A placing event (the file about to be renamed into place) changes no state: its SHA-256 is in the event, which
            // SavedSha256s reads.
            if (e.Event == "saved")
            {
                IsSaved = true;
                Job.Status = VideoJobStatus.Succeeded;
                Job.Error = null;
                SavedPath = e.Path ?? SavedPath;
                Sha256 = e.Sha256;
            }
            else if (e.Event != "submitted" && e.Event != "placing")
            {
                IsEnded |= e.Event == "ended";
                Job.Error = e.Error ?? (Job.IsTerminal && Job.Status != VideoJobStatus.Succeeded ? Job.Error : null);
            }
            if (e.Event == "status" && Job.IsTerminal && DoneSeenAt is null)
            {
                DoneSeenAt = e.At;
            }
            if (Job.IsTerminal && FinishedAt is null)
            {
                FinishedAt = Job.CompletedAt ?? e.At;
            }
            if (_store is null)
            {
                History.Add(e);
            }
        }
    }

    /// <summary>One event of a job: what a store's <c>events</c> table holds, and what a line of VideoGen 0.1's journal held.</summary>
    internal sealed class JournalEvent
    {
        public JournalEvent(string ev, DateTimeOffset at, string? status, string? providerStatus, string? error, string? path, string? sha256)
        {
            Event = ev;
            At = at;
            Status = status;
            ProviderStatus = providerStatus;
            Error = error;
            Path = path;
            Sha256 = sha256;
        }

        public string Event { get; }
        public DateTimeOffset At { get; }
        public string? Status { get; }
        public string? ProviderStatus { get; }
        public string? Error { get; }
        public string? Path { get; }
        public string? Sha256 { get; }
        public DateTimeOffset? SubmittedAt { get; set; }
        public string? Model { get; set; }
        public string? Name { get; set; }
        public string? Prompt { get; set; }
        public string? BaseUri { get; set; }
        public string? PollingUrl { get; set; }
        public decimal? Cost { get; set; }
        public string? CostUnit { get; set; }
        public string? RequestFingerprint { get; set; }
        public DateTimeOffset? LastSeenRunning { get; set; }
        public string? Shape { get; set; }

        /// <summary>The event a live write records for <paramref name="job"/> (the store cleans provider text as it writes it).</summary>
        public static JournalEvent From(string ev, DateTimeOffset at, VideoJob job, string? path, string? sha256, string? requestFingerprint) =>
            new JournalEvent(ev, at, job.Status.ToString(), job.ProviderStatus, job.Error, path, sha256)
            {
                SubmittedAt = job.SubmittedAt,
                Model = job.Model,
                Name = job.Name,
                Prompt = job.Prompt,
                BaseUri = job.BaseUri,
                PollingUrl = job.PollingUrl,
                Cost = job.CostUnit != null ? job.Cost : null,
                CostUnit = job.CostUnit,
                RequestFingerprint = requestFingerprint,
                LastSeenRunning = job.LastSeenRunning,
                Shape = job.Shape,
            };

        public override string ToString() => Event + " " + At.ToString("o", CultureInfo.InvariantCulture);
    }
}
