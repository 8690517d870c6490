using System;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static VideoGen.Emulator.Answers;
using static VideoGen.Emulator.Downloads;
using static VideoGen.Emulator.FaultGate;
using static VideoGen.Emulator.ProviderNames;

namespace VideoGen.Emulator;

/// <summary>
/// The route table: every route the emulator serves. Each provider route passes the <see cref="FaultGate"/> (the port's
/// provider, the key, the rate limit, injected faults), then its provider's handler (FastRouter/, OpenRouter/,
/// AppleRouter/, OpenAIStyle/); result files are <see cref="Downloads"/>, the control routes <see cref="ControlRoutes"/>.
/// </summary>
internal static class Routes
{
    /// <summary>Registers every route on <paramref name="app"/>.</summary>
    public static void Map(IEndpointRouteBuilder app, EmulatorOptions options, EmulatorState state)
    {
        // FastRouter and OpenRouter both submit with POST /api/v1/videos: each provider has its own port,
        // and this one route dispatches by the port the request came in on.
        app.MapPost("/api/v1/videos", ctx => PortProvider(ctx) == Open
            ? Guarded(ctx, options, state, Open, "submit", () => OpenSubmit(ctx, options, state))
            : Guarded(ctx, options, state, Fast, "submit", () => FastSubmit(ctx, options, state)));

        // FastRouter (seeds/000): poll (and the older poll name, seeds/001-002).
        app.MapPost("/api/v1/getAsyncResponse", ctx => options.FastRouterLegacyPollOnly && PortProvider(ctx) == Fast
            ? Answers.NotFoundRoute(ctx)
            : Guarded(ctx, options, state, Fast, "poll", () => FastPoll(ctx, options, state)));
        app.MapPost("/api/v1/getVideoResponse", ctx => Guarded(ctx, options, state, Fast, "poll", () => FastPoll(ctx, options, state)));

        // OpenRouter (seeds/003), base /api/v1. GET /api/v1/videos/{id} cannot clash with FastRouter's POST.
        app.MapGet("/api/v1/videos/{id}", (HttpContext ctx, string id) => Guarded(ctx, options, state, Open, "poll", () => OpenPoll(ctx, options, state, id)));
        app.MapGet("/api/v1/videos/{id}/content", (HttpContext ctx, string id) => Guarded(ctx, options, state, Open, "download", () => OpenContent(ctx, options, state, id)));

        // OpenRouter's current key (docs/providers.md: https://openrouter.ai/docs/api/api-reference/api-keys/get-current-key).
        app.MapGet("/api/v1/key", ctx => Guarded(ctx, options, state, Open, "key", () => OpenKey(ctx, options)));

        // OpenRouter's model capabilities (docs/providers.md, inferred).
        app.MapGet("/api/v1/videos/models", ctx => Guarded(ctx, options, state, Open, "models", () => OpenModels(ctx)));

        // AppleRouter's OpenAI-style route (seeds/004), also what an OpenAICompatible gateway serves under /v1.
        app.MapPost("/v1/videos", ctx => Guarded(ctx, options, state, Apple, "submit", () => VideosCreate(ctx, options, state)));
        app.MapGet("/v1/videos/{id}", (HttpContext ctx, string id) => Guarded(ctx, options, state, Apple, "poll", () => VideosRetrieve(ctx, options, state, id)));
        app.MapGet("/v1/videos/{id}/content", (HttpContext ctx, string id) => Guarded(ctx, options, state, Apple, "download", () => VideosContent(ctx, options, state, id)));
        // Newer public facts (docs/providers.md): remix POST /v1/videos/{id}/remix {prompt} answers a new video object with
        // remixed_from_video_id; delete DELETE /v1/videos/{id} answers {id, object:"video.deleted", deleted:true}.
        app.MapPost("/v1/videos/{id}/remix", (HttpContext ctx, string id) => Guarded(ctx, options, state, Apple, "remix", () => VideosRemix(ctx, options, state, id)));
        app.MapDelete("/v1/videos/{id}", (HttpContext ctx, string id) => Guarded(ctx, options, state, Apple, "delete", () => VideosDelete(ctx, state, id)));

        // AppleRouter (seeds/004).
        app.MapPost("/v1/video/generations", ctx => Guarded(ctx, options, state, Apple, "submit", () => AppleSubmit(ctx, options, state)));
        app.MapGet("/v1/video/generations/{id}", (HttpContext ctx, string id) => Guarded(ctx, options, state, Apple, "poll", () => ApplePoll(ctx, options, state, id)));

        // Result files ("CDN" URLs in FastRouter's url and AppleRouter's result_url): no key needed, like a signed URL.
        // A wrong key is refused (401) as any server that reads Authorization does; with FilesRequireKey the key is needed.
        app.MapGet("/files/{file}", (HttpContext ctx, string file) => Downloads.ResultFile(ctx, options, state, file));

        // A public image, as a CDN would serve it (for image-URL uploads to OpenAI-style routes).
        app.MapGet("/assets/reference.webp", ctx => Downloads.ReferenceImage(ctx));

        // Control.
        app.MapPost("/_emulator/faults", ctx => ControlRoutes.AddFault(ctx, state));
        app.MapDelete("/_emulator/faults", ctx => ControlRoutes.ClearFaults(ctx, state));
        app.MapPost("/_emulator/config", ctx => ControlRoutes.Config(ctx, options));
        app.MapGet("/_emulator/stats", ctx => ControlRoutes.Stats(ctx, state));
    }

