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

        /// <summary>Most poll requests in flight at once, over all jobs. Default 8.</summary>
        public int ThrottleLimit { get; set; } = 8;

        /// <summary>How long to wait in all, from the waiter's start; jobs still running then end with a Timeout error. Null: no limit.</summary>
        public TimeSpan? Timeout { get; set; }
    }

    /// <summary>
    /// Watches many jobs at once. Each job is watched from the moment it is added; results are queued in
    /// the order jobs finish, for the pipeline thread to take (<see cref="TryTake"/>). All jobs share one
    /// client and at most <see cref="WaitOptions.ThrottleLimit"/> polls in flight. Disposing cancels every
    /// watch and waits for them to stop, so no background task outlives the waiter.
    /// </summary>
    public sealed class JobWaiter : IDisposable
    {
        private readonly VideoGenClient _client;
        private readonly WaitOptions _options;
        private readonly IVideoGenLog _log;
        private readonly CancellationTokenSource _cancel;
        private readonly CancellationTokenSource? _timeout;
        private readonly SemaphoreSlim _throttle;
        private readonly BlockingCollection<WaitResult> _results = new BlockingCollection<WaitResult>();
        private readonly ConcurrentDictionary<long, VideoJob> _active = new ConcurrentDictionary<long, VideoJob>();
        private readonly List<Task> _watches = new List<Task>();
        private long _sequence;
        private int _total;
        private int _finished;
        private int _succeeded;
        private int _failed;
        private int _taken;
        private bool _addingComplete;

        /// <summary>Creates a waiter; <paramref name="cancellationToken"/> (Ctrl+C) stops every watch.</summary>
        public JobWaiter(VideoGenClient client, WaitOptions options, IVideoGenLog? log, CancellationToken cancellationToken)
        {
            _client = client;
            _options = options;
            _log = log ?? NullVideoGenLog.Instance;
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _throttle = new SemaphoreSlim(Math.Max(1, options.ThrottleLimit));
            if (options.Timeout is TimeSpan limit)
            {
                _timeout = new CancellationTokenSource(limit);
            }
        }

        /// <summary>Starts watching a job now. A job already terminal is queued at once without a poll.</summary>
        public void Add(VideoJob job, ProviderEndpoint endpoint)
        {
            if (job is null)
            {
                throw new ArgumentNullException(nameof(job));
            }
            var key = Interlocked.Increment(ref _sequence);
            Interlocked.Increment(ref _total);
            if (job.IsTerminal)
            {
                Finish(key, job, ErrorFor(job));
                return;
            }
            _active[key] = job;
            var watch = Task.Run(() => WatchAsync(key, job, endpoint));
            lock (_watches)
            {
                _watches.Add(watch);
            }
        }

        /// <summary>Says no more jobs will be added; <see cref="IsDone"/> can then become true.</summary>
        public void CompleteAdding() => _addingComplete = true;

        /// <summary>True when adding is complete and every job's result has been taken.</summary>
        public bool IsDone => _addingComplete && Volatile.Read(ref _taken) >= Volatile.Read(ref _total);

        /// <summary>Takes the next result, waiting up to <paramref name="wait"/>; false when none came in that time.</summary>
        public bool TryTake(TimeSpan wait, out WaitResult? result)
        {
            try
            {
                if (_results.TryTake(out result, (int)Math.Max(0, wait.TotalMilliseconds), _cancel.Token))
                {
                    Interlocked.Increment(ref _taken);
                    return true;
                }
            }
            catch (OperationCanceledException)
            {
                result = null;
            }
            return false;
        }

        /// <summary>A snapshot of the counts and the jobs still running.</summary>
        public WaitProgress GetProgress() =>
            new WaitProgress(Volatile.Read(ref _total), Volatile.Read(ref _finished), Volatile.Read(ref _succeeded), Volatile.Read(ref _failed),
                _active.OrderBy(p => p.Key).Select(p => p.Value).ToList());

        /// <summary>Cancels every watch and waits (briefly) for them to end.</summary>
        public void Dispose()
        {
            _cancel.Cancel();
            Task[] watches;
            lock (_watches)
            {
                watches = _watches.ToArray();
            }
            try
            {
                Task.WaitAll(watches, TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
                // Each watch handles its own errors; cancellation is all that can surface here.
            }
            _cancel.Dispose();
            _timeout?.Dispose();
            _throttle.Dispose();
            _results.Dispose();
        }

        private async Task WatchAsync(long key, VideoJob job, ProviderEndpoint endpoint)
        {
            var ceiling = endpoint.Mapping.MaxPollInterval;
            var polls = 0;
            var timeoutToken = _timeout?.Token ?? CancellationToken.None;
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token, timeoutToken);
            var token = linked.Token;
            try
            {
                while (true)
                {
                    await Task.Delay(_options.Policy.NextDelay(polls, ceiling, job.PollAfter), token).ConfigureAwait(false);
                    await _throttle.WaitAsync(token).ConfigureAwait(false);
                    try
                    {
                        job = await _client.PollAsync(endpoint, job, _log, token).ConfigureAwait(false);
                    }
                    finally
                    {
                        _throttle.Release();
                    }
                    polls++;
                    _active[key] = job;
                    if (job.IsTerminal)
                    {
                        Finish(key, job, ErrorFor(job));
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (timeoutToken.IsCancellationRequested && !_cancel.IsCancellationRequested)
            {
                var seconds = _options.Timeout?.TotalSeconds ?? 0;
                Finish(key, job, new VideoGenException(VideoGenErrorKind.Timeout,
                    string.Format(CultureInfo.InvariantCulture,
                        "Job {0} at {1} was still {2} after {3:0.#} s; it goes on at the provider (nothing was cancelled). Wait for it later with: Get-VideoStatus -Id {0} -Provider {1} -Model {4} | Wait-Video",
                        job.Id, job.Provider, job.Status, seconds, job.Model), job.Id));
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: the cmdlet is stopping; nothing more is written.
            }
            catch (VideoGenException ex)
            {
                job.Error = ex.Message;
                Finish(key, job, ex.WithTaskId(job.Id));
            }
            catch (Exception ex)
            {
                // Never let a watch die silently: the id reaches the output with the reason.
                job.Error = ex.Message;
                Finish(key, job, new VideoGenException(VideoGenErrorKind.UnexpectedAnswer,
                    "Following job " + job.Id + " failed: " + ex.Message, job.Id, null, ex));
            }
        }

        private void Finish(long key, VideoJob job, VideoGenException? error)
        {
            _active.TryRemove(key, out _);
            Interlocked.Increment(ref _finished);
            Interlocked.Increment(ref error is null ? ref _succeeded : ref _failed);
            try
            {
                _results.Add(new WaitResult(job, error));
            }
            catch (ObjectDisposedException)
            {
                // The waiter was disposed while this watch finished: the cmdlet has stopped.
            }
            catch (InvalidOperationException)
            {
            }
        }

        private static VideoGenException? ErrorFor(VideoJob job) =>
            job.Status == VideoJobStatus.Succeeded ? null
            : new VideoGenException(VideoGenErrorKind.JobFailed,
                string.Format(CultureInfo.InvariantCulture, "Job {0} at {1} ended {2}: {3}", job.Id, job.Provider, job.Status, job.Error ?? job.ProviderStatus ?? "no reason given"), job.Id);
    }
}
