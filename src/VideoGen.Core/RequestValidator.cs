using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using VideoGen.Core.Providers;

namespace VideoGen.Core
{
    /// <summary>One thing wrong with a request: the field and what to do.</summary>
    public sealed class ValidationProblem
    {
        internal ValidationProblem(string field, string message)
        {
            Field = field;
            Message = message;
        }

        /// <summary>The New-Video parameter (CSV column) at fault.</summary>
        public string Field { get; }

        /// <summary>What is wrong and what is accepted.</summary>
        public string Message { get; }

        /// <summary>"Field: message".</summary>
        public override string ToString() => Field + ": " + Message;
    }

    /// <summary>
    /// Checks a request against the provider's documented values before any money is spent. Errors block the
    /// row; warnings (an unknown model id: providers add models faster than VideoGen is released) do not.
    /// </summary>
    public static class RequestValidator
    {
        private static readonly int[] FastRouterLengths = { 4, 5, 6, 8, 10, 12 };
        private static readonly string[] FastRouterModes = { "std", "pro" };
        private static readonly int[] SoraSeconds = { 4, 8, 12 };
        /// <summary>
        /// The documented spelling of a value validated ignoring case (FastRouter's "1080p" for "1080P", OpenRouter's
        /// "1K" for "1k"): a provider that enforces its enum refuses any other. A value off the list comes back trimmed
        /// and otherwise as given (validation reports it).
        /// </summary>
        internal static string? DocumentedSpelling(string? value, IReadOnlyList<string> documented)
        {
            if (string.IsNullOrEmpty(value))
            {
                return value;
            }
            var trimmed = value!.Trim();
            foreach (var candidate in documented)
            {
                if (string.Equals(candidate, trimmed, StringComparison.OrdinalIgnoreCase))
                {
                    return candidate;
                }
            }
            return trimmed;
        }

        /// <summary>A size validated as WIDTHxHEIGHT ("1280X720", " 1280 x 720") in the documented spelling "1280x720".</summary>
        internal static string? SizeSpelling(string? size) =>
            Dimensions.TryParseSize(size, out var width, out var height)
                ? width.ToString(CultureInfo.InvariantCulture) + "x" + height.ToString(CultureInfo.InvariantCulture)
                : size?.Trim();

        internal static string? FastRouterResolution(string? value) => DocumentedSpelling(value, FastRouterResolutions);
        internal static string? FastRouterAspectRatio(string? value) => DocumentedSpelling(value, FastRouterAspects);
        internal static string? FastRouterMode(string? value) => DocumentedSpelling(value, FastRouterModes);
        internal static string? SoraSize(string? value) => DocumentedSpelling(value, SoraSizes);
        internal static string? OpenRouterResolution(string? value) => DocumentedSpelling(value, OpenRouterResolutions);
        internal static string? OpenRouterAspectRatio(string? value) => DocumentedSpelling(value, OpenRouterAspects);

        private static readonly string[] FastRouterResolutions = { "480p", "720p", "1080p" };
        private static readonly string[] FastRouterAspects = { "16:9", "9:16", "4:3", "3:4", "1:1", "5:3", "3:5" };
        private static readonly string[] SoraSizes = { "720x1280", "1280x720", "1024x1792", "1792x1024" };

        /// <summary>The aspect ratios FastRouter's Sora models can honour (their sizes are landscape or portrait only; see docs/providers.md), for validation and tab completion.</summary>
        public static IReadOnlyList<string> SoraAspects { get; } = new[] { "16:9", "9:16" };
        // The documented list, the fallback where GET /videos/models does not state a model's values; 768p is newer (PROVIDERS.md, Aug 2026).
        private static readonly string[] OpenRouterResolutions = { "480p", "720p", "768p", "1080p", "1K", "2K", "4K" };
        private static readonly string[] OpenRouterAspects = { "16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9", "9:21" };

        /// <summary>FastRouter's documented model ids (seeds/000, the <c>model</c> enum).</summary>
        public static IReadOnlyList<string> FastRouterModels { get; } = new[]
        {
            "google/veo2", "google/veo3", "google/veo3-fast", "openai/sora-2", "openai/sora-2-pro", "kling-ai/kling-v1-6",
            "kling-ai/kling-v2", "kling-ai/kling-v2-1", "kling-ai/kling-v2-1-master", "runway/runway-gen-3-turbo",
            "runway/runway-gen-4-turbo", "pika/pika-v2-2", "minimax/minimax-hailuo-02", "bytedance/seedance",
            "bytedance/seedance-pro", "pollo/pollo-v1-6", "vidu/vidu-v2-0", "vidu/vidu-q1",
        };

