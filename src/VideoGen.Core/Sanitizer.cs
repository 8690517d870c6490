using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace VideoGen.Core
{
    /// <summary>
    /// The one filter every text from a provider passes before it reaches an exception message, a job property
    /// (<see cref="VideoJob.Error"/>, <see cref="VideoJob.ProviderStatus"/>), the journal, or a verbose or debug line.
    /// Modelled on Azure.Core's HttpMessageSanitizer: what is not known to be harmless becomes <see cref="Redacted"/>.
    /// It removes the API key itself (where given) in every form a server may write it back — raw; JSON-escaped (any
    /// character as <c>\uXXXX</c> in either case of hex, <c>\/</c>, <c>\"</c>); URL-encoded (<c>%XX</c> in either case,
    /// <c>+</c> for a space); base64, standard and URL-safe, alone or inside a longer value such as a <c>user:key</c> Basic
    /// credential — then any <c>Bearer …</c>/<c>Basic …</c> credential, any <c>sk-…</c>/<c>sk_…</c>-shaped token, the value of
    /// any <c>api_key</c>/<c>access_token</c>/<c>secret</c>/<c>password</c> field, and in URLs inside the text the value of
    /// every query parameter not known to be harmless (signed CDN links carry their signature there). A URL VideoGen must
    /// still fetch passes <see cref="SanitizeUrl"/> instead, which removes the key only. Thread-safe; never throws; null or
    /// empty gives empty.
    /// </summary>
    public static class Sanitizer
    {
        /// <summary>What a removed secret is replaced with.</summary>
        public const string Redacted = "REDACTED";

        // Query parameters whose values are shown (case-insensitive); every other value in a URL is redacted.
        private static readonly HashSet<string> Allowed =
            new HashSet<string>(new[] { "api-version", "model", "id", "taskId", "task_id", "variant", "limit", "after", "order" }, StringComparer.OrdinalIgnoreCase);

        private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

        // Bearer and anything after it (an id:secret pair too, as fal's keys are); Basic only before something credential-like (a digit, + / =, or a capital
        // after the first letter), so that "Basic subscription" in a provider's message survives; fal's Key scheme
        // ("Authorization: Key <id>:<secret>", docs/providers.md) only before 16 or more credential characters with a digit,
        // so that "Key points" or "key frame" survive.
        private static readonly Regex Scheme = new Regex(
            @"\b((?i:Bearer))\s+[A-Za-z0-9\-._~+/=:]{4,}|\b((?i:Basic))\s+(?=[A-Za-z0-9+/]*[0-9+/=]|[A-Za-z0-9+/][A-Za-z0-9+/]*[A-Z])[A-Za-z0-9+/]{8,}={0,2}" +
            @"|\b((?i:Key))\s+(?=[A-Za-z0-9\-._~+/=:]*[0-9])[A-Za-z0-9\-._~+/=:]{16,}",
            RegexOptions.CultureInvariant, MatchTimeout);

        private static readonly Regex SkToken = new Regex(@"(?<![A-Za-z0-9])sk[-_][A-Za-z0-9\-_]{6,}", RegexOptions.CultureInvariant, MatchTimeout);

        private static readonly Regex SecretField = new Regex(
            @"(?<![A-Za-z0-9])((?:x-)?api[-_]?key|access[-_]?token|refresh[-_]?token|client[-_]?secret|secret|password|authorization)(""?\s*[:=]\s*""?)(?!REDACTED)[^\s""'&,;}\]]+",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout);

        private static readonly Regex Url = new Regex(@"https?://[^\s""'<>]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout);

        private static readonly Regex QueryPair = new Regex(@"([?&])([^=&#]+)=([^&#]*)", RegexOptions.CultureInvariant, MatchTimeout);

        /// <summary>Returns <paramref name="text"/> with every secret replaced by <see cref="Redacted"/>.</summary>
        /// <param name="text">Text from a provider (a body, a message, a URL), or null.</param>
        /// <param name="key">The API key in use, removed wherever it appears; null or blank where none is known.</param>
        /// <returns>The sanitized text; empty for null or empty.</returns>
        public static string Sanitize(string? text, string? key = null)
        {
            if (string.IsNullOrEmpty(text))
            {
                return string.Empty;
            }
            string result;
            try
            {
                result = RemoveKey(text!, key);
                result = Scheme.Replace(result, m => (m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value) + " " + Redacted);
                result = SkToken.Replace(result, Redacted);
                result = SecretField.Replace(result, m => m.Groups[1].Value + m.Groups[2].Value + Redacted);
                result = Url.Replace(result, m => QueryPair.Replace(m.Value, q =>
                    Allowed.Contains(Uri.UnescapeDataString(q.Groups[2].Value)) || q.Groups[3].Value.Length == 0
                        ? q.Value
                        : q.Groups[1].Value + q.Groups[2].Value + "=" + Redacted));
            }
            catch (RegexMatchTimeoutException)
            {
                return "(text withheld: it could not be checked for secrets)";
            }
            return result;
        }

        /// <summary>As <see cref="Sanitize"/>, for an optional value: null stays null.</summary>
        public static string? SanitizeOrNull(string? text, string? key = null) => text is null ? null : Sanitize(text, key);

        /// <summary>
        /// Removes only the key (in every form <see cref="Sanitize"/> knows) from a URL VideoGen may still fetch, such as a
        /// job's video URL: every other query value (a CDN's signature and expiry) stays, so the download still works.
        /// </summary>
        /// <param name="url">The URL, or null.</param>
        /// <param name="key">The API key in use; null or blank where none is known.</param>
        /// <returns>The URL with the key replaced by <see cref="Redacted"/>; null for null; unchanged for a key under 8 characters (no real key is that short, and its forms would match ordinary parts of an address).</returns>
        public static string? SanitizeUrl(string? url, string? key)
        {
            if (url is null || key is null || key.Trim().Length < MinEncodedKey)
            {
                // A key too short to be a real secret would match ordinary parts of the address.
                return url;
            }
            try
            {
                return RemoveKey(url, key);
            }
            catch (RegexMatchTimeoutException)
            {
                return "(address withheld: it could not be checked for secrets)";
            }
        }

        /// <summary>
        /// The text with <paramref name="key"/> replaced by <see cref="Redacted"/> wherever it appears raw, JSON-escaped,
        /// URL-encoded or base64-encoded; nothing else changes. Used on a provider's whole answer as it is read, before it is parsed.
        /// </summary>
        internal static string RemoveKey(string text, string? key)
        {
            if (string.IsNullOrEmpty(text) || string.IsNullOrWhiteSpace(key))
            {
                return text ?? string.Empty;
            }
            var trimmed = key!.Trim();
            if (trimmed.Length < MinEncodedKey)
            {
                // Too short to be a real secret: its encoded forms would match ordinary text, so only the key itself goes.
                return text.Replace(trimmed, Redacted);
            }
            return KeyForms.GetOrAdd(trimmed, k => new KeyPatterns(k)).Remove(text);
        }

        /// <summary>The shortest key whose encoded forms are looked for (and that is removed from a whole answer before it is parsed).</summary>
        internal const int MinEncodedKey = 8;

        private static readonly ConcurrentDictionary<string, KeyPatterns> KeyForms = new ConcurrentDictionary<string, KeyPatterns>(StringComparer.Ordinal);

        /// <summary>The forms of one key: one pattern for its characters in any text encoding (raw, JSON, URL once or twice, HTML numeric), and its base64 cores.</summary>
        private sealed class KeyPatterns
        {
            private readonly Regex _encoded;
            private readonly string[] _base64;

            public KeyPatterns(string key)
            {
                var pattern = new StringBuilder();
                foreach (var c in key)
                {
                    pattern.Append("(?:").Append(Regex.Escape(c.ToString()));
                    // JSON: \uXXXX in either case of hex, and the short escapes \/ \" \\.
                    pattern.Append(@"|\\u(?i:").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)).Append(')');
                    if (c == '/' || c == '"' || c == '\\')
                    {
                        pattern.Append(@"|\\").Append(Regex.Escape(c.ToString()));
                    }
                    // URL: each UTF-8 byte as %XX in either case of hex; + for a space.
                    pattern.Append("|(?i:");
                    foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
                    {
                        pattern.Append('%').Append(b.ToString("x2", CultureInfo.InvariantCulture));
                    }
                    pattern.Append(')');
                    // URL-encoded twice (a query value quoting a URL): each byte as %25XX.
                    pattern.Append("|(?i:");
                    foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
                    {
                        pattern.Append("%25").Append(b.ToString("x2", CultureInfo.InvariantCulture));
                    }
                    pattern.Append(')');
                    // HTML: &#NN; and &#xHH; (an error page quoting the request).
                    pattern.Append("|&#0*").Append(((int)c).ToString(CultureInfo.InvariantCulture)).Append(';')
                        .Append("|&#[xX]0*(?i:").Append(((int)c).ToString("x", CultureInfo.InvariantCulture)).Append(");");
                    if (c == ' ')
                    {
                        pattern.Append(@"|\+");
                    }
                    pattern.Append(')');
                }
                _encoded = new Regex(pattern.ToString(), RegexOptions.CultureInvariant, MatchTimeout);
                // Base64 of the key inside any longer value (":key", "user:key"): wherever the key starts in the encoded
                // bytes, the groups of three bytes wholly inside it encode the same way. Those cores (for the three
                // possible alignments), standard and URL-safe, are removed; too short a key has no distinctive core.
                var bytes = Encoding.UTF8.GetBytes(key);
                var cores = new List<string>();
                for (var skip = 0; skip < 3; skip++)
                {
                    var whole = (bytes.Length - skip) / 3 * 3;
                    if (whole >= 6)
                    {
                        var core = Convert.ToBase64String(bytes, skip, whole);
                        cores.Add(core);
                        cores.Add(core.Replace('+', '-').Replace('/', '_'));
                    }
                }
                _base64 = cores.ToArray();
            }

            public string Remove(string text)
            {
                var result = _encoded.Replace(text, Redacted);
                foreach (var core in _base64)
                {
                    if (result.IndexOf(core, StringComparison.Ordinal) >= 0)
                    {
                        result = result.Replace(core, Redacted);
                    }
                }
                return result;
            }
        }

        /// <summary>Whether <paramref name="text"/> holds nothing <see cref="Sanitize"/> would remove.</summary>
        public static bool IsClean(string? text, string? key = null) => string.Equals(Sanitize(text, key), text ?? string.Empty, StringComparison.Ordinal);

    }
}
