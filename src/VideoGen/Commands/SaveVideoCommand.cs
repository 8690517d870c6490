using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using VideoGen.Core;
using static VideoGen.Commands.ErrorRecords;
using static VideoGen.Commands.StoreAccess;
using VideoGen.Core.Downloading;

namespace VideoGen.Commands
{
    /// <summary>
    /// <para type="synopsis">Downloads finished videos to disk.</para>
    /// <para type="description">Save-Video downloads each finished job's video to -OutputDirectory (default: the current location) as Name.mp4, or Id.mp4 when the job has no name; names are made safe for Windows and Linux. Downloads run in parallel (-ThrottleLimit) and stream to a temporary file beside the target, which is renamed only when complete and verified (length, MP4 signature); the SHA-256 is computed while streaming. An existing file is an error unless -Force, or unless its SHA-256 equals the one the journal recorded for that job: then it is that job's video, already saved, and is emitted without downloading again. A job not yet finished is polled once; if it is still running, an error says to pipe it through Wait-Video first. Where the download goes to the video URL a poll gave (FastRouter, AppleRouter, OpenRouter), a finished job whose download fails for want of one (a job from the journal keeps none) or at a URL no longer served (HTTP 403, 404, 410: an expired signed URL) is polled once for a fresh URL and tried again. A failure on this machine (a full disk, a read-only folder, a file in use) is a VideoGen.LocalFailure error (category WriteError) naming the path; it is not downloaded again, and no partial file is left: free space or choose another -OutputDirectory, then pipe the job to Save-Video again.</para>
    /// </summary>
    /// <example>
    ///   <code>Import-Csv prompts.csv | New-Video | Wait-Video | Save-Video -OutputDirectory ./videos</code>
    ///   <para>The whole run: every row becomes ./videos/Name.mp4.</para>
    /// </example>
    /// <example>
    ///   <code>Get-VideoStatus -Id job-abc123 -Provider OpenRouter | Save-Video -Path ./intro.mp4 -Force</code>
    ///   <para>Saves one video under an exact file name, replacing an existing file.</para>
    /// </example>
    [Cmdlet(VerbsData.Save, "Video", SupportsShouldProcess = true, DefaultParameterSetName = DirectorySet, HelpUri = "https://github.com/videogen/VideoGen/blob/main/docs/cmdlets.md#save-video")]
    [OutputType(typeof(SavedVideo))]
    public sealed class SaveVideoCommand : JobCmdletBase
    {
        private const string DirectorySet = "OutputDirectory";
        private const string PathSet = "Path";
        private const int MaxChildBars = 8;
        private VideoDownloader? _downloader;
        private ProgressBars? _bars;
        private readonly ConcurrentDictionary<long, Transfer> _transfers = new ConcurrentDictionary<long, Transfer>();
        private readonly HashSet<string> _claimed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private long _sequence;
        private readonly CostTotals _cost = new CostTotals();
        private long _bytesSaved;
        private int _total;
        private int _saved;
        private int _failed;

        #region Parameters

        /// <summary><para type="description">The folder to save into; created when missing. Default: the current location.</para></summary>
        [Parameter(ParameterSetName = DirectorySet)]
        [ValidateNotNullOrEmpty]
        public string? OutputDirectory { get; set; }

        /// <summary><para type="description">An exact file path for the video (for one job).</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary><para type="description">Replace an existing file of the same name. Without it an existing file is an error and is not touched.</para></summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary><para type="description">What to save: Video (default, .mp4), or from OpenAI-style routes (OpenAICompatible, AppleRouter's veo-3.1 models) Thumbnail (.webp) or Spritesheet (.jpg).</para></summary>
        /// <remarks>
        /// A string, not the core's VideoVariant enum: PowerShell reads the module's exported types before it runs the
        /// module initializer, and an enum-typed field would make it load VideoGen.Core from dependencies/ too early.
        /// </remarks>
        [Parameter]
        [ValidateSet("Video", "Thumbnail", "Spritesheet", IgnoreCase = true)]
        public string Variant { get; set; } = "Video";

