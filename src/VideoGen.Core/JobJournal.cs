using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace VideoGen.Core
{
    /// <summary>
    /// An append-only record (JSON lines) of every job New-Video creates, flushed to disk before the job is
    /// emitted, so a job paid for survives a killed process. Save-Video and Wait-Video append when a job is
    /// saved or ends without a video; <see cref="ReadUnfinished"/> lists the rest for <c>Get-VideoJob | Wait-Video | Save-Video</c>.
    /// Lines hold ids, provider, model, name, prompt and base URI: never a key. Safe for several processes.
    /// </summary>
    public sealed class JobJournal
    {
        /// <summary>The environment variable that overrides the default path.</summary>
        public const string PathVariable = "VIDEOGEN_JOURNAL_PATH";

        private static readonly object Gate = new object();

        /// <summary>Uses the journal at <paramref name="path"/> (created on first write).</summary>
        public JobJournal(string path) => Path = System.IO.Path.GetFullPath(path);

        /// <summary>The journal file.</summary>
        public string Path { get; }

        /// <summary>
        /// The journal a cmdlet uses: <paramref name="explicitPath"/> (-JournalPath), else $env:VIDEOGEN_JOURNAL_PATH,
        /// else the per-user default: %LOCALAPPDATA%\VideoGen\journal.jsonl on Windows,
        /// $XDG_STATE_HOME/videogen/journal.jsonl (default ~/.local/state/videogen/journal.jsonl) elsewhere.
        /// </summary>
        public static JobJournal Resolve(string? explicitPath, Func<string, string?> getEnvironment)
        {
            if (!string.IsNullOrWhiteSpace(explicitPath))
            {
                return new JobJournal(explicitPath!);
            }
            var fromEnv = getEnvironment(PathVariable);
            if (!string.IsNullOrWhiteSpace(fromEnv))
            {
                return new JobJournal(fromEnv!);
            }
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return new JobJournal(System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "VideoGen", "journal.jsonl"));
            }
            var state = getEnvironment("XDG_STATE_HOME");
            if (string.IsNullOrWhiteSpace(state))
            {
                state = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
            }
            return new JobJournal(System.IO.Path.Combine(state!, "videogen", "journal.jsonl"));
        }

        /// <summary>Records a new job; returns once the line is on disk.</summary>
        public void Submitted(VideoJob job) => Append("submitted", job, null);

        /// <summary>Records that a job's video was saved.</summary>
        public void Saved(VideoJob job, string path) => Append("saved", job, path);

        /// <summary>Records that a job ended without a video (Failed, Cancelled, Expired).</summary>
        public void Ended(VideoJob job) => Append("ended", job, null);

        /// <summary>The jobs submitted and neither saved nor ended, oldest first, ready to pipe into Wait-Video.</summary>
        public IReadOnlyList<VideoJob> ReadUnfinished() => Read(unfinishedOnly: true);

        /// <summary>Every job the journal knows, oldest first, with the last status recorded.</summary>
        public IReadOnlyList<VideoJob> ReadAll() => Read(unfinishedOnly: false);

        private IReadOnlyList<VideoJob> Read(bool unfinishedOnly)
        {
            var order = new List<string>();
            var jobs = new Dictionary<string, VideoJob>(StringComparer.Ordinal);
            var done = new HashSet<string>(StringComparer.Ordinal);
            if (!File.Exists(Path))
            {
                return Array.Empty<VideoJob>();
            }
            string text;
            lock (Gate)
            {
                using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                text = reader.ReadToEnd();
            }
            foreach (var line in text.Split('\n'))
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    var root = doc.RootElement;
                    var id = Str(root, "id");
                    var providerText = Str(root, "provider");
                    if (id is null || !Providers.ProviderMappings.TryParse(providerText, out var provider))
                    {
                        continue;
                    }
                    var key = provider + "/" + id;
                    var ev = Str(root, "event");
                    if (ev == "submitted" && !jobs.ContainsKey(key))
                    {
                        order.Add(key);
                        var job = VideoJob.Restore(id, provider, Str(root, "model"), Str(root, "name"), Str(root, "prompt"), Str(root, "baseUri"), Str(root, "pollingUrl"));
                        if (DateTimeOffset.TryParse(Str(root, "submittedAt"), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at))
                        {
                            job.SubmittedAt = at;
                        }
                        jobs[key] = job;
                    }
                    else if (ev == "saved" || ev == "ended")
                    {
                        done.Add(key);
                        if (jobs.TryGetValue(key, out var known) && Enum.TryParse<VideoJobStatus>(Str(root, "status"), out var status))
                        {
                            known.Status = status;
                        }
                    }
                }
                catch (JsonException)
                {
                    // A line cut short by a crash mid-write: the lines around it still count.
                }
            }
            var result = new List<VideoJob>();
            foreach (var key in order)
            {
                if (!unfinishedOnly || !done.Contains(key))
                {
                    result.Add(jobs[key]);
                }
            }
            return result;
        }

        private void Append(string ev, VideoJob job, string? savedPath)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("event", ev);
                w.WriteString("at", DateTimeOffset.UtcNow.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
                w.WriteString("id", job.Id);
                w.WriteString("provider", job.Provider.ToString());
                w.WriteString("status", job.Status.ToString());
                Write(w, "model", job.Model);
                Write(w, "name", job.Name);
                Write(w, "prompt", job.Prompt);
                Write(w, "baseUri", job.BaseUri);
                Write(w, "pollingUrl", job.PollingUrl);
                Write(w, "submittedAt", job.SubmittedAt?.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
                Write(w, "path", savedPath);
                w.WriteEndObject();
            }
            buffer.WriteByte((byte)'\n');
            var bytes = buffer.ToArray();
            try
            {
                lock (Gate)
                {
                    Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
                    using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(flushToDisk: true);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new VideoGenException(VideoGenErrorKind.UnexpectedAnswer,
                    "Could not write the job journal " + Path + ": " + ex.Message + ". Task id " + job.Id + " at " + job.Provider + " was created; keep this id. Set -JournalPath or $env:" + PathVariable + " to a writable file.", job.Id, null, ex);
            }
        }

        private static void Write(Utf8JsonWriter w, string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                w.WriteString(name, value);
            }
        }

        private static string? Str(JsonElement root, string name) =>
            root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }
}
