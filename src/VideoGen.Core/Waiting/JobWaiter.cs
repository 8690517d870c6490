using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using VideoGen.Core.Http;

namespace VideoGen.Core.Waiting
{
    /// <summary>What Wait-Video emits for one job: the job in its last known state, and the error, if any.</summary>
    public sealed class WaitResult
    {
        internal WaitResult(VideoJob job, VideoGenException? error)
        {
            Job = job;
            Error = error;
        }

        /// <summary>The job as last seen. Always present, so its id is never lost.</summary>
        public VideoJob Job { get; }

        /// <summary>Why the job did not succeed (JobFailed, Timeout, or a poll failure), or null when it did.</summary>
        public VideoGenException? Error { get; }
    }

    /// <summary>A snapshot for progress bars.</summary>
    public sealed class WaitProgress
    {
        internal WaitProgress(int total, int finished, int succeeded, int failed, IReadOnlyList<VideoJob> active)
        {
            Total = total;
            Finished = finished;
            Succeeded = succeeded;
            Failed = failed;
            Active = active;
        }

        /// <summary>Jobs added so far.</summary>
        public int Total { get; }
        /// <summary>Jobs that reached a result (succeeded, failed, timed out).</summary>
        public int Finished { get; }
        /// <summary>Jobs that succeeded.</summary>
        public int Succeeded { get; }
        /// <summary>Jobs that ended without a video, or could not be followed.</summary>
        public int Failed { get; }
        /// <summary>Jobs still being watched, in the order they were added, as last seen.</summary>
        public IReadOnlyList<VideoJob> Active { get; }
    }

    /// <summary>Wait-Video's settings.</summary>
    public sealed class WaitOptions
    {
        /// <summary>When to poll.</summary>
        public PollPolicy Policy { get; set; } = new PollPolicy();

        /// <summary>How long to wait in all, from the waiter's start; jobs still running then end with a Timeout error. Null: no limit.</summary>
        public TimeSpan? Timeout { get; set; }
    }

    /// <summary>
    /// Watches many jobs at once on a <see cref="WorkEngine"/>: each job is watched from the moment it is added, and its
    /// <see cref="WaitResult"/> is the outcome of its work item, read in the order jobs finish. Every poll takes one slot
    /// of the engine's throttle (Wait-Video's -ThrottleLimit: polls in flight over all jobs); the delays between polls
    /// hold none. <see cref="WorkEngine.Cancel"/> (Ctrl+C) ends every watch.
    /// </summary>
    public sealed class JobWaiter : IDisposable
    {
        private readonly VideoGenClient _client;
        private readonly WaitOptions _options;
        private readonly IVideoGenLog _log;
        private readonly WorkEngine _engine;
        private readonly Action<WorkOutcome<VideoJob, WaitResult>>? _onOutcome;
        private readonly CancellationTokenSource? _timeout;
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private readonly ConcurrentDictionary<long, VideoJob> _active = new ConcurrentDictionary<long, VideoJob>();
        private long _sequence;
        private int _total;
        private int _finished;
        private int _succeeded;
        private int _failed;

        /// <summary>Creates a waiter whose watches run on <paramref name="engine"/>; each outcome goes to <paramref name="onOutcome"/> on the pipeline thread (null: the reader of the engine looks at it).</summary>
        public JobWaiter(VideoGenClient client, WaitOptions options, IVideoGenLog? log, WorkEngine engine, Action<WorkOutcome<VideoJob, WaitResult>>? onOutcome = null)
        {
            _onOutcome = onOutcome;
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _engine = engine ?? throw new ArgumentNullException(nameof(engine));
            _log = log ?? NullVideoGenLog.Instance;
            if (options.Timeout is TimeSpan limit)
            {
                _timeout = new CancellationTokenSource(limit);
            }
        }

