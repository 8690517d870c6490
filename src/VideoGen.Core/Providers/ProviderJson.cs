using System;
using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using System.Net.Http;
using System.Text;
using System.Text.Json;

namespace VideoGen.Core.Providers
{
    /// <summary>Tolerant readers over System.Text.Json for the providers' varied shapes.</summary>
    internal static class ProviderJson
    {
        private const int ExcerptLength = 300;

        /// <summary>Parses an answer; an answer that is not JSON becomes UnexpectedAnswer with an excerpt.</summary>
        public static JsonDocument Parse(ProviderResponse response, VideoProvider provider, string what, string? taskId)
        {
            try
            {
                var doc = JsonDocument.Parse(response.Body);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    doc.Dispose();
                    throw Unexpected(response, provider, what + " is not a JSON object", taskId);
                }
                return doc;
            }
            catch (JsonException ex)
            {
                throw Unexpected(response, provider, what + " is not valid JSON", taskId, ex);
            }
        }

        public static VideoGenException Unexpected(ProviderResponse response, VideoProvider provider, string what, string? taskId, Exception? inner = null)
        {
            var id = taskId is null ? string.Empty : " Task id: " + taskId + " (the job exists; Get-VideoStatus can follow it).";
            var message = string.Format(CultureInfo.InvariantCulture,
                "{0} answered HTTP {1} in a shape VideoGen cannot read: {2}. Body starts: {3}.{4}",
                provider, response.StatusCode, what, Excerpt(response.Text), id);
            return new VideoGenException(VideoGenErrorKind.UnexpectedAnswer, message, taskId, response.StatusCode, inner);
        }

