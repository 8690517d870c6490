using System;
using System.Globalization;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using static VideoGen.Emulator.Answers;
using static VideoGen.Emulator.FaultGate;
using static VideoGen.Emulator.ProviderNames;

namespace VideoGen.Emulator;

/// <summary>Result files and the video downloads several providers' routes answer with.</summary>
internal static class Downloads
{
    /// <summary>
    /// GET /files/{file}, the result files ("CDN" URLs in FastRouter's url and AppleRouter's result_url): no key needed,
    /// like a signed URL; a wrong key is refused (401) as any server that reads Authorization does; with
    /// <see cref="EmulatorOptions.FilesRequireKey"/> the key is needed. Faults of provider "files", route "download" apply.
    /// </summary>
    internal static Task ResultFile(HttpContext ctx, EmulatorOptions options, EmulatorState state, string file)
    {
        var auth = ctx.Request.Headers.Authorization.ToString();
        state.RecordFileRequest(ctx.Request.Host.Host, auth.Length > 0);
        var provider = state.Jobs.TryGetValue(file.EndsWith(".mp4", StringComparison.Ordinal) ? file[..^4] : file, out var owner) ? owner.Provider : Fast;
        if ((auth.Length > 0 || options.FilesRequireKey) && !string.Equals(auth, Scheme(provider) + options.ApiKey, StringComparison.Ordinal))
        {
            state.CountUnauthorized();
            return Error(ctx, provider, 401, auth.Length == 0 ? "Missing Authentication header" : "Invalid API key");
        }
        var fault = state.TakeFault("download", "files");
        if (fault is { PassesThrough: true })
        {
            ctx.Items[FaultItem] = fault;
        }
        return fault is { PassesThrough: false } ? WriteFault(ctx, fault, provider) : Download(ctx, options, state, file.EndsWith(".mp4", StringComparison.Ordinal) ? file[..^4] : file);
    }

    /// <summary>GET /assets/reference.webp: a public image, as a CDN would serve it (for image-URL uploads to OpenAI-style routes).</summary>
    internal static async Task ReferenceImage(HttpContext ctx)
    {
        ctx.Response.ContentType = "image/webp";
        await ctx.Response.Body.WriteAsync(VideoFile.Thumbnail);
    }

    /// <summary>A finished job's video, for OpenRouter's content route and the result files: 404 until done or after it expired.</summary>
    internal static Task Download(HttpContext ctx, EmulatorOptions options, EmulatorState state, string id)
    {
        if (!state.Jobs.TryGetValue(id, out var job))
        {
            return Error(ctx, Open, 404, "Resource not found");
        }
        if (job.PhaseAt(DateTimeOffset.UtcNow).Phase != "succeeded")
        {
            return Error(ctx, job.Provider, 404, "The video is not ready");
        }
        if (Expired(options, job))
        {
            return ExpiredAnswer(ctx, options, job.Provider);
        }
        job.CountDownload();
        return WriteVideo(ctx, options, job, ranged: true);
    }

    /// <summary>Writes the video: ranges when <see cref="EmulatorOptions.AcceptRanges"/>, a pass-through fault's delay or stall, and a first download cut at <see cref="EmulatorOptions.CutDownloadsAt"/>.</summary>
    internal static async Task WriteVideo(HttpContext ctx, EmulatorOptions options, EmulatedJob job, bool ranged)
    {
        var length = VideoFile.LengthFor(options.FileSize);
        long from = 0;
        var range = ctx.Request.Headers.Range.ToString();
        ctx.Response.ContentType = "video/mp4";
        if (ranged && options.AcceptRanges)
        {
            ctx.Response.Headers.AcceptRanges = "bytes";
            if (range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-') &&
                long.TryParse(range.AsSpan(6, range.Length - 7), NumberStyles.None, CultureInfo.InvariantCulture, out var start) && start < length)
            {
                from = start;
                ctx.Response.StatusCode = 206;
                ctx.Response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {start}-{length - 1}/{length}");
            }
        }
        ctx.Response.ContentLength = length - from;
        var to = length;
        var fault = FaultFor(ctx);
        if (fault?.DelayMs is int delay)
        {
            await Task.Delay(delay, ctx.RequestAborted);
        }
        if (fault?.StallAfterBytes is long stall && from + stall < length)
        {
            await VideoFile.WriteAsync(ctx.Response.Body, length, from, from + Math.Max(0, stall), ctx.RequestAborted);
            await Stall(ctx);
            return;
        }
        if (options.CutDownloadsAt is long cut && job.Downloads == 1 && cut > from && cut < length)
        {
            // The first download of this job breaks off: send part of the body, then abort the connection.
            await VideoFile.WriteAsync(ctx.Response.Body, length, from, cut, ctx.RequestAborted);
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            ctx.Abort();
            return;
        }
        await VideoFile.WriteAsync(ctx.Response.Body, length, from, to, ctx.RequestAborted);
    }
}
