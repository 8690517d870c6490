using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace VideoGen.Emulator;

/// <summary>
/// fal's model inputs (docs/providers.md, fal: each model's API page), one table per documented model id. A model
/// VideoGen does not document is accepted with only a prompt required and any other field (fal hosts hundreds).
/// </summary>
internal static partial class ProviderSchemas
{
    private static readonly string[] VeoDurations = { "4s", "6s", "8s" };

    /// <summary>https://fal.ai/models/fal-ai/veo3.1/llms.txt: prompt required; aspect_ratio, duration, resolution enums; audio, seed, negative prompt.</summary>
    private static readonly FieldRule[] FalVeo31 =
    {
        new("prompt", FieldType.String, Required: true, Check: NotBlank),
        new("aspect_ratio", FieldType.String, Enum: new[] { "16:9", "9:16" }),
        new("duration", FieldType.String, Enum: VeoDurations),
        new("resolution", FieldType.String, Enum: new[] { "720p", "1080p", "4k" }),
        new("generate_audio", FieldType.Boolean),
        new("negative_prompt", FieldType.String),
        new("seed", FieldType.Integer),
        new("auto_fix", FieldType.Boolean),
        new("safety_tolerance", FieldType.String, Enum: new[] { "1", "2", "3", "4", "5", "6" }),
    };

    /// <summary>https://fal.ai/docs/model-api-reference/video-generation-api/veo3.1-image-to-video: Veo 3.1's fields, image_url required, aspect_ratio with auto.</summary>
    private static readonly FieldRule[] FalVeo31ImageToVideo =
    {
        new("prompt", FieldType.String, Required: true, Check: NotBlank),
        new("image_url", FieldType.String, Required: true, Check: NotBlank),
        new("aspect_ratio", FieldType.String, Enum: new[] { "auto", "16:9", "9:16" }),
        new("duration", FieldType.String, Enum: VeoDurations),
        new("resolution", FieldType.String, Enum: new[] { "720p", "1080p", "4k" }),
        new("generate_audio", FieldType.Boolean),
        new("negative_prompt", FieldType.String),
        new("seed", FieldType.Integer),
        new("auto_fix", FieldType.Boolean),
        new("safety_tolerance", FieldType.String, Enum: new[] { "1", "2", "3", "4", "5", "6" }),
    };

    /// <summary>
    /// The tables by model id (the whole id, endpoint path included). fal-ai/veo3.1/fast: fal's client types give it Veo
    /// 3.1's fields. Kling 2.5 Turbo Pro and Hailuo 02: fal's client types (@fal-ai/client).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<FieldRule>> FalModels = new Dictionary<string, IReadOnlyList<FieldRule>>
    {
        ["fal-ai/veo3.1"] = FalVeo31,
        ["fal-ai/veo3.1/fast"] = FalVeo31,
        ["fal-ai/veo3.1/image-to-video"] = FalVeo31ImageToVideo,
        ["fal-ai/kling-video/v2.5-turbo/pro/text-to-video"] = new FieldRule[]
        {
            new("prompt", FieldType.String, Required: true, Check: NotBlank),
            new("duration", FieldType.String, Enum: new[] { "5", "10" }),
            new("aspect_ratio", FieldType.String, Enum: new[] { "16:9", "9:16", "1:1" }),
            new("negative_prompt", FieldType.String),
            new("cfg_scale", FieldType.Number, Check: n => n.GetValue<double>() is >= 0 and <= 1 ? null : "must be between 0 and 1"),
        },
        ["fal-ai/minimax/hailuo-02/standard/text-to-video"] = new FieldRule[]
        {
            new("prompt", FieldType.String, Required: true, Check: NotBlank),
            new("duration", FieldType.String, Enum: new[] { "6", "10" }),
            new("prompt_optimizer", FieldType.Boolean),
        },
    };

    /// <summary>What any other fal model is held to: a prompt.</summary>
    public static readonly IReadOnlyList<FieldRule> FalAnyModel = new FieldRule[]
    {
        new("prompt", FieldType.String, Required: true, Check: NotBlank),
    };
}
