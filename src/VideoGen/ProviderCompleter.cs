using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using VideoGen.Core;
using VideoGen.Core.Providers;

namespace VideoGen.Commands
{
    /// <summary>
    /// Tab completion for -Provider: FastRouter, OpenRouter, AppleRouter, OpenAICompatible; for Remove-Video and New-Video -RemixOf
    /// only the providers with delete and remix (the OpenAI-style route: AppleRouter, OpenAICompatible).
    /// </summary>
    public sealed class ProviderCompleter : IArgumentCompleter
    {
        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var remixOrDelete = string.Equals(commandName, "Remove-Video", StringComparison.OrdinalIgnoreCase) ||
                (fakeBoundParameters != null && fakeBoundParameters.Contains("RemixOf"));
            return ProviderMappings.Names
                .Where(n => !remixOrDelete || (ProviderMappings.TryParse(n, out var p) && VideoOperations.HasRemixAndDelete(p)))
                .Where(n => n.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
        }
    }

    /// <summary>Tab completion for -Model: FastRouter's documented model ids, OpenRouter's model list (GET /videos/models, fetched once and cached), AppleRouter's documented examples.</summary>
    public sealed class ModelCompleter : IArgumentCompleter
    {
        /// <summary>
        /// OpenRouter's model list with each model's capabilities (GET /videos/models at the configured endpoint), read
        /// once and cached; null where there is no key or base URI yet or it cannot be read within 3 seconds.
        /// </summary>
        internal static IReadOnlyList<ModelCapabilities>? OpenRouterCatalog()
        {
            try
            {
                var endpoint = EndpointResolver.Resolve(VideoProvider.OpenRouter, null, null, System.Environment.GetEnvironmentVariable);
                var cached = ModelCatalog.Cached(endpoint);
                if (cached is null)
                {
                    using var timeout = new System.Threading.CancellationTokenSource(System.TimeSpan.FromSeconds(3));
                    cached = ModelCatalog.GetAsync(VideoGenCmdletBase.SharedClientInstance, endpoint, null, timeout.Token).GetAwaiter().GetResult();
                }
                return cached;
            }
            catch (VideoGenException)
            {
                // No key or base URI yet.
            }
            catch (System.OperationCanceledException)
            {
            }
            return null;
        }

        private static IEnumerable<string> OpenRouterModels()
        {
            var cached = OpenRouterCatalog();
            if (cached is { Count: > 0 })
            {
                return cached.Select(m => m.Id);
            }
            // No key or base URI yet: offer the documented default.
            return new[] { ProviderMappings.DefaultModel(VideoProvider.OpenRouter) };
        }

        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            IEnumerable<string> models = RequestValidator.FastRouterModels;
            var provider = fakeBoundParameters?["Provider"] as string;
            if (ProviderMappings.TryParse(provider, out var p))
            {
                models = p == VideoProvider.FastRouter ? RequestValidator.FastRouterModels
                    : p == VideoProvider.OpenRouter ? OpenRouterModels()
                    : p == VideoProvider.AppleRouter && (string.Equals(commandName, "Remove-Video", StringComparison.OrdinalIgnoreCase) || (fakeBoundParameters?.Contains("RemixOf") ?? false))
                        ? new[] { "veo-3.1", "veo-3.1-fast", "veo-3.1-landscape", "veo-3.1-fl" } // only its /v1/videos route has delete and remix
                    : p == VideoProvider.AppleRouter ? new[] { "kling-v1", "sora-2", "veo_3_1", "veo-3.1", "veo-3.1-fast", "veo-3.1-landscape", "veo-3.1-fl" }
                    : new[] { ProviderMappings.DefaultModel(p) };
            }
            else
            {
                models = models.Concat(new[] { ProviderMappings.DefaultModel(VideoProvider.OpenRouter), ProviderMappings.DefaultModel(VideoProvider.AppleRouter) });
            }
            var word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return models.Distinct()
                .Where(m => m.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                .Select(m => new CompletionResult(m, m, CompletionResultType.ParameterValue, m));
        }
    }
}