        /// <summary>The first characters of a body, on one line.</summary>
        public static string Excerpt(string text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return "(empty)";
            }
            var flat = text.Replace("\r", " ").Replace("\n", " ").Trim();
            return flat.Length <= ExcerptLength ? "'" + flat + "'" : "'" + flat.Substring(0, ExcerptLength) + "…'";
        }

        /// <summary>Walks a path of property names; null where any step is missing or not an object.</summary>
        public static JsonElement? Get(JsonElement element, params string[] path)
        {
            var current = element;
            foreach (var name in path)
            {
                if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out var next))
                {
                    return null;
                }
                current = next;
            }
            return current.ValueKind == JsonValueKind.Null || current.ValueKind == JsonValueKind.Undefined ? (JsonElement?)null : current;
        }

        /// <summary>A string at a path; numbers and booleans are given as their JSON text.</summary>
        public static string? String(JsonElement element, params string[] path)
        {
            var value = Get(element, path);
            if (value is null)
            {
                return null;
            }
            var v = value.Value;
            switch (v.ValueKind)
            {
                case JsonValueKind.String:
                    var s = v.GetString();
                    return string.IsNullOrEmpty(s) ? null : s;
                case JsonValueKind.Number:
                case JsonValueKind.True:
                case JsonValueKind.False:
                    return v.GetRawText();
                default:
                    return null;
            }
        }

        /// <summary>A number at a path; strings like "42", "42%" or "0.5" are read too.</summary>
        /// <summary>
        /// Reads the <c>usage</c> object an answer may carry into <paramref name="job"/>: <c>cost</c> (USD, OpenRouter and
        /// OpenAI-style gateways), else <c>credits_used</c> or <c>user_key_credits_used</c> (FastRouter credits), and
        /// <c>is_byok</c>. Nothing changes when the answer has no usage.
        /// </summary>
        internal static void ReadUsage(JsonElement root, VideoJob job)
        {
            if (Number(root, "usage", "cost") is double usd)
            {
                job.SetCost((decimal)usd, "USD");
            }
            else if ((Number(root, "usage", "credits_used") ?? Number(root, "usage", "user_key_credits_used")) is double credits)
            {
                job.SetCost((decimal)credits, "credits");
            }
            if (Get(root, "usage", "is_byok") is JsonElement byok && (byok.ValueKind == JsonValueKind.True || byok.ValueKind == JsonValueKind.False))
            {
                job.CostIsByok = byok.GetBoolean();
            }
        }

        public static double? Number(JsonElement element, params string[] path)
        {
            var value = Get(element, path);
            if (value is null)
            {
                return null;
            }
            var v = value.Value;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d))
            {
                return d;
            }
            if (v.ValueKind == JsonValueKind.String)
            {
                var s = (v.GetString() ?? string.Empty).Trim().TrimEnd('%').Trim();
                if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
                {
                    return parsed;
                }
            }
            return null;
        }

        /// <summary>A percentage 0-100 at a path, clamped; null where absent.</summary>
        public static int? Percent(JsonElement element, params string[] path)
        {
            var n = Number(element, path);
            if (n is null)
            {
                return null;
            }
            return (int)Math.Max(0, Math.Min(100, Math.Round(n.Value)));
        }

        /// <summary>The strings of an array at a path.</summary>
        public static IReadOnlyList<string> Strings(JsonElement element, params string[] path)
        {
            var value = Get(element, path);
            var list = new List<string>();
            if (value is { ValueKind: JsonValueKind.Array } array)
            {
                foreach (var item in array.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(item.GetString()))
                    {
                        list.Add(item.GetString()!);
                    }
                }
            }
            return list;
        }

        /// <summary>An error text from <c>error</c> as a string or as <c>{message}</c>.</summary>
        public static string? ErrorText(JsonElement element, string property = "error")
        {
            var e = Get(element, property);
            if (e is null)
            {
                return null;
            }
            return e.Value.ValueKind == JsonValueKind.String ? e.Value.GetString() : String(e.Value, "message");
        }

        /// <summary>
        /// The error text of FastAPI's error form, which fal answers (docs/providers.md, fal): <c>detail</c> as a string, or as an
        /// array of <c>{loc, msg, type}</c> (each becomes <c>msg (loc joined by dots)</c>, joined by <c>; </c>); with
        /// <c>error_type</c> after it in brackets where given. Null where there is no <c>detail</c>.
        /// </summary>
        public static string? DetailText(JsonElement element)
        {
            var detail = Get(element, "detail");
            string? text = null;
            if (detail is { ValueKind: JsonValueKind.String } one)
            {
                text = one.GetString();
            }
            else if (detail is { ValueKind: JsonValueKind.Array } many)
            {
                var parts = new List<string>();
                foreach (var item in many.EnumerateArray())
                {
                    var msg = item.ValueKind == JsonValueKind.Object ? String(item, "msg") : item.ValueKind == JsonValueKind.String ? item.GetString() : null;
                    if (string.IsNullOrEmpty(msg))
                    {
                        continue;
                    }
                    var loc = Get(item, "loc") is { ValueKind: JsonValueKind.Array } path
                        ? string.Join(".", path.EnumerateArray().Select(p => p.ValueKind == JsonValueKind.String ? p.GetString() : p.GetRawText()))
                        : null;
                    parts.Add(string.IsNullOrEmpty(loc) ? msg! : msg + " (" + loc + ")");
                }
                text = parts.Count == 0 ? null : string.Join("; ", parts);
            }
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }
            return String(element, "error_type") is string type ? text + " [" + type + "]" : text;
        }

        /// <summary>Builds a JSON POST with the given body written by <paramref name="write"/>.</summary>
        public static HttpRequestMessage JsonPost(Uri uri, Action<Utf8JsonWriter> write)
        {
            using var buffer = new System.IO.MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                write(writer);
                writer.WriteEndObject();
            }
            var content = new ByteArrayContent(buffer.ToArray());
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            return new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        }

        /// <summary>
        /// Writes any passthrough value: null, strings, booleans, numbers, dictionaries (keys as strings) and other
        /// sequences as arrays; anything else as its invariant text.
        /// </summary>
        public static void WriteValue(Utf8JsonWriter w, object? value)
        {
            switch (value)
            {
                case null: w.WriteNullValue(); break;
                case string s: w.WriteStringValue(s); break;
                case bool b: w.WriteBooleanValue(b); break;
                case int i: w.WriteNumberValue(i); break;
                case long l: w.WriteNumberValue(l); break;
                case double d: w.WriteNumberValue(d); break;
                case float f: w.WriteNumberValue(f); break;
                case decimal m: w.WriteNumberValue(m); break;
                case System.Collections.IDictionary map:
                    w.WriteStartObject();
                    foreach (System.Collections.DictionaryEntry entry in map)
                    {
                        w.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty);
                        WriteValue(w, entry.Value);
                    }
                    w.WriteEndObject();
                    break;
                case IEnumerable<KeyValuePair<string, object?>> pairs:
                    w.WriteStartObject();
                    foreach (var pair in pairs)
                    {
                        w.WritePropertyName(pair.Key);
                        WriteValue(w, pair.Value);
                    }
                    w.WriteEndObject();
                    break;
                case System.Collections.IEnumerable items:
                    w.WriteStartArray();
                    foreach (var item in items)
                    {
                        WriteValue(w, item);
                    }
                    w.WriteEndArray();
                    break;
                default:
                    w.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                    break;
            }
        }

        public static void WriteIfSet(Utf8JsonWriter w, string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                w.WriteString(name, value);
            }
        }

        public static void WriteIfSet(Utf8JsonWriter w, string name, long? value)
        {
            if (value.HasValue)
            {
                w.WriteNumber(name, value.Value);
            }
        }

        public static void WriteIfSet(Utf8JsonWriter w, string name, bool? value)
        {
            if (value.HasValue)
            {
                w.WriteBoolean(name, value.Value);
            }
        }

        /// <summary>
        /// The one place a request URI is made from a base URI and a path of ours under it: the base's path is kept (with a
        /// slash before the relative path) and so is its query, ahead of the relative path's own query
        /// ("https://h/v1?api-version=preview" + "videos/x/content?variant=video" =
        /// "https://h/v1/videos/x/content?api-version=preview&amp;variant=video"). Azure-style gateways want their query on every request.
        /// </summary>
        public static Uri Combine(Uri baseUri, string relative)
        {
            var slashed = WithSlash(baseUri);
            var path = relative.TrimStart('/');
            var query = string.Empty;
            var mark = path.IndexOf('?');
            if (mark >= 0)
            {
                query = path.Substring(mark + 1);
                path = path.Substring(0, mark);
            }
            return new Uri(slashed.GetLeftPart(UriPartial.Path) + path + JoinQueries(slashed.Query, query));
        }

        /// <summary>
        /// <see cref="Resolve"/> for a URL read from <paramref name="response"/>, as an absolute URI string; one that is not a
        /// URI is UnexpectedAnswer naming <paramref name="field"/> and carrying the task id (the job exists).
        /// </summary>
        public static string ResolveIn(ProviderResponse response, VideoProvider provider, Uri baseUri, string text, string field, string? taskId)
        {
            try
            {
                return Resolve(baseUri, text).AbsoluteUri;
            }
            catch (UriFormatException)
            {
                throw Unexpected(response, provider, field + " is not a URI", taskId);
            }
        }

        /// <summary>
        /// A URL the server gave (a polling URL, a result URL), absolute or relative, resolved against the base as RFC 3986 says.
        /// On the endpoint's own host (scheme, host and port) it also carries the base's query parameters it does not name
        /// itself, so a gateway that wants <c>?api-version=</c> on every request gets it there too; a URL on another host
        /// (a CDN's signed URL) is left exactly as given.
        /// </summary>
        public static Uri Resolve(Uri baseUri, string reference)
        {
            var slashed = WithSlash(baseUri);
            var resolved = new Uri(slashed, reference);
            if (string.IsNullOrEmpty(slashed.Query) || slashed.Query == "?" ||
                !string.Equals(resolved.Scheme, slashed.Scheme, StringComparison.OrdinalIgnoreCase) ||
                !string.Equals(resolved.Host, slashed.Host, StringComparison.OrdinalIgnoreCase) || resolved.Port != slashed.Port)
            {
                return resolved;
            }
            var own = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pair in resolved.Query.TrimStart('?').Split('&'))
            {
                own.Add(pair.Split('=')[0]);
            }
            var missing = new List<string>();
            foreach (var pair in slashed.Query.TrimStart('?').Split('&'))
            {
                if (pair.Length > 0 && !own.Contains(pair.Split('=')[0]))
                {
                    missing.Add(pair);
                }
            }
            if (missing.Count == 0)
            {
                return resolved;
            }
            return new Uri(resolved.GetLeftPart(UriPartial.Path) + JoinQueries(resolved.Query, string.Join("&", missing)) + resolved.Fragment);
        }

        /// <summary>
        /// The base URI with a trailing slash on its path, so paths resolve under it; its query is kept after the path
        /// ("https://h/v1?api-version=preview" becomes "https://h/v1/?api-version=preview"). A fragment is dropped: it is never sent.
        /// </summary>
        public static Uri WithSlash(Uri baseUri)
        {
            var left = baseUri.GetLeftPart(UriPartial.Path);
            var query = baseUri.Query;
            if (left.EndsWith("/", StringComparison.Ordinal) && string.IsNullOrEmpty(baseUri.Fragment))
            {
                return baseUri;
            }
            return new Uri((left.EndsWith("/", StringComparison.Ordinal) ? left : left + "/") + query);
        }

        /// <summary>"?a" and "b" give "?a&amp;b"; empty parts are left out, and nothing at all gives "".</summary>
        private static string JoinQueries(string first, string second)
        {
            first = first.TrimStart('?');
            second = second.TrimStart('?');
            var joined = first.Length == 0 ? second : second.Length == 0 ? first : first + "&" + second;
            return joined.Length == 0 ? string.Empty : "?" + joined;
        }

        /// <summary>Unix seconds to a time, where present.</summary>
        public static DateTimeOffset? UnixTime(JsonElement element, string property)
        {
            var n = Number(element, property);
            return n is null || n <= 0 ? null : DateTimeOffset.FromUnixTimeSeconds((long)n.Value);
        }

        public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
    }
}
