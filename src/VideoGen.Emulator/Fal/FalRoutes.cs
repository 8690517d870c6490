using System;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using static VideoGen.Emulator.Answers;
using static VideoGen.Emulator.ProviderNames;

namespace VideoGen.Emulator;

/// <summary>
/// fal's queue (docs/providers.md, fal; https://fal.ai/docs/api-reference/inference-api): submit <c>POST /{model id}</c>
/// answers <c>{request_id, response_url, status_url, cancel_url, status:"IN_QUEUE", queue_position}</c>; status
/// <c>GET /{owner}/{app}/requests/{id}/status</c> answers 202 with IN_QUEUE (and <c>queue_position</c>) or IN_PROGRESS,
/// then 200 with COMPLETED (<c>?logs=1</c> adds <c>logs</c>); result <c>GET /{owner}/{app}/requests/{id}</c> answers the
/// model's output <c>{video:{url, content_type, file_name, file_size}}</c>, or the model's error status and
/// <c>{detail}</c> body for a failed job. Errors are <c>{detail}</c>; invalid input is 422 with a <c>detail</c> array.
/// </summary>
internal static class FalRoutes
{
    /// <summary>POST /{model id} on fal's port: validates the model's input and queues the request.</summary>
    internal static async Task Submit(HttpContext ctx, EmulatorOptions options, EmulatorState state, string model)
    {
        var segments = model.Trim('/').Split('/');
        if (segments.Length < 2 || segments.Any(s => s.Length == 0))
        {
            await Error(ctx, Fal, 404, "Application '" + model + "' not found");
            return;
        }
        var (ok, body) = await ReadJson(ctx, Fal);
        if (!ok)
        {
            return;
        }
        var known = ProviderSchemas.FalModels.TryGetValue(model, out var table);
        var problem = ProviderSchemas.Validate(body, known ? table! : ProviderSchemas.FalAnyModel, options.AcceptUnknownFields || !known);
        if (problem != null)
        {
            // fal's model errors (https://fal.ai/docs/documentation/model-apis/errors): 422, a detail array of {loc, msg, type}.
            await Json(ctx, 422, new JsonObject
            {
                ["detail"] = new JsonArray(new JsonObject { ["loc"] = new JsonArray("body"), ["msg"] = problem, ["type"] = "value_error" }),
            });
            return;
        }
        var job = state.Create(Fal, model, Str(body!, "prompt")!, options, "");
        job.SubmittedBody = body!.ToJsonString();
        job.Webhook = ctx.Request.Query["fal_webhook"].ToString() is { Length: > 0 } hook ? hook : null;
        var result = ResponseUrl(ctx, segments[0], segments[1], job.Id);
        await Json(ctx, 200, new JsonObject
        {
            ["request_id"] = job.Id, ["response_url"] = result, ["status_url"] = result + "/status", ["cancel_url"] = result + "/cancel",
            ["status"] = "IN_QUEUE", ["queue_position"] = QueuePosition(state, job),
        });
    }

    /// <summary>GET /{owner}/{app}/requests/{id}/status: 202 while queued or running, 200 once COMPLETED (a failed job too: its result says why).</summary>
    internal static Task Status(HttpContext ctx, EmulatorState state, string owner, string app, string id)
    {
        if (Find(state, owner, app, id) is not EmulatedJob job)
        {
            return Error(ctx, Fal, 404, "Request not found");
        }
        job.CountPoll();
        var now = DateTimeOffset.UtcNow;
        var (phase, _) = job.PolledAt(now);
        var result = ResponseUrl(ctx, owner, app, job.Id);
        var answer = new JsonObject { ["response_url"] = result, ["status_url"] = result + "/status" };
        if (ctx.Request.Query["logs"].ToString() == "1")
        {
            answer["logs"] = new JsonArray();
        }
        switch (phase)
        {
            case "queued":
                answer["status"] = "IN_QUEUE";
                answer["queue_position"] = QueuePosition(state, job);
                return Json(ctx, 202, answer);
            case "running":
                answer["status"] = "IN_PROGRESS";
                return Json(ctx, 202, answer);
            default:
                answer["status"] = "COMPLETED";
                answer["metrics"] = new JsonObject { ["inference_time"] = job.Duration.TotalSeconds };
                return Json(ctx, 200, answer);
        }
    }

    /// <summary>
    /// GET /{owner}/{app}/requests/{id}: the model's output once COMPLETED. A failed job answers the model's error: 422 with
    /// a detail array (the fail marker), 504 request_timeout ([expire]), 499 client_cancelled ([cancel]). Before completion
    /// 400; after <see cref="EmulatorOptions.ResultTtl"/> the expired answer.
    /// </summary>
    internal static Task Result(HttpContext ctx, EmulatorOptions options, EmulatorState state, string owner, string app, string id)
    {
        if (Find(state, owner, app, id) is not EmulatedJob job)
        {
            return Error(ctx, Fal, 404, "Request not found");
        }
        var (phase, _) = job.PhaseAt(DateTimeOffset.UtcNow);
        if (phase is "queued" or "running")
        {
            return Error(ctx, Fal, 400, "Request is still in progress");
        }
        if (Expired(options, job))
        {
            return ExpiredAnswer(ctx, options, Fal);
        }
        job.CountResult();
        if (phase == "failed")
        {
            return job.EndStatus switch
            {
                "cancelled" => Json(ctx, 499, new JsonObject { ["detail"] = "Request was cancelled", ["error_type"] = "client_cancelled" }),
                "expired" => Json(ctx, 504, new JsonObject { ["detail"] = "Request timed out", ["error_type"] = "request_timeout" }),
                _ => Json(ctx, 422, new JsonObject
                {
                    ["detail"] = new JsonArray(new JsonObject
                    {
                        ["loc"] = new JsonArray("body", "prompt"), ["msg"] = "The emulator was asked to fail this job.", ["type"] = "content_policy_violation",
                    }),
                }),
            };
        }
        return Json(ctx, 200, new JsonObject
        {
            ["video"] = new JsonObject
            {
                ["url"] = FileUrl(ctx, options, job.Id), ["content_type"] = "video/mp4", ["file_name"] = job.Id + ".mp4", ["file_size"] = VideoFile.LengthFor(options.FileSize),
            },
            ["seed"] = 42,
        });
    }

    /// <summary>A fal job by id, where the URL names its model's owner and app (status and result URLs never carry the endpoint path).</summary>
    private static EmulatedJob? Find(EmulatorState state, string owner, string app, string id) =>
        state.Jobs.TryGetValue(id, out var job) && job.Provider == Fal && job.Model.Split('/') is { Length: >= 2 } parts &&
        parts[0] == owner && parts[1] == app ? job : null;

    /// <summary>A request's response_url: its owner and app (never the endpoint path), then requests/{id}.</summary>
    private static string ResponseUrl(HttpContext ctx, string owner, string app, string id) =>
        ctx.Request.Scheme + "://" + ctx.Request.Host + "/" + owner + "/" + app + "/requests/" + id;

    /// <summary>How many of fal's jobs submitted before this one are still queued.</summary>
    private static int QueuePosition(EmulatorState state, EmulatedJob job)
    {
        var now = DateTimeOffset.UtcNow;
        return state.Jobs.Values.Count(j => j.Provider == Fal && j.CreatedAt < job.CreatedAt && j.PhaseAt(now).Phase == "queued");
    }
}
