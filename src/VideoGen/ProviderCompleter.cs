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
    /// <summary>Tab completion for -Provider: FastRouter, OpenRouter, AppleRouter.</summary>
    public sealed class ProviderCompleter : IArgumentCompleter
    {
        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
            ProviderMappings.Names
                .Where(n => n.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
    }

    /// <summary>Tab completion for -Model: FastRouter's documented model ids, and each provider's default.</summary>
    public sealed class ModelCompleter : IArgumentCompleter
    {
        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            IEnumerable<string> models = RequestValidator.FastRouterModels;
            var provider = fakeBoundParameters?["Provider"] as string;
            if (ProviderMappings.TryParse(provider, out var p))
            {
                models = p == VideoProvider.FastRouter ? RequestValidator.FastRouterModels : new[] { ProviderMappings.DefaultModel(p) };
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
