using System;
using System.IO;
using System.Threading;
using System.Collections.Generic;
using System.Globalization;

namespace VideoGen.Core
{
    /// <summary>The AI video routers VideoGen speaks to. Source: ../shared/PROVIDERS.md.</summary>
    public enum VideoProvider
    {
        /// <summary>FastRouter: <c>POST /api/v1/videos</c>, polled with <c>POST /api/v1/getAsyncResponse</c>.</summary>
        FastRouter,
        /// <summary>OpenRouter: <c>POST /videos</c> (202 with a polling URL), polled with <c>GET /videos/{id}</c>.</summary>
        OpenRouter,
        /// <summary>AppleRouter: <c>POST /v1/video/generations</c>, polled with <c>GET /v1/video/generations/{task_id}</c>; veo-3.1 models go to its OpenAI-style multipart <c>POST /v1/videos</c>.</summary>
        AppleRouter,
        /// <summary>Any gateway serving the OpenAI-style <c>/videos</c> API (Azure AI Foundry, new-api, one-api): multipart <c>POST {base}/videos</c>, <c>GET {base}/videos/{id}</c>, <c>GET {base}/videos/{id}/content?variant=</c>. Needs a base URI.</summary>
        OpenAICompatible,
    }

    /// <summary>What Save-Video fetches from an OpenAI-style route (<c>GET /videos/{id}/content?variant=</c>); other routes serve only the video.</summary>
    public enum VideoVariant
    {
        /// <summary>The MP4 video (saved as .mp4).</summary>
        Video,
        /// <summary>A still image (saved as .webp).</summary>
        Thumbnail,
        /// <summary>A grid of frames (saved as .jpg).</summary>
        Spritesheet,
    }

    /// <summary>An image uploaded as a multipart file (OpenAI-style <c>input_reference</c>), read by the client before the request is built.</summary>
    public sealed class UploadFile
    {
        /// <summary>Creates an upload.</summary>
        public UploadFile(byte[] content, string fileName, string mediaType)
        {
            Content = content;
            FileName = fileName;
            MediaType = mediaType;
        }

        /// <summary>The bytes.</summary>
        public byte[] Content { get; }
        /// <summary>The file name sent.</summary>
        public string FileName { get; }
        /// <summary>The media type sent, e.g. image/png.</summary>
        public string MediaType { get; }
    }

    /// <summary>
    /// One normalized status for every provider. Provider values that VideoGen does not know map to
    /// <see cref="Running"/>, with the provider's own word kept in <see cref="VideoJob.ProviderStatus"/>.
    /// </summary>
    public enum VideoJobStatus
    {
        /// <summary>Accepted, not started (FastRouter waiting/queued, OpenRouter pending, new-api NOT_START/SUBMITTED/QUEUED).</summary>
        Queued,
        /// <summary>Being generated (processing, in_progress, IN_PROGRESS), or any status VideoGen does not know.</summary>
        Running,
        /// <summary>Finished with a video (succeed, completed, SUCCESS).</summary>
        Succeeded,
        /// <summary>Finished without a video (failed, FAILURE).</summary>
        Failed,
        /// <summary>Cancelled (OpenRouter cancelled).</summary>
        Cancelled,
        /// <summary>The result expired before it was fetched (OpenRouter expired).</summary>
        Expired,
    }