        /// <summary>
        /// Starts watching a job now; <paramref name="onChange"/> (optional) is called in the worker after each poll that
        /// changed the job's status, with the status before. A job already terminal ends at once without a poll.
        /// </summary>
        public void Add(VideoJob job, ProviderEndpoint endpoint, Action<VideoJob, VideoJobStatus>? onChange = null) => Add(job, endpoint, null, onChange);

        /// <summary>
        /// Starts watching a job now, polling it as <paramref name="expected"/> (learnt from the store: null where the model
        /// has no history) and <see cref="WaitOptions.Policy"/> say; -Verbose says when the end is expected and why.
        /// </summary>
        public void Add(VideoJob job, ProviderEndpoint endpoint, ExpectedDuration? expected, Action<VideoJob, VideoJobStatus>? onChange)
        {
            if (job is null)
            {
                throw new ArgumentNullException(nameof(job));
            }
            if (endpoint is null)
            {
                throw new ArgumentNullException(nameof(endpoint));
            }
            var key = Interlocked.Increment(ref _sequence);
            Interlocked.Increment(ref _total);
            if (job.IsTerminal)
            {
                _engine.Start(job, _ => Task.FromResult(Finish(key, job, ErrorFor(job))), _onOutcome);
                return;
            }
            _active[key] = job;
            Explain(job, endpoint, expected);
            _engine.Start(job, context => WatchAsync(key, job, endpoint, expected, context, onChange), _onOutcome);
        }

        /// <summary>A snapshot of the counts and the jobs still running.</summary>
        public WaitProgress GetProgress() => GetProgress(int.MaxValue);

        /// <summary>
        /// A snapshot of the counts and the first <paramref name="maxActive"/> jobs still running, in the order they were added:
        /// one pass over the running jobs, without sorting them all (Wait-Video asks four times a second for eight of ten thousand).
        /// </summary>
        public WaitProgress GetProgress(int maxActive)
        {
            var first = new List<KeyValuePair<long, VideoJob>>(Math.Min(Math.Max(0, maxActive), 64));
            if (maxActive > 0)
            {
                foreach (var pair in _active)
                {
                    if (first.Count < maxActive)
                    {
                        first.Add(pair);
                        if (first.Count == maxActive)
                        {
                            first.Sort((a, b) => a.Key.CompareTo(b.Key));
                        }
                    }
                    else if (pair.Key < first[first.Count - 1].Key)
                    {
                        first.RemoveAt(first.Count - 1);
                        var at = first.FindIndex(p => p.Key > pair.Key);
                        first.Insert(at < 0 ? first.Count : at, pair);
                    }
                }
                first.Sort((a, b) => a.Key.CompareTo(b.Key));
            }
            return new WaitProgress(Volatile.Read(ref _total), Volatile.Read(ref _finished), Volatile.Read(ref _succeeded), Volatile.Read(ref _failed),
                first.Select(p => p.Value).ToList());
        }

        /// <summary>Releases the timeout; the engine is the caller's to dispose.</summary>
        public void Dispose() => _timeout?.Dispose();

        /// <summary>-Verbose, once per job: when its end is expected and why, or that polls start at the advised interval.</summary>
        private void Explain(VideoJob job, ProviderEndpoint endpoint, ExpectedDuration? expected)
        {
            var policy = _options.Policy;
            if (policy.FixedInterval is TimeSpan fixedInterval)
            {
                _log.Verbose(string.Format(CultureInfo.InvariantCulture, "{0}: polling every {1:0.#} s (-PollIntervalSec).", job.Id, fixedInterval.TotalSeconds));
                return;
            }
            var advised = policy.Advised(endpoint.Mapping.PollInterval, endpoint.Mapping.MaxPollInterval);
            var source = policy.AdvisedInterval is null ? "the provider's advised interval" : "$env:" + PollPolicy.AdvisedIntervalVariable;
            _log.Verbose(expected is null
                ? string.Format(CultureInfo.InvariantCulture, "{0}: no finished job of {1} at {2} in the job store to learn from; polling every {3:0.#} s ({4}).",
                    job.Id, job.Model ?? "its model", job.Provider, advised.TotalSeconds, source)
                : string.Format(CultureInfo.InvariantCulture, "{0}: expected done {1}{2}; polled up to {3} times then, every {4:0.#} s or more after.",
                    job.Id, expected, job.SubmittedAt is DateTimeOffset at ? ", by about " + When(at + expected.Latest) : string.Empty,
                    ExpectedDuration.PlannedPolls, advised.TotalSeconds));
        }

