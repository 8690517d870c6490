using System.Collections.Generic;

namespace VideoGen.Core.Providers
{
    /// <summary>
    /// One provider's rules for what users type, beside its wire format (<see cref="IProviderMapping"/>): the values it
    /// documents, the checks a row passes before any money is spent, the values tab completion offers, and what following
    /// a job needs. The shared code (<see cref="RequestValidator"/>, the completers, the cmdlets) asks these by name and
    /// names no provider. Each provider's facts and their public sources: docs/providers.md.
    /// </summary>
    public interface IProviderRules
    {
        /// <summary>The model ids tab completion offers for -Model (the documented ones; the default model where none are documented).</summary>
        IReadOnlyList<string> Models { get; }

        /// <summary>
        /// Whether the provider takes an optional field only some providers take: <c>FirstFrame</c>, <c>LastFrame</c>,
        /// <c>ReferenceImage</c>, <c>CallbackUrl</c>, <c>ProviderOptions</c>, <c>Mode</c> (the New-Video parameter names).
        /// </summary>
        bool Takes(string field);

        /// <summary>
        /// The provider's own checks of a row for <paramref name="model"/> (the row's, or the default): documented values,
        /// image forms, fields its route requires. <paramref name="capabilities"/> is the model's entry in the provider's
        /// model list where one was read (<see cref="ModelListPath"/>), else null. Errors block the row; warnings do not.
        /// </summary>
        void Check(VideoRequest request, string model, ModelCapabilities? capabilities, ICollection<ValidationProblem> errors, ICollection<string> warnings);

        /// <summary>
        /// The values tab completion offers for <c>Duration</c>, <c>AspectRatio</c> or <c>Resolution</c> (parameter names,
        /// any case), for the model typed (or null); from <paramref name="capabilities"/> where the provider lists them.
        /// </summary>
        IReadOnlyList<string> Suggestions(string parameter, string? model, ModelCapabilities? capabilities);

        /// <summary>The model ids tab completion offers where the command deletes or remixes (only some routes have those), or null for <see cref="Models"/>.</summary>
        IReadOnlyList<string>? ModelsForRemixOrDelete { get; }

        /// <summary>
        /// Why a job with this id cannot be followed without its model (FastRouter's poll names the model unless the id
        /// carries a provider prefix; fal's status URL names the model's app where the job carries no polling URL), as an error
        /// message that says what to add; null where what the job carries is enough.
        /// </summary>
        string? NeedsModelToFollow(string id, string? model, string? pollingUrl);

        /// <summary>
        /// Where the provider lists its models with their capabilities, relative to the base URI (OpenRouter:
        /// <c>videos/models</c>); null where it has no such list.
        /// </summary>
        string? ModelListPath { get; }

        /// <summary>
        /// The row's values against the documented lists where no model list could be read (the model list's values are
        /// preferred where known); empty where the provider has no list.
        /// </summary>
        IReadOnlyList<ValidationProblem> CheckDocumented(VideoRequest request, ModelCapabilities? capabilities);
    }
}