    /// <summary>
    /// A normalized video request: one row of prompts.csv, one call of New-Video. Property names are
    /// New-Video's parameter names.
    /// </summary>
    public sealed class VideoRequest
    {
        /// <summary>The text prompt. Required, not blank.</summary>
        public string? Prompt { get; set; }
        /// <summary>The provider's model id (FastRouter <c>google/veo3</c>, OpenRouter <c>google/veo-3.1</c>, AppleRouter <c>kling-v1</c>). Empty: the provider's default, see <see cref="Providers.ProviderMappings.DefaultModel"/>.</summary>
        public string? Model { get; set; }
        /// <summary>Length of the video in seconds (FastRouter <c>length</c>/<c>seconds</c>, OpenRouter and AppleRouter <c>duration</c>).</summary>
        public int? Duration { get; set; }
        /// <summary>Width-to-height ratio such as <c>16:9</c>.</summary>
        public string? AspectRatio { get; set; }
        /// <summary>Resolution such as <c>720p</c>.</summary>
        public string? Resolution { get; set; }
        /// <summary>Exact frame size <c>WIDTHxHEIGHT</c> in pixels, such as <c>1280x720</c>.</summary>
        public string? Size { get; set; }
        /// <summary>An input image (image-to-video): an http(s) URL; for OpenAI-style routes also a local file, uploaded as <c>input_reference</c>. OpenRouter sends it as the first frame.</summary>
        public string? Image { get; set; }
        /// <summary>OpenRouter: the first frame's image URL (<c>frame_images[].frame_type = first_frame</c>).</summary>
        public string? FirstFrame { get; set; }
        /// <summary>OpenRouter: the last frame's image URL (<c>frame_type = last_frame</c>).</summary>
        public string? LastFrame { get; set; }
        /// <summary>OpenRouter: reference image URLs (<c>input_references[]</c> of type image_url).</summary>
        public IReadOnlyList<string>? ReferenceImages { get; set; }
        /// <summary>OpenRouter: an https URL notified when the job completes (<c>callback_url</c>).</summary>
        public string? CallbackUrl { get; set; }
        /// <summary>OpenRouter: provider passthrough options by provider slug (<c>provider.options</c>): strings, numbers, booleans, nested dictionaries and lists.</summary>
        public IDictionary<string, object?>? ProviderOptions { get; set; }
        /// <summary>The image file to upload for OpenAI-style routes, read from <see cref="Image"/> by the client before the request is built.</summary>
        public UploadFile? InputReference { get; set; }
        /// <summary>A seed for reproducible output.</summary>
        public long? Seed { get; set; }
        /// <summary>Whether to generate an audio track (FastRouter, OpenRouter).</summary>
        public bool? GenerateAudio { get; set; }
        /// <summary>FastRouter's generation mode: <c>std</c> or <c>pro</c> (seeds/000, <c>mode</c>); other providers have no such field.</summary>
        public string? Mode { get; set; }
        /// <summary>A label; it becomes the saved file's name.</summary>
        public string? Name { get; set; }
    }

    /// <summary>
    /// A video job at a provider, as New-Video, Get-VideoStatus and Wait-Video emit it. Property names
    /// equal the parameter names of Get-VideoStatus, Wait-Video and Save-Video, so a job binds down the
    /// pipeline by property name and back from Export-Csv/Import-Csv.
    /// </summary>
    public sealed class VideoJob
    {
        internal VideoJob(string id, VideoProvider provider)
        {
            Id = id;
            Provider = provider;
        }

        /// <summary>The provider's task id (FastRouter <c>data.taskId</c> or Sora <c>id</c>, OpenRouter <c>id</c>, AppleRouter <c>task_id</c>). Money was spent for it: it is never dropped.</summary>
        public string Id { get; }
        /// <summary>The provider the job runs at.</summary>
        public VideoProvider Provider { get; }
        /// <summary>The model id the job was submitted with (FastRouter needs it for every poll).</summary>
        public string? Model { get => _model; internal set => _model = SharedText.Of(value); }
        private string? _model;
        /// <summary>The normalized status.</summary>
        public VideoJobStatus Status { get; internal set; }
        /// <summary>The provider's own status word, as last seen.</summary>
        public string? ProviderStatus { get => _providerStatus; internal set => _providerStatus = SharedText.Of(value); }
        private string? _providerStatus;
        /// <summary>Progress in percent, 0-100, where the provider reports it; otherwise null.</summary>
        public int? Progress { get; internal set; }
        /// <summary>The prompt the job was submitted with, where known.</summary>
        public string? Prompt { get; internal set; }
        /// <summary>The label given at submission; Save-Video names the file after it.</summary>
        public string? Name { get; internal set; }
        /// <summary>When VideoGen received the provider's answer to the submission (UTC).</summary>
        public DateTimeOffset? SubmittedAt { get; internal set; }
        /// <summary>When VideoGen first saw the job in a terminal status (UTC).</summary>
        public DateTimeOffset? CompletedAt { get; internal set; }
        /// <summary>Where the video can be fetched, when the provider gave a URL (FastRouter <c>generations[0].url</c>, OpenRouter <c>unsigned_urls[0]</c>, AppleRouter <c>result_url</c>).</summary>
        public string? VideoUrl { get; internal set; }
        /// <summary>The provider's failure message for a failed job, or VideoGen's for a job it could not follow.</summary>
        public string? Error { get; internal set; }
        /// <summary>
        /// The cost the provider reported, in <see cref="CostUnit"/>; null when it has not said (yet). FastRouter: the submit
        /// answer's <c>usage.credits_used</c> (else <c>usage.user_key_credits_used</c>), credits (seeds/000). OpenRouter:
        /// <c>usage.cost</c>, USD, on the job once it completes (seeds/003, PROVIDERS.md). AppleRouter and OpenAI-style gateways:
        /// any <c>usage.cost</c> (USD) or <c>usage.credits_used</c> (credits) an answer carries (inferred: not documented).
        /// </summary>
        public decimal? Cost { get; internal set; }