        /// <summary>A local time as people read it: the time of day, with the date when it is not within the next 12 hours.</summary>
        private static string When(DateTimeOffset at)
        {
            var local = at.ToLocalTime();
            var near = (at - DateTimeOffset.UtcNow).Duration() < TimeSpan.FromHours(12);
            return local.ToString(near ? "HH:mm:ss" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        }

        private async Task<WaitResult> WatchAsync(long key, VideoJob job, ProviderEndpoint endpoint, ExpectedDuration? expected, WorkContext context, Action<VideoJob, VideoJobStatus>? onChange)
        {
            var ceiling = endpoint.Mapping.MaxPollInterval;
            // The job's age counts from its submission's answer where known (a job piped from New-Video, an exported row), else it
            // is taken as due now (polled at once, then from there like a young job). Measured on the waiter's monotonic clock from
            // here on: a wall-clock step (NTP, a time zone change) moves no poll.
            var now = DateTimeOffset.UtcNow;
            var ageAtStart = job.SubmittedAt is DateTimeOffset submitted && submitted <= now ? now - submitted
                : _options.Policy.Advised(endpoint.Mapping.PollInterval, endpoint.Mapping.MaxPollInterval);
            var bornOnClock = _clock.Elapsed - ageAtStart;
            var polls = 0;
            var timeoutToken = _timeout?.Token ?? CancellationToken.None;
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.Token, timeoutToken);
            var token = linked.Token;
            try
            {
                while (true)
                {
                    var hint = job.PollAfter;
                    var delay = _options.Policy.NextDelay(_clock.Elapsed - bornOnClock, polls, expected, endpoint.Mapping.PollInterval, ceiling, hint);
                    if (hint is TimeSpan asked && (asked >= ServerHints.Cap || (_options.Timeout is TimeSpan bound && asked > bound - _clock.Elapsed)))
                    {
                        // A hint is capped where it is read (ServerHints); said here, where the wait is decided.
                        _log.Verbose(string.Format(CultureInfo.InvariantCulture,
                            "{0}: the server asked to wait {1} before the next poll; server hints are capped at {2:0.#} s{3}.",
                            job.Id, Describe(asked), ServerHints.Cap.TotalSeconds,
                            _options.Timeout is null ? string.Empty : " and a wait never goes beyond -TimeoutSec"));
                    }
                    if (_options.Timeout is TimeSpan limit)
                    {
                        // Every wait ends by the deadline: the job then ends as the usual Timeout, whatever a server asked.
                        var remaining = limit - _clock.Elapsed;
                        if (remaining <= TimeSpan.Zero)
                        {
                            return TimedOut(key, job, polls);
                        }
                        if (delay > remaining)
                        {
                            delay = remaining;
                        }
                    }
                    await Task.Delay(Coalesced(delay), token).ConfigureAwait(false);
                    var before = job.Status;
                    // The host's turn before a -ThrottleLimit slot: a host held by its 429s then holds no slot another provider's jobs could use.
                    await _client.TakeTurnAsync(endpoint, token).ConfigureAwait(false);
                    using (await context.SlotAsync().ConfigureAwait(false))
                    {
                        job = await _client.PollAsync(endpoint, job, _log, turnTaken: true, token).ConfigureAwait(false);
                    }
                    polls++;
                    _active[key] = job;
                    if (job.Status != before)
                    {
                        onChange?.Invoke(job, before);
                    }
                    if (job.IsTerminal)
                    {
                        return Finish(key, job, ErrorFor(job));
                    }
                }
            }
            catch (OperationCanceledException) when (timeoutToken.IsCancellationRequested && !context.Token.IsCancellationRequested)
            {
                return TimedOut(key, job, polls);
            }
            catch (OperationCanceledException) when (context.Token.IsCancellationRequested)
            {
                throw; // Ctrl+C: the cmdlet is stopping.
            }
            catch (NotStartedException)
            {
                throw;
            }
            catch (VideoGenException ex)
            {
                job.Error = ex.Message;
                return Finish(key, job, ex.WithTaskId(job.Id));
            }
            catch (Exception ex)
            {
                // Never let a watch die silently: the id reaches the output with the reason.
                job.Error = ex.Message;
                return Finish(key, job, new VideoGenException(VideoGenErrorKind.UnexpectedAnswer,
                    "Following job " + job.Id + " failed: " + ex.Message, job.Id, null, ex));
            }
        }

