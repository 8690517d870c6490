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
    /// Tab completion for New-Video's -Duration, -AspectRatio and -Resolution: the values the provider's rules offer
    /// (<c>IProviderRules.Suggestions</c>, in its folder; docs/providers.md), for the -Provider and -Model already typed; with
    /// no -Provider, every provider's. Where the provider lists its models (OpenRouter's GET videos/models) and -Provider is
    /// typed, the model's own capabilities where the list is cached or can be read within a moment (the same fetch -Model
    /// completion makes).
    /// </summary>
    /// <remarks>
    /// Every VideoGen.Core type is touched only inside methods:
    /// PowerShell reads the module's exported types before the module initializer runs.
    /// A completer that offers nothing lets PowerShell fall back to file names, so every branch offers something.
    /// </remarks>
    public sealed class RequestValueCompleter : IArgumentCompleter
    {
        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var provider = fakeBoundParameters?["Provider"] as string;
            var model = fakeBoundParameters?["Model"] as string;
            var values = ProviderMappings.TryParse(provider, out var p)
                ? ValuesFor(p, model, parameterName, readCatalog: true)
                : ProviderMappings.Names.SelectMany(n => ProviderMappings.TryParse(n, out var each) ? ValuesFor(each, null, parameterName, readCatalog: false) : (IReadOnlyList<string>)Array.Empty<string>());
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

        private static IReadOnlyList<string> ValuesFor(VideoProvider provider, string? model, string parameterName, bool readCatalog)
        {
            var typed = string.IsNullOrWhiteSpace(model) ? null : model!.Trim('\'', '"');
            var id = typed ?? ProviderMappings.DefaultModel(provider);
            // The model's own values where the provider lists them (the -Model typed, else the default model).
            var capabilities = readCatalog ? ModelCompleter.Catalog(provider)?.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase)) : null;
            return ProviderMappings.For(provider).Rules.Suggestions(parameterName ?? string.Empty, typed, capabilities);
        }
    }
}