        /// <summary>Checks <paramref name="request"/> for <paramref name="provider"/>.</summary>
        /// <param name="provider">The provider it goes to.</param>
        /// <param name="request">The request.</param>
        /// <param name="warnings">Receives the warnings.</param>
        /// <returns>The errors; empty when the request may be submitted.</returns>
        public static IReadOnlyList<ValidationProblem> Validate(VideoProvider provider, VideoRequest request, out IReadOnlyList<string> warnings)
        {
            var errors = new List<ValidationProblem>();
            var warn = new List<string>();
            warnings = warn;
            if (string.IsNullOrWhiteSpace(request.Prompt))
            {
                errors.Add(new ValidationProblem("Prompt", "the prompt is empty; every row needs a text prompt."));
            }
            if (request.Duration is int d && d < 1)
            {
                errors.Add(new ValidationProblem("Duration", "must be a whole number of seconds, 1 or more."));
            }
            var model0 = string.IsNullOrWhiteSpace(request.Model) ? ProviderMappings.DefaultModel(provider) : request.Model!;
            var uploads = provider == VideoProvider.OpenAICompatible || (provider == VideoProvider.AppleRouter && AppleRouterMapping.IsVideosRoute(model0));
            if (!string.IsNullOrEmpty(request.Image))
            {
                if (uploads)
                {
                    if (!IsHttpUrl(request.Image!) && !System.IO.File.Exists(request.Image))
                    {
                        errors.Add(new ValidationProblem("Image", "'" + request.Image + "' is neither an http(s) URL nor an existing file; " + provider + " uploads it as input_reference."));
                    }
                }
                else if (provider != VideoProvider.AppleRouter && !IsHttpUrl(request.Image!))
                {
                    errors.Add(new ValidationProblem("Image", provider + " accepts only an http(s) URL of the image (no local path, no base64)."));
                }
            }
            if (provider != VideoProvider.OpenRouter)
            {
                OpenRouterOnly(errors, provider, "FirstFrame", request.FirstFrame, "use -Image");
                OpenRouterOnly(errors, provider, "LastFrame", request.LastFrame, null);
                OpenRouterOnly(errors, provider, "ReferenceImage", request.ReferenceImages is { Count: > 0 } ? "set" : null, null);
                OpenRouterOnly(errors, provider, "CallbackUrl", request.CallbackUrl, null);
                OpenRouterOnly(errors, provider, "ProviderOptions", request.ProviderOptions is { Count: > 0 } ? "set" : null, null);
            }
            if (!string.IsNullOrEmpty(request.Mode) && provider != VideoProvider.FastRouter)
            {
                errors.Add(new ValidationProblem("Mode", provider + " has no mode option (only FastRouter takes std or pro); remove it for this row."));
            }
            var model = string.IsNullOrWhiteSpace(request.Model) ? ProviderMappings.DefaultModel(provider) : request.Model!;
            switch (provider)
            {
                case VideoProvider.FastRouter:
                    var sora = FastRouterMapping.IsSora(model);
                    if (request.Duration is int len && len >= 1)
                    {
                        var allowed = sora ? SoraSeconds : FastRouterLengths;
                        if (!allowed.Contains(len))
                        {
                            errors.Add(new ValidationProblem("Duration", string.Format(CultureInfo.InvariantCulture,
                                "FastRouter {0} takes {1} seconds, not {2}.", sora ? "Sora models (seconds)" : "(length)", string.Join(", ", allowed), len)));
                        }
                    }
                    CheckOneOf(errors, "Mode", request.Mode, FastRouterModes, "FastRouter");
                    CheckOneOf(errors, "Resolution", request.Resolution, FastRouterResolutions, "FastRouter");
                    CheckOneOf(errors, "AspectRatio", request.AspectRatio, sora ? SoraAspects.ToArray() : FastRouterAspects, sora ? "FastRouter's Sora models" : "FastRouter");
                    if (sora)
                    {
                        CheckOneOf(errors, "Size", request.Size, SoraSizes, "FastRouter's Sora models");
                    }
                    else if (!string.IsNullOrEmpty(request.Size))
                    {
                        errors.Add(new ValidationProblem("Size", "FastRouter takes Size only for Sora models; for " + model + " use AspectRatio and Resolution."));
                    }
                    if (!FastRouterModels.Contains(model, StringComparer.OrdinalIgnoreCase))
                    {
                        warn.Add("Model '" + model + "' is not in FastRouter's documented list; submitting it anyway.");
                    }
                    break;
                case VideoProvider.OpenRouter:
                    if (!string.IsNullOrEmpty(request.FirstFrame) && !string.IsNullOrEmpty(request.Image))
                    {
                        errors.Add(new ValidationProblem("FirstFrame", "OpenRouter sends -Image as the first frame; give -Image or -FirstFrame, not both."));
                    }
                    foreach (var (field, url) in new[] { ("FirstFrame", request.FirstFrame), ("LastFrame", request.LastFrame) }
                        .Concat((request.ReferenceImages ?? Array.Empty<string>()).Select(r => ("ReferenceImage", (string?)r))))
                    {
                        if (!string.IsNullOrEmpty(url) && !IsHttpUrl(url!))
                        {
                            errors.Add(new ValidationProblem(field, "'" + url + "' is not an http(s) URL; OpenRouter takes image URLs."));
                        }
                    }
                    if (!string.IsNullOrEmpty(request.CallbackUrl) &&
                        !(Uri.TryCreate(request.CallbackUrl, UriKind.Absolute, out var callback) && callback.Scheme == Uri.UriSchemeHttps))
                    {
                        errors.Add(new ValidationProblem("CallbackUrl", "must be an https URL (OpenRouter requires HTTPS), not '" + request.CallbackUrl + "'."));
                    }
                    // The model's own values from GET /videos/models where they are known (ModelCatalog checks them against the
                    // endpoint's list before submitting); the documented list where they are not.
                    errors.AddRange(OpenRouterDocumented(request, ModelCatalog.KnownCapabilities(model)));
                    CheckSize(errors, request.Size);
                    break;
                case VideoProvider.OpenAICompatible:
                    CheckOpenAIStyle(errors, provider, request, requireAll: false);
                    break;
                case VideoProvider.AppleRouter when AppleRouterMapping.IsVideosRoute(model):
                    CheckOpenAIStyle(errors, provider, request, requireAll: true);
                    break;
                case VideoProvider.AppleRouter:
                    CheckSize(errors, request.Size);
                    if (request.GenerateAudio == true)
                    {
                        errors.Add(new ValidationProblem("GenerateAudio", "AppleRouter's /v1/video/generations has no audio option; remove it or use FastRouter or OpenRouter."));
                    }
                    if (string.IsNullOrEmpty(request.Size) && (!string.IsNullOrEmpty(request.Resolution) || !string.IsNullOrEmpty(request.AspectRatio)) &&
                        !Dimensions.TryDerive(request.Resolution, request.AspectRatio, out _, out _))
                    {
                        errors.Add(new ValidationProblem(string.IsNullOrEmpty(request.Resolution) ? "AspectRatio" : "Resolution",
                            "AppleRouter takes width and height in pixels; give Resolution like 720p and AspectRatio like 16:9, or Size like 1280x720."));
                    }
                    break;
            }
            return errors;
        }

