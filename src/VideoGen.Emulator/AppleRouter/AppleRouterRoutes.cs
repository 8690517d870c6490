using System;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using static VideoGen.Emulator.Answers;
using static VideoGen.Emulator.ProviderNames;

namespace VideoGen.Emulator;

/// <summary>AppleRouter's JSON routes (AppleRouter's create-video reference, docs/providers.md): submit POST /v1/video/generations and poll GET /v1/video/generations/{id}. Its veo-3.1 family uses the OpenAI-style /v1/videos (<see cref="OpenAIVideosRoutes"/>).</summary>
internal static class AppleRouterRoutes
{
    /// <summary>POST /v1/video/generations: validates against AppleRouter's create-video reference's JSON table and answers {task_id, status:"queued"}.</summary>
    internal static async Task Submit(HttpContext ctx, EmulatorOptions options, EmulatorState state)
    {
        var body = await ReadValid(ctx, options, Apple, ProviderSchemas.AppleRouterGenerations);
        if (body is null)
        {
            return;
        }
        var job = state.Create(Apple, Str(body, "model")!, Str(body, "prompt")!, options, "");
        job.SubmittedBody = body.ToJsonString();
        await Json(ctx, 200, new JsonObject { ["task_id"] = job.Id, ["status"] = "queued" });
    }

    /// <summary>
    /// AppleRouter's poll. AppleRouter's create-video reference (docs/providers.md, Answers) documents only the route
    /// and "get video URL from response"; both shapes are inferred: the default is the new-api gateway's wrapper
    /// {code:"success", data:{task_id, status NOT_START|SUBMITTED|QUEUED|IN_PROGRESS|SUCCESS|FAILURE|UNKNOWN,
    /// progress:"NN%", fail_reason, result_url}}; <see cref="EmulatorOptions.AppleRouterFlat"/> answers the "flat"
    /// variant {task_id, status, progress, video_url} some gateways send.
    /// </summary>
    internal static Task Poll(HttpContext ctx, EmulatorOptions options, EmulatorState state, string id)
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
