using System;
using System.Collections.Generic;
using System.Linq;

namespace VideoGen.Core.Providers
{
    /// <summary>The factory that picks a provider's mapping, and the names users may give a provider.</summary>
    public static class ProviderMappings
    {
        /// <summary>Every provider's mapping: the one place a provider is registered.</summary>
        internal static readonly IProviderMapping[] All = { new FastRouterMapping(), new OpenRouterMapping(), new AppleRouterMapping(), new OpenAICompatibleMapping(), new FalMapping() };

        /// <summary>Every registered provider's mapping, in registration order.</summary>
        public static IReadOnlyList<IProviderMapping> Mappings => All;

        /// <summary>The mapping for a provider.</summary>
        public static IProviderMapping For(VideoProvider provider) => All.First(m => m.Provider == provider);

        /// <summary>Every provider's name, for completion and messages.</summary>
        public static IReadOnlyList<string> Names { get; } = All.Select(m => m.Provider.ToString()).ToArray();

        /// <summary>The default model of a provider.</summary>
        public static string DefaultModel(VideoProvider provider) => For(provider).DefaultModel;

        /// <summary>
        /// Parses a provider name, case-insensitively, or the enum's number (ConvertTo-Json writes enums as
        /// numbers, so a job that went through ConvertTo-Json/ConvertFrom-Json carries Provider 0, 1 or 2).
        /// </summary>
        public static bool TryParse(string? text, out VideoProvider provider)
        {
            provider = default;
            if (string.IsNullOrWhiteSpace(text))
            {
                return false;
            }
            if (int.TryParse(text!.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) &&
                Enum.IsDefined(typeof(VideoProvider), number))
            {
                provider = (VideoProvider)number;
                return true;
            }
            foreach (var m in All)
            {
                if (string.Equals(m.Provider.ToString(), text!.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    provider = m.Provider;
                    return true;
                }
            }
            return false;
        }
    }
}