        /// <summary>
        /// OpenRouter's resolution and aspect ratio against the documented lists, except where <paramref name="capabilities"/>
        /// (the model's GET /videos/models entry) states the value: the provider's current list is preferred to a hard-coded one.
        /// </summary>
        internal static IReadOnlyList<ValidationProblem> OpenRouterDocumented(VideoRequest request, ModelCapabilities? capabilities)
        {
            var errors = new List<ValidationProblem>();
            void Check(string field, string? value, string[] documented, IReadOnlyList<string>? stated)
            {
                if (string.IsNullOrEmpty(value) || documented.Contains(value!.Trim(), StringComparer.OrdinalIgnoreCase) ||
                    (stated != null && stated.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase)))
                {
                    return;
                }
                errors.Add(new ValidationProblem(field, "OpenRouter takes " + string.Join(", ", documented) + ", not '" + value + "'" +
                    (stated is { Count: > 0 } ? " (its " + capabilities!.Id + " lists " + string.Join(", ", stated) + ")" : string.Empty) + "."));
            }
            Check("Resolution", request.Resolution, OpenRouterResolutions, capabilities?.Resolutions);
            Check("AspectRatio", request.AspectRatio, OpenRouterAspects, capabilities?.AspectRatios);
            return errors;
        }

        /// <summary>Describes a row for messages: "row 3 ('sunset')".</summary>
        public static string DescribeRow(int row, string? name) =>
            string.IsNullOrWhiteSpace(name)
                ? string.Format(CultureInfo.InvariantCulture, "row {0}", row)
                : string.Format(CultureInfo.InvariantCulture, "row {0} ('{1}')", row, name);

        private static void CheckOneOf(List<ValidationProblem> errors, string field, string? value, string[] allowed, string who)
        {
            if (!string.IsNullOrEmpty(value) && !allowed.Contains(value!.Trim(), StringComparer.OrdinalIgnoreCase))
            {
                errors.Add(new ValidationProblem(field, who + " takes " + string.Join(", ", allowed) + ", not '" + value + "'."));
            }
        }

        private static readonly int[] OpenAISeconds = { 4, 8, 12 };