        /// <summary>The unit of <see cref="Cost"/>: <c>USD</c> or <c>credits</c>; null when no cost was reported.</summary>
        public string? CostUnit { get => _costUnit; internal set => _costUnit = SharedText.Of(value); }
        private string? _costUnit;

        /// <summary>OpenRouter's <c>usage.is_byok</c>: true when the generation was billed to your own provider key (bring your own key), not to OpenRouter credits.</summary>
        public bool? CostIsByok { get; internal set; }

        /// <summary>
        /// Restores a cost reported earlier (a piped job, an exported row, the journal), so it travels on to Save-Video's
        /// output and the summaries. Nothing changes when either is missing.
        /// </summary>
        public void RestoreCost(decimal? cost, string? unit)
        {
            if (!string.IsNullOrWhiteSpace(unit))
            {
                SetCost(cost, unit!.Trim());
            }
        }

        /// <summary>Sets the cost and unit when the provider reported one (a later report replaces an earlier one).</summary>
        internal void SetCost(decimal? cost, string unit)
        {
            if (cost is decimal value)
            {
                Cost = value;
                CostUnit = unit;
            }
        }
        /// <summary>OpenRouter's polling URL, absolute.</summary>
        public string? PollingUrl { get; internal set; }
        /// <summary>The provider base URI the job was submitted to; polls and downloads go there.</summary>
        public string? BaseUri { get => _baseUri; internal set => _baseUri = SharedText.Of(value); }
        private string? _baseUri;

        /// <summary>The wait the provider asked for before the next poll (openai-poll-after-ms, Retry-After), where it sent one.</summary>
        internal TimeSpan? PollAfter { get; set; }

        /// <summary>When the last poll that found the job queued or running was answered (UTC, this machine's clock).</summary>
        internal DateTimeOffset? LastSeenRunning { get; set; }

        /// <summary>The request's clip length and size as submitted, such as <c>8s 720p</c> (<see cref="Waiting.JobDuration.ShapeOf"/>),
        /// where known: jobs of one model and shape take alike, so Wait-Video learns when to poll from them.</summary>
        public string? Shape { get => _shape; internal set => _shape = SharedText.Of(value); }
        private string? _shape;

        /// <summary>
        /// Restores what an earlier object of this job knew of its timing (a piped job, an exported row, the store): when its
        /// submission was answered and its <see cref="Shape"/>. Values already known are kept; nulls change nothing.
        /// </summary>
        public void RestoreTiming(DateTimeOffset? submittedAt, string? shape)
        {
            SubmittedAt ??= submittedAt;
            Shape ??= string.IsNullOrWhiteSpace(shape) ? null : shape!.Trim();
        }

        /// <summary>True once the status can no longer change (Succeeded, Failed, Cancelled, Expired).</summary>
        public bool IsTerminal => Status != VideoJobStatus.Queued && Status != VideoJobStatus.Running;

        /// <summary>
        /// Rebuilds a job from what an earlier session kept (Export-Csv, ConvertTo-Json, the journal), so it
        /// can be polled and saved without submitting again.
        /// </summary>
        /// <param name="id">The provider's task id; not blank.</param>
        /// <param name="provider">The provider.</param>
        /// <param name="model">The model id (FastRouter needs it to poll).</param>
        /// <param name="name">The label.</param>
        /// <param name="prompt">The prompt.</param>
        /// <param name="baseUri">The base URI it was submitted to.</param>
        /// <param name="pollingUrl">OpenRouter's polling URL.</param>
        /// <param name="videoUrl">A known video URL.</param>
        /// <param name="status">A status name as emitted before ("Succeeded"); unknown or empty: Queued, so it is polled.</param>
        /// <exception cref="ArgumentException">The id is blank.</exception>
        public static VideoJob Restore(string id, VideoProvider provider, string? model, string? name = null, string? prompt = null,
            string? baseUri = null, string? pollingUrl = null, string? videoUrl = null, string? status = null)
        {
            if (string.IsNullOrWhiteSpace(id))
            {
                throw new ArgumentException("A job id is required.", nameof(id));
            }
            var parsed = Enum.TryParse<VideoJobStatus>(status?.Trim(), true, out var s) && Enum.IsDefined(typeof(VideoJobStatus), s) ? s : VideoJobStatus.Queued;
            return new VideoJob(id.Trim(), provider)
            {
                Model = Blank(model),
                Name = Blank(name),
                Prompt = Blank(prompt),
                BaseUri = Blank(baseUri),
                PollingUrl = Blank(pollingUrl),
                VideoUrl = Blank(videoUrl),
                Status = parsed,
            };
        }

