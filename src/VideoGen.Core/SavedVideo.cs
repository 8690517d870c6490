using System;
using System.IO;
using System.Threading;
using System.Collections.Generic;
using System.Globalization;

namespace VideoGen.Core
{
    /// <summary>A video file Save-Video wrote, complete and verified.</summary>
    public sealed class SavedVideo
    {
        internal SavedVideo(string path, long length, string sha256, VideoJob job)
        {
            Path = path;
            Length = length;
            Sha256 = sha256;
            Id = job.Id;
            Provider = job.Provider;
            Name = job.Name;
            Model = job.Model;
            Cost = job.Cost;
            CostUnit = job.CostUnit;
        }

        /// <summary>The job's cost as reported (see <see cref="VideoJob.Cost"/>), carried to the saved file; null when unknown.</summary>
        public decimal? Cost { get; }

        /// <summary>The unit of <see cref="Cost"/>: USD or credits.</summary>
        public string? CostUnit { get; }

        /// <summary>The full path of the saved file.</summary>
        public string Path { get; }
        /// <summary>The file length in bytes.</summary>
        public long Length { get; }
        /// <summary>The SHA-256 of the file, lower-case hex, computed while streaming.</summary>
        public string Sha256 { get; }
        /// <summary>The job's task id.</summary>
        public string Id { get; }
        /// <summary>The job's provider.</summary>
        public VideoProvider Provider { get; }
        /// <summary>The job's label.</summary>
        public string? Name { get; }
        /// <summary>The job's model.</summary>
        public string? Model { get; }

        /// <summary>The path.</summary>
        public override string ToString() => Path;

        /// <summary>A file already on disk, described as a saved video of <paramref name="job"/> (its length and SHA-256 read now).</summary>
        /// <exception cref="IOException">The file cannot be read.</exception>
        public static SavedVideo FromFile(string path, VideoJob job)
        {
            if (job is null)
            {
                throw new ArgumentNullException(nameof(job));
            }
            var full = System.IO.Path.GetFullPath(path);
            return new SavedVideo(full, new FileInfo(full).Length, Downloading.VideoDownloader.Sha256OfFile(full), job);
        }
    }
}
