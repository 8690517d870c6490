using System.Runtime.CompilerServices;
using System.Security;
using VideoGen.Core;

namespace VideoGen.Commands
{
    /// <summary>
    /// The jobs VideoGen's cmdlets emitted in this process, each with the -ApiKey it was created or followed with (if any),
    /// kept in memory beside the job object and never in the object itself: nothing here is serialized, formatted,
    /// journaled or exported. A job piped on to the next cmdlet of the same session brings its key and its base URI
    /// along; the same job after Export-Csv/Import-Csv is a new object and brings neither.
    /// </summary>
    internal static class SessionJobs
    {
        private static readonly ConditionalWeakTable<VideoJob, Entry> Known = new ConditionalWeakTable<VideoJob, Entry>();
        private static readonly ConditionalWeakTable<VideoJob, object> Reported = new ConditionalWeakTable<VideoJob, object>();

        /// <summary>Marks a job whose failure or timeout was already written as an error, so the next cmdlet does not repeat it.</summary>
        public static void MarkReported(VideoJob job)
        {
            Reported.Remove(job);
            Reported.Add(job, new object());
        }

        /// <summary>Whether the pipeline object is a job whose failure or timeout an earlier cmdlet already reported.</summary>
        public static bool WasReported(object? pipelineObject) => pipelineObject is VideoJob job && Reported.TryGetValue(job, out _);

        /// <summary>Remembers a job VideoGen emits, with the key given for its provider (or null).</summary>
        public static void Remember(VideoJob job, SecureString? key)
        {
            Known.Remove(job);
            Known.Add(job, new Entry(job.Provider, job.BaseUri, key));
        }

        /// <summary>What VideoGen remembers of a pipeline object, when it is a job VideoGen emitted in this process.</summary>
        public static bool TryGet(object? pipelineObject, out VideoProvider provider, out string? baseUri, out SecureString? key)
        {
            if (pipelineObject is VideoJob job && Known.TryGetValue(job, out var entry))
            {
                provider = entry.Provider;
                baseUri = entry.BaseUri;
                key = entry.Key;
                return true;
            }
            provider = default;
            baseUri = null;
            key = null;
            return false;
        }

        private sealed class Entry
        {
            public Entry(VideoProvider provider, string? baseUri, SecureString? key)
            {
                Provider = provider;
                BaseUri = baseUri;
                Key = key;
            }

            public VideoProvider Provider { get; }
            public string? BaseUri { get; }
            public SecureString? Key { get; }
        }
    }
}
