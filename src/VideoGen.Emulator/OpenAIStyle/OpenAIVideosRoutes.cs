using System;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using static VideoGen.Emulator.Answers;
using static VideoGen.Emulator.Downloads;
using static VideoGen.Emulator.ProviderNames;

namespace VideoGen.Emulator;

/// <summary>
/// The OpenAI-style /v1/videos route: AppleRouter's veo-3.1 family and what an OpenAICompatible gateway serves under
/// /v1 (create, retrieve, content, remix, delete); answered in AppleRouter's error shape. Documented (AppleRouter's
/// create-video and Veo references, docs/providers.md): the create answer {id, object, model, status, progress,
/// created_at, seconds, size}; content GET /v1/videos/{id}/content, 404 until done (AppleRouter's content reference).
/// OpenAI's shape as gateways serve it (OpenAI's Python SDK, docs/providers.md, Answers): retrieve GET /v1/videos/{id}
/// with completed_at, expires_at, error; content's ?variant=...; the openai-poll-after-ms header.
/// </summary>
internal static class OpenAIVideosRoutes
{
    /// <summary>POST /v1/videos (multipart): validates the form, creates the job and answers its video object.</summary>
    internal static async Task Create(HttpContext ctx, EmulatorOptions options, EmulatorState state)
    {
        // AppleRouter documents multipart/form-data only (docs/providers.md): a form-urlencoded body (or JSON) is refused.
        if (!(ctx.Request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            await Error(ctx, Apple, 415, "Content-Type must be multipart/form-data, not '" + ctx.Request.ContentType + "'");
            return;
        }
        var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
        var problem = VideosFormProblem(form, options);
        if (problem != null)
        {
            await Error(ctx, Apple, 400, "Invalid request parameters: " + problem);
            return;
        }
        var model = form["model"].ToString();
        var prompt = form["prompt"].ToString();
        var job = state.Create(Apple, model, prompt, options, "video_");
        job.VideosRoute = true;
        job.Seconds = form["seconds"].ToString() is { Length: > 0 } s ? s : "4";
        job.Size = form["size"].ToString() is { Length: > 0 } z ? z : "720x1280";
        if (form.Files.GetFile("input_reference") is { } file)
        {
            job.Upload = (file.FileName, file.Length, file.ContentType);
        }
        await Json(ctx, 200, VideoObject(job, DateTimeOffset.UtcNow));
    }

    /// <summary>
    /// The multipart /v1/videos form against AppleRouter's table for the veo-3.1 family (docs/providers.md, Parameters)
    /// (AppleRouter: seconds, size and input_reference required, size 720x1280|1280x720), else against the OpenAI-style
    /// table of docs/providers.md.
    /// </summary>
    private static string? VideosFormProblem(IFormCollection form, EmulatorOptions options)
    {
        var model = form["model"].ToString();
        var apple = model.StartsWith("veo-3.1", StringComparison.OrdinalIgnoreCase);
        var required = apple ? ProviderSchemas.AppleRouterVideosRequired : new[] { "model", "prompt" };
        foreach (var name in required)
        {
            var present = name == "input_reference"
                ? form.Files.GetFile(name) is { Length: > 0 } || Uri.TryCreate(form[name].ToString(), UriKind.Absolute, out _)
                : !string.IsNullOrWhiteSpace(form[name].ToString());
            if (!present)
            {
                return name + " is required" + (apple ? " (AppleRouter's create-video reference, model " + model + ")" : string.Empty);
            }
        }
        if (!options.AcceptUnknownFields)
        {
            var unknown = form.Keys.Concat(form.Files.Select(f => f.Name)).FirstOrDefault(k => !ProviderSchemas.AppleRouterVideosFields.Contains(k));
            if (unknown != null)
            {
                return "unknown field '" + unknown + "'";
            }
        }
        var seconds = form["seconds"].ToString();
        if (seconds.Length > 0 && !ProviderSchemas.VideosSeconds.Contains(seconds))
        {
            return "seconds must be one of " + string.Join(", ", ProviderSchemas.VideosSeconds) + ", not '" + seconds + "'";
        }
        var size = form["size"].ToString();
        // AppleRouter's text lists 720x1280/1280x720, its example sends "16x9": both forms are taken.
        var sizes = apple ? AppleRouterVideosSizes : ProviderSchemas.OpenAIVideosSizes;
        if (size.Length > 0 && !sizes.Contains(size))
        {
            return "size must be one of " + string.Join(", ", sizes) + ", not '" + size + "'";
        }
        var watermark = form["watermark"].ToString();
        return watermark.Length > 0 && watermark is not ("true" or "false") ? "watermark must be true or false" : null;
    }

    /// <summary>
    /// POST /v1/videos/{id}/remix, JSON {"prompt": ...} only: a new video with the source's model, seconds and size, answered as
    /// a video object with remixed_from_video_id. The source must exist and be completed (400 otherwise, as OpenAI answers).
    /// </summary>
    internal static async Task Remix(HttpContext ctx, EmulatorOptions options, EmulatorState state, string id)
    {
        if (!(ctx.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            await Error(ctx, Apple, 415, "Content-Type must be application/json, not '" + ctx.Request.ContentType + "'");
            return;
        }
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }
        if (body is null || body["prompt"] is not JsonValue promptValue || promptValue.GetValueKind() != JsonValueKind.String ||
            string.IsNullOrWhiteSpace(promptValue.GetValue<string>()))
        {
            await Error(ctx, Apple, 400, "Invalid request parameters: prompt is required");
            return;
        }
        var unknown = options.AcceptUnknownFields ? null : body.Select(p => p.Key).FirstOrDefault(k => k != "prompt");
        if (unknown != null)
        {
            await Error(ctx, Apple, 400, "Invalid request parameters: unknown field '" + unknown + "'");
            return;
        }
        if (!state.Jobs.TryGetValue(id, out var source) || !source.VideosRoute || source.Deleted)
        {
            await Error(ctx, Apple, 404, "video not found");
            return;
        }
        if (source.PhaseAt(DateTimeOffset.UtcNow).Phase != "succeeded")
        {
            await Error(ctx, Apple, 400, "video " + id + " is not completed; only a completed video can be remixed");
            return;
        }
        var job = state.Create(Apple, source.Model, promptValue.GetValue<string>(), options, "video_");
        job.VideosRoute = true;
        job.Seconds = source.Seconds;
        job.Size = source.Size;
        job.RemixedFrom = source.Id;
        state.CountRemix();
        var answer = VideoObject(job, DateTimeOffset.UtcNow);
        answer["remixed_from_video_id"] = source.Id;
        await Json(ctx, 200, answer);
    }

    /// <summary>DELETE /v1/videos/{id}: {id, object:"video.deleted", deleted:true}; the video is then unknown (404) everywhere.</summary>
    internal static Task Delete(HttpContext ctx, EmulatorState state, string id)
    {
        if (!state.Jobs.TryGetValue(id, out var job) || !job.VideosRoute || job.Deleted)
        {
            return Error(ctx, Apple, 404, "video not found");
        }
        job.Deleted = true;
        state.CountDelete();
        return Json(ctx, 200, new JsonObject { ["id"] = job.Id, ["object"] = "video.deleted", ["deleted"] = true });
    }

    /// <summary>AppleRouter's sizes for the veo-3.1 family (docs/providers.md, Parameters): its text's 720x1280/1280x720 and its example's 16x9 and 9x16.</summary>
    private static readonly string[] AppleRouterVideosSizes = ProviderSchemas.AppleRouterVideosDocumentedSizes.Concat(new[] { "16x9", "9x16" }).ToArray();

    /// <summary>The job as an OpenAI-style video object at <paramref name="now"/>.</summary>
    private static JsonObject VideoObject(EmulatedJob job, DateTimeOffset now)
    {
        var (phase, progress) = job.PhaseAt(now);
        var answer = new JsonObject
        {
            ["id"] = job.Id, ["object"] = "video", ["model"] = job.Model,
            ["status"] = phase switch { "queued" => "queued", "running" => "in_progress", "failed" => "failed", _ => "completed" },
            ["progress"] = progress, ["created_at"] = Unix(job.CreatedAt), ["seconds"] = job.Seconds, ["size"] = job.Size,
        };
        if (phase is "succeeded" or "failed")
        {
            answer["completed_at"] = Unix(job.CreatedAt + job.Duration);
            answer["expires_at"] = Unix(job.CreatedAt + job.Duration + TimeSpan.FromHours(1));
        }
        if (phase == "failed")
        {
            answer["error"] = new JsonObject { ["code"] = "generation_failed", ["message"] = "The emulator was asked to fail this job." };
        }
        return answer;
    }

    /// <summary>GET /v1/videos/{id}: the video object (with openai-poll-after-ms when set); 404 for an unknown or deleted video.</summary>
    internal static Task Retrieve(HttpContext ctx, EmulatorOptions options, EmulatorState state, string id)
    {
        if (!state.Jobs.TryGetValue(id, out var job) || !job.VideosRoute || job.Deleted)
        {
            return Error(ctx, Apple, 404, "video not found");
        }
        job.CountPoll();
        if (options.OpenAIPollAfterMs is int ms)
        {
            ctx.Response.Headers["openai-poll-after-ms"] = ms.ToString(CultureInfo.InvariantCulture);
        }
        var now = DateTimeOffset.UtcNow;
        job.PolledAt(now);
        return Json(ctx, 200, VideoObject(job, now));
    }

    /// <summary>GET /v1/videos/{id}/content?variant=video|thumbnail|spritesheet: 404 until the video is done.</summary>
    internal static async Task Content(HttpContext ctx, EmulatorOptions options, EmulatorState state, string id)
    {
        if (!state.Jobs.TryGetValue(id, out var job) || !job.VideosRoute || job.Deleted || job.PhaseAt(DateTimeOffset.UtcNow).Phase != "succeeded")
        {
            await Error(ctx, Apple, 404, "video not ready or not found");
            return;
        }
        switch (ctx.Request.Query["variant"].ToString())
        {
            case "":
            case "video":
                job.CountDownload();
                await WriteVideo(ctx, options, job, ranged: true);
                break;
            case "thumbnail":
                ctx.Response.ContentType = "image/webp";
                await ctx.Response.Body.WriteAsync(VideoFile.Thumbnail);
                break;
            case "spritesheet":
                ctx.Response.ContentType = "image/jpeg";
                await ctx.Response.Body.WriteAsync(VideoFile.Spritesheet);
                break;
            default:
                await Error(ctx, Apple, 400, "variant must be video, thumbnail or spritesheet");
                break;
        }
    }
}