        /// <summary>
        /// A wait of a second or more ends on the next quarter second of the waiter's clock (of 5 s or more, on the next second),
        /// so the polls of thousands of jobs come due together and wake the thread pool a few times a second, not once per job;
        /// shorter waits are kept exact.
        /// </summary>
        private TimeSpan Coalesced(TimeSpan delay)
        {
            if (delay < TimeSpan.FromSeconds(1))
            {
                return delay;
            }
            // A quarter second for waits under 5 s, a whole second beyond (a poll 10-30 s away loses nothing by it).
            var grid = (delay < TimeSpan.FromSeconds(5) ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(1)).Ticks;
            var due = _clock.Elapsed.Ticks + delay.Ticks;
            return TimeSpan.FromTicks((due + grid - 1) / grid * grid - _clock.Elapsed.Ticks);
        }

        /// <summary>The usual end at -TimeoutSec: the job as last seen, not marked failed, with the command that follows it later.</summary>
        private WaitResult TimedOut(long key, VideoJob job, int polls)
        {
            var seconds = _options.Timeout?.TotalSeconds ?? 0;
            var state = polls > 0 ? "was still " + job.Status : "was not polled yet (its first poll was planned later; -Verbose says when)";
            return Finish(key, job, new VideoGenException(VideoGenErrorKind.Timeout,
                string.Format(CultureInfo.InvariantCulture,
                    "Job {0} at {1} {2} after {3:0.#} s; it goes on at the provider (nothing was cancelled). Wait for it later with: Get-VideoStatus -Id {0} -Provider {1} -Model {4} | Wait-Video",
                    job.Id, job.Provider, state, seconds, job.Model), job.Id));
        }

        /// <summary>A hint as people read it: seconds, or days for the absurd ones.</summary>
        private static string Describe(TimeSpan hint) =>
            hint >= TimeSpan.FromDays(2)
                ? string.Format(CultureInfo.InvariantCulture, "{0:0} days", hint.TotalDays)
                : string.Format(CultureInfo.InvariantCulture, "{0:0.#} s", hint.TotalSeconds);

        private WaitResult Finish(long key, VideoJob job, VideoGenException? error)
        {
            _active.TryRemove(key, out _);
            Interlocked.Increment(ref _finished);
            Interlocked.Increment(ref error is null ? ref _succeeded : ref _failed);
            return new WaitResult(job, error);
        }

        private static VideoGenException? ErrorFor(VideoJob job) =>
            job.Status == VideoJobStatus.Succeeded ? null
            : new VideoGenException(VideoGenErrorKind.JobFailed,
                string.Format(CultureInfo.InvariantCulture, "Job {0} at {1} ended {2}: {3}", job.Id, job.Provider, job.Status, job.Error ?? job.ProviderStatus ?? "no reason given"), job.Id);
    }
}