        /// <summary>
        /// The same as <see cref="Restore(string, VideoProvider, string, string, string, string, string, string, string)"/>, with the failure reason a journal or an exported job carries for a job that ended
        /// without a video (sanitized), so it is reported again rather than "no reason given".
        /// </summary>
        public static VideoJob Restore(string id, VideoProvider provider, string? model, string? name, string? prompt,
            string? baseUri, string? pollingUrl, string? videoUrl, string? status, string? error)
        {
            var job = Restore(id, provider, model, name, prompt, baseUri, pollingUrl, videoUrl, status);
            if (job.IsTerminal && job.Status != VideoJobStatus.Succeeded)
            {
                job.Error = Sanitizer.SanitizeOrNull(Blank(error));
            }
            return job;
        }

        private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text!.Trim();

        /// <summary>Returns a copy with the same values (mapping functions never change a job in place).</summary>
        internal VideoJob Copy() => (VideoJob)MemberwiseClone();

        /// <summary>
        /// Takes every field of <paramref name="later"/>, a later answer about this same job, keeping this object's copy of any
        /// text that did not change. For the waiter's own copy of a job (never the caller's): 10,000 jobs polled every few
        /// seconds then leave each poll's answer to die young instead of an old copy per poll behind.
        /// </summary>
        /// <exception cref="ArgumentException"><paramref name="later"/> is another job.</exception>
        internal void TakeFrom(VideoJob later)
        {
            if (later is null || !string.Equals(later.Id, Id, StringComparison.Ordinal) || later.Provider != Provider)
            {
                throw new ArgumentException("An answer about another job.", nameof(later));
            }
            _model = later._model;
            Status = later.Status;
            _providerStatus = later._providerStatus;
            Progress = later.Progress;
            Prompt = Same(Prompt, later.Prompt);
            Name = Same(Name, later.Name);
            SubmittedAt = later.SubmittedAt;
            CompletedAt = later.CompletedAt;
            VideoUrl = Same(VideoUrl, later.VideoUrl);
            Error = Same(Error, later.Error);
            Cost = later.Cost;
            _costUnit = later._costUnit;
            CostIsByok = later.CostIsByok;
            PollingUrl = Same(PollingUrl, later.PollingUrl);
            _baseUri = later._baseUri;
            PollAfter = later.PollAfter;
            LastSeenRunning = later.LastSeenRunning;
            _shape = later._shape;
        }

        private static string? Same(string? mine, string? theirs) => string.Equals(mine, theirs, StringComparison.Ordinal) ? mine : theirs;

        /// <summary>Marks the job terminal, stamping <see cref="CompletedAt"/> once.</summary>
        internal void SetStatus(VideoJobStatus status, string? providerStatus, DateTimeOffset now)
        {
            Status = status;
            ProviderStatus = providerStatus;
            if (IsTerminal && CompletedAt is null)
            {
                CompletedAt = now;
            }
        }

        /// <summary>A short text: provider, id and status. Never contains a key.</summary>
        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "{0} {1} {2}", Provider, Id, Status);
    }

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

    /// <summary>
    /// One copy of each of the few texts that thousands of jobs repeat (a model, a provider's status word, a base URI, a cost
    /// unit, a clip's shape): a job that replaces its last poll's copy keeps the shared one, so 10,000 waiting jobs hold one
    /// "in_progress", and the poll's own copy dies young instead of living on in the job. Bounded: once full, texts are kept
    /// as they came.
    /// </summary>
    internal static class SharedText
    {
        /// <summary>How many distinct texts are shared at most (at most 256 KiB held, whatever a provider sends); longer texts are never shared.</summary>
        internal const int MaxCount = 1024, MaxLength = 128;

        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Texts =
            new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        private static int _count;

        /// <summary>The shared copy of <paramref name="text"/> (null stays null).</summary>
        public static string? Of(string? text)
        {
            if (text is null || text.Length > MaxLength)
            {
                return text;
            }
            if (Texts.TryGetValue(text, out var shared))
            {
                return shared;
            }
            if (Volatile.Read(ref _count) >= MaxCount)
            {
                return text;
            }
            shared = Texts.GetOrAdd(text, text);
            if (ReferenceEquals(shared, text))
            {
                Interlocked.Increment(ref _count);
            }
            return shared;
        }
    }
}
