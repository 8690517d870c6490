using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;

namespace VideoGen.Core.Http
{
    /// <summary>
    /// The one reader of a server's timing hints: <c>Retry-After</c> (seconds or an HTTP date) and
    /// <c>openai-poll-after-ms</c>. Every hint is capped at <see cref="Cap"/> (10 minutes), so a <c>Retry-After: 31536000</c>,
    /// a date a year ahead or an absurd millisecond count becomes the cap and never overflows a timer; a date in the past is
    /// zero; a value that is not a number or a date (or is negative) is no hint at all. The Polly retry delay (further
    /// bounded by <see cref="VideoGenClientOptions.MaxDelay"/>), a job's <see cref="VideoJob.PollAfter"/> and
    /// <see cref="VideoGenException.RetryAfter"/> all come from here; whoever waits may bound them further (Wait-Video's -TimeoutSec).
    /// </summary>
    internal static class ServerHints
    {
        /// <summary>The longest wait any server hint can ask for: 10 minutes (a provider's slowest documented poll advice is 30 s).</summary>
        public static readonly TimeSpan Cap = TimeSpan.FromMinutes(10);

        /// <summary>The wait a <c>Retry-After</c> header asks for, capped; null where there is none or it cannot be read.</summary>
        public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
        {
            foreach (var value in Values(response, "Retry-After"))
            {
                var text = value.Trim();
                if (text.Length > 0 && IsDigits(text))
                {
                    // Whole seconds (RFC 9110); more digits than a long holds is simply more than the cap.
                    return text.Length > 9 ? Cap : Capped(TimeSpan.FromSeconds(long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture)));
                }
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var date))
                {
                    return date <= now ? TimeSpan.Zero : date - now >= Cap ? Cap : date - now;
                }
            }
            return null;
        }

        /// <summary>The wait before the next poll: <c>openai-poll-after-ms</c>, else <c>Retry-After</c>; capped; null where neither is readable.</summary>
        public static TimeSpan? PollAfter(HttpResponseMessage response, DateTimeOffset now)
        {
            foreach (var value in Values(response, "openai-poll-after-ms"))
            {
                if (double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && !double.IsNaN(ms) && !double.IsInfinity(ms) && ms >= 0)
                {
                    return ms >= Cap.TotalMilliseconds ? Cap : TimeSpan.FromMilliseconds(ms);
                }
            }
            return RetryAfter(response, now);
        }

        /// <summary>A hint bounded by the cap and never negative.</summary>
        public static TimeSpan Capped(TimeSpan hint) => hint < TimeSpan.Zero ? TimeSpan.Zero : hint > Cap ? Cap : hint;

        private static IEnumerable<string> Values(HttpResponseMessage response, string name) =>
            response.Headers.TryGetValues(name, out var values) ? values : Array.Empty<string>();

        private static bool IsDigits(string text)
        {
            foreach (var c in text)
            {
                if (c < '0' || c > '9')
                {
                    return false;
                }
            }
            return true;
        }
    }
}
