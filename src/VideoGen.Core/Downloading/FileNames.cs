using System;
using System.IO;
using System.Linq;
using System.Text;

namespace VideoGen.Core.Downloading
{
    /// <summary>Safe file names for saved videos, valid on Windows and Linux alike.</summary>
    public static class FileNames
    {
        /// <summary>The longest base name, before the extension.</summary>
        public const int MaxBaseLength = 120;

        private static readonly char[] Invalid = "<>:\"/\\|?*".ToCharArray();
        // Windows device names: COM0-9 and LPT0-9 (with the superscript digits ¹ ² ³ Windows also reads as digits), CONIN$, CONOUT$.
        private static readonly string[] Reserved =
            { "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
              "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM\u00B9", "COM\u00B2", "COM\u00B3",
              "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT\u00B9", "LPT\u00B2", "LPT\u00B3" };

        /// <summary>The file name for a job: its Name, else its Id, sanitized, with <c>.mp4</c> (a thumbnail <c>.webp</c>, a spritesheet <c>.jpg</c>).</summary>
        public static string ForJob(VideoJob job, VideoVariant variant = VideoVariant.Video) =>
            Sanitize(string.IsNullOrWhiteSpace(job.Name) ? job.Id : job.Name!) + Extension(variant);

        /// <summary>The extension a variant is saved with.</summary>
        public static string Extension(VideoVariant variant) => variant switch
        {
            VideoVariant.Thumbnail => ".webp",
            VideoVariant.Spritesheet => ".jpg",
            _ => ".mp4",
        };

        /// <summary>
        /// Turns any text into one safe path segment: path separators, characters invalid on Windows and control
        /// characters become <c>_</c>; leading and trailing dots and spaces go (so no <c>..</c> traversal); Windows
        /// device names get a <c>_</c> prefix; at most <see cref="MaxBaseLength"/> characters; never empty.
        /// </summary>
        public static string Sanitize(string text)
        {
            var builder = new StringBuilder(text.Length);
            foreach (var c in text)
            {
                builder.Append(c < 32 || c == 127 || Invalid.Contains(c) ? '_' : c);
            }
            var name = builder.ToString().Trim().Trim('.', ' ');
            if (name.Length > MaxBaseLength)
            {
                name = name.Substring(0, MaxBaseLength).TrimEnd('.', ' ');
                if (name.Length > 0 && char.IsHighSurrogate(name[name.Length - 1]))
                {
                    name = name.Substring(0, name.Length - 1);
                }
            }
            if (name.Length == 0)
            {
                return "video";
            }
            // Windows ignores trailing spaces before the extension too: "CON .mp4" is the device.
            var stem = name.Split('.')[0].TrimEnd(' ');
            return Reserved.Any(r => string.Equals(r, stem, StringComparison.OrdinalIgnoreCase)) ? "_" + name : name;
        }

        /// <summary>
        /// Gives a finished, verified temporary file its final name in one step: a rename where nothing is at
        /// <paramref name="target"/>, else (with <paramref name="overwrite"/>) <see cref="File.Replace(string, string, string)"/>,
        /// which swaps the file in atomically (rename(2) on Linux and macOS, ReplaceFile on Windows): at every moment
        /// the target is the old file or the new one, never absent or partial. Both paths must be in one directory.
        /// </summary>
        /// <param name="temp">The complete temporary file; gone afterwards.</param>
        /// <param name="target">The final path.</param>
        /// <param name="overwrite">Whether an existing file at <paramref name="target"/> may be replaced.</param>
        /// <param name="taskId">The task id, for the error.</param>
        /// <exception cref="VideoGenException">FileExists: <paramref name="target"/> exists (created meanwhile) and <paramref name="overwrite"/> is false; nothing touched.</exception>
        /// <exception cref="IOException">The rename itself failed.</exception>
        public static void Publish(string temp, string target, bool overwrite, string? taskId)
        {
            for (var attempt = 0; ; attempt++)
            {
                if (overwrite && File.Exists(target))
                {
                    try
                    {
                        File.Replace(temp, target, null, ignoreMetadataErrors: true);
                        return;
                    }
                    catch (FileNotFoundException) when (attempt < 3 && File.Exists(temp))
                    {
                        continue; // the target went away meanwhile: a plain rename will do
                    }
                }
                try
                {
                    // File.Move never replaces: a file created at the target meanwhile is not clobbered.
                    File.Move(temp, target);
                    return;
                }
                catch (IOException) when (File.Exists(target) && File.Exists(temp))
                {
                    if (!overwrite)
                    {
                        throw new VideoGenException(VideoGenErrorKind.FileExists,
                            "The file " + target + " appeared while the download ran; it was not touched. Use -Force to replace it. Task id: " + taskId + ".", taskId);
                    }
                    if (attempt >= 3)
                    {
                        throw;
                    }
                }
            }
        }
    }
}
