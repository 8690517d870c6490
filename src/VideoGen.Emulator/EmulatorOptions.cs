using System;

namespace VideoGen.Emulator;

/// <summary>How the emulator behaves. Every switch can also be changed while it runs: POST /_emulator/config.</summary>
public sealed class EmulatorOptions
{
    /// <summary>The bearer key every provider route requires.</summary>
    public string ApiKey { get; set; } = "emulator-key";

    /// <summary>How long after submission a job finishes (unless <see cref="JobDurationMin"/> and <see cref="JobDurationMax"/> spread it).</summary>
    public TimeSpan JobDuration { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// With <see cref="JobDurationMax"/> (config <c>jobSecondsMin</c>/<c>jobSecondsMax</c>): each new job's duration is
    /// drawn uniformly between the two instead of <see cref="JobDuration"/>, from the job's sequence number alone, so the
    /// n-th job of an emulator always gets the same draw (runs are reproducible). <see cref="SlowMarker"/> still wins.
    /// </summary>
    public TimeSpan? JobDurationMin { get; set; }

    /// <summary>The other end of the range of <see cref="JobDurationMin"/>.</summary>
    public TimeSpan? JobDurationMax { get; set; }

    /// <summary>
    /// Config <c>rateLimitPerSecond</c>: a token bucket per API key (the whole Authorization value) of this many requests a
    /// second, burst the same (at least 1), over every provider route that checks the key (not /files, not /_emulator).
    /// Beyond it: 429 with Retry-After and X-RateLimit-* headers. Null (or 0): no limit.
    /// </summary>
    public double? RateLimitPerSecond { get; set; }

    /// <summary>The size of each served video in bytes; null serves the small sample as it is. Larger files are the sample plus an MP4 'free' box, still playable.</summary>
    public long? FileSize { get; set; }

    /// <summary>A prompt containing this text makes its job fail.</summary>
    public string FailMarker { get; set; } = "[fail]";

    /// <summary>A prompt containing this text makes its job take <see cref="SlowJobDuration"/>.</summary>
    public string SlowMarker { get; set; } = "[slow]";

    /// <summary>How long a job with <see cref="SlowMarker"/> in its prompt takes.</summary>
    public TimeSpan SlowJobDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>FastRouter answers finished polls of every model with the MP4 bytes (Sora models always do).</summary>
    public bool FastRouterAnswersBytes { get; set; }

    /// <summary>AppleRouter answers polls in the flat shape {task_id, status, progress, result_url} instead of the new-api wrapper.</summary>
    public bool AppleRouterFlat { get; set; }

    /// <summary>Downloads honour Range requests (206).</summary>
    public bool AcceptRanges { get; set; } = true;

    /// <summary>When set, the first download of each job breaks off after this many bytes (to test resuming).</summary>
    public long? CutDownloadsAt { get; set; }

    /// <summary>FastRouter answers its current poll route with a plain 404, as a server that only has the older /api/v1/getVideoResponse.</summary>
    public bool FastRouterLegacyPollOnly { get; set; }

    /// <summary>The openai-poll-after-ms header sent on OpenAI-style retrieve answers, or null for none.</summary>
    public int? OpenAIPollAfterMs { get; set; }

    /// <summary>The host name put in result URLs (FastRouter url, AppleRouter result_url); null uses the request's host. "localhost" makes them another host than 127.0.0.1.</summary>
    public string? FileHost { get; set; }

    /// <summary>Accept fields the provider's document does not list (default: refuse them with 400, as a strict provider does; real gateways vary).</summary>
    public bool AcceptUnknownFields { get; set; }

    /// <summary>
    /// FastRouter answers a finished Sora poll with its documented JSON (FastRouter's reference, docs/providers.md:
    /// <c>{id, status:"completed", progress:100, completed_at, model, seconds, size, usage}</c>) instead of the MP4
    /// bytes (the inferred default). Where that shape's video is then downloaded from is not documented: the emulator
    /// answers the same JSON again.
    /// </summary>
    public bool FastRouterSoraJson { get; set; }

    /// <summary>The status FastRouter's submit answer carries (FastRouter's reference, docs/providers.md: waiting|queued|processing, Sora queued|in_progress|completed); null: waiting, Sora queued.</summary>
    public string? FastRouterSubmitStatus { get; set; }

    /// <summary>The model FastRouter's submit answer names instead of the one sent (polls must still carry the submitted model).</summary>
    public string? FastRouterAnswerModel { get; set; }

    /// <summary>AppleRouter's status while a job is queued (new-api, inferred: NOT_START, SUBMITTED, QUEUED, UNKNOWN); default QUEUED.</summary>
    public string AppleRouterQueuedStatus { get; set; } = "QUEUED";

    /// <summary>How long a finished job's result lives; after it, polls and downloads answer 404 (FastRouter's reference, docs/providers.md: "expired result"). Null: forever.</summary>
    public TimeSpan? ResultTtl { get; set; }

    /// <summary>The body of the 404 for an expired result: json (the provider's error shape), empty, or html.</summary>
    public string ExpiredAnswer { get; set; } = "json";

    /// <summary>Result files (/files/...) need the provider key, as a provider that serves them from its own host does; by default they are signed-URL-like and need none (a wrong key is still refused).</summary>
    public bool FilesRequireKey { get; set; }

    /// <summary>OpenRouter <c>GET /api/v1/key</c>: the credit left on the key (<c>limit_remaining</c>); null for a key without a limit.</summary>
    public decimal? KeyLimitRemaining { get; set; }
}
