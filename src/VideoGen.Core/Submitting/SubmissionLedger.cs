using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;

namespace VideoGen.Core.Submitting
{
    /// <summary>
    /// The paid requests of one command: those sent and not answered yet, and the jobs created (committed to the store by
    /// the worker that read the answer) and not yet handed down the pipeline. However the command ends, its one end path
    /// lets the requests in flight answer (<see cref="WaitForAnswers"/>, bounded) and then names every id not handed on and
    /// every request still unanswered (<see cref="Report"/>).
    /// </summary>
    /// <remarks>Thread-safe: workers record, the pipeline thread emits and reports.</remarks>
    public sealed class SubmissionLedger
    {
        private readonly object _gate = new object();
        private readonly Dictionary<object, string> _inFlight = new Dictionary<object, string>();
        private readonly List<CreatedJob> _created = new List<CreatedJob>();
        private readonly HashSet<string> _handedOn = new HashSet<string>(StringComparer.Ordinal);
        private readonly HashSet<string> _reported = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>A paid request for <paramref name="item"/> (a row, a remix) is about to be sent.</summary>
        public void Sending(object item, string label)
        {
            lock (_gate)
            {
                _inFlight[item] = label;
            }
        }

        /// <summary>The answer for <paramref name="item"/> came (or the request failed): it is no longer in flight.</summary>
        public void Answered(object item)
        {
            lock (_gate)
            {
                _inFlight.Remove(item);
                Monitor.PulseAll(_gate);
            }
        }

        /// <summary>A job was created for <paramref name="label"/>; <paramref name="stored"/> says whether the store recorded it.</summary>
        public void Created(VideoJob job, string label, bool stored)
        {
            if (job is null)
            {
                throw new ArgumentNullException(nameof(job));
            }
            lock (_gate)
            {
                _created.Add(new CreatedJob(job.Id, job.Name, label, stored));
            }
        }

        /// <summary>The job went down the pipeline, or an error naming its id was written: it needs no further mention.</summary>
        public void HandedOn(string id)
        {
            lock (_gate)
            {
                _handedOn.Add(id);
            }
        }

        /// <summary>Requests sent and not answered.</summary>
        internal int InFlight
        {
            get
            {
                lock (_gate)
                {
                    return _inFlight.Count;
                }
            }
        }

        /// <summary>Waits until no request is in flight, at most <paramref name="bound"/>; true when none is.</summary>
        public bool WaitForAnswers(TimeSpan bound)
        {
            var deadline = DateTime.UtcNow + bound;
            lock (_gate)
            {
                while (_inFlight.Count > 0)
                {
                    var left = deadline - DateTime.UtcNow;
                    if (left <= TimeSpan.Zero)
                    {
                        return false;
                    }
                    Monitor.Wait(_gate, left);
                }
                return true;
            }
        }

        /// <summary>
        /// The sentences that name what the command leaves behind, each once: the jobs created and not handed on (with the
        /// store they are in, or a plea to keep the id where the store failed), and each request still unanswered after
        /// <paramref name="waited"/>. Empty when everything was handed on.
        /// </summary>
        public IReadOnlyList<string> Report(string storePath, TimeSpan waited)
        {
            var lines = new List<string>();
            lock (_gate)
            {
                var created = _created.Where(c => !_handedOn.Contains(c.Id) && _reported.Add(c.Id)).ToList();
                var stored = created.Where(c => c.Stored).Select(c => c.Describe()).ToList();
                if (stored.Count > 0)
                {
                    lines.Add("Stopped before these jobs went down the pipeline. They were created (and paid for) and are in the job store " + storePath +
                        "; follow them with Get-VideoJob | Wait-Video | Save-Video: " + string.Join(", ", stored));
                }
                foreach (var lost in created.Where(c => !c.Stored))
                {
                    lines.Add("Stopped before job " + lost.Describe() + " went down the pipeline, and the job store could not record it: keep this task id (Get-VideoStatus -Id " + lost.Id + ").");
                }
                foreach (var label in _inFlight.Values.Where(l => _reported.Add("\u0000" + l)))
                {
                    lines.Add("Stopped while " + label + " was being submitted and no answer came within " + waited.TotalSeconds.ToString(CultureInfo.InvariantCulture) +
                        " s: a job may have been created at the provider; check its dashboard before submitting that row again.");
                }
            }
            return lines;
        }

        private sealed class CreatedJob
        {
            public CreatedJob(string id, string? name, string label, bool stored)
            {
                Id = id;
                Name = name;
                Label = label;
                Stored = stored;
            }

            public string Id { get; }
            public string? Name { get; }
            public string Label { get; }
            public bool Stored { get; }

            public string Describe() => Id + (string.IsNullOrWhiteSpace(Name) ? string.Empty : " (" + Name + ")");
        }
    }
}
