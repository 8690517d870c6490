using System.Collections.Generic;

namespace VideoGen.Emulator;

/// <summary>
/// The tables of the OpenAI-style multipart POST /v1/videos: seeds/004's for AppleRouter's veo-3.1 family, and
/// OpenAI's shape as gateways serve it (docs/providers.md) for other models.
/// </summary>
internal static partial class ProviderSchemas
{
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
    /// docs/providers.md "OpenAI-compatible /v1/videos" (not a seed: OpenAI's shape as gateways serve it), used on the same
    /// route for models outside the veo-3.1 family: model and prompt required, seconds "4"|"8"|"12", size one of
    /// OpenAI's four, input_reference optional.
    /// </summary>
    public static readonly IReadOnlyList<string> OpenAIVideosSizes = new[] { "720x1280", "1280x720", "1024x1792", "1792x1024" };

    /// <summary>The seconds both /v1/videos tables accept (seeds/004 example "8"; OpenAI's "4"|"8"|"12").</summary>
    public static readonly IReadOnlyList<string> VideosSeconds = new[] { "4", "8", "12" };
}
