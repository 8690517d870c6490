using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace VideoGen.Emulator;

/// <summary>AppleRouter's validation table (AppleRouter's create-video reference, docs/providers.md) for its JSON route, POST /v1/video/generations.</summary>
internal static partial class ProviderSchemas
{
    /// <summary>
    /// AppleRouter's create-video reference (docs/providers.md, Sources), <c>POST /v1/video/generations</c> (JSON).
    /// Documented: model and prompt required strings; image string (URL or base64); duration number; width, height,
    /// fps, seed integers. Inferred: duration, width, height and fps are positive (a length, a size in pixels, a frame
    /// rate).
    /// </summary>
    public static readonly IReadOnlyList<FieldRule> AppleRouterGenerations = new FieldRule[]
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

    private static string? Positive(JsonNode n) => n.GetValue<double>() > 0 ? null : "must be greater than 0";
}
