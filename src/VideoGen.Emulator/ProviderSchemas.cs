using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace VideoGen.Emulator;

/// <summary>The JSON type a field must have on the wire.</summary>
internal enum FieldType
{
    /// <summary>A JSON string.</summary>
    String,
    /// <summary>A JSON number without a fraction (a string of digits is not one).</summary>
    Integer,
    /// <summary>Any JSON number.</summary>
    Number,
    /// <summary>true or false (not "yes", not 1).</summary>
    Boolean,
    /// <summary>A JSON array.</summary>
    Array,
    /// <summary>A JSON object.</summary>
    Object,
}

/// <summary>
/// One documented field: its name as spelled in the document, its type, whether it is required, its enum (compared
/// exactly, as a provider that enforces its enum does), and any further rule (returns an error text or null).
/// </summary>
internal sealed record FieldRule(string Name, FieldType Type, bool Required = false, IReadOnlyList<string>? Enum = null,
    IReadOnlyList<long>? IntEnum = null, long? Minimum = null, Func<JsonNode, string?>? Check = null);

/// <summary>
/// The request validation tables, one per provider route, each named after the seed document it comes from
/// (../shared/seeds/). A request the document would refuse answers 400 here, so a client bug a real provider would
/// refuse fails a test. Unknown fields are refused unless <see cref="EmulatorOptions.AcceptUnknownFields"/> is set
/// (real gateways vary: some ignore, some refuse).
/// </summary>
internal static class ProviderSchemas
{
    private static readonly Regex SizePattern = new("^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$", RegexOptions.CultureInvariant);

    private static readonly string[] SoraOnly = { "seconds", "size" };
    private static readonly string[] NotSora = { "length", "resolution", "aspectRatio" };
    private static readonly string[] FrameTypes = { "image_url" };
    private static readonly string[] ReferenceTypes = { "image_url", "audio_url", "video_url" };

    /// <summary>seeds/000 (FastRouter OpenAPI): the 18 ids of the <c>model</c> enum of POST /api/v1/videos.</summary>
    public static readonly IReadOnlyList<string> FastRouterModelsSeed000 = new[]
    {
        "google/veo2", "google/veo3", "google/veo3-fast", "openai/sora-2", "openai/sora-2-pro", "kling-ai/kling-v1-6",
        "kling-ai/kling-v2", "kling-ai/kling-v2-1", "kling-ai/kling-v2-1-master", "runway/runway-gen-3-turbo",
        "runway/runway-gen-4-turbo", "pika/pika-v2-2", "minimax/minimax-hailuo-02", "bytedance/seedance",
        "bytedance/seedance-pro", "pollo/pollo-v1-6", "vidu/vidu-v2-0", "vidu/vidu-q1",
    };

