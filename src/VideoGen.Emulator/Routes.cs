using System;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace VideoGen.Emulator;

/// <summary>The provider routes and the control routes (/_emulator/...).</summary>
internal static class Routes
{
    private const string Fast = "fastrouter";
    private const string Open = "openrouter";
    private const string Apple = "applerouter";

    /// <summary>The provider a request's port serves ("fastrouter", "openrouter", "applerouter").</summary>
    public const string ProviderItem = "VideoGen.Emulator.Provider";

    public static void Map(IEndpointRouteBuilder app, EmulatorOptions options, EmulatorState state)
    {
        // FastRouter and OpenRouter both submit with POST /api/v1/videos: each provider has its own port,
        // and this one route dispatches by the port the request came in on.
        app.MapPost("/api/v1/videos", ctx => PortProvider(ctx) == Open
            ? Guarded(ctx, options, state, Open, "submit", () => OpenSubmit(ctx, options, state))
            : Guarded(ctx, options, state, Fast, "submit", () => FastSubmit(ctx, options, state)));

        // FastRouter (seeds/000): poll (and the older poll name, seeds/001-002).
        app.MapPost("/api/v1/getAsyncResponse", ctx => options.FastRouterLegacyPollOnly && PortProvider(ctx) == Fast
            ? NotFoundRoute(ctx)
            : Guarded(ctx, options, state, Fast, "poll", () => FastPoll(ctx, options, state)));
        app.MapPost("/api/v1/getVideoResponse", ctx => Guarded(ctx, options, state, Fast, "poll", () => FastPoll(ctx, options, state)));

        // OpenRouter (seeds/003), base /api/v1. GET /api/v1/videos/{id} cannot clash with FastRouter's POST.
        app.MapGet("/api/v1/videos/{id}", (HttpContext ctx, string id) => Guarded(ctx, options, state, Open, "poll", () => OpenPoll(ctx, state, id)));
        app.MapGet("/api/v1/videos/{id}/content", (HttpContext ctx, string id) => Guarded(ctx, options, state, Open, "download", () => Download(ctx, options, state, id)));

        // OpenRouter's model capabilities (PROVIDERS.md, inferred).
        app.MapGet("/api/v1/videos/models", ctx => Guarded(ctx, options, state, Open, "models", () => Json(ctx, 200, OpenRouterModels())));

        // AppleRouter's OpenAI-style route (seeds/004), also what an OpenAICompatible gateway serves under /v1.
        app.MapPost("/v1/videos", ctx => Guarded(ctx, options, state, Apple, "submit", () => VideosCreate(ctx, options, state)));
        app.MapGet("/v1/videos/{id}", (HttpContext ctx, string id) => Guarded(ctx, options, state, Apple, "poll", () => VideosRetrieve(ctx, options, state, id)));
        app.MapGet("/v1/videos/{id}/content", (HttpContext ctx, string id) => Guarded(ctx, options, state, Apple, "download", () => VideosContent(ctx, options, state, id)));

        // AppleRouter (seeds/004).
        app.MapPost("/v1/video/generations", ctx => Guarded(ctx, options, state, Apple, "submit", () => AppleSubmit(ctx, options, state)));
        app.MapGet("/v1/video/generations/{id}", (HttpContext ctx, string id) => Guarded(ctx, options, state, Apple, "poll", () => ApplePoll(ctx, options, state, id)));

        // Result files ("CDN" URLs in FastRouter's url and AppleRouter's result_url): no key needed, like a signed URL.
        app.MapGet("/files/{file}", (HttpContext ctx, string file) =>
        {
            var fault = state.TakeFault("download", "files");
            return fault != null ? WriteFault(ctx, fault, "files") : Download(ctx, options, state, file.EndsWith(".mp4", StringComparison.Ordinal) ? file[..^4] : file);
        });

        // A public image, as a CDN would serve it (for image-URL uploads to OpenAI-style routes).
        app.MapGet("/assets/reference.webp", async ctx =>
        {
            ctx.Response.ContentType = "image/webp";
            await ctx.Response.Body.WriteAsync(VideoFile.Thumbnail);
        });

        // Control.
        app.MapPost("/_emulator/faults", async ctx =>
        {
            var fault = await JsonSerializer.DeserializeAsync<Fault>(ctx.Request.Body, JsonOptions) ?? new Fault();
            state.AddFault(fault);
            ctx.Response.StatusCode = 204;
        });
        app.MapDelete("/_emulator/faults", ctx =>
        {
            state.ClearFaults();
            ctx.Response.StatusCode = 204;
            return Task.CompletedTask;
        });
        app.MapPost("/_emulator/config", async ctx =>
        {
            var node = await JsonNode.ParseAsync(ctx.Request.Body) as JsonObject ?? new JsonObject();
            ApplyConfig(options, node);
            ctx.Response.StatusCode = 204;
        });
        app.MapGet("/_emulator/stats", ctx => Json(ctx, 200, new JsonObject
        {
            ["submissions"] = state.Submissions,
            ["unauthorized"] = state.Unauthorized,
            ["totalPolls"] = state.TotalPolls,
            ["prompts"] = new JsonArray(state.Prompts.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
            ["jobs"] = new JsonArray(state.Jobs.Values.OrderBy(j => j.CreatedAt).Select(j => (JsonNode?)new JsonObject
            {
                ["id"] = j.Id, ["provider"] = j.Provider, ["model"] = j.Model, ["prompt"] = j.Prompt,
                ["polls"] = j.Polls, ["downloads"] = j.Downloads,
            }).ToArray()),
        }));
    }

    internal static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };

