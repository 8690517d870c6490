using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using VideoGen.Core.Providers;

namespace VideoGen.Core
{
    /// <summary>One thing wrong with a request: the field and what to do.</summary>
    public sealed class ValidationProblem
    {
        internal ValidationProblem(string field, string message)
        {
            Field = field;
            Message = message;
        }

        /// <summary>The New-Video parameter (CSV column) at fault.</summary>
        public string Field { get; }

        /// <summary>What is wrong and what is accepted.</summary>
        public string Message { get; }

        /// <summary>"Field: message".</summary>
        public override string ToString() => Field + ": " + Message;
    }

    /// <summary>
    /// Checks a request before any money is spent: what every provider needs (a prompt, a positive duration, an image it can
    /// read, the optional fields it takes), then the provider's own rules (<see cref="IProviderRules"/>, in its folder).
    /// Errors block the row; warnings (an unknown model id: providers add models faster than VideoGen is released) do not.
    /// </summary>
    public static class RequestValidator
    {
        /// <summary>The optional fields only some providers take, as New-Video names them, with what to use instead where there is something.</summary>
        // Instead: what to use for it where the provider has something else; Option: a field that is an option of the route
        // (the refusal says the provider has no such option rather than that it cannot honour the value).
        private static readonly (string Field, Func<VideoRequest, bool> IsSet, string? Instead, string? Option)[] OptionalFields =
        {
            ("FirstFrame", r => !string.IsNullOrEmpty(r.FirstFrame), "use -Image", null),
            ("LastFrame", r => !string.IsNullOrEmpty(r.LastFrame), null, null),
            ("ReferenceImage", r => r.ReferenceImages is { Count: > 0 }, null, null),
            ("CallbackUrl", r => !string.IsNullOrEmpty(r.CallbackUrl), null, null),
            ("ProviderOptions", r => r.ProviderOptions is { Count: > 0 }, null, null),
            ("Mode", r => !string.IsNullOrEmpty(r.Mode), null, "mode option"),
        };

        /// <summary>Checks <paramref name="request"/> for <paramref name="provider"/>.</summary>
        /// <param name="provider">The provider it goes to.</param>
        /// <param name="request">The request.</param>
        /// <param name="warnings">Receives the warnings.</param>
        /// <returns>The errors; empty when the request may be submitted.</returns>
        public static IReadOnlyList<ValidationProblem> Validate(VideoProvider provider, VideoRequest request, out IReadOnlyList<string> warnings)
        {
            var errors = new List<ValidationProblem>();
            var warn = new List<string>();
            warnings = warn;
            if (string.IsNullOrWhiteSpace(request.Prompt))
            {
                errors.Add(new ValidationProblem("Prompt", "the prompt is empty; every row needs a text prompt."));
            }
            if (request.Duration is int d && d < 1)
            {
                errors.Add(new ValidationProblem("Duration", "must be a whole number of seconds, 1 or more."));
            }
            var mapping = ProviderMappings.For(provider);
            var rules = mapping.Rules;
            var model = string.IsNullOrWhiteSpace(request.Model) ? mapping.DefaultModel : request.Model!;
            if (!string.IsNullOrEmpty(request.Image) && mapping.UploadsImage(request) &&
                !RequestChecks.IsHttpUrl(request.Image!) && !System.IO.File.Exists(request.Image))
            {
                errors.Add(new ValidationProblem("Image", "'" + request.Image + "' is neither an http(s) URL nor an existing file; " + provider + " uploads it as input_reference."));
            }
            foreach (var (field, isSet, instead, option) in OptionalFields)
            {
                if (isSet(request) && !rules.Takes(field))
                {
                    var takers = ProviderMappings.All.Where(m => m.Rules.Takes(field)).Select(m => m.Provider.ToString()).ToList();
                    var only = takers.Count == 0 ? "no provider" : "only " + string.Join(" and ", takers);
                    errors.Add(new ValidationProblem(field, option != null
                        ? provider + " has no " + option + " (" + only + " takes " + field + "); remove it for this row."
                        : only + " takes " + field + "; " + provider + " cannot honour it" + (instead is null ? string.Empty : " (" + instead + ")") + "; remove it for this row."));
                }
            }
            rules.Check(request, model, rules.ModelListPath is null ? null : ModelCatalog.KnownCapabilities(model), errors, warn);
            return errors;
        }

        /// <summary>Describes a row for messages: "row 3 ('sunset')".</summary>
        public static string DescribeRow(int row, string? name) =>
            string.IsNullOrWhiteSpace(name)
                ? string.Format(CultureInfo.InvariantCulture, "row {0}", row)
                : string.Format(CultureInfo.InvariantCulture, "row {0} ('{1}')", row, name);
    }
}
