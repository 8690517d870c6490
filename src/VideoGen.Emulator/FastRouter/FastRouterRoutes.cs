using System;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using static VideoGen.Emulator.Answers;
using static VideoGen.Emulator.Downloads;
using static VideoGen.Emulator.ProviderNames;

namespace VideoGen.Emulator;

/// <summary>
/// FastRouter's routes: submit POST /api/v1/videos and poll POST /api/v1/getAsyncResponse (or /getVideoResponse).
/// Documented (FastRouter's reference, docs/providers.md): both submit shapes (data.taskId for most models, id for
/// Sora), both poll shapes (data.generations[] with waiting|processing|succeed|failed, and Sora's {status, progress,
/// completed_at}), the error shape {error:{message,type,code,status}}, 404 for an invalid or expired task. Inferred: a
/// finished poll answering the MP4 bytes (the Sora default here, FastRouterAnswersBytes for the rest), and Sora's
/// "error" object on a failed poll.
/// </summary>
internal static class FastRouterRoutes
{
    /// <summary>POST /api/v1/videos: validates against FastRouter's reference's table, creates the job and answers in the Sora or the taskId shape.</summary>
    internal static async Task Submit(HttpContext ctx, EmulatorOptions options, EmulatorState state)
    {
        var body = await ReadValid(ctx, options, Fast, ProviderSchemas.FastRouterSubmit, ProviderSchemas.FastRouterCrossChecks);
        if (body is null)
        {
            return;
        }
        var model = Str(body, "model")!;
        var prompt = Str(body, "prompt")!;
        var sora = model.Contains("sora", StringComparison.OrdinalIgnoreCase);
        var job = state.Create(Fast, model, prompt, options, model.StartsWith("pollo/", StringComparison.Ordinal) ? "pol_" : sora ? "video_" : "task");
        job.SubmittedBody = body.ToJsonString();
        // Both submit shapes are documented (FastRouter's reference, oneOf; docs/providers.md, Answers);
        // FastRouterAnswerModel and FastRouterSubmitStatus pick the other documented values of model and status.
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

    /// <summary>POST /api/v1/getAsyncResponse (and /getVideoResponse): the job's generations, Sora's video object, or the MP4 bytes once finished.</summary>
    internal static async Task Poll(HttpContext ctx, EmulatorOptions options, EmulatorState state)
    {
        var body = await ReadValid(ctx, options, Fast, ProviderSchemas.FastRouterPoll);
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
        // Raw MP4 bytes for a finished poll are inferred (docs/providers.md, Answers: third-party client code);
        // FastRouterSoraJson answers the documented Sora JSON shape instead (FastRouter's reference).
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
}