    private static void ApplyConfig(EmulatorOptions options, JsonObject node)
    {
        foreach (var (key, value) in node)
        {
            switch (key.ToLowerInvariant())
            {
                case "jobseconds": options.JobDuration = TimeSpan.FromSeconds(value!.GetValue<double>()); break;
                case "slowjobseconds": options.SlowJobDuration = TimeSpan.FromSeconds(value!.GetValue<double>()); break;
                case "filesize": options.FileSize = value?.GetValue<long>(); break;
                case "fastrouteranswersbytes": options.FastRouterAnswersBytes = value!.GetValue<bool>(); break;
                case "applerouterflat": options.AppleRouterFlat = value!.GetValue<bool>(); break;
                case "acceptranges": options.AcceptRanges = value!.GetValue<bool>(); break;
                case "cutdownloadsat": options.CutDownloadsAt = value?.GetValue<long>(); break;
                case "filehost": options.FileHost = value?.GetValue<string>(); break;
                case "fastrouterlegacypollonly": options.FastRouterLegacyPollOnly = value!.GetValue<bool>(); break;
                case "openaipollafterms": options.OpenAIPollAfterMs = value?.GetValue<int>(); break;
                default: throw new BadHttpRequestException("Unknown setting " + key);
            }
        }
    }

    private static string? PortProvider(HttpContext ctx) => ctx.Items.TryGetValue(ProviderItem, out var p) ? p as string : null;

    /// <summary>Checks the route belongs to the port's provider, then the key, then applies a queued fault, then runs the route.</summary>
    private static Task Guarded(HttpContext ctx, EmulatorOptions options, EmulatorState state, string provider, string route, Func<Task> handler)
    {
        if (PortProvider(ctx) != provider)
        {
            return Error(ctx, PortProvider(ctx) ?? provider, 404, "No such route on this provider");
        }
        var auth = ctx.Request.Headers.Authorization.ToString();
        if (!string.Equals(auth, "Bearer " + options.ApiKey, StringComparison.Ordinal))
        {
            state.CountUnauthorized();
            return Error(ctx, provider, 401, auth.Length == 0 ? "Missing Authentication header" : "Invalid API key");
        }
        var fault = state.TakeFault(route, provider);
        return fault != null ? WriteFault(ctx, fault, provider) : handler();
    }

    private static Task WriteFault(HttpContext ctx, Fault fault, string provider)
    {
        if (fault.RetryAfterSeconds is int seconds)
        {
            ctx.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }
        if (fault.Body != null)
        {
            ctx.Response.StatusCode = fault.Status;
            ctx.Response.ContentType = fault.ContentType;
            return ctx.Response.WriteAsync(fault.Body);
        }
        return Error(ctx, provider, fault.Status, fault.Status switch
        {
            402 => "Insufficient credits. Add more using https://openrouter.ai/credits",
            429 => "Rate limit exceeded",
            _ => "Internal Server Error",
        });
    }

    /// <summary>Each provider's error shape: FastRouter {error:{message,type,code,status}}, OpenRouter {error:{code,message}}, AppleRouter {error:{message,type}}.</summary>
    private static Task Error(HttpContext ctx, string provider, int status, string message)
    {
        var error = provider switch
        {
            Fast => new JsonObject { ["message"] = message, ["type"] = "error", ["code"] = status.ToString(CultureInfo.InvariantCulture), ["status"] = status },
            Open => new JsonObject { ["code"] = status, ["message"] = message },
            _ => new JsonObject { ["message"] = message, ["type"] = "new_api_error" },
        };
        return Json(ctx, status, new JsonObject { ["error"] = error });
    }