    // ---- OpenAI-style /v1/videos ----
    // Documented (seeds/004): the create answer {id, object, model, status, progress, created_at, seconds, size}.
    // Inferred (docs/providers.md, OpenAI's shape at gateways): retrieve GET /v1/videos/{id} with completed_at, expires_at,
    // error; content GET /v1/videos/{id}/content?variant=..., 404 until done; the openai-poll-after-ms header.

    private static async Task VideosCreate(HttpContext ctx, EmulatorOptions options, EmulatorState state)
    {
        // seeds/004 documents multipart/form-data only: a form-urlencoded body (or JSON) is refused.
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
    /// The multipart /v1/videos form against seeds/004's table for the veo-3.1 family (AppleRouter: seconds, size and
    /// input_reference required, size 720x1280|1280x720), else against the OpenAI-style table of docs/providers.md.
    /// </summary>
    private static string? VideosFormProblem(IFormCollection form, EmulatorOptions options)
    {
        var model = form["model"].ToString();
        var apple = model.StartsWith("veo-3.1", StringComparison.OrdinalIgnoreCase);
        var required = apple ? ProviderSchemas.AppleRouterVideosRequiredSeed004 : new[] { "model", "prompt" };
        foreach (var name in required)
        {
            var present = name == "input_reference"
                ? form.Files.GetFile(name) is { Length: > 0 } || Uri.TryCreate(form[name].ToString(), UriKind.Absolute, out _)
                : !string.IsNullOrWhiteSpace(form[name].ToString());
            if (!present)
            {
                return name + " is required" + (apple ? " (seeds/004, model " + model + ")" : string.Empty);
            }
        }
        if (!options.AcceptUnknownFields)
        {
            var unknown = form.Keys.Concat(form.Files.Select(f => f.Name)).FirstOrDefault(k => !ProviderSchemas.AppleRouterVideosFieldsSeed004.Contains(k));
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
    private static async Task VideosRemix(HttpContext ctx, EmulatorOptions options, EmulatorState state, string id)
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
    private static Task VideosDelete(HttpContext ctx, EmulatorState state, string id)
    {
        if (!state.Jobs.TryGetValue(id, out var job) || !job.VideosRoute || job.Deleted)
        {
            return Error(ctx, Apple, 404, "video not found");
        }
        job.Deleted = true;
        state.CountDelete();
        return Json(ctx, 200, new JsonObject { ["id"] = job.Id, ["object"] = "video.deleted", ["deleted"] = true });
    }

    /// <summary>seeds/004's sizes for the veo-3.1 family: the text's 720x1280/1280x720 and the example's 16x9 (and its portrait 9x16).</summary>
    private static readonly string[] AppleRouterVideosSizes = ProviderSchemas.AppleRouterVideosSizesSeed004.Concat(new[] { "16x9", "9x16" }).ToArray();

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

    private static Task VideosRetrieve(HttpContext ctx, EmulatorOptions options, EmulatorState state, string id)
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

    private static async Task VideosContent(HttpContext ctx, EmulatorOptions options, EmulatorState state, string id)
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

    private static Task OpenKey(HttpContext ctx, EmulatorOptions options) => Json(ctx, 200, new JsonObject
    {
        ["data"] = new JsonObject
        {
            ["label"] = "emulator key", ["limit"] = options.KeyLimitRemaining is decimal left ? JsonValue.Create(left + 10m) : null,
            ["limit_remaining"] = options.KeyLimitRemaining is decimal remaining ? JsonValue.Create(remaining) : null,
            ["limit_reset"] = null, ["usage"] = 10, ["usage_daily"] = 0, ["is_free_tier"] = false,
        },
    });

    private static Task OpenModels(HttpContext ctx) => Json(ctx, 200, OpenRouterModels());

    private static JsonObject OpenRouterModels()
    {
        static JsonArray Strings(params string[] values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        static JsonArray Ints(params int[] values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        return new JsonObject
        {
            ["data"] = new JsonArray(
                new JsonObject
                {
                    ["id"] = "google/veo-3.1", ["supported_resolutions"] = Strings("720p", "1080p"), ["supported_aspect_ratios"] = Strings("16:9", "9:16"),
                    ["supported_durations"] = Ints(4, 6, 8), ["supported_sizes"] = Strings("1280x720", "720x1280", "1920x1080", "1080x1920"),
                    ["supported_frame_images"] = Strings("first_frame", "last_frame"), ["generate_audio"] = true, ["seed"] = true,
                    // pricing_skus: "a map of strings" (docs/providers.md); the SKU name is inferred, the docs give no example.
                    ["pricing_skus"] = new JsonObject { ["video_per_second"] = "0.10" },
                },
                new JsonObject
                {
                    ["id"] = "openai/sora-2", ["supported_resolutions"] = Strings("720p"), ["supported_aspect_ratios"] = Strings("16:9", "9:16"),
                    ["supported_durations"] = Ints(4, 8, 12), ["supported_sizes"] = Strings("1280x720", "720x1280"),
                    ["supported_frame_images"] = Strings("first_frame"), ["generate_audio"] = true, ["seed"] = false, ["pricing"] = new JsonObject { ["per_second"] = 0.1 },
                },
                new JsonObject
                {
                    ["id"] = "bytedance/seedance-2.0", ["supported_resolutions"] = Strings("480p", "720p", "1080p"), ["supported_aspect_ratios"] = Strings("16:9", "9:16", "1:1", "21:9"),
                    ["supported_durations"] = Ints(5, 10), ["supported_frame_images"] = Strings("first_frame", "last_frame"), ["generate_audio"] = false, ["seed"] = true,
                }),
        };
    }

    // ---- FastRouter ----
    // Documented (seeds/000): both submit shapes (data.taskId for most models, id for Sora), both poll shapes
    // (data.generations[] with waiting|processing|succeed|failed, and Sora's {status, progress, completed_at}), the
    // error shape {error:{message,type,code,status}}, 404 for an invalid or expired task. Inferred: a finished poll
    // answering the MP4 bytes (the Sora default here, FastRouterAnswersBytes for the rest), and Sora's "error" object
    // on a failed poll.

    private static async Task FastSubmit(HttpContext ctx, EmulatorOptions options, EmulatorState state)
    {
        var body = await ReadValid(ctx, options, Fast, ProviderSchemas.FastRouterSubmitSeed000, ProviderSchemas.FastRouterCrossChecks);
        if (body is null)
        {
            return;
        }
        var model = Str(body, "model")!;
        var prompt = Str(body, "prompt")!;
        var sora = model.Contains("sora", StringComparison.OrdinalIgnoreCase);
        var job = state.Create(Fast, model, prompt, options, model.StartsWith("pollo/", StringComparison.Ordinal) ? "pol_" : sora ? "video_" : "task");
        job.SubmittedBody = body.ToJsonString();
        // Both submit shapes are documented (seeds/000, oneOf); FastRouterAnswerModel and FastRouterSubmitStatus pick
        // the other documented values of model and status.
        var answeredModel = options.FastRouterAnswerModel ?? model;
        if (sora)
        {
            await Json(ctx, 200, new JsonObject
            {
                ["id"] = job.Id, ["chat_id"] = "chat-" + job.Id, ["object"] = "video", ["created_at"] = Unix(job.CreatedAt),
                ["status"] = options.FastRouterSubmitStatus ?? "queued", ["model"] = answeredModel, ["seconds"] = (body["seconds"]?.ToString() ?? "4"), ["size"] = Str(body, "size") ?? "1280x720",
                ["usage"] = new JsonObject { ["credits_used"] = 1.5 },
            });
            return;
        }
        await Json(ctx, 200, new JsonObject
        {
            ["chat_id"] = "chat-" + job.Id, ["model"] = answeredModel, ["code"] = "200", ["message"] = "success",
            ["data"] = new JsonObject { ["taskId"] = job.Id, ["status"] = options.FastRouterSubmitStatus ?? "waiting" },
            ["usage"] = new JsonObject { ["user_key_credits_used"] = 0, ["credits_used"] = 1.5, ["provider"] = "emulator" },
        });
    }

    private static async Task FastPoll(HttpContext ctx, EmulatorOptions options, EmulatorState state)
    {
        var body = await ReadValid(ctx, options, Fast, ProviderSchemas.FastRouterPollSeed000);
        if (body is null)
        {
            return;
        }
        var taskId = Str(body, "taskId")!;
        if (!state.Jobs.TryGetValue(taskId, out var job) || job.Provider != Fast)
        {
            await Error(ctx, Fast, 404, "Invalid taskId or expired result");
            return;
        }
        var model = Str(body!, "model");
        var prefixed = taskId.StartsWith("pol_", StringComparison.Ordinal);
        if (!prefixed && !string.Equals(model, job.Model, StringComparison.Ordinal))
        {
            await Error(ctx, Fast, 400, "model is required and must match the model of the original /videos request");
            return;
        }
        job.CountPoll();
        if (Expired(options, job))
        {
            await ExpiredAnswer(ctx, options, Fast);
            return;
        }
        var (phase, progress) = job.PolledAt(DateTimeOffset.UtcNow);
        var sora = job.Model.Contains("sora", StringComparison.OrdinalIgnoreCase);
        // Raw MP4 bytes for a finished poll are inferred (docs/providers.md, third-party client code); FastRouterSoraJson
        // answers the documented Sora JSON shape instead (seeds/000).
        if (phase == "succeeded" && ((sora && !options.FastRouterSoraJson) || (!sora && options.FastRouterAnswersBytes)))
        {
            job.CountDownload();
            await WriteVideo(ctx, options, job, ranged: false);
            return;
        }
        if (sora)
        {
            var soraStatus = phase switch { "queued" => "queued", "running" => "in_progress", "failed" => "failed", _ => "completed" };
            var answer = new JsonObject
            {
                ["id"] = job.Id, ["chat_id"] = "chat-" + job.Id, ["object"] = "video", ["created_at"] = Unix(job.CreatedAt),
                ["status"] = soraStatus, ["progress"] = progress, ["model"] = job.Model, ["seconds"] = "4", ["size"] = "1280x720",
            };
            if (phase == "succeeded")
            {
                answer["completed_at"] = Unix(job.CreatedAt + job.Duration);
                answer["usage"] = new JsonObject { ["credits_used"] = 1.5 };
            }
            if (phase == "failed")
            {
                answer["error"] = new JsonObject { ["code"] = "generation_failed", ["message"] = "The emulator was asked to fail this job." };
            }
            await Json(ctx, 200, answer);
            return;
        }
        var generation = new JsonObject
        {
            ["id"] = "gen-" + job.Id, ["createdDate"] = job.CreatedAt.ToString("o", CultureInfo.InvariantCulture),
            ["updatedDate"] = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture),
            ["status"] = phase switch { "queued" => "waiting", "running" => "processing", "failed" => "failed", _ => "succeed" },
            ["mediaType"] = "video",
        };
        if (phase == "failed")
        {
            generation["failMsg"] = "The emulator was asked to fail this job.";
        }
        if (phase == "succeeded")
        {
            generation["url"] = FileUrl(ctx, options, job.Id);
        }
        await Json(ctx, 200, new JsonObject
        {
            ["code"] = "200", ["message"] = "success",
            ["data"] = new JsonObject { ["taskId"] = job.Id, ["generations"] = new JsonArray(generation) },
        });
    }

    // ---- OpenRouter ----
    // Documented (seeds/003): 202 {id, polling_url, status, generation_id}, poll GET /videos/{id} in the same shape,
    // error {error:{code,message}}. Inferred (docs/providers.md): /videos/{id}/content?index=N and /videos/models.

    internal static async Task OpenSubmit(HttpContext ctx, EmulatorOptions options, EmulatorState state)
    {
        var body = await ReadValid(ctx, options, Open, ProviderSchemas.OpenRouterSubmitSeed003);
        if (body is null)
        {
            return;
        }
        var job = state.Create(Open, Str(body, "model")!, Str(body, "prompt")!, options, "job-");
        job.SubmittedBody = body.ToJsonString();
        await Json(ctx, 202, new JsonObject
        {
            ["id"] = job.Id, ["polling_url"] = "/api/v1/videos/" + job.Id, ["status"] = "pending", ["generation_id"] = "gen-" + job.Id,
        });
    }

    /// <summary>
    /// seeds/003's VideoGenerationResponse: id, polling_url, status (pending|in_progress|completed|failed|cancelled|expired),
    /// generation_id, unsigned_urls, usage, error. The <c>progress</c> field is not documented: a variant a gateway may
    /// send (inferred), which a client must tolerate.
    /// </summary>
    private static Task OpenPoll(HttpContext ctx, EmulatorOptions options, EmulatorState state, string id)
    {
        if (!state.Jobs.TryGetValue(id, out var job) || job.Provider != Open)
        {
            return Error(ctx, Open, 404, "Resource not found");
        }
        job.CountPoll();
        if (Expired(options, job))
        {
            return ExpiredAnswer(ctx, options, Open);
        }
        var (phase, progress) = job.PolledAt(DateTimeOffset.UtcNow);
        var answer = new JsonObject
        {
            ["id"] = job.Id, ["polling_url"] = "/api/v1/videos/" + job.Id, ["generation_id"] = "gen-" + job.Id,
            ["status"] = phase switch { "queued" => "pending", "running" => "in_progress", "failed" => job.EndStatus, _ => "completed" },
            ["progress"] = progress,
        };
        if (phase == "succeeded")
        {
            answer["unsigned_urls"] = new JsonArray((JsonNode)(ctx.Request.Scheme + "://" + ctx.Request.Host + "/api/v1/videos/" + job.Id + "/content?index=0"));
            answer["usage"] = new JsonObject { ["cost"] = 0.5, ["is_byok"] = false };
        }
        if (phase == "failed")
        {
            answer["error"] = "The emulator was asked to end this job " + job.EndStatus + ".";
        }
        return Json(ctx, 200, answer);
    }

    /// <summary>
    /// OpenRouter's content route (inferred, docs/providers.md): <c>?index=N</c> picks one of the job's unsigned_urls; the
    /// emulator makes one video, so index must be 0 or absent (read as 0); another number 404, not a number 400.
    /// </summary>
    private static Task OpenContent(HttpContext ctx, EmulatorOptions options, EmulatorState state, string id)
    {
        var index = ctx.Request.Query["index"].ToString();
        if (index.Length > 0)
        {
            if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return Error(ctx, Open, 400, "index must be a non-negative integer, not '" + index + "'");
            }
            if (n != 0)
            {
                return Error(ctx, Open, 404, "No video at index " + n.ToString(CultureInfo.InvariantCulture) + " (this job has 1)");
            }
        }
        if (state.Jobs.TryGetValue(id, out var job) && job.Provider != Open)
        {
            return Error(ctx, Open, 404, "Resource not found");
        }
        return Download(ctx, options, state, id);
    }

    // ---- AppleRouter ----

    private static async Task AppleSubmit(HttpContext ctx, EmulatorOptions options, EmulatorState state)
    {
        var body = await ReadValid(ctx, options, Apple, ProviderSchemas.AppleRouterGenerationsSeed004);
        if (body is null)
        {
            return;
        }
        var job = state.Create(Apple, Str(body, "model")!, Str(body, "prompt")!, options, "");
        job.SubmittedBody = body.ToJsonString();
        await Json(ctx, 200, new JsonObject { ["task_id"] = job.Id, ["status"] = "queued" });
    }

    /// <summary>
    /// AppleRouter's poll. seeds/004 documents only the route and "get video URL from response"; both shapes are
    /// inferred: the default is the new-api gateway's wrapper {code:"success", data:{task_id, status
    /// NOT_START|SUBMITTED|QUEUED|IN_PROGRESS|SUCCESS|FAILURE|UNKNOWN, progress:"NN%", fail_reason, result_url}};
    /// <see cref="EmulatorOptions.AppleRouterFlat"/> answers the "flat" variant {task_id, status, progress, video_url}
    /// some gateways send.
    /// </summary>
    private static Task ApplePoll(HttpContext ctx, EmulatorOptions options, EmulatorState state, string id)
    {
        if (!state.Jobs.TryGetValue(id, out var job) || job.Provider != Apple)
        {
            return Error(ctx, Apple, 404, "task_not_exist");
        }
        job.CountPoll();
        if (Expired(options, job))
        {
            return ExpiredAnswer(ctx, options, Apple);
        }
        var (phase, progress) = job.PolledAt(DateTimeOffset.UtcNow);
        var data = new JsonObject
        {
            ["task_id"] = job.Id,
            ["status"] = options.AppleRouterFlat
                ? phase switch { "queued" => "queued", "running" => "processing", "failed" => "failed", _ => "completed" }
                : phase switch { "queued" => options.AppleRouterQueuedStatus, "running" => "IN_PROGRESS", "failed" => "FAILURE", _ => "SUCCESS" },
            ["progress"] = options.AppleRouterFlat ? progress : (JsonNode)(progress.ToString(CultureInfo.InvariantCulture) + "%"),
        };
        if (phase == "failed")
        {
            data["fail_reason"] = "The emulator was asked to fail this job.";
        }
        if (phase == "succeeded")
        {
            data[options.AppleRouterFlat ? "video_url" : "result_url"] = FileUrl(ctx, options, job.Id);
        }
        return Json(ctx, 200, options.AppleRouterFlat ? data : new JsonObject { ["code"] = "success", ["message"] = "", ["data"] = data });
    }
}
