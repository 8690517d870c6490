using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace VideoGen.Core.Providers
{
    /// <summary>
    /// FastRouter's documented values (docs/providers.md, FastRouter): model ids, lengths (Sora models: seconds), modes,
    /// resolutions, aspect ratios, Sora sizes; its image is a URL; its poll names the model unless the id has a prefix.
    /// </summary>
    internal sealed class FastRouterRules : IProviderRules
    {
        private static readonly int[] Lengths = { 4, 5, 6, 8, 10, 12 };
        private static readonly int[] SoraSeconds = { 4, 8, 12 };
        internal static readonly string[] Modes = { "std", "pro" };
        internal static readonly string[] Resolutions = { "480p", "720p", "1080p" };
        internal static readonly string[] Aspects = { "16:9", "9:16", "4:3", "3:4", "1:1", "5:3", "3:5" };
        internal static readonly string[] SoraSizes = { "720x1280", "1280x720", "1024x1792", "1792x1024" };

        /// <summary>The aspect ratios FastRouter's Sora models can honour (their sizes are landscape or portrait only).</summary>
        internal static readonly string[] SoraAspects = { "16:9", "9:16" };

        /// <summary>FastRouter's documented model ids (the <c>model</c> enum of its create-video reference).</summary>
        internal static readonly string[] DocumentedModels =
        {
            "google/veo2", "google/veo3", "google/veo3-fast", "openai/sora-2", "openai/sora-2-pro", "kling-ai/kling-v1-6",
            "kling-ai/kling-v2", "kling-ai/kling-v2-1", "kling-ai/kling-v2-1-master", "runway/runway-gen-3-turbo",
            "runway/runway-gen-4-turbo", "pika/pika-v2-2", "minimax/minimax-hailuo-02", "bytedance/seedance",
            "bytedance/seedance-pro", "pollo/pollo-v1-6", "vidu/vidu-v2-0", "vidu/vidu-q1",
        };

        private static readonly Regex PrefixedId = new Regex("^[A-Za-z]{2,12}_", RegexOptions.CultureInvariant);

        public IReadOnlyList<string> Models => DocumentedModels;

        public IReadOnlyList<string>? ModelsForRemixOrDelete => null;

        public string? ModelListPath => null;

        public bool Takes(string field) => string.Equals(field, "Mode", StringComparison.OrdinalIgnoreCase);

        public void Check(VideoRequest request, string model, ModelCapabilities? capabilities, ICollection<ValidationProblem> errors, ICollection<string> warnings)
        {
            RequestChecks.ImageUrlOnly(errors, request, "FastRouter");
            var sora = FastRouterMapping.IsSora(model);
            if (request.Duration is int len && len >= 1)
            {
                var allowed = sora ? SoraSeconds : Lengths;
                if (!allowed.Contains(len))
                {
                    errors.Add(new ValidationProblem("Duration", string.Format(CultureInfo.InvariantCulture,
                        "FastRouter {0} takes {1} seconds, not {2}.", sora ? "Sora models (seconds)" : "(length)", string.Join(", ", allowed), len)));
                }
            }
            RequestChecks.OneOf(errors, "Mode", request.Mode, Modes, "FastRouter");
            RequestChecks.OneOf(errors, "Resolution", request.Resolution, Resolutions, "FastRouter");
            RequestChecks.OneOf(errors, "AspectRatio", request.AspectRatio, sora ? SoraAspects : Aspects, sora ? "FastRouter's Sora models" : "FastRouter");
            if (sora)
            {
                RequestChecks.OneOf(errors, "Size", request.Size, SoraSizes, "FastRouter's Sora models");
            }
            else if (!string.IsNullOrEmpty(request.Size))
            {
                errors.Add(new ValidationProblem("Size", "FastRouter takes Size only for Sora models; for " + model + " use AspectRatio and Resolution."));
            }
            if (!DocumentedModels.Contains(model, StringComparer.OrdinalIgnoreCase))
            {
                warnings.Add("Model '" + model + "' is not in FastRouter's documented list; submitting it anyway.");
            }
        }

        public IReadOnlyList<string> Suggestions(string parameter, string? model, ModelCapabilities? capabilities)
        {
            var sora = FastRouterMapping.IsSora(model);
            return parameter.ToUpperInvariant() switch
            {
                "DURATION" => RequestChecks.Numbers(sora ? SoraSeconds : Lengths),
                "ASPECTRATIO" => sora ? SoraAspects : Aspects,
                _ => Resolutions,
            };
        }

        public string? NeedsModelToFollow(string id, string? model, string? pollingUrl) =>
            !string.IsNullOrWhiteSpace(model) || PrefixedId.IsMatch(id.Trim()) ? null
                // FastRouter's poll must name the model the job was submitted with, unless the id carries a provider prefix (pol_...).
                : "FastRouter needs the model task " + id.Trim() + " was submitted with to follow it: add -Model (e.g. -Model google/veo3-fast), or pipe the job New-Video emitted or an exported row with its Model column. Nothing was sent.";

        public IReadOnlyList<ValidationProblem> CheckDocumented(VideoRequest request, ModelCapabilities? capabilities) => Array.Empty<ValidationProblem>();
    }
}