    /// <summary>
    /// seeds/000_299343856b99761a.txt, FastRouter <c>POST /api/v1/videos</c> (seeds/001-002 list the same body).
    /// Documented: every field, type and enum below; required model and prompt; image "format: uri ... Only URLs
    /// supported (no base64)". Inferred from "(used by Sora models)": seconds and size only with a Sora model, and
    /// length, resolution and aspectRatio only without one (see <see cref="FastRouterCrossChecks"/>).
    /// </summary>
    public static readonly IReadOnlyList<FieldRule> FastRouterSubmitSeed000 = new FieldRule[]
    {
        new("model", FieldType.String, Required: true, Enum: FastRouterModelsSeed000),
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

    /// <summary>seeds/000, FastRouter <c>POST /api/v1/getAsyncResponse</c> (and seeds/001's /getVideoResponse): taskId required; model (the taskId/model rule is checked against the job).</summary>
    public static readonly IReadOnlyList<FieldRule> FastRouterPollSeed000 = new FieldRule[]
    {
        new("taskId", FieldType.String, Required: true, Check: NotBlank),
        new("model", FieldType.String),
    };

    /// <summary>
    /// seeds/003_9dc5aa8ce11d2340.txt, OpenRouter <c>POST /videos</c> (VideoGenerationRequest). Documented: every
    /// field below, snake_case; duration integer minimum 1; the resolution and aspect_ratio enums (exact spelling:
    /// "1K", not "1k"); callback_url "Must be HTTPS"; frame_images items FrameImage = ContentPartImage (type
    /// "image_url", image_url.url required) plus required frame_type first_frame|last_frame; input_references items
    /// a oneOf by type image_url|audio_url|video_url. Inferred: size must read WIDTHxHEIGHT ("e.g. 1280x720").
    /// </summary>
    public static readonly IReadOnlyList<FieldRule> OpenRouterSubmitSeed003 = new FieldRule[]
    {
        new("model", FieldType.String, Required: true, Check: NotBlank),
        new("prompt", FieldType.String, Required: true, Check: NotBlank),
        new("duration", FieldType.Integer, Minimum: 1),
        new("resolution", FieldType.String, Enum: new[] { "480p", "720p", "768p", "1080p", "1K", "2K", "4K" }),  // 768p: PROVIDERS.md "newer public facts", not in seeds/003
        new("aspect_ratio", FieldType.String, Enum: new[] { "16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9", "9:21" }),
        new("size", FieldType.String, Check: n => SizePattern.IsMatch(n.GetValue<string>()) ? null : "size must be WIDTHxHEIGHT, e.g. 1280x720"),
        new("frame_images", FieldType.Array, Check: FrameImages),
        new("input_references", FieldType.Array, Check: InputReferences),
        new("generate_audio", FieldType.Boolean),
        new("seed", FieldType.Integer),
        new("callback_url", FieldType.String, Check: HttpsUrl),
        new("provider", FieldType.Object, Check: ProviderPassthrough),
    };

    /// <summary>
    /// seeds/004_f659fa69552f57f8.txt, AppleRouter <c>POST /v1/video/generations</c> (JSON). Documented: model and
    /// prompt required strings; image string (URL or base64); duration number; width, height, fps, seed integers.
    /// Inferred: duration, width, height and fps are positive (a length, a size in pixels, a frame rate).
    /// </summary>
    public static readonly IReadOnlyList<FieldRule> AppleRouterGenerationsSeed004 = new FieldRule[]
    {
        new("model", FieldType.String, Required: true, Check: NotBlank),
        new("prompt", FieldType.String, Required: true, Check: NotBlank),
        new("image", FieldType.String, Check: NotBlank),
        new("duration", FieldType.Number, Check: Positive),
        new("width", FieldType.Integer, Minimum: 1),
        new("height", FieldType.Integer, Minimum: 1),
        new("fps", FieldType.Integer, Minimum: 1),
        new("seed", FieldType.Integer),
    };

    /// <summary>
    /// seeds/004, AppleRouter multipart <c>POST /v1/videos</c> for the veo-3.1 family: model, prompt, seconds (string),
    /// input_reference (file; a URL is accepted too, per AppleRouter's newer docs) and size ("720x1280 竖屏 1280x720 横屏")
    /// required; watermark optional. The seed's example size "16x9" contradicts its own text: the text wins here.
    /// </summary>
    public static readonly IReadOnlyList<string> AppleRouterVideosRequiredSeed004 = new[] { "model", "prompt", "seconds", "size", "input_reference" };

    /// <summary>seeds/004 multipart fields (any other form field is unknown).</summary>
    public static readonly IReadOnlyList<string> AppleRouterVideosFieldsSeed004 = new[] { "model", "prompt", "seconds", "size", "input_reference", "watermark" };

    /// <summary>seeds/004's two sizes for the veo-3.1 family.</summary>
    public static readonly IReadOnlyList<string> AppleRouterVideosSizesSeed004 = new[] { "720x1280", "1280x720" };

    /// <summary>
    /// PROVIDERS.md "OpenAI-compatible /v1/videos" (not a seed: OpenAI's shape as gateways serve it), used on the same
    /// route for models outside the veo-3.1 family: model and prompt required, seconds "4"|"8"|"12", size one of
    /// OpenAI's four, input_reference optional.
    /// </summary>
    public static readonly IReadOnlyList<string> OpenAIVideosSizes = new[] { "720x1280", "1280x720", "1024x1792", "1792x1024" };

    /// <summary>The seconds both /v1/videos tables accept (seeds/004 example "8"; OpenAI's "4"|"8"|"12").</summary>
    public static readonly IReadOnlyList<string> VideosSeconds = new[] { "4", "8", "12" };

    /// <summary>Checks a JSON body against a table: the first problem, or null when the document would accept it.</summary>
    public static string? Validate(JsonObject? body, IReadOnlyList<FieldRule> table, bool acceptUnknownFields)
    {
        if (body is null)
        {
            return "the body must be a JSON object";
        }
        foreach (var rule in table.Where(r => r.Required))
        {
            if (!body.TryGetPropertyValue(rule.Name, out var value) || value is null)
            {
                return rule.Name + " is required";
            }
        }
        foreach (var (name, value) in body)
        {
            var rule = table.FirstOrDefault(r => r.Name == name);
            if (rule is null)
            {
                if (acceptUnknownFields)
                {
                    continue;
                }
                var near = table.FirstOrDefault(r => string.Equals(r.Name.Replace("_", "", StringComparison.Ordinal), name.Replace("_", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
                return "unknown field '" + name + "'" + (near is null ? string.Empty : " (did you mean '" + near.Name + "'?)");
            }
            if (value is null)
            {
                continue;
            }
            var problem = CheckValue(rule, value);
            if (problem != null)
            {
                return problem;
            }
        }
        return null;
    }

    private static string? CheckValue(FieldRule rule, JsonNode value)
    {
        var kind = value.GetValueKind();
        var typeOk = rule.Type switch
        {
            FieldType.String => kind == JsonValueKind.String,
            FieldType.Integer => kind == JsonValueKind.Number && value.AsValue().TryGetValue<long>(out _),
            FieldType.Number => kind == JsonValueKind.Number,
            FieldType.Boolean => kind is JsonValueKind.True or JsonValueKind.False,
            FieldType.Array => kind == JsonValueKind.Array,
            _ => kind == JsonValueKind.Object,
        };
        if (!typeOk)
        {
            return rule.Name + " must be " + rule.Type.ToString().ToLowerInvariant() + ", not " + value.ToJsonString();
        }
        if (rule.Enum != null && !rule.Enum.Contains(value.GetValue<string>(), StringComparer.Ordinal))
        {
            return rule.Name + " must be one of " + string.Join(", ", rule.Enum) + ", not '" + value.GetValue<string>() + "'";
        }
        if (rule.IntEnum != null && !rule.IntEnum.Contains(value.GetValue<long>()))
        {
            return rule.Name + " must be one of " + string.Join(", ", rule.IntEnum) + ", not " + value.ToJsonString();
        }
        if (rule.Minimum is long min && value.GetValue<long>() < min)
        {
            return rule.Name + " must be at least " + min.ToString(CultureInfo.InvariantCulture) + ", not " + value.ToJsonString();
        }
        return rule.Check?.Invoke(value) is { } problem ? rule.Name + ": " + problem : null;
    }

    /// <summary>
    /// FastRouter's rules across fields (inferred from seeds/000's "used by Sora models"): a Sora model takes seconds
    /// and size, and not length, resolution or aspectRatio; another model the reverse.
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

    private static string? NotBlank(JsonNode n) => string.IsNullOrWhiteSpace(n.GetValue<string>()) ? "must not be empty" : null;

    private static string? Positive(JsonNode n) => n.GetValue<double>() > 0 ? null : "must be greater than 0";

    private static string? AbsoluteHttpUrl(JsonNode n) =>
        Uri.TryCreate(n.GetValue<string>(), UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps)
            ? null : "must be an http(s) URL (no base64, no data: URI)";

    private static string? HttpsUrl(JsonNode n) =>
        Uri.TryCreate(n.GetValue<string>(), UriKind.Absolute, out var u) && u.Scheme == Uri.UriSchemeHttps ? null : "must be an HTTPS URL";

    private static string? Part(JsonNode? item, IReadOnlyList<string> types, bool frame)
    {
        if (item is not JsonObject part)
        {
            return "each item must be an object";
        }
        if (part["type"] is not JsonValue t || t.GetValueKind() != JsonValueKind.String || !types.Contains(t.GetValue<string>()))
        {
            return "each item needs type " + string.Join("|", types);
        }
        var type = t.GetValue<string>();
        if (part[type] is not JsonObject inner || inner["url"] is not JsonValue url || url.GetValueKind() != JsonValueKind.String)
        {
            return "each item needs " + type + ".url";
        }
        if (frame && (part["frame_type"] is not JsonValue f || f.GetValueKind() != JsonValueKind.String ||
                      f.GetValue<string>() is not ("first_frame" or "last_frame")))
        {
            return "each item needs frame_type first_frame or last_frame";
        }
        var extra = part.Select(p => p.Key).FirstOrDefault(k => k != "type" && k != type && !(frame && k == "frame_type"));
        return extra is null ? null : "unknown field '" + extra + "' in an item";
    }

    private static string? FrameImages(JsonNode n) => n.AsArray().Select(i => Part(i, FrameTypes, frame: true)).FirstOrDefault(p => p != null);

    private static string? InputReferences(JsonNode n) => n.AsArray().Select(i => Part(i, ReferenceTypes, frame: false)).FirstOrDefault(p => p != null);

    private static string? ProviderPassthrough(JsonNode n)
    {
        var keys = n.AsObject().Select(p => p.Key).ToList();
        if (keys.Any(k => k != "options"))
        {
            return "only provider.options is documented";
        }
        return n["options"] is null or JsonObject ? null : "provider.options must be an object keyed by provider slug";
    }
}
