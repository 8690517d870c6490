using System;
using System.Collections.Generic;

namespace VideoGen.Core.Providers
{
    /// <summary>
    /// Provider status words to <see cref="VideoJobStatus"/>, case-insensitive. Sources: FastRouter OpenAPI
    /// (waiting|queued|processing|succeed|failed; Sora queued|in_progress|completed|failed), OpenRouter
    /// (pending|in_progress|completed|failed|cancelled|expired), AppleRouter/new-api (NOT_START|SUBMITTED|
    /// QUEUED|IN_PROGRESS|SUCCESS|FAILURE|UNKNOWN). Anything else is Running, never an exception.
    /// </summary>
    public static class StatusMap
    {
        private static readonly Dictionary<string, VideoJobStatus> Map = new Dictionary<string, VideoJobStatus>(StringComparer.OrdinalIgnoreCase)
        {
            ["waiting"] = VideoJobStatus.Queued,
            ["queued"] = VideoJobStatus.Queued,
            ["pending"] = VideoJobStatus.Queued,
            ["not_start"] = VideoJobStatus.Queued,
            ["submitted"] = VideoJobStatus.Queued,
            ["processing"] = VideoJobStatus.Running,
            ["in_progress"] = VideoJobStatus.Running,
            ["running"] = VideoJobStatus.Running,
            ["succeed"] = VideoJobStatus.Succeeded,
            ["succeeded"] = VideoJobStatus.Succeeded,
            ["success"] = VideoJobStatus.Succeeded,
            ["completed"] = VideoJobStatus.Succeeded,
            ["failed"] = VideoJobStatus.Failed,
            ["failure"] = VideoJobStatus.Failed,
            ["error"] = VideoJobStatus.Failed,
            ["cancelled"] = VideoJobStatus.Cancelled,
            ["canceled"] = VideoJobStatus.Cancelled,
            ["expired"] = VideoJobStatus.Expired,
        };

        /// <summary>The normalized status of a provider word; unknown or missing words are Running.</summary>
        public static VideoJobStatus Normalize(string? providerStatus) =>
            providerStatus != null && Map.TryGetValue(providerStatus.Trim(), out var status) ? status : VideoJobStatus.Running;
    }
}
