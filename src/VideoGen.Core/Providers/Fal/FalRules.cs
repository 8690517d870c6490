using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace VideoGen.Core.Providers
{
    /// <summary>
    /// fal's video models as fal documents them (docs/providers.md, fal: each model's API page), and what a row must be
    /// for them: a model id of owner/app[/path], lengths in each model's spelling, aspect ratios and resolutions, an image
    /// URL where the endpoint is image-to-video. Any other fal model may be named: it gets a warning and its fields as given.
    /// </summary>
    internal sealed class FalRules : IProviderRules
    {
        internal const string DefaultModel = "fal-ai/veo3.1/fast";

        /// <summary>The documented models. Source per model: docs/providers.md, fal.</summary>
        internal static readonly FalModel[] Documented =
        {
            // https://fal.ai/models/fal-ai/veo3.1/llms.txt
            new FalModel("fal-ai/veo3.1", new[] { 4, 6, 8 }, "{0}s", new[] { "16:9", "9:16" }, new[] { "720p", "1080p", "4k" }, image: false, audio: true, seed: true),
            // fal's client types (@fal-ai/client): the fields of fal-ai/veo3.1; 4k is not confirmed for this endpoint.
            new FalModel("fal-ai/veo3.1/fast", new[] { 4, 6, 8 }, "{0}s", new[] { "16:9", "9:16" }, new[] { "720p", "1080p" }, image: false, audio: true, seed: true),
            // https://fal.ai/docs/model-api-reference/video-generation-api/veo3.1-image-to-video
            new FalModel("fal-ai/veo3.1/image-to-video", new[] { 4, 6, 8 }, "{0}s", new[] { "auto", "16:9", "9:16" }, new[] { "720p", "1080p", "4k" }, image: true, audio: true, seed: true),
            // fal's client types; its image-to-video sibling: https://fal.ai/models/fal-ai/kling-video/v2.5-turbo/pro/image-to-video/llms.txt
            new FalModel("fal-ai/kling-video/v2.5-turbo/pro/text-to-video", new[] { 5, 10 }, "{0}", new[] { "16:9", "9:16", "1:1" }, Array.Empty<string>(), image: false, audio: false, seed: false),
            // fal's client types: 768p always, no aspect ratio, resolution or seed.
            new FalModel("fal-ai/minimax/hailuo-02/standard/text-to-video", new[] { 6, 10 }, "{0}", Array.Empty<string>(), Array.Empty<string>(), image: false, audio: false, seed: false),
        };

        private static readonly string[] OwnFields = { "CallbackUrl", "ProviderOptions" };

        public IReadOnlyList<string> Models { get; } = Documented.Select(m => m.Id).ToArray();

        public IReadOnlyList<string>? ModelsForRemixOrDelete => null;

        public string? ModelListPath => null;

        public bool Takes(string field) => OwnFields.Contains(field, StringComparer.OrdinalIgnoreCase);

        /// <summary>The documented model with this id (ignoring case), or null.</summary>
        internal static FalModel? Find(string? model) =>
            model is null ? null : Documented.FirstOrDefault(m => string.Equals(m.Id, Normalized(model), StringComparison.OrdinalIgnoreCase));

        /// <summary>A model id as the URL names it: blanks and stray slashes at either end removed (" /fal-ai/veo3.1/ " is fal-ai/veo3.1).</summary>
        private static string Normalized(string model) => model.Trim().Trim('/');

        /// <summary>The row's model in the spelling it is sent and kept in (the documented id's, else normalized), else the default.</summary>
        internal static string ModelOf(VideoRequest request, string fallback) =>
            string.IsNullOrWhiteSpace(request.Model) ? fallback : Find(request.Model)?.Id ?? Normalized(request.Model!);

        /// <summary>
        /// The model id as a URL path, each segment escaped: whole (<c>owner/app/path</c>, where submissions go) or only
        /// <c>owner/app</c> (what the status, result and cancel URLs name).
        /// </summary>
        internal static string PathOf(string model, bool whole)
        {
            var segments = Normalized(model).Split('/');
            return string.Join("/", (whole ? segments : segments.Take(2)).Select(Uri.EscapeDataString));
        }

        public void Check(VideoRequest request, string model, ModelCapabilities? capabilities, ICollection<ValidationProblem> errors, ICollection<string> warnings)
        {
            var segments = Normalized(model).Split('/');
            if (segments.Length < 2 || segments.Any(s => s.Length == 0 || s == "." || s == ".." || s.Any(char.IsWhiteSpace)))
            {
                errors.Add(new ValidationProblem("Model", "fal model ids are owner/app or owner/app/path, such as " + DefaultModel + ", not '" + model + "'."));
                return;
            }
            RequestChecks.ImageUrlOnly(errors, request, "fal");
            if (!string.IsNullOrEmpty(request.Size))
            {
                errors.Add(new ValidationProblem("Size", "fal's video models take AspectRatio and Resolution, not Size; remove Size for this row."));
            }
            var known = Find(model);
            if (known is null)
            {
                warnings.Add("Model '" + model + "' is not one of the fal models VideoGen documents (" + string.Join(", ", Models) +
                    "); its fields go as given; use -ProviderOptions for fields in that model's own spelling.");
                return;
            }
            var who = "fal's " + known.Id;
            if (request.Duration is int seconds && !known.Durations.Contains(seconds))
            {
                errors.Add(new ValidationProblem("Duration", who + " takes " + string.Join(", ", known.Durations) + " seconds, not " + seconds.ToString(CultureInfo.InvariantCulture) + "."));
            }
            Listed(errors, "AspectRatio", request.AspectRatio, known.Aspects, who);
            Listed(errors, "Resolution", request.Resolution, known.Resolutions, who);
            if (!known.Audio && request.GenerateAudio is bool)
            {
                errors.Add(new ValidationProblem("GenerateAudio", who + " has no audio option; remove GenerateAudio for this row."));
            }
            if (!known.Seed && request.Seed is long)
            {
                errors.Add(new ValidationProblem("Seed", who + " takes no seed; remove Seed for this row."));
            }
            if (known.Image && string.IsNullOrEmpty(request.Image))
            {
                errors.Add(new ValidationProblem("Image", who + " is image-to-video: give -Image with the image's http(s) URL."));
            }
            else if (!known.Image && !string.IsNullOrEmpty(request.Image))
            {
                errors.Add(new ValidationProblem("Image", who + " is text-to-video and takes no image; use an image-to-video model such as " +
                    Documented.First(m => m.Image).Id + "."));
            }
        }

        /// <summary>A value against a model's list; a model documenting none takes none.</summary>
        private static void Listed(ICollection<ValidationProblem> errors, string field, string? value, string[] allowed, string who)
        {
            if (string.IsNullOrEmpty(value))
            {
                return;
            }
            if (allowed.Length == 0)
            {
                errors.Add(new ValidationProblem(field, who + " has no " + field + " option; remove it for this row."));
                return;
            }
            RequestChecks.OneOf(errors, field, value, allowed, who);
        }

        public IReadOnlyList<string> Suggestions(string parameter, string? model, ModelCapabilities? capabilities)
        {
            var known = Find(model);
            var models = known is null ? Documented : new[] { known };
            return parameter.ToUpperInvariant() switch
            {
                "DURATION" => RequestChecks.Numbers(models.SelectMany(m => m.Durations).Distinct().OrderBy(d => d).ToArray()),
                "ASPECTRATIO" => models.SelectMany(m => m.Aspects).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(),
                _ => models.SelectMany(m => m.Resolutions).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(),
            };
        }

        public string? NeedsModelToFollow(string id, string? model, string? pollingUrl) =>
            !string.IsNullOrWhiteSpace(model) || !string.IsNullOrWhiteSpace(pollingUrl) ? null
                // fal's status URL names the model's owner and app: without the polling URL the submit answer gave, the model says it.
                : "fal needs the model request " + id.Trim() + " was submitted with to follow it (its status URL names the model): add -Model (e.g. -Model " +
                  DefaultModel + "), or pipe the job New-Video emitted or an exported row with its Model or PollingUrl column. Nothing was sent.";

        public IReadOnlyList<ValidationProblem> CheckDocumented(VideoRequest request, ModelCapabilities? capabilities) => Array.Empty<ValidationProblem>();
    }

    /// <summary>One fal video model's documented input (docs/providers.md, fal).</summary>
    internal sealed class FalModel
    {
        private readonly string _durationFormat;

        public FalModel(string id, int[] durations, string durationFormat, string[] aspects, string[] resolutions, bool image, bool audio, bool seed)
        {
            Id = id;
            Durations = durations;
            _durationFormat = durationFormat;
            Aspects = aspects;
            Resolutions = resolutions;
            Image = image;
            Audio = audio;
            Seed = seed;
        }

        /// <summary>The model id (owner/app[/path]).</summary>
        public string Id { get; }

        /// <summary>The lengths in seconds it takes.</summary>
        public int[] Durations { get; }

        /// <summary>Its aspect ratios in fal's spelling; empty where it has no such field.</summary>
        public string[] Aspects { get; }

        /// <summary>Its resolutions in fal's spelling; empty where it has no such field.</summary>
        public string[] Resolutions { get; }

        /// <summary>Whether it is image-to-video (<c>image_url</c> required).</summary>
        public bool Image { get; }

        /// <summary>Whether it takes <c>generate_audio</c>.</summary>
        public bool Audio { get; }

        /// <summary>Whether it takes <c>seed</c>.</summary>
        public bool Seed { get; }

        /// <summary>A length in the model's spelling ("8s", "5").</summary>
        public string Duration(int seconds) => string.Format(CultureInfo.InvariantCulture, _durationFormat, seconds);
    }
}
