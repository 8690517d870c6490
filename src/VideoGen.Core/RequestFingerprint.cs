using System;
using System.Collections;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace VideoGen.Core
{
    /// <summary>
    /// A short, stable fingerprint of a paid request as it goes on the wire, recorded in the job store with the job it
    /// created, so running the same rows again emits the recorded jobs instead of paying for them twice — and any
    /// difference on the wire is a different request, paid for. Lower-case hex of the first 16 bytes of a SHA-256.
    /// </summary>
    /// <remarks>
    /// <see cref="Of(ProviderEndpoint, HttpRequestMessage)"/> reads the request the provider's mapping builds: the method,
    /// the full request URI (so another base URI or gateway is another request), the key it is sent with (one-way; another
    /// account is another request), and the body — JSON in canonical form
    /// (object members sorted by name at every depth, so a hashtable's order does not matter but every value at any depth
    /// does), a multipart form part by part (name, file name, media type and the SHA-256 of its bytes, so a local image
    /// whose content changed is another request; the random boundary is left out). The label (Name) is not on the wire and
    /// is matched beside the fingerprint by the store.
    /// </remarks>
    public static class RequestFingerprint
    {
        /// <summary>The fingerprint of a submission: the request <paramref name="endpoint"/>'s mapping builds for <paramref name="request"/>.</summary>
        /// <param name="endpoint">Where the request goes (its base URI is part of the fingerprint).</param>
        /// <param name="request">The request, with <see cref="VideoRequest.InputReference"/> read where the route uploads the image.</param>
        /// <exception cref="VideoGenException">InvalidArgument: the mapping refuses the request (as it would before sending).</exception>
        public static string Of(ProviderEndpoint endpoint, VideoRequest request)
        {
            if (endpoint is null)
            {
                throw new ArgumentNullException(nameof(endpoint));
            }
            using var message = endpoint.Mapping.CreateSubmitRequest(endpoint.BaseUri, request ?? throw new ArgumentNullException(nameof(request)));
            return Of(endpoint, message);
        }

        /// <summary>The fingerprint of a request as built for the wire (a submission or a remix) to <paramref name="endpoint"/>'s provider.</summary>
        public static string Of(ProviderEndpoint endpoint, HttpRequestMessage message)
        {
            if (endpoint is null || message is null)
            {
                throw new ArgumentNullException(endpoint is null ? nameof(endpoint) : nameof(message));
            }
            var text = new StringBuilder();
            text.Append("wire/1\n").Append(endpoint.Provider.ToString()).Append('\n')
                .Append(message.Method.Method).Append(' ').Append(message.RequestUri?.AbsoluteUri).Append('\n')
                .Append("account ").Append(Account(endpoint.ApiKey)).Append('\n');
            AppendContent(text, message.Content);
            return Hex(Sha(Encoding.UTF8.GetBytes(text.ToString()))).Substring(0, 32);
        }

        private static void AppendContent(StringBuilder text, HttpContent? content)
        {
            switch (content)
            {
                case null:
                    text.Append("no body");
                    return;
                case MultipartContent parts:
                    text.Append("multipart\n");
                    foreach (var part in parts)
                    {
                        var disposition = part.Headers.ContentDisposition;
                        text.Append("part ").Append(disposition?.Name?.Trim('"')).Append(" file ").Append(disposition?.FileName?.Trim('"'))
                            .Append(" type ").Append(part.Headers.ContentType?.MediaType).Append(": ");
                        AppendContent(text, part);
                        text.Append('\n');
                    }
                    return;
                default:
                    var bytes = content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
                    if (IsJson(content) && TryCanonicalJson(bytes, out var canonical))
                    {
                        text.Append("json ").Append(canonical);
                    }
                    else
                    {
                        text.Append("bytes ").Append(Hex(Sha(bytes)));
                    }
                    return;
            }
        }

        /// <summary>
        /// Which key (account) the request is sent with, as a one-way keyed hash mixed into the fingerprint: the same row sent
        /// with another customer's key is another request, and neither the key nor a hash of it alone is ever stored.
        /// </summary>
        private static string Account(string key)
        {
            using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes("VideoGen request fingerprint: account"));
            return Hex(hmac.ComputeHash(Encoding.UTF8.GetBytes(key))).Substring(0, 16);
        }

        private static bool IsJson(HttpContent content) =>
            content.Headers.ContentType?.MediaType is string type && type.IndexOf("json", StringComparison.OrdinalIgnoreCase) >= 0;

        private static bool TryCanonicalJson(byte[] bytes, out string canonical)
        {
            try
            {
                using var document = JsonDocument.Parse(bytes);
                var builder = new StringBuilder();
                Canonical(document.RootElement, builder);
                canonical = builder.ToString();
                return true;
            }
            catch (JsonException)
            {
                canonical = string.Empty;
                return false;
            }
        }

        /// <summary>JSON with object members in ordinal order at every depth; strings and numbers as written.</summary>
        private static void Canonical(JsonElement element, StringBuilder builder)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    builder.Append('{');
                    var first = true;
                    foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                    {
                        builder.Append(first ? string.Empty : ",").Append(JsonSerializer.Serialize(property.Name)).Append(':');
                        Canonical(property.Value, builder);
                        first = false;
                    }
                    builder.Append('}');
                    return;
                case JsonValueKind.Array:
                    builder.Append('[');
                    var index = 0;
                    foreach (var item in element.EnumerateArray())
                    {
                        builder.Append(index++ == 0 ? string.Empty : ",");
                        Canonical(item, builder);
                    }
                    builder.Append(']');
                    return;
                case JsonValueKind.String:
                    builder.Append(JsonSerializer.Serialize(element.GetString()));
                    return;
                default:
                    builder.Append(element.GetRawText());
                    return;
            }
        }

        /// <summary>
        /// The fingerprint VideoGen 0.1 to 0.3 recorded (of the row's fields, not the wire): used only to recognise jobs those
        /// versions recorded, and only where it still tells requests apart (see <see cref="LegacyIsFaithful"/>).
        /// </summary>
        public static string Legacy(VideoProvider provider, VideoRequest request, string model)
        {
            if (request is null)
            {
                throw new ArgumentNullException(nameof(request));
            }
            var parts = new[]
            {
                provider.ToString(), model, request.Prompt?.Trim(), request.Duration?.ToString(CultureInfo.InvariantCulture), request.AspectRatio,
                request.Resolution, request.Size, request.Image, request.FirstFrame, request.LastFrame,
                request.ReferenceImages is null ? null : string.Join("\u001f", request.ReferenceImages),
                request.CallbackUrl, request.Seed?.ToString(CultureInfo.InvariantCulture), request.GenerateAudio?.ToString(), request.Mode?.ToLowerInvariant(),
                request.ProviderOptions is null ? null : JsonSerializer.Serialize(request.ProviderOptions.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value?.ToString())),
                // Those versions took the fingerprint before an upload was read: this part was always empty.
                null,
            };
            var text = string.Join("\u001e", parts.Select(p => p ?? string.Empty));
            return Hex(Sha(Encoding.UTF8.GetBytes(text))).Substring(0, 32);
        }

        /// <summary>
        /// The fingerprint VideoGen 0.1 to 0.3 recorded for a remix of <paramref name="sourceId"/> with <paramref name="prompt"/>.
        /// </summary>
        public static string LegacyRemix(VideoProvider provider, string prompt, string sourceId) =>
            Legacy(provider, new VideoRequest { Prompt = prompt }, "remix of " + sourceId);

        /// <summary>
        /// Whether <see cref="Legacy"/> tells this request apart from every other: no provider option holds a table or a
        /// list (those were all written alike), and no local file is uploaded (its content was not read). Where it does
        /// not, a job recorded under the legacy fingerprint is not taken for this request.
        /// </summary>
        public static bool LegacyIsFaithful(VideoRequest request, bool uploadsLocalFile) =>
            request != null && !uploadsLocalFile &&
            (request.ProviderOptions is null || request.ProviderOptions.Values.All(v => v is null || v is string || !(v is IEnumerable)));

        private static byte[] Sha(byte[] data)
        {
            using var sha = SHA256.Create();
            return sha.ComputeHash(data);
        }

        private static string Hex(byte[] bytes) => BitConverter.ToString(bytes).Replace("-", string.Empty).ToLowerInvariant();
    }
}
