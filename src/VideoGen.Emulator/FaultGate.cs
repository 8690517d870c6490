using System;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using static VideoGen.Emulator.Answers;
using static VideoGen.Emulator.ProviderNames;

namespace VideoGen.Emulator;

/// <summary>
/// The gate every provider route passes, in order: the route must belong to the port's provider (else 404), the key
/// must match (else 401), the per-key rate limit (else 429), then a queued fault is answered instead of the route or,
/// for a pass-through fault (delay, stall), handed to the route. Paid requests (submissions and remixes) are counted
/// while they are answered, for the high-water mark of paid requests in flight.
/// </summary>
internal static class FaultGate
{
    /// <summary>The provider a request's port serves ("fastrouter", "openrouter", "applerouter").</summary>
    public const string ProviderItem = "VideoGen.Emulator.Provider";

    /// <summary>The pass-through fault (delay, stall) of this request, if any.</summary>
    internal const string FaultItem = "VideoGen.Emulator.Fault";

    /// <summary>The provider of the port the request came in on (<see cref="ProviderItem"/>), or null.</summary>
    internal static string? PortProvider(HttpContext ctx) => ctx.Items.TryGetValue(ProviderItem, out var p) ? p as string : null;

    /// <summary>Checks the route belongs to the port's provider, then the key, then the rate limit, then applies a queued fault, then runs the route.</summary>
    internal static Task Guarded(HttpContext ctx, EmulatorOptions options, EmulatorState state, string provider, string route, Func<Task> handler)
    {
        if (route is not ("submit" or "remix"))
        {
            return Checked(ctx, options, state, provider, route, handler);
        }
        // A paid request (a submission or a remix): counted while it is answered, for the high-water mark of paid requests at once.
        state.EnterPaid();
        return ExitPaidWhenDone(Checked(ctx, options, state, provider, route, handler), state);
    }

    private static async Task ExitPaidWhenDone(Task answer, EmulatorState state)
    {
        try
        {
            await answer.ConfigureAwait(false);
        }
        finally
        {
            state.ExitPaid();
        }
    }

    private static Task Checked(HttpContext ctx, EmulatorOptions options, EmulatorState state, string provider, string route, Func<Task> handler)
    {
        state.CountRequest();
        if (PortProvider(ctx) != provider)
        {
            return Error(ctx, PortProvider(ctx) ?? provider, 404, "No such route on this provider");
        }
        var auth = ctx.Request.Headers.Authorization.ToString();
        if (!string.Equals(auth, Scheme(provider) + options.ApiKey, StringComparison.Ordinal))
        {
            state.CountUnauthorized();
            return Error(ctx, provider, 401, auth.Length == 0 ? "Missing Authentication header" : "Invalid API key");
        }
        if (options.RateLimitPerSecond is double rate and > 0 && !state.TryTakeToken(auth, rate, out var wait))
        {
            return RateLimited(ctx, state, provider, route, rate, wait);
        }
        var fault = state.TakeFault(route, provider);
        if (fault is null)
        {
            return handler();
        }
        if (fault.PassesThrough)
        {
            // The route answers as usual; Json and WriteVideo apply the delay or the stall.
            ctx.Items[FaultItem] = fault;
            return handler();
        }
        return WriteFault(ctx, fault, provider);
    }

    /// <summary>
    /// The rate limit's answer: 429 in the provider's error shape with Retry-After (whole seconds until the key's next
    /// token, at least 1) and OpenRouter's X-RateLimit-Limit, -Remaining (0) and -Reset (Unix ms of the next token);
    /// counted in total and for the job the request names (the route's id, or FastRouter's taskId in the poll body).
    /// </summary>
    private static async Task RateLimited(HttpContext ctx, EmulatorState state, string provider, string route, double rate, TimeSpan wait)
    {
        var id = ctx.Request.RouteValues["id"] as string;
        if (id is null && route == "poll")
        {
            try
            {
                id = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) is JsonObject body ? Str(body, "taskId") : null;
            }
            catch (JsonException)
            {
            }
        }
        state.CountRateLimited(id);
        var headers = ctx.Response.Headers;
        headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Limit"] = rate.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = "0";
        headers["X-RateLimit-Reset"] = (DateTimeOffset.UtcNow + wait).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        await Error(ctx, provider, 429, "Rate limit exceeded: " + rate.ToString(CultureInfo.InvariantCulture) + " requests per second per key");
    }

    internal static Fault? FaultFor(HttpContext ctx) => ctx.Items.TryGetValue(FaultItem, out var f) ? f as Fault : null;

    internal static async Task WriteFault(HttpContext ctx, Fault fault, string provider)
    {
        if (fault.DelayMs is int delay)
        {
            await Task.Delay(delay, ctx.RequestAborted);
        }
        if (fault.RedirectToHost is string host)
        {
            ctx.Response.StatusCode = fault.Status is >= 300 and < 400 ? fault.Status : 302;
            ctx.Response.Headers.Location = ctx.Request.Scheme + "://" + host + ":" + ctx.Request.Host.Port.GetValueOrDefault(80).ToString(CultureInfo.InvariantCulture) +
                                            ctx.Request.PathBase + ctx.Request.Path + ctx.Request.QueryString;
            return;
        }
        if (fault.RetryAfterSeconds is int seconds)
        {
            ctx.Response.Headers.RetryAfter = fault.RetryAfterDate
                ? DateTimeOffset.UtcNow.AddSeconds(seconds).ToString("r", CultureInfo.InvariantCulture)
                : seconds.ToString(CultureInfo.InvariantCulture);
        }
        if (fault.Body != null)
        {
            ctx.Response.StatusCode = fault.Status;
            ctx.Response.ContentType = fault.ContentType;
            await ctx.Response.WriteAsync(fault.Body);
            return;
        }
        await Error(ctx, provider, fault.Status, fault.Message ?? fault.Status switch
        {
            402 => "Insufficient credits. Add more using https://openrouter.ai/credits",
            429 => "Rate limit exceeded",
            404 => "Not Found - Invalid taskId or expired result",
            _ => "Internal Server Error",
        });
    }
}
