using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace VideoGen.Core.Http
{
    /// <summary>
    /// The one request budget of a provider host (scheme, host and port), kept by the <see cref="VideoGenClient"/> that sends
    /// there; the cmdlets share one client per process, so one budget takes every poll of every Wait-Video, Get-VideoStatus
    /// and Save-Video, and New-Video's submissions, which go first (a submission waits behind at most one poll, a poll behind at
    /// most four submissions). A token bucket: at most <see cref="Rate"/> requests a second, bursts of one
    /// second's worth. The rate starts at the ceiling (<see cref="VideoGenClientOptions.MaxRequestsPerSecond"/>: 50 a second,
    /// or <c>$env:VIDEOGEN_MAX_REQUESTS_PER_SEC</c>); a 429 halves it for every job of the host (at most once a second) and holds
    /// every request until the provider's <c>Retry-After</c> has passed (1 s when it sent none, at most
    /// <see cref="MaxPause"/>); each answer that is not a 429 brings it back by about half a request a second per second
    /// (additive increase, multiplicative decrease). The providers publish no number for their limits (docs/providers.md):
    /// they answer 429, so the budget learns the limit from them.
    /// </summary>
    internal sealed class RequestBudget
    {
        /// <summary>The slowest the budget goes after 429s: one request every 5 s.</summary>
        public const double MinRate = 0.2;

        /// <summary>The longest a 429 holds the host: 60 s, whatever its Retry-After (the client's retries wait at most as long).</summary>
        public static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(60);

        private static readonly TimeSpan PumpInterval = TimeSpan.FromMilliseconds(250);

        private readonly object _gate = new object();
        private readonly TimeProvider _time;
        private readonly Queue<Waiter> _paid = new Queue<Waiter>();
        private readonly Queue<Waiter> _other = new Queue<Waiter>();
        private readonly ITimer _pump;
        private double _rate;
        private double _tokens;
        private long _refilledAt;
        private long _pausedUntil;
        private long _lastCut = long.MinValue;
        private long _pumpDue = long.MaxValue;
        private long _answers;
        private long _refusals;
        private int _paidStreak;

        /// <summary>Paid turns in a row before a waiting poll gets one: submissions go first, but polls are never starved.</summary>
        private const int PaidBeforeAPoll = 4;

        /// <summary>A budget of <paramref name="ceiling"/> requests a second on <paramref name="time"/>'s clock.</summary>
        public RequestBudget(double ceiling, TimeProvider? time = null)
        {
            Ceiling = double.IsNaN(ceiling) || ceiling < MinRate ? MinRate : ceiling;
            _time = time ?? TimeProvider.System;
            _rate = Ceiling;
            _tokens = Ceiling < 1 ? 1 : Ceiling;
            _refilledAt = _time.GetTimestamp();
            _pump = _time.CreateTimer(_ => Pump(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        /// <summary>The most requests a second this budget allows.</summary>
        public double Ceiling { get; }

        /// <summary>The rate in force now (requests a second): the ceiling, or less after 429s.</summary>
        public double Rate
        {
            get
            {
                lock (_gate)
                {
                    return _rate;
                }
            }
        }

        /// <summary>Answers counted (every status), and of them 429s: what -Verbose reports.</summary>
        public (long Answers, long Refusals) Counts
        {
            get
            {
                lock (_gate)
                {
                    return (_answers, _refusals);
                }
            }
        }

        /// <summary>The key of <paramref name="uri"/>'s host in a client's budgets: scheme, host and port.</summary>
        public static string HostOf(Uri uri) => uri.Scheme + "://" + uri.Authority.ToLowerInvariant();

        /// <summary>The ceiling <paramref name="text"/> sets (requests a second), or null where it is not a number of at least <see cref="MinRate"/>.</summary>
        public static double? ParseCeiling(string? text) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= MinRate && !double.IsInfinity(value)
                ? value : (double?)null;

        /// <summary>Waits for the next request's turn; a submission (<paramref name="paid"/>) goes before every waiting poll.</summary>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
        public Task AcquireAsync(bool paid, CancellationToken cancellationToken)
        {
            Waiter waiter;
            lock (_gate)
            {
                var now = _time.GetTimestamp();
                Refill(now);
                if (now >= _pausedUntil && _tokens >= 1 && _paid.Count == 0 && (paid ? _other.Count == 0 || _paidStreak < PaidBeforeAPoll : _other.Count == 0))
                {
                    _tokens -= 1;
                    _paidStreak = paid && _other.Count > 0 ? _paidStreak + 1 : 0;
                    return Task.CompletedTask;
                }
                waiter = new Waiter();
                (paid ? _paid : _other).Enqueue(waiter);
                ArmPump(now);
            }
            if (cancellationToken.CanBeCanceled)
            {
                // Cancelled on the pool, not inline in Cancel(): the waiter's continuation must not run inside whatever cancels.
                waiter.Registration = cancellationToken.Register(() => Task.Run(() => waiter.Completion.TrySetCanceled(cancellationToken)));
            }
            return waiter.Completion.Task;
        }

        /// <summary>
        /// What the host answered: a 429 cuts the rate in half (once a second at most) and holds every request for
        /// <paramref name="retryAfter"/> (capped at <see cref="MaxPause"/>; 1 s when null); any other status lets the rate grow back.
        /// </summary>
        public void Answered(int status, TimeSpan? retryAfter)
        {
            lock (_gate)
            {
                var now = _time.GetTimestamp();
                _answers++;
                if (status != 429)
                {
                    if (_rate < Ceiling)
                    {
                        _rate = Math.Min(Ceiling, _rate + 0.5 / _rate);
                    }
                    return;
                }
                _refusals++;
                Refill(now);
                if (_lastCut == long.MinValue || Elapsed(_lastCut, now) >= TimeSpan.FromSeconds(1))
                {
                    _rate = Math.Max(MinRate, _rate / 2);
                    _lastCut = now;
                }
                var pause = retryAfter is TimeSpan asked ? (asked > MaxPause ? MaxPause : asked < TimeSpan.Zero ? TimeSpan.Zero : asked) : TimeSpan.FromSeconds(1);
                var until = now + (long)(pause.TotalSeconds * _time.TimestampFrequency);
                if (until > _pausedUntil)
                {
                    _pausedUntil = until;
                }
                _tokens = Math.Min(_tokens, 0);
                ArmPump(now);
            }
        }

        private void Refill(long now)
        {
            var seconds = Elapsed(_refilledAt, now).TotalSeconds;
            _refilledAt = now;
            if (now < _pausedUntil || seconds <= 0)
            {
                return;
            }
            var burst = _rate < 1 ? 1 : _rate;
            _tokens = Math.Min(burst, _tokens + seconds * _rate);
        }

        private TimeSpan Elapsed(long from, long to) => TimeSpan.FromSeconds((to - from) / (double)_time.TimestampFrequency);

        /// <summary>
        /// Arms the one timer for when the next waiter can go (under the gate), unless it is already armed for sooner: a waiter
        /// arriving never puts off a hand-out already due (waiters arriving every 50 ms would otherwise push it off for ever).
        /// </summary>
        private void ArmPump(long now)
        {
            if (_paid.Count == 0 && _other.Count == 0)
            {
                return;
            }
            var wait = now < _pausedUntil ? Elapsed(now, _pausedUntil) : TimeSpan.FromSeconds(Math.Max(0, (1 - _tokens) / _rate));
            if (wait < PumpInterval)
            {
                // Turns are handed out in small batches: one wake-up every 250 ms at most, not one per request (at 50 requests a
                // second, four wake-ups a second instead of fifty; each wakes the thread pool, whose idle workers spin before they sleep).
                wait = PumpInterval;
            }
            var due = now + (long)(wait.TotalSeconds * _time.TimestampFrequency);
            if (due >= _pumpDue)
            {
                return;
            }
            _pumpDue = due;
            _pump.Change(wait, Timeout.InfiniteTimeSpan);
        }

        private void Pump()
        {
            List<Waiter>? released = null;
            lock (_gate)
            {
                _pumpDue = long.MaxValue;
                var now = _time.GetTimestamp();
                Refill(now);
                while (now >= _pausedUntil && _tokens >= 1)
                {
                    Waiter next;
                    if (_paid.Count > 0 && (_other.Count == 0 || _paidStreak < PaidBeforeAPoll))
                    {
                        next = _paid.Dequeue();
                        _paidStreak = _other.Count > 0 ? _paidStreak + 1 : 0;
                    }
                    else if (_other.Count > 0)
                    {
                        next = _other.Dequeue();
                        _paidStreak = 0;
                    }
                    else
                    {
                        break;
                    }
                    if (next.Completion.Task.IsCompleted)
                    {
                        continue; // cancelled while it waited: it takes no turn
                    }
                    _tokens -= 1;
                    (released ??= new List<Waiter>()).Add(next);
                }
                ArmPump(now);
            }
            if (released != null)
            {
                foreach (var waiter in released)
                {
                    waiter.Registration.Dispose();
                    waiter.Completion.TrySetResult(true);
                }
            }
        }

        /// <summary>
        /// A request waiting for its turn. Its continuation runs on the thread that hands the turn out (the pump's, outside the
        /// gate), the turns of one hand-out one after the other: each goes on to its request's send and returns at its first
        /// wait. Run asynchronously, each turn would be a hop to the thread pool, waking an idle worker that spins before it
        /// sleeps: at 10,000 waiting jobs that spinning was a third of the process's CPU (perf, docs/performance.md).
        /// </summary>
        private sealed class Waiter
        {
            public readonly TaskCompletionSource<bool> Completion = new TaskCompletionSource<bool>();
            public CancellationTokenRegistration Registration;
        }
    }
}
