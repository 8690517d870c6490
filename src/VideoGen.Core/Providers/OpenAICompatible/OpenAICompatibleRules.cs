using System;
using System.Collections.Generic;

namespace VideoGen.Core.Providers
{
    /// <summary>An OpenAI-style gateway's rules: the route's (<see cref="OpenAIStyleRules"/>), nothing required beyond the prompt.</summary>
    internal sealed class OpenAICompatibleRules : IProviderRules
    {
        public IReadOnlyList<string> Models => new[] { ProviderMappings.DefaultModel(VideoProvider.OpenAICompatible) };

        public IReadOnlyList<string>? ModelsForRemixOrDelete => null;

        public string? ModelListPath => null;

        public bool Takes(string field) => false;

        public void Check(VideoRequest request, string model, ModelCapabilities? capabilities, ICollection<ValidationProblem> errors, ICollection<string> warnings) =>
            OpenAIStyleRules.Check(errors, request, "The OpenAI-style /videos API", requireAll: false);

        public IReadOnlyList<string> Suggestions(string parameter, string? model, ModelCapabilities? capabilities) => OpenAIStyleRules.Suggestions(parameter);

        public string? NeedsModelToFollow(string id, string? model, string? pollingUrl) => null;

        public IReadOnlyList<ValidationProblem> CheckDocumented(VideoRequest request, ModelCapabilities? capabilities) => Array.Empty<ValidationProblem>();
    }
}
