using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;

namespace VideoGen.Emulator;

/// <summary>A job the emulator holds.</summary>
public sealed class EmulatedJob
{
    internal EmulatedJob(string id, string provider, string model, string prompt, DateTimeOffset createdAt, TimeSpan duration, bool fail)
    {
        Id = id;
        Provider = provider;
        Model = model;
        Prompt = prompt;
        CreatedAt = createdAt;
        Duration = duration;
        Fail = fail;
    }

    /// <summary>The task id.</summary>
    public string Id { get; }
    /// <summary>fastrouter, openrouter or applerouter.</summary>
    public string Provider { get; }
    /// <summary>The model submitted.</summary>
    public string Model { get; }
    /// <summary>The prompt submitted.</summary>
    public string Prompt { get; }
    /// <summary>When it was submitted.</summary>
    public DateTimeOffset CreatedAt { get; }
    /// <summary>How long it runs.</summary>
    public TimeSpan Duration { get; }
    /// <summary>Whether it ends failed.</summary>
    public bool Fail { get; }
    /// <summary>Whether it came through the OpenAI-style multipart /v1/videos route.</summary>
    public bool VideosRoute { get; internal set; }
    /// <summary>The seconds field as sent (OpenAI-style route).</summary>
    public string? Seconds { get; internal set; }
    /// <summary>The size field as sent (OpenAI-style route).</summary>
    public string? Size { get; internal set; }
    /// <summary>The uploaded input_reference: file name and length, where one came.</summary>
    public (string Name, long Length, string? MediaType)? Upload { get; internal set; }
    /// <summary>How a failed job ends on OpenRouter: failed, or (prompt markers [cancel], [expire]) cancelled or expired.</summary>
    public string EndStatus { get; internal set; } = "failed";
    /// <summary>The JSON body of the submission, as received (for assertions on the wire format).</summary>
    public string? SubmittedBody { get; internal set; }
    /// <summary>The id of the video this one remixes (OpenAI-style remix), or null.</summary>
    public string? RemixedFrom { get; internal set; }
    /// <summary>Whether DELETE /v1/videos/{id} removed it: it is then unknown to every route (404).</summary>
    public bool Deleted { get; internal set; }
    /// <summary>fal's <c>?fal_webhook=</c> URL as sent with the submission, or null.</summary>
    public string? Webhook { get; internal set; }

    private int _polls;
    private int _downloads;
    private int _results;
    private int _rateLimited;
    private long _seenDoneTicks;

    /// <summary>Polls received for this job (those answered 429 by the rate limit not included: see <see cref="RateLimited"/>).</summary>
    public int Polls => Volatile.Read(ref _polls);
    /// <summary>Download requests received for this job.</summary>
    public int Downloads => Volatile.Read(ref _downloads);
    /// <summary>Result requests answered for this job (fal's response_url once COMPLETED).</summary>
    public int Results => Volatile.Read(ref _results);
    /// <summary>Requests naming this job (polls, downloads) that the rate limit answered 429.</summary>
    public int RateLimited => Volatile.Read(ref _rateLimited);
    /// <summary>When it ends (succeeds or fails): <see cref="CreatedAt"/> + <see cref="Duration"/>.</summary>
    public DateTimeOffset EndsAt => CreatedAt + Duration;
    /// <summary>When a poll first answered it as finished or failed ("seen done"), server clock; null until then.</summary>
    public DateTimeOffset? SeenDoneAt => Volatile.Read(ref _seenDoneTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    internal int CountPoll() => Interlocked.Increment(ref _polls);
    internal int CountDownload() => Interlocked.Increment(ref _downloads);
    internal int CountResult() => Interlocked.Increment(ref _results);
    internal void CountRateLimited() => Interlocked.Increment(ref _rateLimited);

    /// <summary>The phase a poll answers at <paramref name="now"/>; the first terminal one is kept as <see cref="SeenDoneAt"/>.</summary>
    internal (string Phase, int Progress) PolledAt(DateTimeOffset now)
    {
        var answer = PhaseAt(now);
        if (answer.Phase is "succeeded" or "failed")
        {
            Interlocked.CompareExchange(ref _seenDoneTicks, now.UtcTicks, 0);
        }
        return answer;
    }

    /// <summary>The lifecycle: queued for the first fifth, then running, then succeeded or failed.</summary>
    public (string Phase, int Progress) PhaseAt(DateTimeOffset now)
    {
        var elapsed = now - CreatedAt;
        if (elapsed >= Duration)
        {
            return (Fail ? "failed" : "succeeded", 100);
        }
        var progress = Duration <= TimeSpan.Zero ? 100 : (int)(100 * elapsed.TotalMilliseconds / Duration.TotalMilliseconds);
        return (elapsed.TotalMilliseconds < Duration.TotalMilliseconds / 5 ? "queued" : "running", Math.Clamp(progress, 0, 99));
    }
}

/// <summary>Everything the emulator saw: jobs, submissions, faults. Tests read it in-process; /_emulator/stats serves it.</summary>
public sealed class EmulatorState
{
    private readonly ConcurrentDictionary<string, EmulatedJob> _jobs = new();
    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly ConcurrentQueue<string> _prompts = new();
    private long _sequence;
    private int _submissions;
    private int _unauthorized;

