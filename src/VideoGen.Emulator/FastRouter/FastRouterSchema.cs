using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace VideoGen.Emulator;

/// <summary>FastRouter's validation tables (FastRouter's reference and guide, docs/providers.md): submit, poll, and the rules across submit fields.</summary>
internal static partial class ProviderSchemas
{
    private static readonly string[] SoraOnly = { "seconds", "size" };
    private static readonly string[] NotSora = { "length", "resolution", "aspectRatio" };

    /// <summary>FastRouter's reference (its OpenAPI, docs/providers.md): the 18 ids of the <c>model</c> enum of POST /api/v1/videos.</summary>
    public static readonly IReadOnlyList<string> FastRouterModels = new[]
    {
        "google/veo2", "google/veo3", "google/veo3-fast", "openai/sora-2", "openai/sora-2-pro", "kling-ai/kling-v1-6",
        "kling-ai/kling-v2", "kling-ai/kling-v2-1", "kling-ai/kling-v2-1-master", "runway/runway-gen-3-turbo",
        "runway/runway-gen-4-turbo", "pika/pika-v2-2", "minimax/minimax-hailuo-02", "bytedance/seedance",
        "bytedance/seedance-pro", "pollo/pollo-v1-6", "vidu/vidu-v2-0", "vidu/vidu-q1",
    };

    /// <summary>
    /// FastRouter's reference (docs/providers.md, Sources), <c>POST /api/v1/videos</c> (its earlier versions list the
    /// same body). Documented: every field, type and enum below; required model and prompt; image "format: uri ... Only
    /// URLs supported (no base64)". Inferred from "(used by Sora models)": seconds and size only with a Sora model, and
    /// length, resolution and aspectRatio only without one (see <see cref="FastRouterCrossChecks"/>).
    /// </summary>
    public static readonly IReadOnlyList<FieldRule> FastRouterSubmit = new FieldRule[]
    {
        new("model", FieldType.String, Required: true, Enum: FastRouterModels),
        new("prompt", FieldType.String, Required: true, Check: NotBlank),
        new("image", FieldType.String, Check: AbsoluteHttpUrl),
        new("length", FieldType.Integer, IntEnum: new long[] { 4, 5, 6, 8, 10, 12 }),
        new("seconds", FieldType.Integer, IntEnum: new long[] { 4, 8, 12 }),
        new("resolution", FieldType.String, Enum: new[] { "480p", "720p", "1080p" }),
        new("aspectRatio", FieldType.String, Enum: new[] { "16:9", "9:16", "4:3", "3:4", "1:1", "5:3", "3:5" }),
        new("size", FieldType.String, Enum: new[] { "720x1280", "1280x720", "1024x1792", "1792x1024" }),
        new("mode", FieldType.String, Enum: new[] { "std", "pro" }),
        new("seed", FieldType.Integer),
        new("generateAudio", FieldType.Boolean),
    };

    /// <summary>FastRouter's reference, <c>POST /api/v1/getAsyncResponse</c> (and FastRouter's guide's /getVideoResponse; docs/providers.md): taskId required; model (the taskId/model rule is checked against the job).</summary>
    public static readonly IReadOnlyList<FieldRule> FastRouterPoll = new FieldRule[]
    {
        new("taskId", FieldType.String, Required: true, Check: NotBlank),
        new("model", FieldType.String),
    };

    /// <summary>
    /// FastRouter's rules across fields (inferred from FastRouter's reference's "used by Sora models",
    /// docs/providers.md, Parameters): a Sora model takes seconds and size, and not length, resolution or aspectRatio;
    /// another model the reverse.
    /// </summary>
    public static string? FastRouterCrossChecks(JsonObject body)
    {
        var model = body["model"]?.GetValue<string>() ?? string.Empty;
        var sora = model.Contains("sora", StringComparison.OrdinalIgnoreCase);
        var wrong = (sora ? NotSora : SoraOnly).FirstOrDefault(body.ContainsKey);
        return wrong is null ? null
            : sora ? wrong + " is not taken by Sora models (use seconds and size)"
            : wrong + " is used by Sora models only (use length, resolution and aspectRatio)";
    }

    private static string? AbsoluteHttpUrl(JsonNode n) =>
        Uri.TryCreate(n.GetValue<string>(), UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps)
            ? null : "must be an http(s) URL (no base64, no data: URI)";
}
