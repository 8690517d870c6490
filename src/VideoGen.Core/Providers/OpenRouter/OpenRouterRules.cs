using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace VideoGen.Core.Providers
{
    /// <summary>
    /// OpenRouter's documented values (docs/providers.md, OpenRouter): resolutions and aspect ratios (the fallback where its
    /// model list, <c>GET videos/models</c>, does not state a model's own), frame and reference image URLs, an https
    /// callback, provider options; the model list's values win where it was read.
    /// </summary>
    internal sealed class OpenRouterRules : IProviderRules
    {
        // The documented list, the fallback where GET /videos/models does not state a model's values.
        internal static readonly string[] Resolutions = { "480p", "720p", "768p", "1080p", "1K", "2K", "4K" };
        internal static readonly string[] Aspects = { "16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9", "9:21" };
        private static readonly string[] OwnFields = { "FirstFrame", "LastFrame", "ReferenceImage", "CallbackUrl", "ProviderOptions" };

        public IReadOnlyList<string> Models => new[] { ProviderMappings.DefaultModel(VideoProvider.OpenRouter) };

        public IReadOnlyList<string>? ModelsForRemixOrDelete => null;

        public string? ModelListPath => "videos/models";

        public bool Takes(string field) => OwnFields.Contains(field, StringComparer.OrdinalIgnoreCase);

        public void Check(VideoRequest request, string model, ModelCapabilities? capabilities, ICollection<ValidationProblem> errors, ICollection<string> warnings)
        {
            RequestChecks.ImageUrlOnly(errors, request, "OpenRouter");
            if (!string.IsNullOrEmpty(request.FirstFrame) && !string.IsNullOrEmpty(request.Image))
            {
                errors.Add(new ValidationProblem("FirstFrame", "OpenRouter sends -Image as the first frame; give -Image or -FirstFrame, not both."));
            }
            foreach (var (field, url) in new[] { ("FirstFrame", request.FirstFrame), ("LastFrame", request.LastFrame) }
                .Concat((request.ReferenceImages ?? Array.Empty<string>()).Select(r => ("ReferenceImage", (string?)r))))
            {
                if (!string.IsNullOrEmpty(url) && !RequestChecks.IsHttpUrl(url!))
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
            foreach (var problem in CheckDocumented(request, capabilities))
            {
                errors.Add(problem);
            }
            RequestChecks.Size(errors, request.Size);
        }

        public IReadOnlyList<string> Suggestions(string parameter, string? model, ModelCapabilities? capabilities)
        {
            var name = parameter.ToUpperInvariant();
            if (capabilities != null)
            {
                var listed = name == "DURATION" ? capabilities.Durations.Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray()
                    : name == "ASPECTRATIO" ? capabilities.AspectRatios.ToArray()
                    : capabilities.Resolutions.ToArray();
                if (listed.Length > 0)
                {
                    return listed;
                }
            }
            return name == "DURATION" ? RequestChecks.Numbers(RequestChecks.UndocumentedLengths) : name == "ASPECTRATIO" ? Aspects : Resolutions;
        }

        public string? NeedsModelToFollow(string id, string? model, string? pollingUrl) => null;

        /// <summary>
        /// OpenRouter's resolution and aspect ratio against the documented lists, except where <paramref name="capabilities"/>
        /// (the model's GET /videos/models entry) states the value: the provider's current list is preferred to a hard-coded one.
        /// </summary>
        public IReadOnlyList<ValidationProblem> CheckDocumented(VideoRequest request, ModelCapabilities? capabilities)
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
            Check("Resolution", request.Resolution, Resolutions, capabilities?.Resolutions);
            Check("AspectRatio", request.AspectRatio, Aspects, capabilities?.AspectRatios);
            return errors;
        }
    }
}
