using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace VideoGen.Core.Waiting
{
    /// <summary>
    /// How long one finished job took, as the store saw it: it ended after <see cref="Earliest"/> (the last poll that found it
    /// running, from the submission's answer; zero when none did) and by <see cref="Latest"/> (the first poll that found it done).
    /// </summary>
    public sealed class JobDuration
    {
        /// <summary>The longest a job can take and still teach anything: a day (a longer one had a wrong clock or sat somewhere).</summary>
        public static readonly TimeSpan Longest = TimeSpan.FromDays(1);

        /// <summary>One job's duration bounds.</summary>
        /// <param name="shape">The request's clip length and size (<see cref="ShapeOf"/>), or null.</param>
        /// <param name="earliest">It was still running this long after submission.</param>
        /// <param name="latest">It was done this long after submission.</param>
        public JobDuration(string? shape, TimeSpan earliest, TimeSpan latest)
        {
            Shape = shape;
            Earliest = earliest;
            Latest = latest;
        }

        /// <summary>The request's clip length and size, such as <c>8s 720p</c>; null where the request named neither.</summary>
        public string? Shape { get; }

        /// <summary>The job was still running this long after its submission was answered.</summary>
        public TimeSpan Earliest { get; }

        /// <summary>The job was done this long after its submission was answered.</summary>
        public TimeSpan Latest { get; }

        /// <summary>
        /// What of a request decides how long its job takes besides the model: the clip length and the resolution (else size,
        /// else aspect ratio), such as <c>8s 720p</c>; null where it names none.
        /// </summary>
        public static string? ShapeOf(VideoRequest? request)
        {
            if (request is null)
            {
                return null;
            }
            var size = request.Resolution ?? request.Size ?? request.AspectRatio;
            var length = request.Duration is int seconds ? seconds.ToString(CultureInfo.InvariantCulture) + "s" : null;
            var shape = string.Join(" ", new[] { length, size }.Where(p => !string.IsNullOrWhiteSpace(p)));
            return shape.Length == 0 ? null : shape;
        }
    }

    /// <summary>
    /// When a job is expected to end, learnt from finished jobs of its model (and, where at least three of them had it, its
    /// shape): it ends after <see cref="Earliest"/> and by <see cref="Latest"/> from its submission, with the fastest and the
    /// slowest twentieth of the history left out once there are twenty jobs or more. Wait-Video polls only within that
    /// window (at most <see cref="PlannedPolls"/> times), then falls back to the provider's advised interval.
    /// </summary>
    public sealed class ExpectedDuration
    {
        /// <summary>The polls planned inside the window, at most.</summary>
        public const int PlannedPolls = 3;

        private ExpectedDuration(TimeSpan earliest, TimeSpan latest, int jobs, string basis)
        {
            Earliest = earliest;
            Latest = latest;
            Jobs = jobs;
            Basis = basis;
        }

        /// <summary>The job is expected to run at least this long after its submission.</summary>
        public TimeSpan Earliest { get; }

        /// <summary>The job is expected to be done this long after its submission.</summary>
        public TimeSpan Latest { get; }

        /// <summary>How many finished jobs the expectation comes from.</summary>
        public int Jobs { get; }

        /// <summary>What they were: the model, and the shape where it was used (<c>veo-3 8s 720p</c>).</summary>
        public string Basis { get; }

        /// <summary>
        /// The expectation for a job of <paramref name="model"/> and <paramref name="shape"/> from <paramref name="history"/>:
        /// the jobs of that shape where there are at least three, else all of the model's; null with fewer than two jobs.
        /// </summary>
        public static ExpectedDuration? From(IReadOnlyList<JobDuration> history, string? model, string? shape)
        {
            if (history is null)
            {
                throw new ArgumentNullException(nameof(history));
            }
            var basis = model ?? "the model";
            IReadOnlyList<JobDuration> used = history;
            if (shape != null)
            {
                var alike = history.Where(d => string.Equals(d.Shape, shape, StringComparison.OrdinalIgnoreCase)).ToList();
                if (alike.Count >= 3)
                {
                    used = alike;
                    basis += " " + shape;
                }
            }
            if (used.Count < 2)
            {
                return null;
            }
            var earliest = used.Select(d => d.Earliest).OrderBy(t => t).ToList();
            var latest = used.Select(d => d.Latest).OrderBy(t => t).ToList();
            // Nearest rank: below 20 jobs the fastest and the slowest themselves; from 20 on, one in twenty left out at each end.
            var low = earliest[(int)Math.Floor(0.05 * (earliest.Count - 1))];
            var high = latest[(int)Math.Ceiling(0.95 * latest.Count) - 1];
            if (high <= low)
            {
                high = low + TimeSpan.FromSeconds(1);
            }
            return new ExpectedDuration(low, high, used.Count, basis);
        }

        /// <summary>
        /// The planned polls' spacing for a provider whose advised interval is <paramref name="advised"/>: the window in
        /// <see cref="PlannedPolls"/> steps, at least 1 s, at most the advised interval (a wide window is polled like no window).
        /// </summary>
        public TimeSpan Spacing(TimeSpan advised)
        {
            var step = TimeSpan.FromTicks((Latest - Earliest).Ticks / PlannedPolls);
            if (step > advised)
            {
                step = advised;
            }
            return step < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : step;
        }

        /// <summary>Where the planned polls end: the first step at or past <see cref="Latest"/>.</summary>
        public TimeSpan PlanEnd(TimeSpan advised)
        {
            var step = Spacing(advised);
            var steps = Math.Max(1, (long)Math.Ceiling((Latest - Earliest).Ticks / (double)step.Ticks - 1e-6)); // 10 s in steps of 3.33 s: three
            return Earliest + TimeSpan.FromTicks(step.Ticks * steps);
        }

        /// <summary>For -Verbose: "24-31 s after submission (from 12 finished jobs of veo-3 8s 720p)".</summary>
        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "{0:0.#}-{1:0.#} s after submission (from {2} finished job{3} of {4})",
                Earliest.TotalSeconds, Latest.TotalSeconds, Jobs, Jobs == 1 ? string.Empty : "s", Basis);
    }
}
