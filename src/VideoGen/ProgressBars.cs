using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;

namespace VideoGen.Commands
{
    /// <summary>
    /// Progress for a cmdlet: one overall bar and child bars under it, at most a few updates a second, and
    /// a Completed record for every bar that was opened (<see cref="CompleteAll"/>, called from finally).
    /// Pipeline thread only.
    /// </summary>
    internal sealed class ProgressBars
    {
        public const int ParentId = 1;
        private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
        private readonly Cmdlet _cmdlet;
        private readonly Dictionary<int, string> _open = new Dictionary<int, string>();
        private readonly Stopwatch _sinceLast = new Stopwatch();

        public ProgressBars(Cmdlet cmdlet) => _cmdlet = cmdlet;

        /// <summary>True when the last update was long enough ago (or never happened).</summary>
        public bool Due => !_sinceLast.IsRunning || _sinceLast.Elapsed >= Interval;

        public void MarkUpdated() => _sinceLast.Restart();

        public void Parent(string activity, string status, int percent) =>
            Write(new ProgressRecord(ParentId, activity, status) { PercentComplete = Clamp(percent) });

        public void Child(int id, string activity, string status, int percent) =>
            Write(new ProgressRecord(id, activity, string.IsNullOrEmpty(status) ? "..." : status) { ParentActivityId = ParentId, PercentComplete = Clamp(percent) });

        /// <summary>Closes child bars that are no longer shown.</summary>
        public void CompleteChildrenExcept(ICollection<int> keep)
        {
            var stale = new List<int>();
            foreach (var id in _open.Keys)
            {
                if (id != ParentId && !keep.Contains(id))
                {
                    stale.Add(id);
                }
            }
            foreach (var id in stale)
            {
                Complete(id);
            }
        }

        /// <summary>Writes a Completed record for every open bar, children first. Swallows a stopping pipeline.</summary>
        public void CompleteAll()
        {
            try
            {
                var ids = new List<int>(_open.Keys);
                ids.Sort((a, b) => b.CompareTo(a));
                foreach (var id in ids)
                {
                    Complete(id);
                }
            }
            catch (PipelineStoppedException)
            {
                // Ctrl+C: PowerShell clears the bars itself once the pipeline has stopped.
            }
        }

        private void Complete(int id)
        {
            if (_open.TryGetValue(id, out var activity))
            {
                _open.Remove(id);
                var record = new ProgressRecord(id, activity, "Completed") { RecordType = ProgressRecordType.Completed, PercentComplete = 100 };
                if (id != ParentId)
                {
                    record.ParentActivityId = ParentId;
                }
                _cmdlet.WriteProgress(record);
            }
        }

        private void Write(ProgressRecord record)
        {
            _open[record.ActivityId] = record.Activity;
            _cmdlet.WriteProgress(record);
        }

        private static int Clamp(int percent) => percent < 0 ? -1 : Math.Min(100, percent);
    }
}
