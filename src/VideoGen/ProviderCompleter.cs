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
    /// Tab completion for -Provider: every registered provider; for Remove-Video and New-Video -RemixOf only the providers with
    /// delete and remix.
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

    /// <summary>
    /// Tab completion for -Model: each provider's documented model ids (its rules, in its folder), or its own model list where
    /// it publishes one (OpenRouter's GET videos/models, fetched once and cached); for Remove-Video and New-Video -RemixOf the
    /// models whose route has delete and remix.
    /// </summary>
    public sealed class ModelCompleter : IArgumentCompleter
    {
        /// <summary>
        /// A provider's model list with each model's capabilities (at the configured endpoint), read once and cached; null
        /// where the provider publishes none, there is no key or base URI yet, or it cannot be read within 3 seconds.
        /// </summary>
        internal static IReadOnlyList<ModelCapabilities>? Catalog(VideoProvider provider)
        {
            if (ProviderMappings.For(provider).Rules.ModelListPath is null)
            {
                return null;
            }
            try
            {
                var endpoint = EndpointResolver.Resolve(provider, null, null, System.Environment.GetEnvironmentVariable);
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

        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            IEnumerable<string> models;
            var provider = fakeBoundParameters?["Provider"] as string;
            if (ProviderMappings.TryParse(provider, out var p))
            {
                var rules = ProviderMappings.For(p).Rules;
                var remixOrDelete = string.Equals(commandName, "Remove-Video", StringComparison.OrdinalIgnoreCase) || (fakeBoundParameters?.Contains("RemixOf") ?? false);
                models = remixOrDelete && rules.ModelsForRemixOrDelete is { } routed ? routed
                    : Catalog(p) is { Count: > 0 } listed ? listed.Select(m => m.Id)
                    : rules.Models;
            }
            else
            {
                // No -Provider yet: every provider's documented models, read from nowhere.
                models = ProviderMappings.Mappings.SelectMany(m => m.Rules.Models);
            }
            var word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return models.Distinct()
                .Where(m => m.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                .Select(m => new CompletionResult(m, m, CompletionResultType.ParameterValue, m));
        }
    }
}
