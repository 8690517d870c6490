using System;
using System.Collections.Generic;
using System.Linq;
using VideoGen.Core.Providers;

namespace VideoGen.Core
{
    /// <summary>
    /// Where a provider's key may go: only to a base URI the user configured for that provider — the provider's documented
    /// server, <c>$env:VIDEOGEN_&lt;PROVIDER&gt;_BASE_URI</c>, <c>-BaseUri</c> typed on the command line — or one VideoGen
    /// itself recorded for the job (the journal, or a job object emitted in this session). A base URI that arrives from
    /// pipeline input (a CSV or JSON column) and matches none of them is refused before any request.
    /// </summary>
    public static class KeyScope
    {
        /// <summary>
        /// Checks a base URI that came from pipeline input.
        /// </summary>
        /// <param name="provider">The provider the row or job is for.</param>
        /// <param name="candidate">The base URI from the pipeline object.</param>
        /// <param name="getEnvironment">Reads environment variables.</param>
        /// <param name="alsoTrusted">Further base URIs the user or VideoGen gave for this row (typed -BaseUri, the journal's record).</param>
        /// <exception cref="VideoGenException">InvalidArgument: the base URI is not one configured for the provider; nothing was sent.</exception>
        public static void EnsureConfigured(VideoProvider provider, string candidate, Func<string, string?> getEnvironment, params string?[] alsoTrusted)
        {
            if (getEnvironment is null)
            {
                throw new ArgumentNullException(nameof(getEnvironment));
            }
            var wanted = Normalize(candidate);
            var trusted = new List<string?>(alsoTrusted ?? Array.Empty<string?>())
            {
                ProviderMappings.For(provider).DefaultBaseUri?.AbsoluteUri,
                getEnvironment(EndpointResolver.BaseUriVariable(provider)),
            };
            if (wanted != null && trusted.Any(t => Normalize(t) == wanted))
            {
                return;
            }
            throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                "The BaseUri '" + candidate + "' of this pipeline object is not one configured for " + provider +
                " (its documented server, $env:" + EndpointResolver.BaseUriVariable(provider) + ", -BaseUri typed on the command line, or the address New-Video recorded for this job), so the " +
                provider + " key is not sent there and nothing was requested. If you trust that address, pass it with -BaseUri.");
        }

        /// <summary>A base URI in one comparable form (absolute, trailing slash, scheme and host lower case), or null when it is not an absolute URI.</summary>
        public static string? Normalize(string? uri) =>
            !string.IsNullOrWhiteSpace(uri) && Uri.TryCreate(uri!.Trim(), UriKind.Absolute, out var parsed)
                ? ProviderJson.WithSlash(parsed).AbsoluteUri
                : null;
    }
}
