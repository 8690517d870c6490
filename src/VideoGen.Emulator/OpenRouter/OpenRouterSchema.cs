using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace VideoGen.Emulator;

/// <summary>OpenRouter's validation table (OpenRouter's submit reference, docs/providers.md): submit, with its frame image, input reference and provider checks.</summary>
internal static partial class ProviderSchemas
{
    private static readonly Regex SizePattern = new("^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$", RegexOptions.CultureInvariant);

    private static readonly string[] FrameTypes = { "image_url" };
    private static readonly string[] ReferenceTypes = { "image_url", "audio_url", "video_url" };

    /// <summary>
    /// OpenRouter's submit reference (docs/providers.md, Sources), <c>POST /videos</c> (VideoGenerationRequest).
    /// Documented: every field below, snake_case; duration integer minimum 1; the resolution and aspect_ratio enums
    /// (exact spelling: "1K", not "1k"); callback_url "Must be HTTPS"; frame_images items FrameImage = ContentPartImage
    /// (type "image_url", image_url.url required) plus required frame_type first_frame|last_frame; input_references
    /// items a oneOf by type image_url|audio_url|video_url. Inferred: size must read WIDTHxHEIGHT ("e.g. 1280x720").
    /// </summary>
    public static readonly IReadOnlyList<FieldRule> OpenRouterSubmit = new FieldRule[]
    {
        new("model", FieldType.String, Required: true, Check: NotBlank),
        new("prompt", FieldType.String, Required: true, Check: NotBlank),
        new("duration", FieldType.Integer, Minimum: 1),
        new("resolution", FieldType.String, Enum: new[] { "480p", "720p", "768p", "1080p", "1K", "2K", "4K" }),  // 768p: docs/providers.md, Parameters
        new("aspect_ratio", FieldType.String, Enum: new[] { "16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9", "9:21" }),
        new("size", FieldType.String, Check: n => SizePattern.IsMatch(n.GetValue<string>()) ? null : "size must be WIDTHxHEIGHT, e.g. 1280x720"),
        new("frame_images", FieldType.Array, Check: FrameImages),
        new("input_references", FieldType.Array, Check: InputReferences),
        new("generate_audio", FieldType.Boolean),
        new("seed", FieldType.Integer),
        new("callback_url", FieldType.String, Check: HttpsUrl),
        new("provider", FieldType.Object, Check: ProviderPassthrough),
    };

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