    /// <summary>The jobs by id.</summary>
    public IReadOnlyDictionary<string, EmulatedJob> Jobs => _jobs;
    /// <summary>Submission requests that created a job.</summary>
    public int Submissions => Volatile.Read(ref _submissions);

    private int _paidInFlight;
    private int _maxPaidInFlight;

    /// <summary>The most paid requests (submissions and remixes, any provider) being answered at once so far: what -ThrottleLimit bounds.</summary>
    public int MaxPaidInFlight => Volatile.Read(ref _maxPaidInFlight);

    /// <summary>A paid request arrived (before its key and faults are checked).</summary>
    public void EnterPaid()
    {
        var now = Interlocked.Increment(ref _paidInFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxPaidInFlight)) && Interlocked.CompareExchange(ref _maxPaidInFlight, now, seen) != seen)
        {
        }
    }

    /// <summary>A paid request was answered.</summary>
    public void ExitPaid() => Interlocked.Decrement(ref _paidInFlight);
    /// <summary>Requests refused for a missing or wrong key.</summary>
    public int Unauthorized => Volatile.Read(ref _unauthorized);
    /// <summary>Every prompt that created a job, in order.</summary>
    public IReadOnlyList<string> Prompts => _prompts.ToArray();
    /// <summary>Poll requests over all jobs.</summary>
    public int TotalPolls => _jobs.Values.Sum(j => j.Polls);
    /// <summary>Requests that reached a provider route (any provider, any route, before the key is checked).</summary>
    public int Requests => Volatile.Read(ref _requests);
    /// <summary>DELETE /v1/videos/{id} requests that deleted a video.</summary>
    public int Deletes => Volatile.Read(ref _deletes);
    /// <summary>POST /v1/videos/{id}/remix requests that created a video.</summary>
    public int Remixes => Volatile.Read(ref _remixes);

    private int _requests;
    private int _deletes;
    private int _remixes;

    /// <summary>Requests the rate limit (<see cref="EmulatorOptions.RateLimitPerSecond"/>) answered 429.</summary>
    public int RateLimited => Volatile.Read(ref _rateLimited);

    private int _rateLimited;
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>One key's token bucket: the rate it was made for, the tokens left and when they were counted.</summary>
    private sealed class Bucket
    {
        public double Rate;
        public double Tokens;
        public long At;
    }

    /// <summary>
    /// Takes a token from <paramref name="key"/>'s bucket (<paramref name="perSecond"/> a second, burst the same, at least 1);
    /// false, with the time until the next token, when there is none. A bucket whose rate changed starts full again.
    /// </summary>
    internal bool TryTakeToken(string key, double perSecond, out TimeSpan wait)
    {
        var bucket = _buckets.GetOrAdd(key, _ => new Bucket());
        lock (bucket)
        {
            var now = Stopwatch.GetTimestamp();
            var burst = Math.Max(1, perSecond);
            bucket.Tokens = bucket.Rate == perSecond ? Math.Min(burst, bucket.Tokens + Stopwatch.GetElapsedTime(bucket.At, now).TotalSeconds * perSecond) : burst;
            bucket.Rate = perSecond;
            bucket.At = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                wait = TimeSpan.Zero;
                return true;
            }
            wait = TimeSpan.FromSeconds((1 - bucket.Tokens) / perSecond);
            return false;
        }
    }

    /// <summary>A request was answered 429 by the rate limit; <paramref name="id"/> is the job it named, if any.</summary>
    internal void CountRateLimited(string? id)
    {
        Interlocked.Increment(ref _rateLimited);
        if (id != null && _jobs.TryGetValue(id, out var job))
        {
            job.CountRateLimited();
        }
    }

    internal void CountRequest() => Interlocked.Increment(ref _requests);
    internal void CountDelete() => Interlocked.Increment(ref _deletes);
    internal void CountRemix() => Interlocked.Increment(ref _remixes);

    /// <summary>Queues a fault.</summary>
    public void AddFault(Fault fault)
    {
        fault.Remaining = fault.Count;
        _faults.Enqueue(fault);
    }

    /// <summary>Removes every queued fault.</summary>
    public void ClearFaults() => _faults.Clear();

    internal Fault? TakeFault(string route, string provider)
    {
        foreach (var fault in _faults)
        {
            if ((fault.Route == "*" || string.Equals(fault.Route, route, StringComparison.OrdinalIgnoreCase)) &&
                (fault.Provider is null || string.Equals(fault.Provider, provider, StringComparison.OrdinalIgnoreCase)) &&
                Interlocked.Decrement(ref fault.Remaining) >= 0)
            {
                return fault;
            }
        }
        return null;
    }

    internal EmulatedJob Create(string provider, string model, string prompt, EmulatorOptions options, string prefix)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        var id = prefix + sequence.ToString("x6", System.Globalization.CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N")[..6];
        var slow = prompt.Contains(options.SlowMarker, StringComparison.OrdinalIgnoreCase);
        var end = prompt.Contains("[cancel]", StringComparison.OrdinalIgnoreCase) ? "cancelled"
            : prompt.Contains("[expire]", StringComparison.OrdinalIgnoreCase) ? "expired" : "failed";
        var job = new EmulatedJob(id, provider, model, prompt, DateTimeOffset.UtcNow, slow ? options.SlowJobDuration : DurationOf(sequence, options),
            end != "failed" || prompt.Contains(options.FailMarker, StringComparison.OrdinalIgnoreCase))
        { EndStatus = end };
        _jobs[id] = job;
        _prompts.Enqueue(prompt);
        Interlocked.Increment(ref _submissions);
        return job;
    }

    /// <summary>
    /// A job's duration: <see cref="EmulatorOptions.JobDuration"/>, or with both ends of the range set, a uniform draw
    /// between them taken from the job's sequence number (SplitMix64), so the n-th job of a run always gets the same one.
    /// </summary>
    private static TimeSpan DurationOf(long sequence, EmulatorOptions options)
    {
        if (options.JobDurationMin is not TimeSpan min || options.JobDurationMax is not TimeSpan max)
        {
            return options.JobDuration;
        }
        var z = unchecked((ulong)sequence * 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        var unit = ((z ^ (z >> 31)) >> 11) * (1.0 / (1UL << 53));
        return min + (max - min) * unit;
    }

    private readonly ConcurrentQueue<(string Host, bool WithKey)> _fileRequests = new();

    /// <summary>Every request for a result file (/files/...): the host name it was addressed to and whether it carried an Authorization header.</summary>
    public IReadOnlyList<(string Host, bool WithKey)> FileRequests => _fileRequests.ToArray();

    internal void RecordFileRequest(string host, bool withKey) => _fileRequests.Enqueue((host, withKey));

    internal void CountUnauthorized() => Interlocked.Increment(ref _unauthorized);
}