        private VideoVariant SelectedVariant => (VideoVariant)Enum.Parse(typeof(VideoVariant), Variant, ignoreCase: true);

        /// <summary><para type="description">The most downloads at once. Default 4.</para></summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 4;

        #endregion

        #region Overrides

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            RequireKeyForIdTyped();
            if (!MyInvocation.BoundParameters.ContainsKey("WhatIf"))
            {
                // Before any row of the pipeline (and so before New-Video pays for anything): the folder and the journal can be written.
                if (ParameterSetName == PathSet)
                {
                    var file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
                    Preflight.RequireWritableFolder(this, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(file))!, Path!, "-Path");
                }
                else if (!string.IsNullOrEmpty(OutputDirectory))
                {
                    Preflight.RequireWritableFolder(this, SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputDirectory), OutputDirectory!, "-OutputDirectory");
                }
                Preflight.RequireWritableJournal(this, Journal, JournalPath);
            }
            StartEngine(ThrottleLimit);
            var journal = Journal;
            // The SHA-256 is on disk before the rename: a file put in place just before a crash is still known as the job's.
            _downloader = new VideoDownloader(Client) { BeforePublish = (job, path, sha) => journal.Placing(job, path, sha) };
            _bars = new ProgressBars(this);
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            try
            {
                var (job, endpoint) = CurrentJob();
                if (SessionJobs.WasReported(InputObject?.BaseObject) && job.Status != VideoJobStatus.Succeeded)
                {
                    // Wait-Video already wrote this job's timeout or failure as an error: not a second one for the same problem.
                    WriteVerbose("Task " + job.Id + " is " + job.Status + " (reported by the previous command); nothing to save.");
                    Drain(TimeSpan.Zero);
                    return;
                }
                var target = TargetPath(job);
                if (!_claimed.Add(target))
                {
                    throw new VideoGenException(VideoGenErrorKind.FileExists,
                        "Another job in this run is already saved as " + target + "; give the jobs distinct Name values. Task id: " + job.Id + ".", job.Id);
                }
                if (!Force && File.Exists(target) && AlreadySaved(job, target) is SavedVideo existing)
                {
                    WriteVerbose("Task " + job.Id + " is already saved as " + target + " (its SHA-256 matches the journal); nothing downloaded.");
                    _saved++;
                    _bytesSaved += existing.Length;
                    WriteObject(existing);
                    Drain(TimeSpan.Zero);
                    return;
                }
                if (!Force && File.Exists(target))
                {
                    throw new VideoGenException(VideoGenErrorKind.FileExists,
                        "The file " + target + " exists; it was not touched. Use -Force to replace it, or another -OutputDirectory. Task id: " + job.Id + ".", job.Id);
                }
                if (ShouldProcess(target, "Save the video of task " + job.Id))
                {
                    var key = Interlocked.Increment(ref _sequence);
                    var transfer = new Transfer(string.IsNullOrWhiteSpace(job.Name) ? job.Id : job.Name!);
                    _transfers[key] = transfer;
                    _total++;
                    var force = Force.IsPresent;
                    var variant = SelectedVariant;
                    var downloader = _downloader!;
                    var journal = Journal;
                    var log = Log;
                    Engine.StartInSlot(new Item(key, job), async context =>
                    {
                        SavedVideo saved;
                        try
                        {
                            // Created only now: -WhatIf and refused jobs leave the disk as it was.
                            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
                            saved = await downloader.SaveAsync(endpoint, job, target, force, new Progress(transfer), log, context.Token, variant).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is NotSupportedException)
                        {
                            // A failure on this machine the downloader did not meet itself (the folder cannot be created):
                            // LocalFailure like the downloader's own, naming the job and the file the user asked for.
                            throw VideoDownloader.LocalFailure(ex, job, target, "saved");
                        }
                        // In the journal the moment the file is in place, by the worker that placed it.
                        var journalError = variant == VideoVariant.Video ? TryJournal(() => journal.Saved(saved))?.Message : null;
                        return new Placed(saved, journalError);
                    }, OnSaved);
                }
            }
            catch (VideoGenException ex) when (!FirstNoKeyError(ex))
            {
            }
            catch (VideoGenException ex)
            {
                WriteError(ToErrorRecord(ex.TaskId is null ? new VideoGenException(ex.Kind, ex.Message + " Task id: " + Id + ".", Id, ex.StatusCode, ex) : ex, Id));
            }
            Drain(TimeSpan.Zero);
        }

        /// <summary>
        /// A byte count in B, KB, MB, GB or TB (1024-based, one decimal above bytes), as the format file shows a saved
        /// video's Size: "4.1 KB", not "0.0 MB".
        /// </summary>
        internal static string HumanSize(long bytes)
        {
            string[] units = { "B", "KB", "MB", "GB", "TB" };
            double n = bytes;
            var i = 0;
            // 1,048,575 bytes is "1.0 MB", not "1024.0 KB": the unit is chosen for the value as it will be printed.
            while (Math.Round(n, i == 0 ? 0 : 1) >= 1024 && i < units.Length - 1)
            {
                n /= 1024;
                i++;
            }
            return i == 0 ? bytes.ToString(CultureInfo.InvariantCulture) + " B" : n.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[i];
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            try
            {
                DrainToEnd();
                ReportSuppressedNoKeyErrors();
                WriteSummary(string.Format(CultureInfo.InvariantCulture, "Save-Video: {0} saved ({1}), {2} failed; cost reported for the saved videos: {3}.",
                    _saved, HumanSize(_bytesSaved), _failed, _cost));
            }
            finally
            {
                if (!Stopping)
                {
                    _bars!.CompleteAll();
                }
            }
        }

        /// <summary>A saved file, or the error naming its job, on the pipeline thread.</summary>
        private void OnSaved(WorkOutcome<Item, Placed> outcome)
        {
            var item = outcome.State;
            _transfers.TryRemove(item.Key, out _);
            if (outcome.Error is null && outcome.Value is Placed placed)
            {
                _saved++;
                if (placed.JournalError != null)
                {
                    WriteWarning("Saved " + placed.Video.Path + " (task " + placed.Video.Id + ") but could not record it in the journal: " + placed.JournalError);
                }
                _bytesSaved += placed.Video.Length;
                _cost.Add(placed.Video.Cost, placed.Video.CostUnit);
                WriteObject(placed.Video);
            }
            else if (outcome.Error != null && !(outcome.Error is OperationCanceledException && Stopping))
            {
                _failed++;
                WriteError(ToErrorRecord(outcome.Error is VideoGenException || outcome.Error is OperationCanceledException ? outcome.Error
                    : new VideoGenException(VideoGenErrorKind.UnexpectedAnswer, "Saving task " + item.Job.Id + " failed: " + outcome.Error.Message, item.Job.Id, null, outcome.Error), item.Job));
            }
        }

        /// <inheritdoc/>
        protected override void OnDrained()
        {
            if (_bars!.Due && _total > 0)
            {
                UpdateProgress();
            }
        }

        #endregion

        /// <summary>
        /// The file at <paramref name="target"/> as this job's saved video when its SHA-256 equals one the journal recorded for
        /// the job (saved, or being put in place when a run was cut off); null otherwise. A recovered file gets its saved event now.
        /// </summary>
        private SavedVideo? AlreadySaved(VideoJob job, string target)
        {
            if (SelectedVariant != VideoVariant.Video)
            {
                return null;
            }
            JournalEntry? entry;
            try
            {
                // One indexed look-up per job: the store is never read whole.
                entry = Journal.Find(job.Provider, job.Id);
                if (entry is null || entry.SavedSha256s.Count == 0)
                {
                    return null;
                }
            }
            catch (VideoGenException ex)
            {
                WriteWarning(ex.Message);
                return null;
            }
            SavedVideo existing;
            try
            {
                existing = SavedVideo.FromFile(target, job);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new VideoGenException(VideoGenErrorKind.FileExists,
                    "The file " + target + " exists but cannot be read to compare it with task " + job.Id + "'s video (" + ex.Message + "); it was not touched.", job.Id, null, ex);
            }
            if (!entry.SavedSha256s.Contains(existing.Sha256, StringComparer.OrdinalIgnoreCase))
            {
                return null;
            }
            if (!entry.IsSaved || !string.Equals(entry.SavedPath, target, StringComparison.Ordinal))
            {
                try
                {
                    Journal.Saved(existing);
                }
                catch (VideoGenException ex)
                {
                    WriteWarning(ex.Message);
                }
            }
            return existing;
        }

        /// <summary>The full path the job's file goes to; creates nothing.</summary>
        private string TargetPath(VideoJob job)
        {
            if (ParameterSetName == PathSet)
            {
                return System.IO.Path.GetFullPath(SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path));
            }
            var directory = string.IsNullOrEmpty(OutputDirectory)
                ? SessionState.Path.CurrentFileSystemLocation.ProviderPath
                : SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputDirectory);
            return System.IO.Path.GetFullPath(System.IO.Path.Combine(directory, FileNames.ForJob(job, SelectedVariant)));
        }

        /// <summary>One download: its progress key and the job, so every outcome can name the task id.</summary>
        private sealed class Item
        {
            public Item(long key, VideoJob job)
            {
                Key = key;
                Job = job;
            }

            public long Key { get; }
            public VideoJob Job { get; }
        }

        /// <summary>A file in place, and the journal failure if recording it failed.</summary>
        private sealed class Placed
        {
            public Placed(SavedVideo video, string? journalError)
            {
                Video = video;
                JournalError = journalError;
            }

            public SavedVideo Video { get; }
            public string? JournalError { get; }
        }

        private void UpdateProgress()
        {
            var active = _transfers.OrderBy(t => t.Key).Select(t => t.Value).ToList();
            var bytes = active.Sum(t => t.Done);
            _bars!.Parent("Saving videos", string.Format(CultureInfo.InvariantCulture,
                "{0} of {1} saved, {2} failed; {3} in progress", _saved, _total, _failed, HumanSize(bytes)),
                (_saved + _failed) * 100 / _total);
            var shown = new List<int>();
            foreach (var transfer in active.Where(t => t.Started).Take(MaxChildBars))
            {
                var id = ProgressBars.ParentId + 1 + shown.Count;
                shown.Add(id);
                var total = transfer.Total;
                _bars.Child(id, transfer.Label, total is long t && t > 0
                    ? HumanSize(transfer.Done) + " of " + HumanSize(t)
                    : HumanSize(transfer.Done),
                    total is long all && all > 0 ? (int)(transfer.Done * 100 / all) : -1);
            }
            _bars.CompleteChildrenExcept(shown);
            _bars.MarkUpdated();
        }

        /// <summary>One download's counters, written by the transfer and read by the pipeline thread.</summary>
        private sealed class Transfer
        {
            private long _done;
            private long _total = -1;

            public Transfer(string label) => Label = label;

            public string Label { get; }
            public bool Started => Volatile.Read(ref _total) != -1 || Volatile.Read(ref _done) > 0;
            public long Done => Volatile.Read(ref _done);
            public long? Total => Volatile.Read(ref _total) is long t && t >= 0 ? t : (long?)null;

            public void Set(DownloadProgress p)
            {
                Volatile.Write(ref _done, p.Done);
                Volatile.Write(ref _total, p.Total ?? -2);
            }
        }

        /// <summary>A synchronous IProgress (System.Progress would post to a thread pool, out of order).</summary>
        private sealed class Progress : IProgress<DownloadProgress>
        {
            private readonly Transfer _transfer;

            public Progress(Transfer transfer) => _transfer = transfer;

            public void Report(DownloadProgress value) => _transfer.Set(value);
        }
    }
}
