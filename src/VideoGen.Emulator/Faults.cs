namespace VideoGen.Emulator;

/// <summary>
/// A fault to inject: the next <see cref="Count"/> requests to a route (and provider) answer it. Queue one with
/// <c>POST /_emulator/faults</c> (JSON below, property names case-insensitive), clear all with
/// <c>DELETE /_emulator/faults</c>; in process, <see cref="EmulatorState.AddFault"/>.
/// <para>The switches (each used by at least one test through the client in tests/VideoGen.Core.Tests/EmulatorFaultTests.cs;
/// acceptUnknownFields and the validation tables in EmulatorValidationTests.cs):</para>
/// <list type="bullet">
/// <item><c>{"route":"poll","status":500}</c>: an error answer in the right provider's documented error shape
/// (FastRouter <c>{error:{message,type,code,status}}</c>, OpenRouter <c>{error:{code,message}}</c>, AppleRouter
/// <c>{error:{message,type:"new_api_error"}}</c> — the last is the new-api gateway's shape, inferred).
/// <c>"message"</c> replaces the text.</item>
/// <item><c>{"route":"submit","status":429,"retryAfterSeconds":2}</c>: Retry-After in seconds.</item>
/// <item><c>{"route":"submit","status":429,"retryAfterSeconds":2,"retryAfterDate":true}</c>: the same delay as an
/// HTTP date (RFC 9110 IMF-fixdate).</item>
/// <item><c>{"route":"poll","status":404,"body":"","contentType":"text/plain"}</c>: a 404 with an empty body;
/// <c>{"route":"poll","status":404,"body":"&lt;html&gt;...","contentType":"text/html"}</c>: an HTML page (a proxy's answer
/// for an expired task).</item>
/// <item><c>{"route":"download","status":200,"stallAfterBytes":1000}</c>: the answer starts normally with its full
/// Content-Length, sends that many bytes, then stalls with the connection open until the client gives up. Works on
/// JSON answers too (e.g. <c>"route":"poll"</c>: half a JSON document, then nothing).</item>
/// <item><c>{"route":"download","redirectToHost":"localhost"}</c>: 302 to the same path and port on another host name
/// (<c>"status"</c> 301/303/307/308 chooses the code), so a client must drop the key when it follows.</item>
/// <item><c>{"route":"submit","status":200,"delayMs":3000}</c>: a slow answer: the job is created at once, the answer
/// waits (so after an attempt timeout "a job may exist"). With an error status the delay comes before the error.</item>
/// <item><c>"provider"</c> (fastrouter|openrouter|applerouter; result files are provider "files") narrows any fault;
/// <c>"count"</c> repeats it.</item>
/// </list>
/// <para>Answer shapes and lifecycle, by <c>POST /_emulator/config</c> (see <see cref="EmulatorOptions"/>):
/// <c>{"fastRouterSoraJson":true}</c>, <c>{"fastRouterSubmitStatus":"processing"}</c>,
/// <c>{"fastRouterAnswerModel":"google/veo3"}</c>, <c>{"appleRouterQueuedStatus":"NOT_START"}</c>,
/// <c>{"resultTtlSeconds":1,"expiredAnswer":"html"}</c>, <c>{"acceptUnknownFields":true}</c>,
/// <c>{"filesRequireKey":true}</c>, <c>{"jobSecondsMin":40.5,"jobSecondsMax":49.5}</c> (job times spread evenly),
/// <c>{"rateLimitPerSecond":10}</c> (429 with Retry-After beyond 10 requests a second per key); and prompt markers <c>[fail]</c>, <c>[slow]</c>, <c>[cancel]</c> and
/// <c>[expire]</c> (OpenRouter's cancelled and expired; the other providers answer them as failed).</para>
/// </summary>
public sealed class Fault
{
    /// <summary>submit, poll, download, models, or * for any provider route.</summary>
    public string Route { get; set; } = "*";
    /// <summary>fastrouter, openrouter, applerouter, files, or null for any.</summary>
    public string? Provider { get; set; }
    /// <summary>The HTTP status to answer; 200 without a <see cref="Body"/> answers normally, applying only <see cref="DelayMs"/> and <see cref="StallAfterBytes"/>.</summary>
    public int Status { get; set; } = 500;
    /// <summary>How many requests it hits.</summary>
    public int Count { get; set; } = 1;
    /// <summary>A Retry-After header in seconds, or null.</summary>
    public int? RetryAfterSeconds { get; set; }
    /// <summary>Sends <see cref="RetryAfterSeconds"/> as an HTTP date (now plus that many seconds) instead of a number.</summary>
    public bool RetryAfterDate { get; set; }
    /// <summary>A body to send as it is (e.g. empty, truncated JSON or an HTML page); null sends the provider's error shape.</summary>
    public string? Body { get; set; }
    /// <summary>The Content-Type of <see cref="Body"/>.</summary>
    public string ContentType { get; set; } = "application/json";
    /// <summary>The message in the provider's error shape, when <see cref="Body"/> is null.</summary>
    public string? Message { get; set; }
    /// <summary>Milliseconds to wait before answering (a submission creates its job first).</summary>
    public int? DelayMs { get; set; }
    /// <summary>With status 200: send this many bytes of the answer, then stall with the connection open.</summary>
    public long? StallAfterBytes { get; set; }
    /// <summary>Answers a redirect (302 unless <see cref="Status"/> is another 3xx) to the same path on this host name.</summary>
    public string? RedirectToHost { get; set; }

    internal int Remaining;

    /// <summary>Whether the route's own handler answers (slowed or stalled) rather than the fault.</summary>
    internal bool PassesThrough => Status is 200 or 0 && Body is null && RedirectToHost is null;
}
