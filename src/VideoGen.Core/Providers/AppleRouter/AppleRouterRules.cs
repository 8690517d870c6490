using System;
using System.Collections.Generic;
using System.Linq;

namespace VideoGen.Core.Providers
{
    /// <summary>
    /// AppleRouter's rules (docs/providers.md, AppleRouter): <c>/v1/video/generations</c> takes width and height in pixels and
    /// no audio option; its veo-3.1 models go to the OpenAI-style <c>/v1/videos</c> route, which requires seconds, a size
    /// (720x1280 or 1280x720, or its example's 9x16 and 16x9) and an input image, and is the only one with remix and delete.
    /// </summary>
    internal sealed class AppleRouterRules : IProviderRules
    {
        private const string VideosRoute = "AppleRouter's /v1/videos route";

        /// <summary>The sizes AppleRouter's /v1/videos documents: its text's pixels and its example's ratio form.</summary>
        internal static readonly string[] VideosSizes = { "720x1280", "1280x720", "9x16", "16x9" };

        // /v1/video/generations takes width and height: any ratio, and the short sides VideoGen can derive. Its documents give no
        // list of durations: completion offers RequestChecks.UndocumentedLengths.
        private static readonly string[] Aspects = { "16:9", "9:16", "1:1", "4:3", "3:4" };
        private static readonly string[] Resolutions = { "480p", "720p", "1080p", "1440p", "2160p" };

        public IReadOnlyList<string> Models { get; } = new[] { "kling-v1", "sora-2", "veo_3_1", "veo-3.1", "veo-3.1-fast", "veo-3.1-landscape", "veo-3.1-fl" };

        /// <summary>Only the /v1/videos route (the veo-3.1 models) has delete and remix.</summary>
        public IReadOnlyList<string>? ModelsForRemixOrDelete { get; } = new[] { "veo-3.1", "veo-3.1-fast", "veo-3.1-landscape", "veo-3.1-fl" };

        public string? ModelListPath => null;

        public bool Takes(string field) => false;

        public void Check(VideoRequest request, string model, ModelCapabilities? capabilities, ICollection<ValidationProblem> errors, ICollection<string> warnings)
        {
            if (AppleRouterMapping.IsVideosRoute(model))
            {
                OpenAIStyleRules.Check(errors, request, VideosRoute, requireAll: true);
                CheckVideosSize(errors, request);
                return;
            }
            RequestChecks.Size(errors, request.Size);
            if (request.GenerateAudio == true)
            {
                errors.Add(new ValidationProblem("GenerateAudio", "AppleRouter's /v1/video/generations has no audio option; remove it or use FastRouter or OpenRouter."));
            }
            RequestChecks.DerivableSize(errors, request, "AppleRouter takes width and height in pixels");
        }

        /// <summary>
        /// AppleRouter's /v1/videos lists <c>size</c> as 720x1280 (portrait) or 1280x720 (landscape) and writes <c>"16x9"</c> in
        /// its example: both forms are taken and sent as given; -AspectRatio 16:9 or 9:16 (at 720p) becomes 1280x720 or 720x1280.
        /// </summary>
        private static void CheckVideosSize(ICollection<ValidationProblem> errors, VideoRequest request)
        {
            const string Accepted = "720x1280 or 9x16 (portrait), 1280x720 or 16x9 (landscape)";
            if (!string.IsNullOrEmpty(request.Size))
            {
                if (Dimensions.TryParseSize(request.Size, out _, out _) && !VideosSizes.Contains(RequestChecks.SizeSpelling(request.Size)!, StringComparer.Ordinal))
                {
                    errors.Add(new ValidationProblem("Size", VideosRoute + " takes " + Accepted + ", not '" + request.Size + "'."));
                }
                return;
            }
            var derived = OpenAIVideos.Size(request);
            if (derived != null && !VideosSizes.Contains(derived, StringComparer.Ordinal))
            {
                errors.Add(new ValidationProblem(string.IsNullOrEmpty(request.Resolution) ? "AspectRatio" : "Resolution",
                    VideosRoute + " takes " + Accepted + "; Resolution '" + request.Resolution + "' with AspectRatio '" + request.AspectRatio +
                    "' is " + derived + ". Use AspectRatio 16:9 or 9:16 at 720p, or Size."));
            }
        }

        public IReadOnlyList<string> Suggestions(string parameter, string? model, ModelCapabilities? capabilities) =>
            AppleRouterMapping.IsVideosRoute(model) ? OpenAIStyleRules.Suggestions(parameter)
                : parameter.ToUpperInvariant() switch
                {
                    "DURATION" => RequestChecks.Numbers(RequestChecks.UndocumentedLengths),
                    "ASPECTRATIO" => Aspects,
                    _ => Resolutions,
                };

        public string? NeedsModelToFollow(string id, string? model, string? pollingUrl) => null;

        public IReadOnlyList<ValidationProblem> CheckDocumented(VideoRequest request, ModelCapabilities? capabilities) => Array.Empty<ValidationProblem>();
    }
}
