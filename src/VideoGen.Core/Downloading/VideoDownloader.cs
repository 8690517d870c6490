using System;
using System.Buffers;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using VideoGen.Core.Http;

namespace VideoGen.Core.Downloading
{
    /// <summary>Bytes done and expected for one download; <see cref="Total"/> is null where the server sent no length.</summary>
    public readonly struct DownloadProgress
    {
        /// <summary>Creates a report.</summary>
        public DownloadProgress(long done, long? total)
        {
            Done = done;
            Total = total;
        }

        /// <summary>Bytes written so far.</summary>
        public long Done { get; }

        /// <summary>The full length, where known.</summary>
        public long? Total { get; }
    }

    /// <summary>
    /// Streams a finished job's video to disk: into a temporary file beside the target, with a bounded buffer
    /// and SHA-256 computed while streaming; verified (Content-Length, the MP4 <c>ftyp</c> box) and only then
    /// renamed to its final name. An interrupted stream resumes with a Range request where the server accepts
    /// ranges and restarts where it does not. A failure on this machine (creating, writing, flushing or renaming the file:
    /// a full disk, a read-only folder, a file in use) is caught where the file is touched and is a
    /// <see cref="VideoGenErrorKind.LocalFailure"/> naming the path, never tried again as a download. On any failure the
    /// temporary file is deleted: a file is complete and verified, or absent.
    /// </summary>
    public sealed class VideoDownloader
    {
        /// <summary>Each of the two copy buffers (one read into and written, one hashed): memory per download does not grow with file size.</summary>
        public const int BufferSize = 1024 * 1024;

        /// <summary>
        /// The most written to the file in one call. A 1 MiB write into Linux's file cache sometimes cost twice the CPU of four
        /// 256 KiB ones (measured on ext4), while a 1 MiB read costs less than four small ones.
        /// </summary>
        private const int WriteSlice = 256 * 1024;

        private readonly VideoGenClient _client;

        /// <summary>Creates a downloader over the shared client.</summary>
        public VideoDownloader(VideoGenClient client) => _client = client;

        /// <summary>Creates the temporary file (tests substitute a stream whose writes fail).</summary>
        internal Func<string, FileStream> OpenTemporary { get; set; } =
            temp => new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, useAsync: false);

        /// <summary>Attempts at the stream itself (the client's retries cover each request).</summary>
        public int MaxStreamAttempts { get; set; } = 4;

        /// <summary>
        /// Called with the job, the final path and the verified file's SHA-256 just before the temporary file is renamed into
        /// place (Save-Video journals it there, so a file renamed just before a crash is still known as the job's). A failure
        /// here stops the save and leaves no file.
        /// </summary>
        public Action<VideoJob, string, string>? BeforePublish { get; set; }