    private static Task Json(HttpContext ctx, int status, JsonNode body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync(body.ToJsonString());
    }

    private static async Task<JsonObject?> ReadBody(HttpContext ctx)
    {
        try
        {
            return await JsonNode.ParseAsync(ctx.Request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Str(JsonObject body, string name) =>
        body.TryGetPropertyValue(name, out var v) && v is JsonValue value && value.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;

    private static string FileUrl(HttpContext ctx, EmulatorOptions options, string id)
    {
        var host = options.FileHost is null ? ctx.Request.Host.ToString() : options.FileHost + ":" + ctx.Request.Host.Port;
        return ctx.Request.Scheme + "://" + host + "/files/" + id + ".mp4";
    }

    private static long Unix(DateTimeOffset t) => t.ToUnixTimeSeconds();

    /// <summary>A route the server does not have: 404 with no provider error document, as a plain web server answers.</summary>
    private static Task NotFoundRoute(HttpContext ctx)
    {
        ctx.Response.StatusCode = 404;
        ctx.Response.ContentType = "text/plain";
        return ctx.Response.WriteAsync("Cannot " + ctx.Request.Method + " " + ctx.Request.Path);
    }

    // ---- OpenAI-style /v1/videos ----

    private static async Task VideosCreate(HttpContext ctx, EmulatorOptions options, EmulatorState state)
    {
        if (!ctx.Request.HasFormContentType)
        {
            await Error(ctx, Apple, 400, "multipart/form-data is required");
            return;
        }
        var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
        var model = form["model"].ToString();
        var prompt = form["prompt"].ToString();
        if (string.IsNullOrWhiteSpace(model) || string.IsNullOrWhiteSpace(prompt))
        {
            await Error(ctx, Apple, 400, "model and prompt are required");
            return;
        }
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
        if (!state.Jobs.TryGetValue(id, out var job) || !job.VideosRoute)
        {
            return Error(ctx, Apple, 404, "video not found");
        }
        job.CountPoll();
        if (options.OpenAIPollAfterMs is int ms)
        {
            ctx.Response.Headers["openai-poll-after-ms"] = ms.ToString(CultureInfo.InvariantCulture);
        }
        return Json(ctx, 200, VideoObject(job, DateTimeOffset.UtcNow));
    }

    private static async Task VideosContent(HttpContext ctx, EmulatorOptions options, EmulatorState state, string id)
    {
        if (!state.Jobs.TryGetValue(id, out var job) || !job.VideosRoute || job.PhaseAt(DateTimeOffset.UtcNow).Phase != "succeeded")
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

    private static async Task FastSubmit(HttpContext ctx, EmulatorOptions options, EmulatorState state)
    {
        var body = await ReadBody(ctx);
        var model = body is null ? null : Str(body, "model");
        var prompt = body is null ? null : Str(body, "prompt");
        if (model is null || prompt is null)
        {
            await Error(ctx, Fast, 400, "model and prompt are required");
            return;
        }
        var sora = model.Contains("sora", StringComparison.OrdinalIgnoreCase);
        var job = state.Create(Fast, model, prompt, options, model.StartsWith("pollo/", StringComparison.Ordinal) ? "pol_" : sora ? "video_" : "task");
        job.SubmittedBody = body!.ToJsonString();
        if (sora)
        {
            await Json(ctx, 200, new JsonObject
            {
                ["id"] = job.Id, ["chat_id"] = "chat-" + job.Id, ["object"] = "video", ["created_at"] = Unix(job.CreatedAt),
                ["status"] = "queued", ["model"] = model, ["seconds"] = (body!["seconds"]?.ToString() ?? "4"), ["size"] = Str(body, "size") ?? "1280x720",
                ["usage"] = new JsonObject { ["credits_used"] = 1.5 },
            });
            return;
        }
        await Json(ctx, 200, new JsonObject
        {
            ["chat_id"] = "chat-" + job.Id, ["model"] = model, ["code"] = "200", ["message"] = "success",
            ["data"] = new JsonObject { ["taskId"] = job.Id, ["status"] = "waiting" },
            ["usage"] = new JsonObject { ["user_key_credits_used"] = 0, ["credits_used"] = 1.5, ["provider"] = "emulator" },
        });
    }

    private static async Task FastPoll(HttpContext ctx, EmulatorOptions options, EmulatorState state)
    {
        var body = await ReadBody(ctx);
        var taskId = body is null ? null : Str(body, "taskId");
        if (taskId is null)
        {
            await Error(ctx, Fast, 400, "taskId is required");
            return;
        }
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
        var (phase, progress) = job.PhaseAt(DateTimeOffset.UtcNow);
        var sora = job.Model.Contains("sora", StringComparison.OrdinalIgnoreCase);
        if (phase == "succeeded" && (sora || options.FastRouterAnswersBytes))
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

    internal static async Task OpenSubmit(HttpContext ctx, EmulatorOptions options, EmulatorState state)
    {
        var body = await ReadBody(ctx);
        var model = body is null ? null : Str(body, "model");
        var prompt = body is null ? null : Str(body, "prompt");
        if (model is null || prompt is null)
        {
            await Error(ctx, Open, 400, "Invalid request parameters: model and prompt are required");
            return;
        }
        var job = state.Create(Open, model, prompt, options, "job-");
        job.SubmittedBody = body!.ToJsonString();
        await Json(ctx, 202, new JsonObject
        {
            ["id"] = job.Id, ["polling_url"] = "/api/v1/videos/" + job.Id, ["status"] = "pending", ["generation_id"] = "gen-" + job.Id,
        });
    }

    private static Task OpenPoll(HttpContext ctx, EmulatorState state, string id)
    {
        if (!state.Jobs.TryGetValue(id, out var job) || job.Provider != Open)
        {
            return Error(ctx, Open, 404, "Resource not found");
        }
        job.CountPoll();
        var (phase, progress) = job.PhaseAt(DateTimeOffset.UtcNow);
        var answer = new JsonObject
        {
            ["id"] = job.Id, ["polling_url"] = "/api/v1/videos/" + job.Id, ["generation_id"] = "gen-" + job.Id,
            ["status"] = phase switch { "queued" => "pending", "running" => "in_progress", "failed" => "failed", _ => "completed" },
            ["progress"] = progress,
        };
        if (phase == "succeeded")
        {
            answer["unsigned_urls"] = new JsonArray((JsonNode)(ctx.Request.Scheme + "://" + ctx.Request.Host + "/api/v1/videos/" + job.Id + "/content?index=0"));
            answer["usage"] = new JsonObject { ["cost"] = 0.5, ["is_byok"] = false };
        }
        if (phase == "failed")
        {
            answer["error"] = "The emulator was asked to fail this job.";
        }
        return Json(ctx, 200, answer);
    }

    // ---- AppleRouter ----

    private static async Task AppleSubmit(HttpContext ctx, EmulatorOptions options, EmulatorState state)
    {
        var body = await ReadBody(ctx);
        var model = body is null ? null : Str(body, "model");
        var prompt = body is null ? null : Str(body, "prompt");
        if (model is null || prompt is null)
        {
            await Error(ctx, Apple, 400, "model and prompt are required");
            return;
        }
        var job = state.Create(Apple, model, prompt, options, "");
        job.SubmittedBody = body!.ToJsonString();
        await Json(ctx, 200, new JsonObject { ["task_id"] = job.Id, ["status"] = "queued" });
    }

    private static Task ApplePoll(HttpContext ctx, EmulatorOptions options, EmulatorState state, string id)
    {
        if (!state.Jobs.TryGetValue(id, out var job) || job.Provider != Apple)
        {
            return Error(ctx, Apple, 404, "task_not_exist");
        }
        job.CountPoll();
        var (phase, progress) = job.PhaseAt(DateTimeOffset.UtcNow);
        var data = new JsonObject
        {
            ["task_id"] = job.Id,
            ["status"] = options.AppleRouterFlat
                ? phase switch { "queued" => "queued", "running" => "processing", "failed" => "failed", _ => "completed" }
                : phase switch { "queued" => "QUEUED", "running" => "IN_PROGRESS", "failed" => "FAILURE", _ => "SUCCESS" },
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

    // ---- Downloads ----

    private static Task Download(HttpContext ctx, EmulatorOptions options, EmulatorState state, string id)
    {
        if (!state.Jobs.TryGetValue(id, out var job))
        {
            return Error(ctx, Open, 404, "Resource not found");
        }
        if (job.PhaseAt(DateTimeOffset.UtcNow).Phase != "succeeded")
        {
            return Error(ctx, job.Provider, 404, "The video is not ready");
        }
        job.CountDownload();
        return WriteVideo(ctx, options, job, ranged: true);
    }

    private static async Task WriteVideo(HttpContext ctx, EmulatorOptions options, EmulatedJob job, bool ranged)
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
