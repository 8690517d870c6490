using System;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using static VideoGen.Emulator.Answers;

namespace VideoGen.Emulator;

/// <summary>The control routes (/_emulator/...): queue and clear faults, change settings, read the counters.</summary>
internal static class ControlRoutes
{
    /// <summary>A fault's JSON: property names case-insensitive.</summary>
    internal static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };

    /// <summary>POST /_emulator/faults: queues a <see cref="Fault"/>.</summary>
    internal static async Task AddFault(HttpContext ctx, EmulatorState state)
    {
        var fault = await JsonSerializer.DeserializeAsync<Fault>(ctx.Request.Body, JsonOptions) ?? new Fault();
        state.AddFault(fault);
        ctx.Response.StatusCode = 204;
    }

    /// <summary>DELETE /_emulator/faults: clears every queued fault.</summary>
    internal static Task ClearFaults(HttpContext ctx, EmulatorState state)
    {
        state.ClearFaults();
        ctx.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    /// <summary>POST /_emulator/config: changes settings (<see cref="EmulatorOptions"/>; names case-insensitive, an unknown one is refused).</summary>
    internal static async Task Config(HttpContext ctx, EmulatorOptions options)
    {
        var node = await JsonNode.ParseAsync(ctx.Request.Body) as JsonObject ?? new JsonObject();
        ApplyConfig(options, node);
        ctx.Response.StatusCode = 204;
    }

    /// <summary>
    /// GET /_emulator/stats: counts (requests = every provider-route request but /files; rateLimited = 429s of the rate
    /// limit), the server clock (nowMs), and per job its polls (429s not included), rateLimited, downloads and times as
    /// Unix ms: submittedAtMs, endsAtMs (when it becomes terminal) and seenDoneAtMs (the first poll answering it
    /// terminal, or null).
    /// </summary>
    internal static Task Stats(HttpContext ctx, EmulatorState state) => Json(ctx, 200, new JsonObject
    {
        ["submissions"] = state.Submissions,
        ["remixes"] = state.Remixes,
        ["maxPaidInFlight"] = state.MaxPaidInFlight,
        ["deletes"] = state.Deletes,
        ["unauthorized"] = state.Unauthorized,
        ["totalPolls"] = state.TotalPolls,
        ["requests"] = state.Requests,
        ["rateLimited"] = state.RateLimited,
        ["nowMs"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        ["prompts"] = new JsonArray(state.Prompts.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
        ["jobs"] = new JsonArray(state.Jobs.Values.OrderBy(j => j.CreatedAt).Select(j => (JsonNode?)new JsonObject
        {
            ["id"] = j.Id, ["provider"] = j.Provider, ["model"] = j.Model, ["prompt"] = j.Prompt,
            ["polls"] = j.Polls, ["rateLimited"] = j.RateLimited, ["downloads"] = j.Downloads,
            ["submittedAtMs"] = j.CreatedAt.ToUnixTimeMilliseconds(), ["endsAtMs"] = j.EndsAt.ToUnixTimeMilliseconds(),
            ["seenDoneAtMs"] = j.SeenDoneAt?.ToUnixTimeMilliseconds(),
        }).ToArray()),
    });

    private static void ApplyConfig(EmulatorOptions options, JsonObject node)
    {
        foreach (var (key, value) in node)
        {
            switch (key.ToLowerInvariant())
            {
                case "jobseconds": options.JobDuration = TimeSpan.FromSeconds(value!.GetValue<double>()); break;
                case "jobsecondsmin": options.JobDurationMin = Seconds(value); break;
                case "jobsecondsmax": options.JobDurationMax = Seconds(value); break;
                case "ratelimitpersecond": options.RateLimitPerSecond = value?.GetValue<double>(); break;
                case "slowjobseconds": options.SlowJobDuration = TimeSpan.FromSeconds(value!.GetValue<double>()); break;
                case "filesize": options.FileSize = value?.GetValue<long>(); break;
                case "fastrouteranswersbytes": options.FastRouterAnswersBytes = value!.GetValue<bool>(); break;
                case "applerouterflat": options.AppleRouterFlat = value!.GetValue<bool>(); break;
                case "acceptranges": options.AcceptRanges = value!.GetValue<bool>(); break;
                case "cutdownloadsat": options.CutDownloadsAt = value?.GetValue<long>(); break;
                case "filehost": options.FileHost = value?.GetValue<string>(); break;
                case "keylimitremaining": options.KeyLimitRemaining = value?.GetValue<decimal>(); break;
                case "fastrouterlegacypollonly": options.FastRouterLegacyPollOnly = value!.GetValue<bool>(); break;
                case "openaipollafterms": options.OpenAIPollAfterMs = value?.GetValue<int>(); break;
                case "acceptunknownfields": options.AcceptUnknownFields = value!.GetValue<bool>(); break;
                case "fastroutersorajson": options.FastRouterSoraJson = value!.GetValue<bool>(); break;
                case "fastroutersubmitstatus": options.FastRouterSubmitStatus = value?.GetValue<string>(); break;
                case "fastrouteranswermodel": options.FastRouterAnswerModel = value?.GetValue<string>(); break;
                case "applerouterqueuedstatus": options.AppleRouterQueuedStatus = value?.GetValue<string>() ?? "QUEUED"; break;
                case "resultttlseconds": options.ResultTtl = Seconds(value); break;
                case "expiredanswer": options.ExpiredAnswer = value?.GetValue<string>() ?? "json"; break;
                case "filesrequirekey": options.FilesRequireKey = value!.GetValue<bool>(); break;
                default: throw new BadHttpRequestException("Unknown setting " + key);
            }
        }
    }

    private static TimeSpan? Seconds(JsonNode? value) => value is null ? null : TimeSpan.FromSeconds(value.GetValue<double>());
}