        /// <summary>
        /// The OpenAI-style route (PROVIDERS.md): seconds 4, 8 or 12; a size, given or derived; no seed, audio or mode.
        /// AppleRouter's veo-3.1 route marks seconds, size and input_reference required (seeds/004).
        /// </summary>
        private static void CheckOpenAIStyle(List<ValidationProblem> errors, VideoProvider provider, VideoRequest request, bool requireAll)
        {
            var who = provider == VideoProvider.AppleRouter ? "AppleRouter's /v1/videos route" : "The OpenAI-style /videos API";
            if (request.Duration is int seconds && seconds >= 1 && !OpenAISeconds.Contains(seconds))
            {
                errors.Add(new ValidationProblem("Duration", who + " takes 4, 8 or 12 seconds, not " + seconds + "."));
            }
            CheckSize(errors, request.Size);
            if (string.IsNullOrEmpty(request.Size) && (!string.IsNullOrEmpty(request.Resolution) || !string.IsNullOrEmpty(request.AspectRatio)) &&
                !Dimensions.TryDerive(request.Resolution, request.AspectRatio, out _, out _))
            {
                errors.Add(new ValidationProblem(string.IsNullOrEmpty(request.Resolution) ? "AspectRatio" : "Resolution",
                    who + " takes a size in pixels; give Resolution like 720p with AspectRatio like 16:9, or Size like 1280x720."));
            }
            if (request.Seed.HasValue)
            {
                errors.Add(new ValidationProblem("Seed", who + " has no seed field; remove it for this row."));
            }
            if (request.GenerateAudio.HasValue)
            {
                errors.Add(new ValidationProblem("GenerateAudio", who + " has no audio option; remove it for this row."));
            }
            if (provider == VideoProvider.AppleRouter)
            {
                CheckAppleRouterVideosSize(errors, request);
            }
            if (requireAll)
            {
                if (request.Duration is null)
                {
                    errors.Add(new ValidationProblem("Duration", who + " requires seconds (4, 8 or 12)."));
                }
                if (OpenAIVideos.Size(request) is null)
                {
                    errors.Add(new ValidationProblem("Size", who + " requires a size: 720x1280 (portrait) or 1280x720 (landscape), or AspectRatio 9:16 or 16:9."));
                }
                if (string.IsNullOrEmpty(request.Image))
                {
                    errors.Add(new ValidationProblem("Image", who + " requires an input image (input_reference): a local file or an http(s) URL."));
                }
            }
        }

        /// <summary>
        /// AppleRouter's /v1/videos (seeds/004) lists <c>size</c> as 720x1280 (portrait) or 1280x720 (landscape) and writes
        /// <c>"16x9"</c> in its example: both forms are taken and sent as given; -AspectRatio 16:9 or 9:16 (at 720p) becomes
        /// 1280x720 or 720x1280.
        /// </summary>
        private static void CheckAppleRouterVideosSize(List<ValidationProblem> errors, VideoRequest request)
        {
            const string Accepted = "720x1280 or 9x16 (portrait), 1280x720 or 16x9 (landscape)";
            if (!string.IsNullOrEmpty(request.Size))
            {
                if (Dimensions.TryParseSize(request.Size, out _, out _) && !AppleRouterVideosSizes.Contains(SizeSpelling(request.Size)!, StringComparer.Ordinal))
                {
                    errors.Add(new ValidationProblem("Size", "AppleRouter's /v1/videos route takes " + Accepted + ", not '" + request.Size + "'."));
                }
                return;
            }
            var derived = OpenAIVideos.Size(request);
            if (derived != null && !AppleRouterVideosSizes.Contains(derived, StringComparer.Ordinal))
            {
                errors.Add(new ValidationProblem(string.IsNullOrEmpty(request.Resolution) ? "AspectRatio" : "Resolution",
                    "AppleRouter's /v1/videos route takes " + Accepted + "; Resolution '" + request.Resolution + "' with AspectRatio '" + request.AspectRatio +
                    "' is " + derived + ". Use AspectRatio 16:9 or 9:16 at 720p, or Size."));
            }
        }

        /// <summary>The sizes seeds/004 gives for AppleRouter's /v1/videos: its text's pixels and its example's ratio form.</summary>
        internal static readonly string[] AppleRouterVideosSizes = { "720x1280", "1280x720", "9x16", "16x9" };

        private static void OpenRouterOnly(List<ValidationProblem> errors, VideoProvider provider, string field, string? value, string? instead)
        {
            if (!string.IsNullOrEmpty(value))
            {
                errors.Add(new ValidationProblem(field, "only OpenRouter takes " + field + "; " + provider + " cannot honour it" + (instead is null ? string.Empty : " (" + instead + ")") + "."));
            }
        }

        private static void CheckSize(List<ValidationProblem> errors, string? size)
        {
            if (!string.IsNullOrEmpty(size) && !Dimensions.TryParseSize(size, out _, out _))
            {
                errors.Add(new ValidationProblem("Size", "must be WIDTHxHEIGHT in pixels, such as 1280x720, not '" + size + "'."));
            }
        }

        private static bool IsHttpUrl(string text) =>
            Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
    }
}
