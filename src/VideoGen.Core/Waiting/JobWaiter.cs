using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using VideoGen.Core.Http;
using VideoGen.Core.Providers;

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
        /// <summary>Jobs still being watched, in the order they were added, as last seen: copies, which later polls do not change.</summary>
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
    /// Watches many jobs at once for a <see cref="WorkEngine"/>: each job is watched from the moment it is added, and its
    /// <see cref="WaitResult"/> is posted as the engine's outcome, read in the order jobs finish. Every poll takes its
    /// provider host's turn of the request budget, then one slot of the engine's throttle (Wait-Video's -ThrottleLimit:
    /// polls in flight over all jobs); the delays between polls hold neither.
    /// </summary>
    /// <remarks>
    /// A sleeping job is one small record in a time-ordered table, woken by the waiter's one timer (waits of a second or
    /// more end on a shared grid, so thousands of jobs come due together): no task, timer or cancellation link per job.
    /// Due jobs queue per host and at most <see cref="PollsStartedPerHost"/> of a host's polls are under way at once, so a
    /// backlog (10,000 jobs imported at once, a host held by its 429s) waits as queue entries and holds nobody else's
    /// turn. <see cref="WorkEngine.Cancel"/> (Ctrl+C) ends every watch; -TimeoutSec ends every watch still running.
    /// </remarks>
    public sealed class JobWaiter : IDisposable
    {
        /// <summary>
        /// The most polls of one host under way at once (waiting for the host's turn, a slot, or the answer): more than the
        /// budget's hand-out of a quarter second at its 50 a second, so a backlog keeps the host's rate, and few enough that a
        /// poll waits for its turn well under a second (a poll's objects then die young instead of piling up in the oldest generation).
        /// </summary>
        internal const int PollsStartedPerHost = 32;

        private readonly VideoGenClient _client;
        private readonly WaitOptions _options;
        private readonly IVideoGenLog _log;
        private readonly WorkEngine _engine;
        private readonly Action<WorkOutcome<VideoJob, WaitResult>>? _onOutcome;
        private readonly CancellationTokenSource? _timeout;
        // Cancelled when the waiter is disposed: polls still under way then end, whatever order the engine and waiter are disposed in.
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        // Ctrl+C (the engine's token), -TimeoutSec or disposal, linked once for every poll rather than once per job; never
        // disposed (a poll may still read it after Dispose), it holds no timer.
        private readonly CancellationTokenSource _linked;
        private readonly CancellationTokenRegistration _onCancel;
        private readonly CancellationTokenRegistration _onTimeout;
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private readonly ConcurrentDictionary<long, Watch> _active = new ConcurrentDictionary<long, Watch>();
        // Under _gate: sleeping watches by the clock tick they are due at; due watches queued per host.
        private readonly object _gate = new object();
        private readonly SortedDictionary<long, List<Watch>> _sleeping = new SortedDictionary<long, List<Watch>>();
        private readonly Dictionary<string, Host> _hosts = new Dictionary<string, Host>(StringComparer.Ordinal);
        private readonly Timer _timer;
        private long _timerDue = long.MaxValue;
        private bool _ended;
        private long _sequence;
        private int _total;
        private int _finished;
        private int _succeeded;
        private int _failed;

        /// <summary>Creates a waiter whose polls take slots of <paramref name="engine"/>; each outcome goes to <paramref name="onOutcome"/> on the pipeline thread (null: the reader of the engine looks at it).</summary>
        public JobWaiter(VideoGenClient client, WaitOptions options, IVideoGenLog? log, WorkEngine engine, Action<WorkOutcome<VideoJob, WaitResult>>? onOutcome = null)
        {
            _onOutcome = onOutcome;
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _engine = engine ?? throw new ArgumentNullException(nameof(engine));
            _log = log ?? NullVideoGenLog.Instance;
            _timer = new Timer(_ => Wake(), null, Timeout.Infinite, Timeout.Infinite);
            if (options.Timeout is TimeSpan limit && limit <= LongestTimer)
            {
                _timeout = new CancellationTokenSource(limit);
                _linked = CancellationTokenSource.CreateLinkedTokenSource(engine.CancellationToken, _timeout.Token, _stop.Token);
                _onTimeout = _timeout.Token.Register(() => EndSleeping(timedOut: true));
            }
            else
            {
                // No limit, or one beyond what a timer can hold (-TimeoutSec over 24 days): the deadline is then kept by the
                // clock alone (a sleeping job's wait never passes it, a poll due after it ends as Timeout).
                _linked = CancellationTokenSource.CreateLinkedTokenSource(engine.CancellationToken, _stop.Token);
            }
            _onCancel = engine.CancellationToken.Register(() => EndSleeping(timedOut: false));
        }

        /// <summary>
        /// Starts watching a job now; <paramref name="onChange"/> (optional) is called in the worker after each poll that
        /// changed the job's status, with the status before. A job already terminal ends at once without a poll.
        /// </summary>
        public void Add(VideoJob job, ProviderEndpoint endpoint, Action<VideoJob, VideoJobStatus>? onChange = null) => Add(job, endpoint, null, onChange);

        /// <summary>
        /// Starts watching a job now, polling it as <paramref name="expected"/> (learnt from the store: null where the model
        /// has no history) and <see cref="WaitOptions.Policy"/> say; -Verbose says when the end is expected and why.
        /// <paramref name="job"/> itself is never changed: the first answer becomes the waiter's own copy, which later answers
        /// update in place. <paramref name="onChange"/> gets that copy, as it is during the call (copy it to keep it).
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
            var watch = new Watch(Interlocked.Increment(ref _sequence), job, endpoint, expected, onChange, HostOf(endpoint));
            if (!job.IsTerminal)
            {
                Explain(job, endpoint, expected); // before the job counts: a failure here leaves nothing counted and unposted
            }
            Interlocked.Increment(ref _total);
            _engine.Expect();
            if (job.IsTerminal)
            {
                Finish(watch, job, ErrorFor(job));
                return;
            }
            try
            {
                StartWatching(watch);
            }
            catch (Exception ex)
            {
                // Counted: the job must end with an outcome, and its id with it.
                Finish(watch, Own(watch), new VideoGenException(VideoGenErrorKind.UnexpectedAnswer,
                    "Following job " + job.Id + " failed: " + ex.Message, job.Id, null, ex));
            }
        }

        /// <summary>Takes the job's age and puts it to sleep until its first poll.</summary>
        private void StartWatching(Watch watch)
        {
            var job = watch.Job;
            var endpoint = watch.Endpoint;
            // The job's age counts from its submission's answer where known (a job piped from New-Video, an exported row), else it
            // is taken as due now (polled at once, then from there like a young job). Measured on the waiter's monotonic clock from
            // here on: a wall-clock step (NTP, a time zone change) moves no poll.
            var now = DateTimeOffset.UtcNow;
            var ageAtStart = job.SubmittedAt is DateTimeOffset submitted && submitted <= now ? now - submitted
                : _options.Policy.Advised(endpoint.Mapping.PollInterval, endpoint.Mapping.MaxPollInterval);
            watch.BornTicks = _clock.Elapsed.Ticks - ageAtStart.Ticks;
            _active[watch.Key] = watch;
            ScheduleNext(watch);
        }

        /// <summary>A snapshot of the counts and the jobs still running.</summary>
        public WaitProgress GetProgress() => GetProgress(int.MaxValue);

        /// <summary>
        /// A snapshot of the counts and the first <paramref name="maxActive"/> jobs still running, in the order they were added:
        /// one pass over the running jobs, without sorting them all (Wait-Video asks four times a second for eight of ten thousand).
        /// </summary>
        public WaitProgress GetProgress(int maxActive)
        {
            var first = new List<Watch>(Math.Min(Math.Max(0, maxActive), 64));
            if (maxActive > 0)
            {
                foreach (var pair in _active)
                {
                    var watch = pair.Value;
                    if (first.Count < maxActive)
                    {
                        first.Add(watch);
                        if (first.Count == maxActive)
                        {
                            first.Sort((a, b) => a.Key.CompareTo(b.Key));
                        }
                    }
                    else if (watch.Key < first[first.Count - 1].Key)
                    {
                        first.RemoveAt(first.Count - 1);
                        var at = first.FindIndex(w => w.Key > watch.Key);
                        first.Insert(at < 0 ? first.Count : at, watch);
                    }
                }
                first.Sort((a, b) => a.Key.CompareTo(b.Key));
            }
            return new WaitProgress(Volatile.Read(ref _total), Volatile.Read(ref _finished), Volatile.Read(ref _succeeded), Volatile.Read(ref _failed),
                first.Select(Snapshot).ToList());
        }

        /// <summary>
        /// Releases the timer and the timeout: jobs still sleeping end as cancelled at once, polls under way are cancelled and
        /// end as cancelled when they return. The engine is the caller's to dispose.
        /// </summary>
        public void Dispose()
        {
            lock (_gate)
            {
                _ended = true;
            }
            EndSleeping(timedOut: false);
            _timer.Dispose();
            _onCancel.Dispose();
            _onTimeout.Dispose();
            try
            {
                _stop.Cancel();
            }
            catch (AggregateException)
            {
                // A poll's own continuation failed while cancelling; the poll posts its outcome itself.
            }
            _timeout?.Dispose();
        }

        /// <summary>One job being watched: all the waiter keeps of it between polls.</summary>
        private sealed class Watch
        {
            public Watch(long key, VideoJob job, ProviderEndpoint endpoint, ExpectedDuration? expected, Action<VideoJob, VideoJobStatus>? onChange, Host host)
            {
                Key = key;
                Job = job;
                Endpoint = endpoint;
                Expected = expected;
                OnChange = onChange;
                Host = host;
            }

            public long Key { get; }
            public ProviderEndpoint Endpoint { get; }
            public ExpectedDuration? Expected { get; }
            public Action<VideoJob, VideoJobStatus>? OnChange { get; }
            public Host Host { get; }
            /// <summary>The job as last seen: the caller's object until the first answer, then the waiter's own copy, updated in place.</summary>
            public VideoJob Job { get; set; }
            /// <summary>The submission's time on the waiter's clock, in ticks.</summary>
            public long BornTicks { get; set; }
            public int Polls { get; set; }
            /// <summary>True once <see cref="Job"/> is the waiter's own copy (the first poll's answer), updated in place from then on.</summary>
            public bool OwnsJob { get; set; }
            /// <summary>Set once, by whoever posts the outcome.</summary>
            public int Ended;
        }

        /// <summary>A provider host's due jobs and how many of its polls are under way.</summary>
        private sealed class Host
        {
            public Queue<Watch> Due { get; } = new Queue<Watch>();
            public int Started { get; set; }
        }

        private Host HostOf(ProviderEndpoint endpoint)
        {
            var authority = endpoint.BaseUri.GetLeftPart(UriPartial.Authority);
            lock (_gate)
            {
                if (!_hosts.TryGetValue(authority, out var host))
                {
                    _hosts[authority] = host = new Host();
                }
                return host;
            }
        }

        /// <summary>Decides the watch's next poll (or its end at -TimeoutSec) and puts it to sleep until then.</summary>
        private void ScheduleNext(Watch watch)
        {
            var job = watch.Job;
            var endpoint = watch.Endpoint;
            var now = _clock.Elapsed;
            // Done, its result not read yet (IResultMapping): polled again at once, behind its host's other due polls.
            var resultReady = endpoint.Mapping is IResultMapping results && results.IsResultReady(job);
            var due = now.Ticks;
            if (!resultReady)
            {
                var hint = job.PollAfter;
                var delay = _options.Policy.NextDelay(now - TimeSpan.FromTicks(watch.BornTicks), watch.Polls, watch.Expected, endpoint.Mapping.PollInterval, endpoint.Mapping.MaxPollInterval, hint);
                if (hint is TimeSpan asked && (asked >= ServerHints.Cap || (_options.Timeout is TimeSpan bound && asked > bound - now)))
                {
                    // A hint is capped where it is read (ServerHints); said here, where the wait is decided.
                    _log.Verbose(string.Format(CultureInfo.InvariantCulture,
                        "{0}: the server asked to wait {1} before the next poll; server hints are capped at {2:0.#} s{3}.",
                        job.Id, Describe(asked), ServerHints.Cap.TotalSeconds,
                        _options.Timeout is null ? string.Empty : " and a wait never goes beyond -TimeoutSec"));
                }
                due = Coalesced(now, delay);
            }
            if (_options.Timeout is TimeSpan limit)
            {
                // Every wait ends by the deadline: the job then ends as the usual Timeout, whatever a server asked.
                if (limit <= now)
                {
                    TimedOut(watch);
                    return;
                }
                due = Math.Min(due, limit.Ticks);
            }
            lock (_gate)
            {
                if (_ended || _engine.CancellationToken.IsCancellationRequested || (_timeout?.IsCancellationRequested ?? false))
                {
                    // Ctrl+C or the deadline came while this job was being polled: end it as they end sleeping jobs.
                }
                else if (resultReady)
                {
                    watch.Host.Due.Enqueue(watch);
                    return;
                }
                else
                {
                    if (!_sleeping.TryGetValue(due, out var list))
                    {
                        _sleeping[due] = list = new List<Watch>(1);
                    }
                    list.Add(watch);
                    if (due < _timerDue)
                    {
                        Arm(due);
                    }
                    return;
                }
            }
            EndOne(watch, timedOut: _timeout?.IsCancellationRequested == true && !_engine.CancellationToken.IsCancellationRequested);
        }

        /// <summary>Sets the one timer for <paramref name="due"/> (under _gate).</summary>
        private void Arm(long due)
        {
            _timerDue = due;
            var wait = Math.Max(0, (due - _clock.Elapsed.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond);
            try
            {
                _timer.Change(Math.Min(wait, int.MaxValue - 1), Timeout.Infinite);
            }
            catch (ObjectDisposedException)
            {
            }
        }

        /// <summary>The timer: moves every watch now due to its host's queue, starts what each host may start, re-arms.</summary>
        private void Wake()
        {
            var woken = new List<Host>();
            lock (_gate)
            {
                if (_ended)
                {
                    return;
                }
                var now = _clock.Elapsed.Ticks;
                while (_sleeping.Count > 0)
                {
                    var first = _sleeping.First();
                    if (first.Key > now)
                    {
                        break;
                    }
                    _sleeping.Remove(first.Key);
                    foreach (var watch in first.Value)
                    {
                        watch.Host.Due.Enqueue(watch);
                        if (!woken.Contains(watch.Host))
                        {
                            woken.Add(watch.Host);
                        }
                    }
                }
                _timerDue = long.MaxValue;
                if (_sleeping.Count > 0)
                {
                    Arm(_sleeping.First().Key);
                }
            }
            foreach (var host in woken)
            {
                StartPolls(host);
            }
        }

        /// <summary>Starts the host's due polls, up to <see cref="PollsStartedPerHost"/> under way.</summary>
        private void StartPolls(Host host)
        {
            while (true)
            {
                Watch watch;
                lock (_gate)
                {
                    if (_ended || host.Due.Count == 0 || host.Started >= PollsStartedPerHost)
                    {
                        return;
                    }
                    watch = host.Due.Dequeue();
                    host.Started++;
                }
                // Inline on this thread up to the poll's first wait (its host's turn, then the answer): a hop to the pool per poll
                // wakes an idle worker, which spins before it sleeps; at 10,000 jobs that spinning was a third of the waiting's CPU
                // (perf, docs/performance.md). Only one level deep: a poll started from the end of one started here goes to the
                // pool, so polls that complete at once never nest as deep as the host's queue is long.
                if (t_starting)
                {
                    _ = Task.Run(() => PollAsync(watch));
                    continue;
                }
                t_starting = true;
                try
                {
                    _ = PollAsync(watch);
                }
                finally
                {
                    t_starting = false;
                }
            }
        }

        /// <summary>Whether this thread is inside a poll <see cref="StartPolls"/> started inline.</summary>
        [ThreadStatic]
        private static bool t_starting;

        /// <summary>One poll of one job, then its next sleep or its end. Never throws: every failure ends the watch with the id.</summary>
        private async Task PollAsync(Watch watch)
        {
            var job = watch.Job;
            var next = false;
            try
            {
                var token = _linked.Token;
                if (PastDeadline)
                {
                    throw new OperationCanceledException(); // ends as the usual Timeout, below
                }
                var before = job.Status;
                // The host's turn before a -ThrottleLimit slot: a host held by its 429s then holds no slot another provider's jobs could use.
                await _client.TakeTurnAsync(watch.Endpoint, token).ConfigureAwait(false);
                using (await new WorkContext(_engine).SlotAsync().ConfigureAwait(false))
                {
                    // A result ready to read (IResultMapping) is read by the next poll, which takes a turn before its slot too.
                    var answer = await _client.PollAsync(watch.Endpoint, job, _log, turnTaken: true, resultInSamePoll: false, token).ConfigureAwait(false);
                    if (watch.OwnsJob)
                    {
                        lock (watch)
                        {
                            job.TakeFrom(answer);
                        }
                    }
                    else
                    {
                        // The first answer becomes the waiter's own copy (the job added may be the caller's object, never changed
                        // in place); later answers update it in place.
                        job = answer;
                        watch.Job = answer;
                        watch.OwnsJob = true;
                    }
                }
                watch.Polls++;
                if (job.Status != before)
                {
                    watch.OnChange?.Invoke(job, before);
                }
                if (job.IsTerminal)
                {
                    Finish(watch, job, ErrorFor(job));
                }
                else
                {
                    next = true;
                }
            }
            catch (OperationCanceledException) when (!_engine.CancellationToken.IsCancellationRequested && (_timeout?.IsCancellationRequested == true || PastDeadline))
            {
                TimedOut(watch);
            }
            catch (OperationCanceledException ex) when (_engine.CancellationToken.IsCancellationRequested || _stop.IsCancellationRequested)
            {
                Post(watch, null, ex); // Ctrl+C, or the waiter disposed: the cmdlet is stopping.
            }
            catch (NotStartedException ex)
            {
                Post(watch, null, ex);
            }
            catch (VideoGenException ex)
            {
                job = Own(watch);
                job.Error = ex.Message;
                Finish(watch, job, ex.WithTaskId(job.Id));
            }
            catch (Exception ex)
            {
                // Never let a watch die silently: the id reaches the output with the reason.
                job = Own(watch);
                job.Error = ex.Message;
                Finish(watch, job, new VideoGenException(VideoGenErrorKind.UnexpectedAnswer,
                    "Following job " + job.Id + " failed: " + ex.Message, job.Id, null, ex));
            }
            finally
            {
                lock (_gate)
                {
                    watch.Host.Started--;
                }
            }
            if (next)
            {
                try
                {
                    ScheduleNext(watch);
                }
                catch (Exception ex)
                {
                    Finish(watch, watch.Job, new VideoGenException(VideoGenErrorKind.UnexpectedAnswer,
                        "Following job " + watch.Job.Id + " failed: " + ex.Message, watch.Job.Id, null, ex));
                }
            }
            StartPolls(watch.Host);
        }

        /// <summary>The longest -TimeoutSec a timer holds (about 24.8 days, .NET Framework's limit too); a longer one is kept by the clock.</summary>
        internal static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(int.MaxValue - 1);

        /// <summary>The watch's job as the waiter's own copy, made now if it is still the caller's object (which is never changed).</summary>
        private static VideoJob Own(Watch watch)
        {
            if (!watch.OwnsJob)
            {
                watch.Job = watch.Job.Copy();
                watch.OwnsJob = true;
            }
            return watch.Job;
        }

        /// <summary>A copy of the job as last seen, taken while no answer is being applied to it.</summary>
        private static VideoJob Snapshot(Watch watch)
        {
            lock (watch)
            {
                return watch.Job.Copy();
            }
        }

        /// <summary>True once -TimeoutSec has passed on the waiter's clock.</summary>
        private bool PastDeadline => _options.Timeout is TimeSpan limit && _clock.Elapsed >= limit;

        /// <summary>Ctrl+C or -TimeoutSec: every job sleeping or queued ends now (polls under way end through their token).</summary>
        private void EndSleeping(bool timedOut)
        {
            var ending = new List<Watch>();
            lock (_gate)
            {
                foreach (var list in _sleeping.Values)
                {
                    ending.AddRange(list);
                }
                _sleeping.Clear();
                foreach (var host in _hosts.Values)
                {
                    ending.AddRange(host.Due);
                    host.Due.Clear();
                }
            }
            foreach (var watch in ending)
            {
                EndOne(watch, timedOut);
            }
        }

        private void EndOne(Watch watch, bool timedOut)
        {
            if (timedOut)
            {
                TimedOut(watch);
            }
            else
            {
                Post(watch, null, new OperationCanceledException(_engine.CancellationToken));
            }
        }

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
                    job.Id, expected, job.SubmittedAt is DateTimeOffset at && at <= DateTimeOffset.MaxValue - expected.Latest ? ", by about " + When(at + expected.Latest) : string.Empty,
                    ExpectedDuration.PlannedPolls, advised.TotalSeconds));
        }

        /// <summary>A local time as people read it: the time of day, with the date when it is not within the next 12 hours.</summary>
        private static string When(DateTimeOffset at)
        {
            var local = at.ToLocalTime();
            var near = (at - DateTimeOffset.UtcNow).Duration() < TimeSpan.FromHours(12);
            return local.ToString(near ? "HH:mm:ss" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        }

        /// <summary>
        /// The clock tick a wait from <paramref name="now"/> ends at: a wait of a second or more ends on the next quarter
        /// second of the waiter's clock (of 5 s or more, on the next second), so the polls of thousands of jobs come due
        /// together and wake the timer a few times a second, not once per job; shorter waits are kept exact.
        /// </summary>
        private static long Coalesced(TimeSpan now, TimeSpan delay)
        {
            var due = now.Ticks + Math.Max(0, delay.Ticks);
            if (delay < TimeSpan.FromSeconds(1))
            {
                return due;
            }
            // A quarter second for waits under 5 s, a whole second beyond (a poll 10-30 s away loses nothing by it).
            var grid = (delay < TimeSpan.FromSeconds(5) ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(1)).Ticks;
            return (due + grid - 1) / grid * grid;
        }

        /// <summary>The usual end at -TimeoutSec: the job as last seen, not marked failed, with the command that follows it later.</summary>
        private void TimedOut(Watch watch)
        {
            var job = watch.Job;
            var seconds = _options.Timeout?.TotalSeconds ?? 0;
            var state = watch.Polls > 0 ? "was still " + job.Status : "was not polled yet (its first poll was planned later; -Verbose says when)";
            Finish(watch, job, new VideoGenException(VideoGenErrorKind.Timeout,
                string.Format(CultureInfo.InvariantCulture,
                    "Job {0} at {1} {2} after {3:0.#} s; it goes on at the provider (nothing was cancelled). Wait for it later with: Get-VideoStatus -Id {0} -Provider {1} -Model {4} | Wait-Video",
                    job.Id, job.Provider, state, seconds, job.Model), job.Id));
        }

        /// <summary>A hint as people read it: seconds, or days for the absurd ones.</summary>
        private static string Describe(TimeSpan hint) =>
            hint >= TimeSpan.FromDays(2)
                ? string.Format(CultureInfo.InvariantCulture, "{0:0} days", hint.TotalDays)
                : string.Format(CultureInfo.InvariantCulture, "{0:0.#} s", hint.TotalSeconds);

        /// <summary>The job's result: counted, then posted as its outcome.</summary>
        private void Finish(Watch watch, VideoJob job, VideoGenException? error)
        {
            if (Interlocked.CompareExchange(ref watch.Ended, 1, 0) != 0)
            {
                return;
            }
            _active.TryRemove(watch.Key, out _);
            Interlocked.Increment(ref _finished);
            Interlocked.Increment(ref error is null ? ref _succeeded : ref _failed);
            _engine.Post(job, new WaitResult(job, error), null, _onOutcome);
        }

        /// <summary>An outcome that is not a result (Ctrl+C, starts stopped): posted once, as the engine posts a cancelled item's.</summary>
        private void Post(Watch watch, WaitResult? result, Exception error)
        {
            if (Interlocked.CompareExchange(ref watch.Ended, 1, 0) != 0)
            {
                return;
            }
            _active.TryRemove(watch.Key, out _);
            _engine.Post(watch.Job, result, error, _onOutcome);
        }

        private static VideoGenException? ErrorFor(VideoJob job) =>
            job.Status == VideoJobStatus.Succeeded ? null
            : new VideoGenException(VideoGenErrorKind.JobFailed,
                string.Format(CultureInfo.InvariantCulture, "Job {0} at {1} ended {2}: {3}", job.Id, job.Provider, job.Status, job.Error ?? job.ProviderStatus ?? "no reason given"), job.Id);
    }
}
