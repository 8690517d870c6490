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
                Str(root, "providerStatus"), Str(root, "error"), Str(root, "path"), Str(root, "sha256"))
            {
                SubmittedAt = Time(Str(root, "submittedAt")) ?? (Str(root, "event") == "submitted" ? Time(Str(root, "at")) : null),
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
        /// The file's lines. A file in UTF-16 (LE or BE: a byte-order mark, or a first character whose zero byte shows the
        /// order) is decoded as UTF-16 up to its last zero byte, rounded to a whole character; what follows holds no zero byte
        /// and is decoded as UTF-8: the lines appended after Windows PowerShell 5.1 re-saved the file. Anything else is UTF-8.
        /// Lines are split on the decoded newline, so a 0x0A byte inside a UTF-16 character never splits one.
        /// </summary>
        internal static IEnumerable<string> DecodeLines(byte[] bytes)
        {
            foreach (var line in Decode(bytes).Split('\n'))
            {
                yield return line.Trim('\uFEFF', '\r', '\0', ' ', '\t');
            }
        }

        private static string Decode(byte[] bytes)
        {
            var utf8 = new UTF8Encoding(false, false);
            if (bytes.Length < 2)
            {
                return utf8.GetString(bytes);
            }
            var littleEndian = (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] != 0 && bytes[1] == 0);
            var bigEndian = !littleEndian && ((bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0 && bytes[1] != 0));
            if (!littleEndian && !bigEndian)
            {
                return utf8.GetString(bytes);
            }
            var start = bytes[0] == 0xFF || bytes[0] == 0xFE ? 2 : 0;
            var lastZero = Array.LastIndexOf(bytes, (byte)0);
            var end = lastZero < start ? start : Math.Min(bytes.Length, start + ((lastZero - start) / 2 + 1) * 2);
            return (littleEndian ? Encoding.Unicode : Encoding.BigEndianUnicode).GetString(bytes, start, end - start) + utf8.GetString(bytes, end, bytes.Length - end);
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
