using System;
using VideoGen.Core.Providers;

namespace VideoGen.Core
{
    /// <summary>
    /// Where and as whom to talk to one provider: its base URI and key. The key is held for the
    /// HTTP client only and never appears in <see cref="ToString"/>, messages or output.
    /// </summary>
    public sealed class ProviderEndpoint
    {
        /// <summary>Creates an endpoint.</summary>
        /// <param name="provider">The provider.</param>
        /// <param name="baseUri">The provider's base URI, meaning the same as its documented server URL (FastRouter <c>https://api.fastrouter.ai</c>, OpenRouter <c>https://openrouter.ai/api/v1</c>, AppleRouter <c>https://api.applerouter.ai</c>).</param>
        /// <param name="apiKey">The key, sent in the <c>Authorization</c> header with the mapping's scheme (<see cref="IProviderMapping.AuthorizationScheme"/>); not blank.</param>
        /// <exception cref="VideoGenException">InvalidArgument: the base URI is not absolute http(s), or is plain http to a host that is not loopback (the key would travel in clear text; <see cref="EndpointScope"/>). NoApiKey: the key is blank.</exception>
        public ProviderEndpoint(VideoProvider provider, Uri baseUri, string apiKey)
        {
            EndpointScope.EnsureSchemeAllowed(provider, baseUri);
            if (string.IsNullOrWhiteSpace(apiKey))
            {
                throw new VideoGenException(VideoGenErrorKind.NoApiKey,
                    "No API key for " + provider + ". Pass -ApiKey or set $env:" + EndpointResolver.ApiKeyVariable(provider) + ".");
            }
            Provider = provider;
            BaseUri = ProviderJson.WithSlash(baseUri);
            ApiKey = apiKey.Trim();
            Mapping = ProviderMappings.For(provider);
        }

        /// <summary>The provider.</summary>
        public VideoProvider Provider { get; }

        /// <summary>The base URI, with a trailing slash.</summary>
        public Uri BaseUri { get; }

        /// <summary>The provider's wire mapping.</summary>
        public IProviderMapping Mapping { get; }

        /// <summary>The key. Internal: only the HTTP client and the redactor read it.</summary>
        internal string ApiKey { get; }

        /// <summary>Whether <paramref name="uri"/> is on this endpoint's own host (scheme, host and port), the only place the key is sent (<see cref="EndpointScope.IsOwnHost"/>).</summary>
        public bool IsOwnHost(Uri uri) => EndpointScope.IsOwnHost(BaseUri, uri);

        /// <summary>
        /// Passes <paramref name="text"/> through <see cref="Sanitizer.Sanitize"/> with this endpoint's key: the key,
        /// bearer credentials, <c>sk-</c> tokens and secret query values become <c>REDACTED</c>. Null gives empty.
        /// </summary>
        public string Redact(string? text) => Sanitizer.Sanitize(text, ApiKey);

        /// <summary>Provider and base URI; never the key.</summary>
        public override string ToString() => Provider + " at " + BaseUri;
    }

    /// <summary>
    /// Picks the provider, base URI and key for a request from parameters and environment variables:
    /// <c>-Provider</c>, else <c>VIDEOGEN_PROVIDER</c>, else the one provider whose key variable is set.
    /// </summary>
    public static class EndpointResolver
    {
        /// <summary>The environment variable naming the default provider.</summary>
        public const string ProviderVariable = "VIDEOGEN_PROVIDER";

        /// <summary>The key's environment variable, as the provider's mapping names it (<see cref="IProviderMapping.ApiKeyVariable"/>): FASTROUTER_API_KEY, FAL_KEY and so on.</summary>
        public static string ApiKeyVariable(VideoProvider provider) => ProviderMappings.For(provider).ApiKeyVariable;

        /// <summary>The base URI's environment variable: VIDEOGEN_FASTROUTER_BASE_URI and so on.</summary>
        public static string BaseUriVariable(VideoProvider provider) => "VIDEOGEN_" + provider.ToString().ToUpperInvariant() + "_BASE_URI";

