using System;
using System.Collections.Generic;

namespace VideoGen.Core.Submitting
{
    /// <summary>
    /// Pay once: finds the job an earlier run already paid for a request — same provider, same name, and the same request
    /// on the wire (<see cref="RequestFingerprint"/>) — among the jobs recorded before this command started. Each recorded
    /// job is taken by one row at most, so two identical rows are two jobs (a re-run of such a file finds both, and pays
    /// for a second only where the store holds one). Jobs recorded by older versions are matched by their older
    /// fingerprint only where it still tells requests apart and the job went to the same base URI; jobs imported without
    /// any fingerprint by provider, name, prompt, model and base URI, with a warning.
    /// </summary>
    /// <remarks>Pipeline thread only.</remarks>
    public sealed class StoredJobs
    {
        private readonly JobJournal _store;
        private readonly HashSet<string> _taken = new HashSet<string>(StringComparer.Ordinal);
        private long _recordedUpTo;

        /// <summary>Reads <paramref name="store"/> up to the jobs recorded when the command started.</summary>
        /// <param name="store">The job store.</param>
        /// <param name="enabled">False (New-Video -Force): nothing is ever found.</param>
        /// <exception cref="VideoGenException">The store cannot be read; nothing will be found.</exception>
        public StoredJobs(JobJournal store, bool enabled)
        {
            _store = store ?? throw new ArgumentNullException(nameof(store));
            _recordedUpTo = -1;
            if (enabled)
            {
                _recordedUpTo = store.LastSequence();
            }
        }

        /// <summary>Whether look-ups are made (not -Force, and the store could be read).</summary>
        public bool Enabled => _recordedUpTo >= 0;

        /// <summary>No further look-ups (the store could not be read).</summary>
        public void Disable() => _recordedUpTo = -1;

        /// <summary>The recorded job for a request, taken for this row; null where none (or with look-ups off).</summary>
        /// <param name="request">What is sent: provider, base URI, fingerprint, and the fields the older matches use.</param>
        /// <param name="warning">Set where the match is by the older rules, saying so.</param>
        /// <exception cref="VideoGenException">The store cannot be read.</exception>
        public JournalEntry? Find(PaidRequest request, out string? warning)
        {
            if (request is null)
            {
                throw new ArgumentNullException(nameof(request));
            }
            warning = null;
            if (!Enabled)
            {
                return null;
            }
            var endpoint = EndpointScope.Normalize(request.Endpoint.BaseUri.AbsoluteUri);
            bool Free(JournalEntry e) => !_taken.Contains(e.Job.Id);
            bool SameEndpoint(JournalEntry e) => Free(e) && EndpointScope.Normalize(e.Job.BaseUri) == endpoint;
            var found = _store.FindByFingerprint(request.Provider, request.Name, request.Fingerprint, _recordedUpTo, Free);
            if (found is null && request.LegacyFingerprint != null)
            {
                found = _store.FindByFingerprint(request.Provider, request.Name, request.LegacyFingerprint, _recordedUpTo, SameEndpoint);
            }
            if (found is null && request.Model != null)
            {
                found = _store.FindUnfingerprinted(request.Provider, request.Name, request.Prompt, request.Model, _recordedUpTo, SameEndpoint);
                if (found != null)
                {
                    warning = request.Label + " matches task " + found.Job.Id + " (" + found.Job.Status + "), imported from an older journal that kept no request fingerprint, by provider, name, prompt, model and base URI only; " +
                        "emitting that job instead of paying again. -Force submits anew.";
                }
            }
            if (found != null)
            {
                _taken.Add(found.Job.Id);
            }
            return found;
        }
    }
}
