using System.Collections.Generic;

namespace VideoGen.Emulator;

/// <summary>
/// The tables of the OpenAI-style multipart POST /v1/videos: AppleRouter's for its veo-3.1 family, and OpenAI's shape as
/// gateways serve it for other models (docs/providers.md, Parameters).
/// </summary>
internal static partial class ProviderSchemas
{
    /// <summary>
    /// AppleRouter's create-video reference (docs/providers.md, Sources), multipart <c>POST /v1/videos</c> for the
    /// veo-3.1 family: model, prompt, seconds (string), input_reference (file; a URL is accepted too, per AppleRouter's
    /// Veo reference) and size ("720x1280 竖屏 1280x720 横屏") required; watermark optional. Its example's size "16x9"
    /// differs from its text; the route takes both forms (OpenAIVideosRoutes).
    /// </summary>
    public static readonly IReadOnlyList<string> AppleRouterVideosRequired = new[] { "model", "prompt", "seconds", "size", "input_reference" };

    /// <summary>AppleRouter's create-video reference's multipart fields (any other form field is unknown).</summary>
    public static readonly IReadOnlyList<string> AppleRouterVideosFields = new[] { "model", "prompt", "seconds", "size", "input_reference", "watermark" };

    /// <summary>AppleRouter's create-video reference's two sizes for the veo-3.1 family.</summary>
    public static readonly IReadOnlyList<string> AppleRouterVideosDocumentedSizes = new[] { "720x1280", "1280x720" };

    /// <summary>
    /// docs/providers.md, Parameters (OpenAI's shape as gateways serve it, from OpenAI's Python SDK), used on the same
    /// route for models outside the veo-3.1 family: model and prompt required, seconds "4"|"8"|"12", size one of
    /// OpenAI's four, input_reference optional.
    /// </summary>
    public static readonly IReadOnlyList<string> OpenAIVideosSizes = new[] { "720x1280", "1280x720", "1024x1792", "1792x1024" };

    /// <summary>The seconds both /v1/videos tables accept (AppleRouter's example "8"; OpenAI's "4"|"8"|"12"; docs/providers.md, Parameters).</summary>
    public static readonly IReadOnlyList<string> VideosSeconds = new[] { "4", "8", "12" };
}