        /// <summary>
        /// Save-Video's whole step for one job, with at most one poll: a job not known to have succeeded is polled; one still
        /// running is a NotFinished error (pipe through Wait-Video first), one that ended without a video a JobFailed error;
        /// otherwise its video is downloaded to <paramref name="path"/>. Where the download goes to the poll's video URL
        /// (<see cref="Providers.IProviderMapping.DownloadUsesVideoUrl"/>), a download that fails for want of one (a job from
        /// the journal keeps none: a JSON answer instead of the video, or no URL to ask) or at a URL no longer served (HTTP 403,
        /// 404 or 410: a signed URL that expired) is tried once more after one poll for a fresh URL. A job whose poll answers
        /// the video itself (FastRouter's bytes form) is downloaded with no poll at all.
        /// </summary>
        /// <exception cref="VideoGenException">As for <see cref="DownloadAsync"/>, plus NotFinished and JobFailed; each carries the task id.</exception>
        public async Task<SavedVideo> SaveAsync(ProviderEndpoint endpoint, VideoJob job, string path, bool overwrite,
            IProgress<DownloadProgress>? progress, IVideoGenLog? log, CancellationToken cancellationToken, VideoVariant variant = VideoVariant.Video)
        {
            var polled = false;
            if (job.Status != VideoJobStatus.Succeeded && !job.IsTerminal)
            {
                job = await _client.PollAsync(endpoint, job, log, cancellationToken).ConfigureAwait(false);
                polled = true;
            }
            EnsureSucceeded(job);
            try
            {
                return await DownloadAsync(endpoint, job, path, overwrite, progress, log, cancellationToken, variant).ConfigureAwait(false);
            }
            catch (VideoGenException ex) when (!polled && variant == VideoVariant.Video && endpoint.Mapping.DownloadUsesVideoUrl(job) && WorthAFreshUrl(job, ex))
            {
                log?.Verbose(string.IsNullOrEmpty(job.VideoUrl)
                    ? "Task " + job.Id + " has no video URL here (the journal keeps none) and its download did not give the video; polling it once for one."
                    : "The video URL task " + job.Id + " carried is no longer served (HTTP " + ex.StatusCode + "); polling it once for a new one.");
                var hadUrl = !string.IsNullOrEmpty(job.VideoUrl);
                job = await _client.PollAsync(endpoint, job, log, cancellationToken).ConfigureAwait(false);
                EnsureSucceeded(job);
                if (!hadUrl && string.IsNullOrEmpty(job.VideoUrl))
                {
                    // The poll gave no URL either: the same download again would fail the same way.
                    throw;
                }
                return await DownloadAsync(endpoint, job, path, overwrite, progress, log, cancellationToken, variant).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Without a URL: the download answered something that is not the video (FastRouter's poll route answering JSON), or
        /// could not be made (AppleRouter without result_url). With one: the server no longer serves it.
        /// </summary>
        private static bool WorthAFreshUrl(VideoJob job, VideoGenException ex) => string.IsNullOrEmpty(job.VideoUrl)
            ? ex.Kind == VideoGenErrorKind.UnexpectedAnswer || ex.Kind == VideoGenErrorKind.InvalidFile
            : ex.StatusCode is 403 or 404 or 410;

        /// <summary>NotFinished for a job still running, JobFailed for one that ended without a video.</summary>
        private static void EnsureSucceeded(VideoJob job)
        {
            if (!job.IsTerminal)
            {
                throw new VideoGenException(VideoGenErrorKind.NotFinished, string.Format(CultureInfo.InvariantCulture,
                    "Job {0} at {1} is still {2}{3}; nothing to save yet. Pipe it through Wait-Video first: ... | Wait-Video | Save-Video",
                    job.Id, job.Provider, job.Status, job.Progress is int p ? " (" + p + "%)" : string.Empty), job.Id);
            }
            if (job.Status != VideoJobStatus.Succeeded)
            {
                throw new VideoGenException(VideoGenErrorKind.JobFailed, string.Format(CultureInfo.InvariantCulture,
                    "Job {0} at {1} ended {2} ({3}); there is no video to save.", job.Id, job.Provider, job.Status, job.Error ?? job.ProviderStatus ?? "no reason given"), job.Id);
            }
        }

        /// <summary>Downloads <paramref name="job"/>'s video to <paramref name="path"/>.</summary>
        /// <param name="endpoint">The job's provider endpoint.</param>
        /// <param name="job">A finished job.</param>
        /// <param name="path">The final file path; its directory must exist.</param>
        /// <param name="overwrite">Whether an existing file may be replaced.</param>
        /// <param name="progress">Receives bytes done and total; may be null.</param>
        /// <param name="log">Verbose and debug text; may be null.</param>
        /// <param name="cancellationToken">Stops the download (the temporary file is removed).</param>
        /// <returns>The saved file with its length and SHA-256.</returns>
        /// <exception cref="VideoGenException">FileExists (nothing touched), InvalidFile (verification failed), or a transfer failure; each carries the task id.</exception>
        /// <param name="variant">The video, or an OpenAI-style route's thumbnail or spritesheet.</param>
        public async Task<SavedVideo> DownloadAsync(ProviderEndpoint endpoint, VideoJob job, string path, bool overwrite,
            IProgress<DownloadProgress>? progress, IVideoGenLog? log, CancellationToken cancellationToken, VideoVariant variant = VideoVariant.Video)
        {
            log ??= NullVideoGenLog.Instance;
            var fullPath = Path.GetFullPath(path);
            if (!overwrite && File.Exists(fullPath))
            {
                throw new VideoGenException(VideoGenErrorKind.FileExists,
                    "The file " + fullPath + " exists; it was not touched. Use -Force to replace it, or another -OutputDirectory or -Path. Task id: " + job.Id + ".", job.Id);
            }
            var directory = Path.GetDirectoryName(fullPath)!;
            var temp = Path.Combine(directory, "." + Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".partial");
            try
            {
                var (length, sha) = await StreamToFileAsync(endpoint, job, variant, temp, fullPath, progress, log, cancellationToken).ConfigureAwait(false);
                if (variant == VideoVariant.Video)
                {
                    BeforePublish?.Invoke(job, fullPath, sha);
                }
                Local(() => FileNames.Publish(temp, fullPath, overwrite, job.Id), job, fullPath, "put in place");
                log.Verbose(string.Format(CultureInfo.InvariantCulture, "Saved {0} ({1} bytes, SHA-256 {2}).", fullPath, length, sha));
                return new SavedVideo(fullPath, length, sha, job);
            }
            finally
            {
                TryDelete(temp);
            }
        }

        private async Task<(long Length, string Sha256)> StreamToFileAsync(ProviderEndpoint endpoint, VideoJob job, VideoVariant variant, string temp, string fullPath,
            IProgress<DownloadProgress>? progress, IVideoGenLog log, CancellationToken cancellationToken)
        {
            // Pooled: a batch of small files does not allocate (and collect) two large-object arrays per file. Every
            // read, write and hash into them has finished before they go back (the hash is awaited in the finally below).
            var buffers = new[] { ArrayPool<byte>.Shared.Rent(BufferSize), ArrayPool<byte>.Shared.Rent(BufferSize) };
            var next = 0;
            using var file = Local(() => OpenTemporary(temp), job, fullPath, "created");
            var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            // The hash of the chunk written last, running beside the next read and write. Once it is awaited the hash
            // covers exactly the bytes written (`written`); it is never cancelled part way.
            var hashing = Task.CompletedTask;
            try
            {
                long written = 0;
                long? total = null;
                var header = new byte[12];
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        using var response = await _client.OpenDownloadAsync(endpoint, job, variant, written, log, cancellationToken).ConfigureAwait(false);
                        var resumed = written > 0 && (int)response.StatusCode == 206;
                        if (resumed && response.Content.Headers.ContentRange?.From != written)
                        {
                            // A 206 that does not start where the file ends would splice the wrong bytes in: start over.
                            var message = string.Format(CultureInfo.InvariantCulture,
                                "the server resumed at byte {0}, not at byte {1} where the file ends; restarting from the first byte",
                                response.Content.Headers.ContentRange?.From?.ToString(CultureInfo.InvariantCulture) ?? "(no Content-Range)", written);
                            Local(() => Restart(file, ref hash, ref written), job, fullPath, "written");
                            throw new IOException(message);
                        }
                        if (written > 0 && !resumed)
                        {
                            // The server ignored the range: start again from the first byte.
                            log.Verbose("The server does not resume; restarting the download of " + job.Id + ".");
                            Local(() => Restart(file, ref hash, ref written), job, fullPath, "written");
                        }
                        var contentLength = response.Content.Headers.ContentLength;
                        if (!resumed)
                        {
                            total = contentLength;
                        }
                        else if (response.Content.Headers.ContentRange?.Length is long full)
                        {
                            total = full;
                        }
                        progress?.Report(new DownloadProgress(written, total));
                        // A body that stalls fails after the inactivity timeout like a dropped connection, and resumes below.
                        using var stream = new InactivityTimeoutStream(await response.Content.ReadAsStreamAsync().ConfigureAwait(false), _client.Options.BodyInactivityTimeout);
                        // Two lanes, as many as a small machine has cores: this one reads a chunk and writes it to the file
                        // (a plain write: the bytes go to the file cache, with no hop to another thread), then hands it to
                        // the thread pool to be hashed while it reads and writes the next chunk into the other buffer.
                        int read;
                        while ((read = await stream.ReadAsync(buffers[next], 0, BufferSize, cancellationToken).ConfigureAwait(false)) > 0)
                        {
                            var chunk = buffers[next];
                            for (var i = 0; i < read && written + i < header.Length; i++)
                            {
                                header[written + i] = chunk[i];
                            }
                            // Caught at the write itself: a failure of the file's side (a full disk) is local, not the
                            // network's, and the same bytes would fail again; a read that breaks off resumes below.
                            var count = read;
                            Local(() =>
                            {
                                for (var offset = 0; offset < count; offset += WriteSlice)
                                {
                                    file.Write(chunk, offset, Math.Min(WriteSlice, count - offset));
                                }
                            }, job, fullPath, "written");
                            written += read;
                            // The other buffer is read into next: its hash must have finished.
                            await hashing.ConfigureAwait(false);
                            var into = hash;
                            hashing = Task.Run(() => into.AppendData(chunk, 0, count), CancellationToken.None);
                            next = 1 - next;
                            progress?.Report(new DownloadProgress(written, total));
                        }
                        await hashing.ConfigureAwait(false);
                        if (total is long expected && written != expected)
                        {
                            throw new IOException(string.Format(CultureInfo.InvariantCulture, "the stream ended after {0} of {1} bytes", written, expected));
                        }
                        break;
                    }
                    catch (Exception ex) when ((ex is IOException || ex is HttpRequestException) && attempt < MaxStreamAttempts && !cancellationToken.IsCancellationRequested)
                    {
                        log.Verbose(string.Format(CultureInfo.InvariantCulture, "Download of {0} broke off at {1} bytes ({2}); attempt {3} of {4}.",
                            job.Id, written, ex.Message, attempt + 1, MaxStreamAttempts));
                        // The chunk written last is on disk and counted in `written`: its hash finishes before the resume.
                        await hashing.ConfigureAwait(false);
                        // A write that failed part way may have moved the position or left bytes past `written`:
                        // the file holds exactly the bytes hashed, and the resume asks for the next one.
                        await LocalAsync(() => file.FlushAsync(cancellationToken), job, fullPath, "written").ConfigureAwait(false);
                        Local(() =>
                        {
                            file.SetLength(written);
                            file.Position = written;
                        }, job, fullPath, "written");
                    }
                    catch (Exception ex) when (ex is IOException || ex is HttpRequestException)
                    {
                        throw new VideoGenException(VideoGenErrorKind.ProviderUnavailable,
                            "The download of task " + job.Id + " failed: " + endpoint.Redact(ex.Message) + ". Nothing was saved; run Save-Video again.", job.Id, null, ex);
                    }
                }
                await LocalAsync(() => file.FlushAsync(cancellationToken), job, fullPath, "written").ConfigureAwait(false);
                if (!HasSignature(variant, header, written))
                {
                    throw new VideoGenException(VideoGenErrorKind.InvalidFile, string.Format(CultureInfo.InvariantCulture,
                        "The download of task {0} is not {1} ({2} bytes, not the expected signature); nothing was saved.",
                        job.Id, variant == VideoVariant.Video ? "an MP4 file (no 'ftyp' box)" : "an image (" + variant + ")", written), job.Id);
                }
                return (written, ToHex(hash.GetHashAndReset()));
            }
            finally
            {
                // Never return a buffer to the pool, nor dispose the hash, while a chunk is still being hashed.
                await hashing.ConfigureAwait(false);
                hash.Dispose();
                foreach (var buffer in buffers)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }

        /// <summary>
        /// A failure of the local file (creating, writing, flushing, renaming) as the error Save-Video reports: LocalFailure,
        /// naming the path and what to do (free space, or another -OutputDirectory), with the task id. Not a provider error:
        /// the video is still at the provider and nothing is downloaded again for it.
        /// </summary>
        /// <param name="error">The I/O failure.</param>
        /// <param name="job">The job being saved.</param>
        /// <param name="path">The file the user asked for.</param>
        /// <param name="what">What failed, as in "could not be {what}": created, written, put in place.</param>
        public static VideoGenException LocalFailure(Exception error, VideoJob job, string path, string what)
        {
            if (error is null)
            {
                throw new ArgumentNullException(nameof(error));
            }
            if (job is null)
            {
                throw new ArgumentNullException(nameof(job));
            }
            var advice = IsDiskFull(error)
                ? "The disk is full: free space on it, or choose another -OutputDirectory (or -Path)"
                : "Check that the folder exists, is writable and has free space, and that no other program holds the file; or choose another -OutputDirectory (or -Path)";
            return new VideoGenException(VideoGenErrorKind.LocalFailure, string.Format(CultureInfo.InvariantCulture,
                "The video of task {0} could not be {1} at {2} on this machine: {3} This is a local failure, not the provider's; no partial file was left, and the video is still at the provider. {4}, then pipe the job to Save-Video again.",
                job.Id, what, path, error.Message.TrimEnd('.') + ".", advice), job.Id, null, error);
        }

        /// <summary>ENOSPC (28) on Unix; ERROR_HANDLE_DISK_FULL (0x27) or ERROR_DISK_FULL (0x70) on Windows.</summary>
        private static bool IsDiskFull(Exception error) =>
            error is IOException && (System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows)
                ? (error.HResult & 0xFFFF) == 0x70 || (error.HResult & 0xFFFF) == 0x27
                : error.HResult == 28 || error.Message.IndexOf("No space left", StringComparison.OrdinalIgnoreCase) >= 0);

        /// <summary>What a file operation throws when the machine refuses it.</summary>
        private static bool IsLocal(Exception error) => error is IOException || error is UnauthorizedAccessException || error is NotSupportedException;

        private static void Local(Action operation, VideoJob job, string path, string what) =>
            Local<object?>(() =>
            {
                operation();
                return null;
            }, job, path, what);

        private static T Local<T>(Func<T> operation, VideoJob job, string path, string what)
        {
            try
            {
                return operation();
            }
            catch (Exception ex) when (IsLocal(ex))
            {
                throw LocalFailure(ex, job, path, what);
            }
        }

        private static async Task LocalAsync(Func<Task> operation, VideoJob job, string path, string what)
        {
            try
            {
                await operation().ConfigureAwait(false);
            }
            catch (Exception ex) when (IsLocal(ex))
            {
                throw LocalFailure(ex, job, path, what);
            }
        }

        /// <summary>The SHA-256 of a file, lower-case hex: the form <see cref="SavedVideo.Sha256"/> and the journal use.</summary>
        /// <param name="path">An existing file.</param>
        /// <exception cref="IOException">The file cannot be read.</exception>
        public static string Sha256OfFile(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);
            using var sha = SHA256.Create();
            return ToHex(sha.ComputeHash(stream));
        }

