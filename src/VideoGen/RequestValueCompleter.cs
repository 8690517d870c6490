using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using VideoGen.Core;
using VideoGen.Core.Providers;

namespace VideoGen.Commands
{
    /// <summary>
    /// Tab completion for New-Video's -Duration, -AspectRatio and -Resolution: the values the provider documents (the
    /// tables RequestValidator checks against, docs/providers.md), for the -Provider and -Model already typed; with no
    /// -Provider, every provider's documented values. For OpenRouter with -Provider typed, the model's own capabilities from GET /videos/models where
    /// the list is cached or can be read within a moment (the same fetch -Model completion makes).
    /// </summary>
    /// <remarks>
    /// The value tables are plain strings and ints, and every VideoGen.Core type is touched only inside methods:
    /// PowerShell reads the module's exported types before the module initializer runs.
    /// A completer that offers nothing lets PowerShell fall back to file names, so every branch offers something.
    /// </remarks>
    public sealed class RequestValueCompleter : IArgumentCompleter
    {
        private static readonly string[] FastRouterDurations = { "4", "5", "6", "8", "10", "12" };
        private static readonly string[] SoraDurations = { "4", "8", "12" };
        private static readonly string[] FastRouterAspects = { "16:9", "9:16", "4:3", "3:4", "1:1", "5:3", "3:5" };
        private static readonly string[] FastRouterResolutions = { "480p", "720p", "1080p" };
        private static readonly string[] OpenRouterAspects = { "16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9", "9:21" };
        private static readonly string[] OpenRouterResolutions = { "480p", "720p", "768p", "1080p", "1K", "2K", "4K" };
        private static readonly string[] OpenAISeconds = { "4", "8", "12" };
        private static readonly string[] OpenAIAspects = { "16:9", "9:16" };
        private static readonly string[] OpenAIResolutions = { "720p", "1080p" };
        // AppleRouter's /v1/video/generations takes width and height: any ratio, and the short sides VideoGen can derive.
        private static readonly string[] AppleAspects = { "16:9", "9:16", "1:1", "4:3", "3:4" };
        private static readonly string[] AppleResolutions = { "480p", "720p", "1080p", "1440p", "2160p" };

        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var provider = fakeBoundParameters?["Provider"] as string;
            var model = fakeBoundParameters?["Model"] as string;
            var values = ProviderMappings.TryParse(provider, out var p)
                ? ValuesFor(p, model, parameterName, readCatalog: true)
                : ProviderMappings.Names.SelectMany(n => ProviderMappings.TryParse(n, out var each) ? ValuesFor(each, null, parameterName, readCatalog: false) : Array.Empty<string>());
            var distinct = values.Distinct(StringComparer.OrdinalIgnoreCase);
            if (string.Equals(parameterName, "Duration", StringComparison.OrdinalIgnoreCase))
            {
                distinct = distinct.OrderBy(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue);
            }
            var word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return distinct
                .Where(v => v.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                .Select(v => new CompletionResult(v, v, CompletionResultType.ParameterValue, Tip(parameterName, provider, v)))
                .ToList();
        }

        private static string Tip(string parameterName, string? provider, string value) =>
            string.IsNullOrEmpty(provider) ? value : value + " (" + provider + " " + parameterName + ")";

        private static string[] ValuesFor(VideoProvider provider, string? model, string parameterName, bool readCatalog)
        {
            var name = (parameterName ?? string.Empty).ToUpperInvariant();
            switch (provider)
            {
                case VideoProvider.FastRouter:
                    var sora = FastRouterMapping.IsSora(model);
                    return name == "DURATION" ? (sora ? SoraDurations : FastRouterDurations)
                        : name == "ASPECTRATIO" ? (sora ? RequestValidator.SoraAspects.ToArray() : FastRouterAspects)
                        : FastRouterResolutions;
                case VideoProvider.OpenRouter:
                    var capabilities = readCatalog ? OpenRouterCapabilities(model) : null;
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
                    return name == "DURATION" ? FastRouterDurations
                        : name == "ASPECTRATIO" ? OpenRouterAspects
                        : OpenRouterResolutions;
                case VideoProvider.AppleRouter when AppleRouterMapping.IsVideosRoute(model):
                case VideoProvider.OpenAICompatible:
                    return name == "DURATION" ? OpenAISeconds
                        : name == "ASPECTRATIO" ? OpenAIAspects
                        : OpenAIResolutions;
                default:
                    // AppleRouter's documents give no list of durations: the values the other providers take.
                    return name == "DURATION" ? FastRouterDurations
                        : name == "ASPECTRATIO" ? AppleAspects
                        : AppleResolutions;
            }
        }

        /// <summary>The OpenRouter model's capabilities (the -Model typed, else the default model), or null where the list cannot be had.</summary>
        private static ModelCapabilities? OpenRouterCapabilities(string? model)
        {
            var id = string.IsNullOrWhiteSpace(model) ? ProviderMappings.DefaultModel(VideoProvider.OpenRouter) : model!.Trim('\'', '"');
            var list = ModelCompleter.OpenRouterCatalog();
            return list?.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase));
        }
    }
}
