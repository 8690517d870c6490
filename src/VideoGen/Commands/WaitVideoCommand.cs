using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using VideoGen.Core;
using static VideoGen.Commands.ErrorRecords;
using VideoGen.Core.Waiting;

namespace VideoGen.Commands
{
    /// <summary>
    /// <para type="synopsis">Waits for many video jobs at once and emits each as it finishes.</para>
    /// <para type="description">Wait-Video starts watching each job the moment it arrives on the pipeline, so waiting overlaps submission, and emits each job as soon as it ends, in the order they finish. It polls as little as each job allows: from the job store's finished jobs of the same model (and clip length and size) it learns when a job is expected to end, polls nothing before that window and at most three times inside it; a model never used here starts at the provider's advised interval (10 s, or $env:VIDEOGEN_POLL_INTERVAL_SEC), and a job running long is polled less often, up to every 30 s. -Verbose says for each job when its end is expected and why. It never polls sooner than the server asks (Retry-After, openai-poll-after-ms), but a server hint is followed for at most 10 minutes (-Verbose says when one was capped) and no wait goes beyond -TimeoutSec; -PollIntervalSec sets a fixed interval. All jobs share one connection pool, at most -ThrottleLimit polls in flight, and one request budget per provider host with New-Video's submissions (50 requests a second, or $env:VIDEOGEN_MAX_REQUESTS_PER_SEC; slower for every job of the host after a 429). A job that ends Failed, Cancelled or Expired is an error record carrying its id, and the job is still emitted. With -TimeoutSec, jobs still running then are emitted with an OperationTimeout error; nothing is cancelled at the provider. Progress shows one overall bar and a bar per running job.</para>
    /// </summary>
    /// <example>
    ///   <code>Import-Csv prompts.csv | New-Video | Wait-Video | Save-Video</code>
    ///   <para>Waits for every submitted job together; the whole run takes about as long as the slowest video.</para>
    /// </example>
    /// <example>
    ///   <code>Import-Csv jobs.csv | Wait-Video -TimeoutSec 3600 | Save-Video -OutputDirectory D:\videos</code>
    ///   <para>Resumes jobs exported in an earlier session, giving up waiting after an hour.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Wait, "Video", HelpUri = "https://github.com/videogen/VideoGen/blob/main/docs/cmdlets.md#wait-video")]
    [OutputType(typeof(VideoJob))]
    public sealed class WaitVideoCommand : JobCmdletBase
    {
        private const int MaxChildBars = 8;
        private JobWaiter? _waiter;
        private readonly CostTotals _cost = new CostTotals();
        private int _waited;
        private int _succeeded;
        private readonly Dictionary<string, System.Security.SecureString?> _carried = new Dictionary<string, System.Security.SecureString?>(StringComparer.Ordinal);
        private ProgressBars? _bars;
        private Action<VideoJob, VideoJobStatus>? _onChange;
        private readonly Stopwatch _elapsed = new Stopwatch();
        private readonly Dictionary<string, IReadOnlyList<JobDuration>> _history = new Dictionary<string, IReadOnlyList<JobDuration>>(StringComparer.Ordinal);
        private readonly Dictionary<string, ExpectedDuration?> _expected = new Dictionary<string, ExpectedDuration?>(StringComparer.Ordinal);

        #region Parameters

        /// <summary><para type="description">The most poll requests in flight at once, over all jobs (a poll takes its provider host's turn of the request budget before it takes one of these). Default 8.</para></summary>
        [Parameter]
        [ValidateRange(1, 256)]
        public int ThrottleLimit { get; set; } = 8;

        /// <summary><para type="description">A fixed poll interval in seconds for every job, instead of the default policy (polls near each job's expected end, learnt from the job store; without history, the provider's advised 10 s).</para></summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int PollIntervalSec { get; set; }

        /// <summary><para type="description">How long to wait in all, in seconds. Jobs still running then are emitted with an OperationTimeout error that carries the id; nothing is cancelled at the provider. Default: no limit.</para></summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int TimeoutSec { get; set; }

        #endregion

        #region Overrides

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            RequireKeyForIdTyped();
            var options = new WaitOptions
            {
                Timeout = TimeoutSec > 0 ? TimeSpan.FromSeconds(TimeoutSec) : (TimeSpan?)null,
                Policy = PollPolicy.FromEnvironment(Environment.GetEnvironmentVariable),
            };
            if (PollIntervalSec > 0)
            {
                options.Policy.FixedInterval = TimeSpan.FromSeconds(PollIntervalSec);
            }
            _waiter = new JobWaiter(Client, options, Log, StartEngine(ThrottleLimit), OnWaited);
            _bars = new ProgressBars(this);
            _elapsed.Start();
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            try
            {
                var (job, endpoint) = CurrentJob();
                if (CarriedKey(job.Provider) is System.Security.SecureString carried)
                {
                    _carried[job.Id] = carried;
                }
                else
                {
                    _carried.Remove(job.Id); // the same id again, now without a key
                }
                _waiter!.Add(job, endpoint, Expected(job), _onChange ??= RecordChange(Log, Journal));
            }
            catch (VideoGenException ex)
            {
                if (FirstNoKeyError(ex))
                {
                    WriteError(ToErrorRecord(new VideoGenException(ex.Kind, "Cannot wait for task " + Id + ": " + ex.Message, Id, ex.StatusCode, ex), Id));
                }
            }
            Drain(TimeSpan.Zero);
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            try
            {
                DrainToEnd();
                ReportSuppressedNoKeyErrors();
                WriteSummary(string.Format(CultureInfo.InvariantCulture, "Wait-Video: {0} job(s), {1} succeeded, {2} did not; cost reported: {3}; {4:hh\\:mm\\:ss} elapsed.",
                    _waited, _succeeded, _waited - _succeeded, _cost, _elapsed.Elapsed));
            }
            finally
            {
                if (!Stopping)
                {
                    _bars!.CompleteAll();
                }
            }
        }

