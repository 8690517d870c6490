using System;
using System.Collections.Generic;
using System.Linq;

namespace VideoGen.Core
{
    /// <summary>A row ready to submit: the request, where it goes, and any warnings.</summary>
    public sealed class PreparedRow
    {
        internal PreparedRow(int row, VideoRequest request, ProviderEndpoint endpoint, IReadOnlyList<string> warnings)
        {
            Row = row;
            Request = request;
            Endpoint = endpoint;
            Warnings = warnings;
        }

        /// <summary>The 1-based row (input object) number.</summary>
        public int Row { get; }
        /// <summary>The request.</summary>
        public VideoRequest Request { get; }
        /// <summary>The provider endpoint.</summary>
        public ProviderEndpoint Endpoint { get; }
        /// <summary>Warnings that do not block submission (an unknown model id).</summary>
        public IReadOnlyList<string> Warnings { get; }
        /// <summary>"row 3 ('sunset')", for messages.</summary>
        public string Label => RequestValidator.DescribeRow(Row, Request.Name);
    }

    /// <summary>
    /// Everything New-Video does with a row before money is spent: read the fields, choose the provider, check
    /// the values against the provider's documented ones, find the key and base URI. A row that fails here
    /// fails alone, with an error naming the row and the field.
    /// </summary>
    public static class RowPreparer
    {
        /// <summary>Prepares one row.</summary>
        /// <param name="row">The 1-based row number.</param>
        /// <param name="fields">The text fields by New-Video parameter name (see <see cref="RequestParser"/>).</param>
        /// <param name="apiKey">A key given as a parameter, or null.</param>
        /// <param name="baseUri">A base URI given as a parameter, or null.</param>
        /// <param name="getEnvironment">Reads environment variables.</param>
        /// <exception cref="VideoGenException">InvalidArgument naming the row and field(s); Authentication when no key is found.</exception>
        /// <param name="providerOptions">OpenRouter passthrough options (-ProviderOptions), or null.</param>
        public static PreparedRow Prepare(int row, IReadOnlyDictionary<string, string?> fields, string? apiKey, string? baseUri, Func<string, string?> getEnvironment,
            IDictionary<string, object?>? providerOptions = null) =>
            Prepare(row, fields, _ => apiKey, _ => baseUri, getEnvironment, providerOptions, apiKey != null);

        /// <summary>
        /// Checks one row and resolves its endpoint, asking for the key and base URI only once the row's provider is known, so
        /// a key given for one provider never reaches another (<paramref name="apiKeyFor"/> answers null for the others, and
        /// their own key variable is used).
        /// </summary>
        /// <param name="row">The 1-based row number, for messages.</param>
        /// <param name="fields">The row's fields by parameter name.</param>
        /// <param name="apiKeyFor">The key given for a provider, or null to use its environment variable.</param>
        /// <param name="baseUriFor">The base URI for a provider, or null for its variable or default; may throw to refuse one.</param>
        /// <param name="getEnvironment">Reads environment variables.</param>
        /// <param name="providerOptions">OpenRouter passthrough options.</param>
        /// <param name="hasExplicitKey">Whether an -ApiKey was given (for the message when no provider can be chosen).</param>
        /// <exception cref="VideoGenException">InvalidArgument naming the row and field; Authentication when no key.</exception>
        public static PreparedRow Prepare(int row, IReadOnlyDictionary<string, string?> fields, Func<VideoProvider, string?> apiKeyFor, Func<VideoProvider, string?> baseUriFor,
            Func<string, string?> getEnvironment, IDictionary<string, object?>? providerOptions, bool hasExplicitKey)
        {
            if (apiKeyFor is null || baseUriFor is null)
            {
                throw new ArgumentNullException(apiKeyFor is null ? nameof(apiKeyFor) : nameof(baseUriFor));
            }
            var problems = new List<ValidationProblem>();
            var request = RequestParser.Parse(fields, problems);
            request.ProviderOptions = providerOptions is { Count: > 0 } ? providerOptions : null;
            var label = RequestValidator.DescribeRow(row, request.Name);
            VideoProvider provider;
            try
            {
                provider = EndpointResolver.ResolveProvider(fields.TryGetValue("Provider", out var p) ? p : null, hasExplicitKey, getEnvironment);
            }
            catch (VideoGenException ex)
            {
                throw new VideoGenException(ex.Kind, Capitalize(label) + ", field Provider: " + ex.Message);
            }
            problems.AddRange(RequestValidator.Validate(provider, request, out var warnings));
            if (problems.Count > 0)
            {
                throw Refused(label, problems);
            }
            try
            {
                return new PreparedRow(row, request, EndpointResolver.Resolve(provider, baseUriFor(provider), apiKeyFor(provider), getEnvironment), warnings);
            }
            catch (VideoGenException ex)
            {
                throw new VideoGenException(ex.Kind, Capitalize(label) + ": " + ex.Message);
            }
        }

        /// <summary>The InvalidArgument error for a row whose fields a provider will not take: "Row 3 ('sunset'), field Duration: ...; field Size: ... Nothing was submitted for this row."</summary>
        internal static VideoGenException Refused(string label, IEnumerable<ValidationProblem> problems) =>
            new VideoGenException(VideoGenErrorKind.InvalidArgument,
                Capitalize(label) + ", " + string.Join("; ", problems.Select(x => "field " + x.Field + ": " + x.Message)) + " Nothing was submitted for this row.");

        private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);
    }
}
