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

        /// <summary>
        /// How long any response body (a poll or submit answer, a download, an input image) may go without a byte
        /// before the read fails; a download then resumes with a Range request, a poll is retried. Default 30 s;
        /// zero or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> turns it off.
        /// </summary>
        public TimeSpan BodyInactivityTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>
        /// How long reading a whole JSON answer (submit, poll, error, model list; at most 4 MiB) may take, however
        /// slowly its bytes arrive. Default 60 s; zero or infinite turns it off.
        /// </summary>
        public TimeSpan JsonAnswerTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>
        /// The most requests a second this client sends to one provider host (scheme, host, port), polls, submissions and
        /// downloads together (<see cref="RequestBudget"/>); 429s lower the rate in force below it. Default 50, a guard no
        /// provider documents: they answer 429 instead, and the budget learns from that. At least 0.2.
        /// </summary>
        public double MaxRequestsPerSecond { get; set; } = 50;

        /// <summary>The environment variable that sets <see cref="MaxRequestsPerSecond"/> for the cmdlets' shared client.</summary>
        public const string MaxRequestsVariable = "VIDEOGEN_MAX_REQUESTS_PER_SEC";

        /// <summary>The environment variable that sets <see cref="BodyInactivityTimeout"/> in seconds for the cmdlets' shared client.</summary>
        public const string BodyInactivityVariable = "VIDEOGEN_BODY_INACTIVITY_SEC";

        /// <summary>The environment variable that sets <see cref="JsonAnswerTimeout"/> in seconds for the cmdlets' shared client.</summary>
        public const string JsonAnswerVariable = "VIDEOGEN_JSON_ANSWER_SEC";

        /// <summary>
        /// The defaults, with <c>$env:VIDEOGEN_BODY_INACTIVITY_SEC</c> and <c>$env:VIDEOGEN_JSON_ANSWER_SEC</c> applied where set
        /// to a positive number of seconds, and <c>$env:VIDEOGEN_MAX_REQUESTS_PER_SEC</c> where set to a number of at least 0.2 (read once, when a session's first cmdlet creates the shared client). Other
        /// values are ignored.
        /// </summary>
        public static VideoGenClientOptions FromEnvironment(Func<string, string?> getEnvironment)
        {
            if (getEnvironment is null)
            {
                throw new ArgumentNullException(nameof(getEnvironment));
            }
            var options = new VideoGenClientOptions();
            if (Seconds(getEnvironment(BodyInactivityVariable)) is TimeSpan inactivity)
            {
                options.BodyInactivityTimeout = inactivity;
            }
            if (Seconds(getEnvironment(JsonAnswerVariable)) is TimeSpan json)
            {
                options.JsonAnswerTimeout = json;
            }
            if (RequestBudget.ParseCeiling(getEnvironment(MaxRequestsVariable)) is double ceiling)
            {
                options.MaxRequestsPerSecond = ceiling;
            }
            return options;
        }

        private static TimeSpan? Seconds(string? text) =>
            double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0 && s < 86400
                ? TimeSpan.FromSeconds(s) : (TimeSpan?)null;

        /// <summary>
        /// After FastRouter's poll route proved missing on a base URI (a non-JSON 404 while the older route answered for
        /// the same task), how long polls use the older route before the documented one is tried again. Default 10 minutes.
        /// </summary>
        public TimeSpan PollRouteRecheck { get; set; } = TimeSpan.FromMinutes(10);

        /// <summary>
        /// The proxy <see cref="VideoGenClient.CreateDefault"/> uses, or null (the default) for the system's: on .NET, HTTP_PROXY,
        /// HTTPS_PROXY, ALL_PROXY and NO_PROXY; on Windows PowerShell 5.1, Internet Options. Whichever it is,
        /// <see cref="EndpointScope"/> keeps loopback off it and never lets a key through it outside TLS.
        /// </summary>
        public System.Net.IWebProxy? Proxy { get; set; }

        /// <summary>Redirects followed for GET requests (the key is dropped when one leaves the provider's host). Default 5.</summary>
        public int MaxRedirects { get; set; } = 5;
    }
}
