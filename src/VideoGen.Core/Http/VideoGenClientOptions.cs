using System;

namespace VideoGen.Core.Http
{
    /// <summary>Retry and timeout settings of <see cref="VideoGenClient"/>. Defaults suit real providers.</summary>
    public sealed class VideoGenClientOptions
    {
        /// <summary>Retries after the first attempt, for polls and downloads (408, 429, 5xx, network errors). Default 5.</summary>
        public int MaxRetries { get; set; } = 5;

        /// <summary>The median first backoff; it doubles each retry, with jitter. Default 1 s.</summary>
        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>The longest single wait between retries, also the cap on a provider's Retry-After. Default 60 s.</summary>
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>How long one attempt may take to return headers. Default 100 s.</summary>
        public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(100);

        /// <summary>How long one call may take across all its attempts. Default 10 minutes.</summary>
        public TimeSpan OverallTimeout { get; set; } = TimeSpan.FromMinutes(10);

        /// <summary>Connections per provider host in the one shared pool. Default 16.</summary>
        public int MaxConnectionsPerServer { get; set; } = 16;

        /// <summary>Redirects followed for GET requests (the key is dropped when one leaves the provider's host). Default 5.</summary>
        public int MaxRedirects { get; set; } = 5;
    }
}
