using System;
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
        private static readonly string[] Reserved =
            { "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
              "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9" };

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
            var stem = name.Split('.')[0];
            return Reserved.Any(r => string.Equals(r, stem, StringComparison.OrdinalIgnoreCase)) ? "_" + name : name;
        }
    }
}
