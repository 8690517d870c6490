using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using VideoGen.Core.Providers;

namespace VideoGen.Core
{
    /// <summary>
    /// The one place that decides where a provider's key may go:
    /// <list type="bullet">
    /// <item><b>Provider.</b> Only to a base URI the user configured for that provider — the provider's documented server,
    /// <c>$env:VIDEOGEN_&lt;PROVIDER&gt;_BASE_URI</c>, <c>-BaseUri</c> typed on the command line — or one VideoGen itself recorded
    /// for the job (the journal, or a job object emitted in this session). A base URI that arrives from pipeline input (a CSV or
    /// JSON column) and matches none of them is refused before any request (<see cref="EnsureConfigured"/>).</item>
    /// <item><b>Scheme.</b> Over https, or plain http only to loopback (a local gateway, the emulator).</item>
    /// <item><b>Host and redirects.</b> Only to the base URI's own scheme, host and port; a redirect that leaves it is followed
    /// without the key (<see cref="IsOwnHost"/>).</item>
    /// <item><b>Proxies.</b> A key crosses a proxy only inside TLS (an https CONNECT tunnel, which the proxy cannot read); loopback
    /// never uses a proxy, so a local http gateway is reached directly whatever <c>HTTP_PROXY</c> says; and a request that would
    /// carry the key to a plain-http address through a proxy is not sent (<see cref="KeepsKeyOffProxy"/>).</item>
    /// </list>
    /// </summary>
    public static class EndpointScope
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

        /// <summary>Whether <paramref name="uri"/> names this machine (localhost, 127.0.0.0/8, ::1).</summary>
        public static bool IsLoopback(Uri uri) =>
            uri != null && uri.IsAbsoluteUri &&
            (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));

        /// <summary>Whether <paramref name="target"/> is on <paramref name="baseUri"/>'s own scheme, host and port: the only place the key is sent, redirects included.</summary>
        public static bool IsOwnHost(Uri baseUri, Uri target) =>
            baseUri != null && target != null && target.IsAbsoluteUri &&
            string.Equals(target.Scheme, baseUri.Scheme, StringComparison.OrdinalIgnoreCase) &&
            string.Equals(target.Host, baseUri.Host, StringComparison.OrdinalIgnoreCase) &&
            target.Port == baseUri.Port;

        /// <summary>The scheme rule: an absolute http(s) base URI, plain http only to loopback (the key would travel in clear text).</summary>
        /// <exception cref="VideoGenException">InvalidArgument, naming what to use instead; nothing was sent.</exception>
        internal static void EnsureSchemeAllowed(VideoProvider provider, Uri? baseUri)
        {
            if (baseUri is null || !baseUri.IsAbsoluteUri || (baseUri.Scheme != Uri.UriSchemeHttps && baseUri.Scheme != Uri.UriSchemeHttp))
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                    provider + " base URI '" + baseUri + "' is not an absolute http(s) URI. Use e.g. " + (ProviderMappings.For(provider).DefaultBaseUri?.AbsoluteUri ?? "https://gateway.example.com/v1") + ".");
            }
            if (baseUri.Scheme == Uri.UriSchemeHttp && !IsLoopback(baseUri))
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                    provider + " base URI '" + baseUri + "' is plain http to a host that is not loopback; VideoGen sends the API key only over https (or to 127.0.0.1/localhost). Use https.");
            }
        }

        /// <summary>
        /// The proxy the shared client uses: <paramref name="inner"/> (the system's, from <c>HTTP_PROXY</c>/<c>HTTPS_PROXY</c>/<c>NO_PROXY</c>
        /// or the OS settings) for everything except loopback, which is always reached directly.
        /// </summary>
        internal static IWebProxy Proxy(IWebProxy? inner) => new ScopedProxy(inner);

        /// <summary>
        /// Whether a request carrying the key to <paramref name="target"/> keeps the key off any proxy's view: https (a proxy only
        /// tunnels the TLS bytes), or no proxy on the way (none configured, or bypassed, as loopback always is).
        /// </summary>
        internal static bool KeepsKeyOffProxy(Uri target, IWebProxy? proxy)
        {
            if (string.Equals(target.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase) || proxy is null)
            {
                return true;
            }
            try
            {
                return proxy.IsBypassed(target) || proxy.GetProxy(target) is null;
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException))
            {
                return false;
            }
        }

        /// <summary>Loopback bypasses the proxy; everything else goes as the system's proxy says.</summary>
        private sealed class ScopedProxy : IWebProxy
        {
            private readonly IWebProxy? _inner;

            public ScopedProxy(IWebProxy? inner) => _inner = inner;

            public ICredentials? Credentials
            {
                get => _inner?.Credentials;
                set
                {
                    if (_inner != null)
                    {
                        _inner.Credentials = value;
                    }
                }
            }

            public Uri? GetProxy(Uri destination) => IsBypassed(destination) ? null : _inner!.GetProxy(destination);

            public bool IsBypassed(Uri host) => _inner is null || IsLoopback(host) || _inner.IsBypassed(host);
        }
    }
}
