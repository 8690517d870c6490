using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace VideoGen.Core
{
    /// <summary>
    /// The one filter every text from a provider passes before it reaches an exception message, a job property
    /// (<see cref="VideoJob.Error"/>, <see cref="VideoJob.ProviderStatus"/>), the journal, or a verbose or debug line.
    /// Modelled on Azure.Core's HttpMessageSanitizer: what is not known to be harmless becomes <see cref="Redacted"/>.
    /// It removes the API key itself (where given), any <c>Bearer …</c>/<c>Basic …</c> credential, any
    /// <c>sk-…</c>/<c>sk_…</c>-shaped token, the value of any <c>api_key</c>/<c>access_token</c>/<c>secret</c>/<c>password</c>
    /// field, and in URLs inside the text the value of every query parameter not in <see cref="AllowedQueryParameters"/>
    /// (signed CDN links carry their signature there). Thread-safe; never throws; null or empty gives empty.
    /// </summary>
    public static class Sanitizer
    {
        /// <summary>What a removed secret is replaced with.</summary>
        public const string Redacted = "REDACTED";

        /// <summary>Query parameters whose values are shown (case-insensitive); every other value in a URL is redacted.</summary>
        public static IReadOnlyCollection<string> AllowedQueryParameters => Allowed;

        private static readonly HashSet<string> Allowed =
            new HashSet<string>(new[] { "api-version", "model", "id", "taskId", "task_id", "variant", "limit", "after", "order" }, StringComparer.OrdinalIgnoreCase);

        private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

        // Bearer and anything after it; Basic only before something credential-like (a digit, + / =, or a capital
        // after the first letter), so that "Basic subscription" in a provider's message survives.
        private static readonly Regex Scheme = new Regex(
            @"\b((?i:Bearer))\s+[A-Za-z0-9\-._~+/=]{4,}|\b((?i:Basic))\s+(?=[A-Za-z0-9+/]*[0-9+/=]|[A-Za-z0-9+/][A-Za-z0-9+/]*[A-Z])[A-Za-z0-9+/]{8,}={0,2}",
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
            var result = text!;
            if (!string.IsNullOrWhiteSpace(key))
            {
                result = result.Replace(key!.Trim(), Redacted);
            }
            try
            {
                result = Scheme.Replace(result, m => (m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value) + " " + Redacted);
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

        /// <summary>Whether <paramref name="text"/> holds nothing <see cref="Sanitize"/> would remove.</summary>
        public static bool IsClean(string? text, string? key = null) => string.Equals(Sanitize(text, key), text ?? string.Empty, StringComparison.Ordinal);

    }
}
