using System;

namespace VideoGen.Core.Waiting
{
    /// <summary>
    /// When to poll a job again: a short first delay, then an interval growing by <see cref="Growth"/> up to
    /// a ceiling (the provider's, 10-15 s, unless <see cref="MaxInterval"/> is set), never sooner than a
    /// server hint (capped at Http.ServerHints.Cap, 10 minutes); or a fixed interval (Wait-Video -PollIntervalSec).
    /// </summary>
    public sealed class PollPolicy
    {
        private static readonly TimeSpan MinimumDelay = TimeSpan.FromMilliseconds(10);

        /// <summary>The wait before the first poll. Default 1 s.</summary>
        public TimeSpan FirstDelay { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>
        /// The factor each interval grows by. Default 1.2: a 5 s job is seen done within 0.4 s of its end
        /// (polls at 1, 2.2, 3.6, 5.4 s), and a long job reaches the provider's ceiling after about a minute.
        /// </summary>
        public double Growth { get; set; } = 1.2;

        /// <summary>The ceiling, overriding the provider's; null keeps the provider's.</summary>
        public TimeSpan? MaxInterval { get; set; }

        /// <summary>A fixed interval for every poll, first included; null for the growing policy.</summary>
        public TimeSpan? FixedInterval { get; set; }

        /// <summary>The wait before poll number <paramref name="pollsDone"/> + 1.</summary>
        /// <param name="pollsDone">Polls already made for this job (0 before the first).</param>
        /// <param name="providerCeiling">The provider's longest interval.</param>
        /// <param name="serverHint">A wait the server asked for, or null.</param>
        public TimeSpan NextDelay(int pollsDone, TimeSpan providerCeiling, TimeSpan? serverHint) =>
            NextDelay(pollsDone, providerCeiling, serverHint, TimeSpan.Zero);

        /// <summary>
        /// The wait before poll number <paramref name="pollsDone"/> + 1, never below the provider's advised shortest interval
        /// (<paramref name="providerFloor"/>, capped at the ceiling in force) unless <see cref="FixedInterval"/> is set.
        /// </summary>
        /// <param name="pollsDone">Polls already made for this job (0 before the first).</param>
        /// <param name="providerCeiling">The provider's longest interval.</param>
        /// <param name="serverHint">A wait the server asked for, or null.</param>
        /// <param name="providerFloor">The provider's advised shortest interval (AppleRouter 10 s), or zero.</param>
        public TimeSpan NextDelay(int pollsDone, TimeSpan providerCeiling, TimeSpan? serverHint, TimeSpan providerFloor)
        {
            TimeSpan wait;
            if (FixedInterval is TimeSpan fixedInterval)
            {
                wait = fixedInterval;
            }
            else
            {
                var ceiling = MaxInterval ?? providerCeiling;
                var grown = FirstDelay.TotalMilliseconds * Math.Pow(Growth, Math.Max(0, Math.Min(pollsDone, 60)));
                var floor = Math.Min(providerFloor.TotalMilliseconds, ceiling.TotalMilliseconds);
                wait = TimeSpan.FromMilliseconds(Math.Max(floor, Math.Min(grown, ceiling.TotalMilliseconds)));
            }
            if (wait < MinimumDelay)
            {
                wait = MinimumDelay;
            }
            if (serverHint is TimeSpan hint && hint > wait)
            {
                // Any TimeSpan, TimeSpan.MaxValue included: compared, never added to, so no hint overflows or reaches a timer whole.
                // The one cap of server hints (ServerHints), also for a hint that did not come through the client.
                var cap = Http.ServerHints.Cap;
                wait = hint > cap ? (cap > wait ? cap : wait) : hint;
            }
            return wait;
        }

        /// <summary>
        /// The most polls this policy makes (without server hints or retries) for a job that runs <paramref name="jobTime"/>:
        /// the first poll at or after the job's end is the last. Used to check a run stayed within the policy.
        /// </summary>
        public int MaxPolls(TimeSpan jobTime, TimeSpan providerCeiling)
        {
            var elapsed = TimeSpan.Zero;
            for (var polls = 0; ; polls++)
            {
                elapsed += NextDelay(polls, providerCeiling, null);
                if (elapsed >= jobTime)
                {
                    return polls + 1;
                }
            }
        }
    }
}