        /// <summary>Empties the temporary file and the hash: the next attempt starts at the first byte.</summary>
        private static void Restart(FileStream file, ref IncrementalHash hash, ref long written)
        {
            file.SetLength(0);
            file.Position = 0;
            written = 0;
            hash.Dispose();
            hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }

        /// <summary>The video's MP4 <c>ftyp</c> box at offset 4; for image variants a WebP, JPEG or PNG signature.</summary>
        private static bool HasSignature(VideoVariant variant, byte[] header, long written)
        {
            if (variant == VideoVariant.Video)
            {
                return written >= 8 && header[4] == (byte)'f' && header[5] == (byte)'t' && header[6] == (byte)'y' && header[7] == (byte)'p';
            }
            var bytes = new byte[Math.Min(header.Length, (int)Math.Min(written, header.Length))];
            Array.Copy(header, bytes, bytes.Length);
            return VideoGenClient.SniffImage(bytes) != null;
        }

        private static string ToHex(byte[] bytes)
        {
            var chars = new char[bytes.Length * 2];
            for (var i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = "0123456789abcdef"[bytes[i] >> 4];
                chars[2 * i + 1] = "0123456789abcdef"[bytes[i] & 15];
            }
            return new string(chars);
        }

        private static void TryDelete(string path)
        {
            try
            {
                if (File.Exists(path))
                {
                    File.Delete(path);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
