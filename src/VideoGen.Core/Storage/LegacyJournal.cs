using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace VideoGen.Core.Storage
{
    /// <summary>
    /// Reads VideoGen 0.1's JSON-lines journal (one JSON object a line: <c>event</c>, <c>at</c>, <c>id</c>, <c>provider</c>,
    /// <c>status</c>, <c>model</c>, <c>name</c>, <c>prompt</c>, <c>baseUri</c>, <c>pollingUrl</c>, <c>submittedAt</c>,
    /// <c>providerStatus</c>, <c>error</c>, <c>path</c>, <c>sha256</c>, <c>request</c>, <c>cost</c>, <c>costUnit</c>) as it
    /// may be found on disk: UTF-8, or UTF-16 LE/BE (Windows PowerShell 5.1's Out-File) with UTF-8 lines appended after it,
    /// lines glued together where a newline was lost, lines cut short by a crash or a full disk. Every complete object is
    /// read; everything else is reported with its line number, never dropped silently.
    /// </summary>
    internal static class LegacyJournal
    {
        internal sealed class Result
        {
            public List<JournalEntry> Entries { get; } = new List<JournalEntry>();
            public List<JournalImportProblem> Problems { get; } = new List<JournalImportProblem>();
        }

        /// <summary>Whether the first bytes of a file look like a JSON-lines journal: optional BOM, whitespace, then <c>{</c> (in UTF-8 or UTF-16).</summary>
        public static bool LooksLikeJsonLines(byte[] head, int count)
        {
            for (var i = 0; i < count; i++)
            {
                var b = head[i];
                if (b == 0xEF || b == 0xBB || b == 0xBF || b == 0xFF || b == 0xFE || b == 0 || b == (byte)' ' || b == (byte)'\r' || b == (byte)'\n' || b == (byte)'\t')
                {
                    continue;
                }
                return b == (byte)'{';
            }
            return false;
        }

        /// <summary>Parses the journal's bytes into job states (in the order the jobs first appear) and problems.</summary>
        public static Result Parse(byte[] bytes)
        {
            var result = new Result();
            var entries = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);
            var lineNumber = 0;
            foreach (var line in DecodeLines(bytes))
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }
                foreach (var (ok, text) in SplitObjects(line))
                {
                    if (!ok)
                    {
                        result.Problems.Add(new JournalImportProblem(lineNumber, "not a complete JSON object (cut short, or damaged): " + Start(text)));
                        continue;
                    }
                    try
                    {
                        using var doc = JsonDocument.Parse(text);
                        var root = doc.RootElement;
                        var id = Str(root, "id");
                        if (root.ValueKind != JsonValueKind.Object || string.IsNullOrWhiteSpace(id))
                        {
                            result.Problems.Add(new JournalImportProblem(lineNumber, "no task id: " + Start(text)));
                            continue;
                        }
                        if (!Providers.ProviderMappings.TryParse(Str(root, "provider"), out var provider))
                        {
                            result.Problems.Add(new JournalImportProblem(lineNumber, "unknown provider '" + Str(root, "provider") + "' for task " + id));
                            continue;
                        }
                        var key = provider + "/" + id!.Trim();
                        if (!entries.TryGetValue(key, out var entry))
                        {
                            entry = new JournalEntry(VideoJob.Restore(id, provider, null));
                            entries[key] = entry;
                            result.Entries.Add(entry);
                        }
                        entry.Apply(Event(root));
                    }
                    catch (JsonException ex)
                    {
                        result.Problems.Add(new JournalImportProblem(lineNumber, "not valid JSON (" + ex.Message + "): " + Start(text)));
                    }
                }
            }
            return result;
        }

        private static JournalEvent Event(JsonElement root)
        {
            var e = new JournalEvent(Str(root, "event") ?? "status", Time(Str(root, "at")) ?? DateTimeOffset.UtcNow, Str(root, "status"),
                Str(root, "providerStatus"), Sanitizer.SanitizeOrNull(Str(root, "error")), Str(root, "path"), Str(root, "sha256"))
            {
                SubmittedAt = Time(Str(root, "submittedAt")),
                Model = Str(root, "model"),
                Name = Str(root, "name"),
                Prompt = Str(root, "prompt"),
                BaseUri = Str(root, "baseUri"),
                PollingUrl = Str(root, "pollingUrl"),
                CostUnit = Str(root, "costUnit"),
                RequestFingerprint = Str(root, "request"),
            };
            if (decimal.TryParse(Str(root, "cost"), NumberStyles.Number, CultureInfo.InvariantCulture, out var cost))
            {
                e.Cost = cost;
            }
            return e;
        }

        /// <summary>
        /// The file's lines, each decoded on its own: a line is UTF-16 (LE or BE, by where its zero bytes fall) when at least
        /// a third of its bytes are zero, else UTF-8; byte-order marks and a UTF-16 newline's zero byte are dropped. So a
        /// file re-saved as UTF-16 with UTF-8 lines appended afterwards reads whole.
        /// </summary>
        internal static IEnumerable<string> DecodeLines(byte[] bytes)
        {
            var start = 0;
            for (var i = 0; i <= bytes.Length; i++)
            {
                if (i < bytes.Length && bytes[i] != (byte)'\n')
                {
                    continue;
                }
                yield return DecodeLine(bytes, start, i - start);
                start = i + 1;
            }
        }

        private static string DecodeLine(byte[] bytes, int offset, int count)
        {
            var segment = new ArraySegment<byte>(bytes, offset, count).ToArray();
            var zeros = segment.Count(b => b == 0);
            string text;
            if (segment.Length > 0 && zeros * 3 >= segment.Length)
            {
                // UTF-16: LE has the zero byte second ('{' 0x00), BE first. A LE newline "\n\0" leaves a leading zero on
                // the next line; a BE newline "\0\n" a trailing zero on this one.
                var evenZeros = 0;
                var oddZeros = 0;
                for (var i = 0; i < segment.Length; i++)
                {
                    if (segment[i] == 0)
                    {
                        if (i % 2 == 0) evenZeros++; else oddZeros++;
                    }
                }
                var bigEndian = evenZeros > oddZeros;
                var skip = 0;
                if (!bigEndian && segment[0] == 0)
                {
                    skip = 1; // the zero byte of the previous line's "\n\0"
                }
                var length = segment.Length - skip;
                if (bigEndian && length % 2 == 1 && segment[segment.Length - 1] == 0)
                {
                    length--; // the zero byte of this line's "\0\n"
                }
                length -= length % 2;
                text = (bigEndian ? Encoding.BigEndianUnicode : Encoding.Unicode).GetString(segment, skip, length);
            }
            else
            {
                text = new UTF8Encoding(false, false).GetString(segment);
            }
            return text.Trim('\uFEFF', '\uFFFE', '\r', '\0', ' ', '\t');
        }

        /// <summary>
        /// The JSON objects on one line, in order: several where newlines were lost (<c>{...}{...}</c>), and the damaged parts
        /// between them (false) where one was cut short and the next written straight after it.
        /// </summary>
        internal static IEnumerable<(bool Ok, string Text)> SplitObjects(string line)
        {
            var position = 0;
            while (position < line.Length)
            {
                var next = line.IndexOf('{', position);
                if (next < 0)
                {
                    var rest = line.Substring(position).Trim();
                    if (rest.Length > 0)
                    {
                        yield return (false, rest);
                    }
                    yield break;
                }
                if (next > position && line.Substring(position, next - position).Trim().Length > 0)
                {
                    yield return (false, line.Substring(position, next - position).Trim());
                }
                var end = ObjectEnd(line, next);
                if (end > 0)
                {
                    yield return (true, line.Substring(next, end - next));
                    position = end;
                    continue;
                }
                // Not a complete object from here: a line cut short. If another object starts later (glued after it), the
                // damaged part ends there.
                var resume = line.IndexOf("{\"event\"", next + 1, StringComparison.Ordinal);
                if (resume < 0)
                {
                    yield return (false, line.Substring(next));
                    yield break;
                }
                yield return (false, line.Substring(next, resume - next));
                position = resume;
            }
        }

        /// <summary>The index just past the JSON object starting at <paramref name="start"/>, or -1 where it does not end well.</summary>
        private static int ObjectEnd(string line, int start)
        {
            var bytes = Encoding.UTF8.GetBytes(line.Substring(start));
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            try
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return -1;
                }
                reader.Skip();
                var consumed = (int)reader.BytesConsumed;
                return start + Encoding.UTF8.GetCharCount(bytes, 0, consumed);
            }
            catch (JsonException)
            {
                return -1;
            }
        }

        private static string Start(string text)
        {
            var flat = text.Replace('\r', ' ').Replace('\n', ' ');
            return flat.Length <= 80 ? flat : flat.Substring(0, 80) + "...";
        }

        private static string? Str(JsonElement root, string name) =>
            root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(v.GetString()) ? v.GetString() : null;

        private static DateTimeOffset? Time(string? text) =>
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : (DateTimeOffset?)null;
    }
}
