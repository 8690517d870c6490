using System;
using System.IO;
using System.Threading;
using System.Collections.Generic;
using System.Globalization;

namespace VideoGen.Core
{
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
        /// <summary>
        /// How many requests are ahead of this job in the provider's queue, where the provider says (fal's <c>queue_position</c>
        /// while <c>IN_QUEUE</c>, docs/providers.md); null elsewhere and once the job runs. As last seen; not kept in the store.
        /// </summary>
        public int? QueuePosition { get; internal set; }
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
        /// The cost the provider reported, in <see cref="CostUnit"/>; null when it has not said (yet). FastRouter: the
        /// submit answer's <c>usage.credits_used</c> (else <c>usage.user_key_credits_used</c>), credits (FastRouter's
        /// reference, docs/providers.md). OpenRouter: <c>usage.cost</c>, USD, on the job once it completes
        /// (OpenRouter's submit reference, docs/providers.md, Cost). AppleRouter and OpenAI-style gateways: any
        /// <c>usage.cost</c> (USD) or <c>usage.credits_used</c> (credits) an answer carries (inferred: not documented).
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
            QueuePosition = later.QueuePosition;
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