        /// <summary>
        /// What a watch does after each poll that changed its job's status, in the worker that saw it: one delegate for every
        /// job of the command (10,000 jobs held 10,000 copies of it).
        /// </summary>
        private static Action<VideoJob, VideoJobStatus> RecordChange(VideoGen.Core.Http.IVideoGenLog log, JobJournal journal) => (changed, before) =>
        {
            log.Verbose(string.Format(CultureInfo.InvariantCulture,
                "{0}: {1} -> {2}{3}", Describe(changed), before, changed.Status, changed.ProviderStatus is null ? string.Empty : " (" + changed.ProviderStatus + ")"));
            // Every change, with its time, recorded by the worker that saw it: a later run knows the job finished without
            // asking again, and the store's events tell how long the model's jobs take.
            try
            {
                journal.StatusChanged(changed);
            }
            catch (VideoGenException ex)
            {
                log.Verbose(ex.Message);
            }
        };

        /// <summary>A job that ended (or timed out), or the error naming it, on the pipeline thread.</summary>
        private void OnWaited(WorkOutcome<VideoJob, WaitResult> outcome)
        {
            if (outcome.Error is null && outcome.Value is WaitResult result)
            {
                if (result.Error != null)
                {
                    WriteError(ToErrorRecord(result.Error, result.Job));
                    if (result.Error.Kind == VideoGenErrorKind.NotFound)
                    {
                        // The provider does not know this id: there is no job to pass on, only the error (with the id).
                        return;
                    }
                    SessionJobs.MarkReported(result.Job);
                }
                RecordEnded(result.Job);
                _cost.Add(result.Job.Cost, result.Job.CostUnit);
                _waited++;
                if (result.Error is null)
                {
                    _succeeded++;
                }
                RememberEmitted(result.Job, _carried.TryGetValue(result.Job.Id, out var key) ? key : null);
                WriteObject(result.Job);
            }
            else if (outcome.Error != null && !(outcome.Error is OperationCanceledException))
            {
                var job = outcome.State;
                WriteError(ToErrorRecord(outcome.Error, job));
                WriteObject(job);
            }
        }

        /// <inheritdoc/>
        protected override void OnDrained()
        {
            if (_bars!.Due)
            {
                UpdateProgress();
            }
        }

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            // The engine first: its running watches still use the waiter's timeout source until they end.
            base.Dispose(disposing);
            if (disposing)
            {
                _waiter?.Dispose();
            }
        }

        #endregion

        /// <summary>
        /// What the job store says of how long <paramref name="job"/>'s model takes at its base URI (one read per provider, model and base URI, kept for
        /// the command); null without history. An unreadable store is no history: waiting goes on at the advised interval.
        /// </summary>
        private ExpectedDuration? Expected(VideoJob job)
        {
            if (job.Model is null || job.IsTerminal)
            {
                return null;
            }
            var key = job.Provider + "/" + job.Model + "/" + job.BaseUri;
            if (!_history.TryGetValue(key, out var history))
            {
                try
                {
                    history = Journal.Durations(job.Provider, job.Model, job.BaseUri);
                }
                catch (VideoGenException ex)
                {
                    Log.Verbose("No history of " + job.Model + " to learn from: " + ex.Message);
                    history = Array.Empty<JobDuration>();
                }
                _history[key] = history;
            }
            var shapeKey = key + "/" + job.Shape;
            if (!_expected.TryGetValue(shapeKey, out var expected))
            {
                expected = ExpectedDuration.From(history, job.Model, job.Shape);
                _expected[shapeKey] = expected;
            }
            return expected;
        }

        private static string Describe(VideoJob job) =>
            string.IsNullOrWhiteSpace(job.Name) ? job.Id : job.Name + " (" + job.Id + ")";

        private void UpdateProgress()
        {
            var progress = _waiter!.GetProgress(MaxChildBars);
            if (progress.Total == 0)
            {
                return;
            }
            _bars!.Parent("Waiting for videos", string.Format(CultureInfo.InvariantCulture,
                "{0} of {1} finished: {2} succeeded, {3} failed; {4:hh\\:mm\\:ss} elapsed{5}",
                progress.Finished, progress.Total, progress.Succeeded, progress.Failed, _elapsed.Elapsed, _cost.Any ? "; cost so far " + _cost : string.Empty),
                progress.Finished * 100 / progress.Total);
            var shown = new List<int>();
            for (var i = 0; i < progress.Active.Count && i < MaxChildBars; i++)
            {
                var job = progress.Active[i];
                var id = ProgressBars.ParentId + 1 + i;
                shown.Add(id);
                _bars.Child(id, string.IsNullOrWhiteSpace(job.Name) ? job.Id : job.Name + " (" + job.Id + ")",
                    job.Status + (job.ProviderStatus is null ? string.Empty : " (" + job.ProviderStatus + ")") +
                    (job.QueuePosition is int ahead ? string.Format(CultureInfo.InvariantCulture, ", {0} ahead in the queue", ahead) : string.Empty), job.Progress ?? -1);
            }
            _bars.CompleteChildrenExcept(shown);
            _bars.MarkUpdated();
        }
    }
}
