using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using static VideoGen.Emulator.FaultGate;
using static VideoGen.Emulator.ProviderNames;

namespace VideoGen.Emulator;

/// <summary>The providers' names, as ports, jobs, faults and error shapes carry them.</summary>
internal static class ProviderNames
{
    /// <summary>FastRouter.</summary>
    internal const string Fast = "fastrouter";

    /// <summary>OpenRouter.</summary>
    internal const string Open = "openrouter";

    /// <summary>AppleRouter (and the OpenAI-style /v1/videos route it shares with OpenAICompatible gateways).</summary>
    internal const string Apple = "applerouter";

    /// <summary>fal's queue.</summary>
    internal const string Fal = "fal";

    /// <summary>The Authorization header a provider expects, before the key: fal's <c>Key </c> (docs/providers.md, fal), else <c>Bearer </c>.</summary>
    internal static string Scheme(string provider) => provider == Fal ? "Key " : "Bearer ";
}

/// <summary>
/// What the routes of several providers share: JSON answers (with a pass-through fault's delay or stall), each
/// provider's error shape, JSON bodies read and validated against <see cref="ProviderSchemas"/>, expired results, and
/// result file URLs.
/// </summary>
internal static class Answers
{
    /// <summary>Answers as providers write them: quotes and apostrophes in messages unescaped.</summary>
    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Each provider's error shape (docs/providers.md, Errors). Documented: FastRouter
    /// {error:{message,type,code,status}} (FastRouter's reference's UnauthorizedError/RateLimitError), OpenRouter
    /// {error:{code,message}} (OpenRouter's submit reference), fal {detail}. Inferred: AppleRouter
    /// {error:{message,type:"new_api_error"}}, the new-api gateway's shape (AppleRouter's pages document no error
    /// body).
    /// </summary>
    internal static Task Error(HttpContext ctx, string provider, int status, string message)
    {
        if (provider == Fal)
        {
            // fal's request errors (https://fal.ai/docs/documentation/model-apis/request-errors): {detail}, no error object.
            return Json(ctx, status, new JsonObject { ["detail"] = message });
        }
        var error = provider switch
        {
            Fast => new JsonObject { ["message"] = message, ["type"] = "error", ["code"] = status.ToString(CultureInfo.InvariantCulture), ["status"] = status },
            Open => new JsonObject { ["code"] = status, ["message"] = message },
            _ => new JsonObject { ["message"] = message, ["type"] = "new_api_error" },
        };
        return Json(ctx, status, new JsonObject { ["error"] = error });
    }

    internal static async Task Json(HttpContext ctx, int status, JsonNode body)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(body.ToJsonString(Readable));
        var fault = FaultFor(ctx);
        if (fault?.DelayMs is int delay)
        {
            await Task.Delay(delay, ctx.RequestAborted);
        }
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = bytes.Length;
        if (fault?.StallAfterBytes is long stall && stall < bytes.Length)
        {
            await ctx.Response.Body.WriteAsync(bytes.AsMemory(0, (int)Math.Max(0, stall)), ctx.RequestAborted);
            await Stall(ctx);
            return;
        }
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }

    /// <summary>Flushes what was written, then holds the connection open, sending nothing, until the client goes away.</summary>
    internal static async Task Stall(HttpContext ctx)
    {
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
        try
        {
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Reads a JSON route's body: Content-Type must be application/json (else 415: every provider document in
    /// docs/providers.md shows JSON bodies for these routes), and the body must parse (else 400). Null after an answer
    /// was written.
    /// </summary>
    internal static async Task<(bool Ok, JsonObject? Body)> ReadJson(HttpContext ctx, string provider)
    {
        var type = ctx.Request.ContentType;
        if (type is null || !type.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await Error(ctx, provider, 415, "Content-Type must be application/json, not '" + type + "'");
            return (false, null);
        }
        try
        {
            return (true, await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) as JsonObject);
        }
        catch (JsonException e)
        {
            await Error(ctx, provider, 400, "The body is not valid JSON: " + e.Message);
            return (false, null);
        }
    }

    /// <summary>Reads and validates a JSON body against a provider document's table (<see cref="ProviderSchemas"/>); null after a 400/415 was written.</summary>
    internal static async Task<JsonObject?> ReadValid(HttpContext ctx, EmulatorOptions options, string provider, IReadOnlyList<FieldRule> table, Func<JsonObject, string?>? more = null)
    {
        var (ok, body) = await ReadJson(ctx, provider);
        if (!ok)
        {
            return null;
        }
        var problem = ProviderSchemas.Validate(body, table, options.AcceptUnknownFields) ?? more?.Invoke(body!);
        if (problem != null)
        {
            await Error(ctx, provider, 400, "Invalid request parameters: " + problem);
            return null;
        }
        return body;
    }

    /// <summary>Whether a finished job's result has outlived <see cref="EmulatorOptions.ResultTtl"/>.</summary>
    internal static bool Expired(EmulatorOptions options, EmulatedJob job) =>
        options.ResultTtl is TimeSpan ttl && DateTimeOffset.UtcNow > job.CreatedAt + job.Duration + ttl;

    /// <summary>The 404 for an expired result: the provider's error shape (documented by FastRouter's reference as "expired result", docs/providers.md, Errors), or an empty or HTML body (inferred: what a proxy in front answers).</summary>
    internal static Task ExpiredAnswer(HttpContext ctx, EmulatorOptions options, string provider)
    {
        switch (options.ExpiredAnswer.ToLowerInvariant())
        {
            case "empty":
                ctx.Response.StatusCode = 404;
                ctx.Response.ContentLength = 0;
                return Task.CompletedTask;
            case "html":
                ctx.Response.StatusCode = 404;
                ctx.Response.ContentType = "text/html";
                return ctx.Response.WriteAsync("<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>");
            default:
                return Error(ctx, provider, 404, "Invalid taskId or expired result");
        }
    }

    internal static string? Str(JsonObject body, string name) =>
        body.TryGetPropertyValue(name, out var v) && v is JsonValue value && value.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;

    internal static string FileUrl(HttpContext ctx, EmulatorOptions options, string id)
    {
        var host = options.FileHost is null ? ctx.Request.Host.ToString() : options.FileHost + ":" + ctx.Request.Host.Port;
        return ctx.Request.Scheme + "://" + host + "/files/" + id + ".mp4";
    }

    internal static long Unix(DateTimeOffset t) => t.ToUnixTimeSeconds();

    /// <summary>A route the server does not have: 404 with no provider error document, as a plain web server answers.</summary>
    internal static Task NotFoundRoute(HttpContext ctx)
    {
        ctx.Response.StatusCode = 404;
        ctx.Response.ContentType = "text/plain";
        return ctx.Response.WriteAsync("Cannot " + ctx.Request.Method + " " + ctx.Request.Path);
    }
}
