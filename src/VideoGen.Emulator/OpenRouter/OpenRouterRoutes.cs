using System;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using static VideoGen.Emulator.Answers;
using static VideoGen.Emulator.Downloads;
using static VideoGen.Emulator.ProviderNames;

namespace VideoGen.Emulator;

/// <summary>
/// OpenRouter's routes (base /api/v1): submit, poll, content, the current key and the model capabilities.
/// Documented (OpenRouter's submit and poll references, docs/providers.md): 202 {id, polling_url, status, generation_id},
/// poll GET /videos/{id} in the same shape, error {error:{code,message}}; /videos/{id}/content?index=N and /videos/models
/// (OpenRouter's video guide and model-list reference, docs/providers.md).
/// </summary>
internal static class OpenRouterRoutes
{
    /// <summary>GET /api/v1/key: the current key (docs/providers.md, OpenRouter's model list and key), its limit from <see cref="EmulatorOptions.KeyLimitRemaining"/>.</summary>
    internal static Task Key(HttpContext ctx, EmulatorOptions options) => Json(ctx, 200, new JsonObject
    {
        ["data"] = new JsonObject
        {
            ["label"] = "emulator key", ["limit"] = options.KeyLimitRemaining is decimal left ? JsonValue.Create(left + 10m) : null,
            ["limit_remaining"] = options.KeyLimitRemaining is decimal remaining ? JsonValue.Create(remaining) : null,
            ["limit_reset"] = null, ["usage"] = 10, ["usage_daily"] = 0, ["is_free_tier"] = false,
        },
    });

    /// <summary>GET /api/v1/videos/models: the model capabilities (OpenRouter's model-list reference, docs/providers.md, OpenRouter's model list and key).</summary>
    internal static Task Models(HttpContext ctx) => Json(ctx, 200, OpenRouterModels());

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

    /// <summary>POST /api/v1/videos on OpenRouter's port: validates against OpenRouter's submit reference's table and answers 202 with the polling URL.</summary>
    internal static async Task Submit(HttpContext ctx, EmulatorOptions options, EmulatorState state)
    {
        var body = await ReadValid(ctx, options, Open, ProviderSchemas.OpenRouterSubmit);
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
    /// OpenRouter's submit reference's VideoGenerationResponse (docs/providers.md, Answers): id, polling_url, status
    /// (pending|in_progress|completed|failed|cancelled|expired), generation_id, unsigned_urls, usage, error. The
    /// <c>progress</c> field is not documented: a variant a gateway may send (inferred), which a client must tolerate.
    /// </summary>
    internal static Task Poll(HttpContext ctx, EmulatorOptions options, EmulatorState state, string id)
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
    /// OpenRouter's content route (OpenRouter's video guide, docs/providers.md, Routes): <c>?index=N</c> picks one of
    /// the job's unsigned_urls; the emulator makes one video, so index must be 0 or absent (read as 0); another number
    /// 404, not a number 400.
    /// </summary>
    internal static Task Content(HttpContext ctx, EmulatorOptions options, EmulatorState state, string id)
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
}
