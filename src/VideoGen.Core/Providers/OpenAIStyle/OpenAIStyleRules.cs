using System.Collections.Generic;
using System.Linq;

namespace VideoGen.Core.Providers
{
    /// <summary>
    /// The OpenAI-style <c>/videos</c> route's values (docs/providers.md, the OpenAI-style route), shared by the providers that
    /// speak it: seconds 4, 8 or 12; a size, given or derived; no seed, audio or mode; an image uploaded as input_reference.
    /// </summary>
    internal static class OpenAIStyleRules
    {
        internal static readonly int[] Seconds = { 4, 8, 12 };
        internal static readonly string[] Aspects = { "16:9", "9:16" };
        internal static readonly string[] Resolutions = { "720p", "1080p" };

        /// <summary>
        /// The route's checks for <paramref name="who"/>; with <paramref name="requireAll"/> (AppleRouter's veo-3.1 route) seconds,
        /// size and input_reference are required.
        /// </summary>
        public static void Check(ICollection<ValidationProblem> errors, VideoRequest request, string who, bool requireAll)
        {
            if (request.Duration is int seconds && seconds >= 1 && !Seconds.Contains(seconds))
            {
                errors.Add(new ValidationProblem("Duration", who + " takes 4, 8 or 12 seconds, not " + seconds + "."));
            }
            RequestChecks.Size(errors, request.Size);
            RequestChecks.DerivableSize(errors, request, who + " takes a size in pixels");
            if (request.Seed.HasValue)
            {
                errors.Add(new ValidationProblem("Seed", who + " has no seed field; remove it for this row."));
            }
            if (request.GenerateAudio.HasValue)
            {
                errors.Add(new ValidationProblem("GenerateAudio", who + " has no audio option; remove it for this row."));
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

        /// <summary>The values completion offers on the route.</summary>
        public static IReadOnlyList<string> Suggestions(string parameter) =>
            parameter.ToUpperInvariant() switch
            {
                "DURATION" => RequestChecks.Numbers(Seconds),
                "ASPECTRATIO" => Aspects,
                _ => Resolutions,
            };
    }
}
