using System;

namespace VideoGen.Core.Waiting
{
    /// <summary>
    /// When to poll a job, from its age (time since its submission was answered):
    /// <list type="bullet">
    /// <item>With an <see cref="ExpectedDuration"/> (the model's finished jobs in the store): no poll before the window opens,
    /// then at most <see cref="ExpectedDuration.PlannedPolls"/> polls spread over it.</item>
    /// <item>Without one (a model never used here), and once a job runs past its window: every advised interval (the
    /// provider's, 10 s, see docs/providers.md, or <see cref="AdvisedInterval"/>), the interval growing with the time the job
    /// runs past what was expected (a sixth of it) up to the ceiling (the provider's longest advised interval, 30 s).</item>
    /// <item>A job already due (older than its window, or than the advised interval) is polled at once.</item>
    /// </list>
    /// No planned wait is longer than <see cref="LongestWait"/> (15 minutes). A server hint (<c>Retry-After</c>,
    /// <c>openai-poll-after-ms</c>; capped at Http.ServerHints.Cap, 10 minutes) is never undercut. <see cref="FixedInterval"/> (Wait-Video -PollIntervalSec) replaces all of it.
    /// </summary>
    public sealed class PollPolicy
    {
        private static readonly TimeSpan MinimumDelay = TimeSpan.FromMilliseconds(10);

        /// <summary>The environment variable that sets <see cref="AdvisedInterval"/> in seconds (fractions allowed) for Wait-Video.</summary>
        public const string AdvisedIntervalVariable = "VIDEOGEN_POLL_INTERVAL_SEC";

        /// <summary>The interval to use where there is no history, instead of the provider's advised one; null keeps the provider's.</summary>
        public TimeSpan? AdvisedInterval { get; set; }

        /// <summary>The ceiling, overriding the provider's; null keeps the provider's.</summary>
        public TimeSpan? MaxInterval { get; set; }

        /// <summary>A fixed interval for every poll, first included; null for the policy above.</summary>
        public TimeSpan? FixedInterval { get; set; }

        /// <summary>
        /// The policy with <c>$env:VIDEOGEN_POLL_INTERVAL_SEC</c> applied where it is a number of seconds from 0.1 to 3600 (a
        /// gateway whose jobs take seconds; tests); anything else keeps each provider's advised interval.
        /// </summary>
        public static PollPolicy FromEnvironment(Func<string, string?> getEnvironment)
        {
            var policy = new PollPolicy();
            if (double.TryParse(getEnvironment?.Invoke(AdvisedIntervalVariable), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) &&
                seconds >= 0.1 && seconds <= 3600)
            {
                policy.AdvisedInterval = TimeSpan.FromSeconds(seconds);
            }
            return policy;
        }

        /// <summary>The longest wait the policy plans: 15 minutes. However long history says a job takes, it is polled at least this often.</summary>
        public static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(15);

        /// <summary>The advised interval in force for a provider that advises <paramref name="providerAdvised"/>, never above the ceiling in force.</summary>
        public TimeSpan Advised(TimeSpan providerAdvised, TimeSpan providerCeiling)
        {
            var advised = AdvisedInterval ?? providerAdvised;
            var ceiling = MaxInterval ?? providerCeiling;
            return advised > ceiling ? ceiling : advised;
        }

        /// <summary>The wait before the next poll of a job.</summary>
        /// <param name="age">How long ago the job's submission was answered (or its watch began, where that is unknown).</param>
        /// <param name="pollsDone">Polls this watch has made (0 before the first).</param>
        /// <param name="expected">The expectation from the store, or null.</param>
        /// <param name="providerAdvised">The provider's advised interval (<c>IProviderMapping.PollInterval</c>).</param>
        /// <param name="providerCeiling">The provider's longest interval (<c>IProviderMapping.MaxPollInterval</c>).</param>
        /// <param name="serverHint">A wait the server asked for, or null.</param>
        public TimeSpan NextDelay(TimeSpan age, int pollsDone, ExpectedDuration? expected, TimeSpan providerAdvised, TimeSpan providerCeiling, TimeSpan? serverHint)
        {
            TimeSpan wait;
            if (FixedInterval is TimeSpan fixedInterval)
            {
                wait = fixedInterval;
            }
            else
            {
                var advised = Advised(providerAdvised, providerCeiling);
                wait = Planned(age, pollsDone, expected, advised, MaxInterval ?? providerCeiling) - age;
                if (wait > LongestWait)
                {
                    wait = LongestWait;
                }
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

        /// <summary>The age at which to poll next.</summary>
        private static TimeSpan Planned(TimeSpan age, int pollsDone, ExpectedDuration? expected, TimeSpan advised, TimeSpan ceiling)
        {
            var after = TimeSpan.Zero;
            if (expected != null)
            {
                var step = expected.Spacing(advised);
                if (age < expected.PlanEnd(advised))
                {
                    // The next planned poll strictly ahead (a poll just made at a planned time does not count twice).
                    var steps = Math.Floor((age - expected.Earliest).Ticks / (double)step.Ticks) + 1;
                    return expected.Earliest + TimeSpan.FromTicks(step.Ticks * (long)Math.Max(1, steps));
                }
                if (pollsDone == 0)
                {
                    return age; // expected done already: a job submitted long ago
                }
                after = expected.Latest;
            }
            else if (pollsDone == 0 && age >= advised)
            {
                return age; // already due
            }
            if (age < after + advised)
            {
                return after + advised; // the first poll past the window (or, without one, at the advised interval)
            }
            var interval = TimeSpan.FromTicks((age - after).Ticks / 6);
            return age + (interval < advised ? advised : interval > ceiling ? ceiling : interval);
        }
    }
}