        /// <summary>Chooses the provider.</summary>
        /// <param name="provider">The provider given as a parameter or CSV column, or null/blank.</param>
        /// <param name="hasExplicitKey">Whether a key was given as a parameter (it does not say which provider).</param>
        /// <param name="getEnvironment">Reads an environment variable.</param>
        /// <exception cref="VideoGenException">InvalidArgument: an unknown name, or no way to choose.</exception>
        public static VideoProvider ResolveProvider(string? provider, bool hasExplicitKey, Func<string, string?> getEnvironment)
        {
            var names = string.Join(", ", ProviderMappings.Names);
            if (!string.IsNullOrWhiteSpace(provider))
            {
                return ProviderMappings.TryParse(provider, out var p) ? p
                    : throw new VideoGenException(VideoGenErrorKind.InvalidArgument, "Provider '" + provider + "' is not known; use one of " + names + ".");
            }
            var fromEnv = getEnvironment(ProviderVariable);
            if (!string.IsNullOrWhiteSpace(fromEnv))
            {
                return ProviderMappings.TryParse(fromEnv, out var p) ? p
                    : throw new VideoGenException(VideoGenErrorKind.InvalidArgument, "$env:" + ProviderVariable + " is '" + fromEnv + "', which is not a provider; use one of " + names + ".");
            }
            // A key variable another tool shares (FAL_KEY) counts only where no provider's own key variable is set.
            VideoProvider? only = null;
            var count = 0;
            foreach (var shared in new[] { false, true })
            {
                foreach (var mapping in ProviderMappings.All)
                {
                    if (mapping.KeyVariableIsShared == shared && !string.IsNullOrWhiteSpace(getEnvironment(mapping.ApiKeyVariable)))
                    {
                        only = mapping.Provider;
                        count++;
                    }
                }
                if (count > 0)
                {
                    break;
                }
            }
            if (count == 1)
            {
                return only!.Value;
            }
            var why = count == 0
                ? (hasExplicitKey ? "an -ApiKey was given but no provider" : "no provider key variable is set")
                : "keys for several providers are set";
            throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                "Cannot tell which provider to use: " + why + ". Pass -Provider (" + names + ") or set $env:" + ProviderVariable + ".");
        }

        /// <summary>Builds the endpoint for a provider.</summary>
        /// <param name="provider">The provider.</param>
        /// <param name="baseUri">A base URI given as a parameter or carried by a job, or null for <c>VIDEOGEN_*_BASE_URI</c>, else the documented server URL.</param>
        /// <param name="apiKey">A key given as a parameter, or null for the provider's key variable.</param>
        /// <param name="getEnvironment">Reads an environment variable.</param>
        /// <exception cref="VideoGenException">See <see cref="ProviderEndpoint(VideoProvider, Uri, string)"/>.</exception>
        public static ProviderEndpoint Resolve(VideoProvider provider, string? baseUri, string? apiKey, Func<string, string?> getEnvironment)
        {
            var uriText = !string.IsNullOrWhiteSpace(baseUri) ? baseUri : getEnvironment(BaseUriVariable(provider));
            Uri uri;
            if (string.IsNullOrWhiteSpace(uriText))
            {
                uri = ProviderMappings.For(provider).DefaultBaseUri ?? throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                    provider + " has no default address: give the gateway's base URI, the one /videos is under (e.g. https://gateway.example.com/v1, or https://api.applerouter.ai/v1), with -BaseUri or $env:" + BaseUriVariable(provider) + ".");
            }
            else if (!Uri.TryCreate(uriText!.Trim(), UriKind.Absolute, out uri!))
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                    provider + " base URI '" + uriText + "' is not an absolute URI (from -BaseUri or $env:" + BaseUriVariable(provider) + ").");
            }
            var key = !string.IsNullOrWhiteSpace(apiKey) ? apiKey! : getEnvironment(ApiKeyVariable(provider)) ?? string.Empty;
            return new ProviderEndpoint(provider, uri, key);
        }
    }
}
