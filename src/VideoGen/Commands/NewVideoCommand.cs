using System;
using System.Collections.Generic;
using System.Management.Automation;
using VideoGen.Core;

namespace VideoGen.Commands
{
    /// <summary>
    /// <para type="synopsis">Submits a video generation job to FastRouter, OpenRouter, AppleRouter or an OpenAI-style gateway (OpenAICompatible). It costs money.</para>
    /// <para type="description">New-Video submits one job per prompt (per pipeline object, so each CSV row of Import-Csv is one job), up to -ThrottleLimit at once, and emits a VideoJob as soon as the provider answers with its task id, in the order the answers come. Every created job is written to the job journal before it is emitted. Every parameter binds from the pipeline by property name. Each row is checked against the provider's documented values before anything is sent; a bad row gives an error naming the row and field, and the other rows go on. An out-of-credits answer (HTTP 402) stops the command, since every later row would fail too.</para>
    /// </summary>
    /// <example>
    ///   <code>Import-Csv prompts.csv | New-Video -Provider FastRouter | Wait-Video | Save-Video -OutputDirectory ./videos</code>
    ///   <para>Submits every row of prompts.csv, waits for all of them together and saves each video as Name.mp4.</para>
    /// </example>
    /// <example>
    ///   <code>New-Video -Prompt 'A lighthouse at dawn, waves crashing' -Provider OpenRouter -Duration 8 -AspectRatio 16:9 -Name lighthouse</code>
    ///   <para>Submits one prompt to OpenRouter with the key in $env:OPENROUTER_API_KEY.</para>
    /// </example>
    [Cmdlet(VerbsCommon.New, "Video", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = "https://github.com/videogen/VideoGen/blob/main/docs/cmdlets.md#new-video")]
    [OutputType(typeof(VideoJob))]
    public sealed class NewVideoCommand : VideoGenCmdletBase
    {
        private int _row;

        #region Parameters

        /// <summary><para type="description">The text prompt. Required; an empty prompt is an error for that row only.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias(ParameterAliases.PromptText)]
        [AllowEmptyString]
        [AllowNull]
        public string? Prompt { get; set; }

        /// <summary><para type="description">The provider's model id, e.g. google/veo3 (FastRouter), google/veo-3.1 (OpenRouter), kling-v1 (AppleRouter). Default: google/veo3-fast, google/veo-3.1, kling-v1. An id not in the provider's documented list is a warning, not an error.</para></summary>
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ModelCompleter))]
        public string? Model { get; set; }

        /// <summary><para type="description">FastRouter, OpenRouter, AppleRouter or OpenAICompatible (any gateway serving the OpenAI-style /videos API; its base URI from -BaseUri or $env:VIDEOGEN_OPENAICOMPATIBLE_BASE_URI, its key from $env:OPENAICOMPATIBLE_API_KEY). Default: $env:VIDEOGEN_PROVIDER, else the one provider whose key variable is set. Tab completes the names.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ProviderCompleter))]
        public string? Provider { get; set; }

        /// <summary><para type="description">Length of the video in seconds (FastRouter: 4, 5, 6, 8, 10, 12; Sora models 4, 8, 12; OpenRouter: the model's supported durations; OpenAICompatible and AppleRouter's veo-3.1 models: 4, 8, 12). Tab completes the values of the -Provider and -Model typed. Aliases: Length, Seconds.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(RequestValueCompleter))]
        [Alias(ParameterAliases.DurationLength, ParameterAliases.DurationSeconds)]
        public string? Duration { get; set; }

        /// <summary><para type="description">Width-to-height ratio, e.g. 16:9, 9:16, 1:1 (FastRouter: 16:9, 9:16, 4:3, 3:4, 1:1, 5:3, 3:5; OpenRouter: the model's supported ratios; OpenAICompatible: 16:9 or 9:16). Tab completes the values of the -Provider and -Model typed.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(RequestValueCompleter))]
        [Alias(ParameterAliases.Aspect)]
        public string? AspectRatio { get; set; }

        /// <summary><para type="description">Resolution: 480p, 720p, 1080p (OpenRouter also 1K, 2K, 4K, as the model supports). Tab completes the values of the -Provider and -Model typed.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(RequestValueCompleter))]
        public string? Resolution { get; set; }

        /// <summary><para type="description">Exact frame size WIDTHxHEIGHT, e.g. 1280x720 (FastRouter: Sora models only).</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Size { get; set; }

        /// <summary><para type="description">An http(s) URL of an input image, for image-to-video. Alias: ImageUrl.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias(ParameterAliases.ImageUrl)]
        public string? Image { get; set; }

        /// <summary><para type="description">A whole-number seed for reproducible output.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Seed { get; set; }

        /// <summary><para type="description">Whether to generate audio: true or false (FastRouter, OpenRouter). Alias: Audio.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias(ParameterAliases.Audio)]
        public string? GenerateAudio { get; set; }

        /// <summary><para type="description">OpenRouter: the URL of the first frame's image (frame_images, first_frame). -Image means the same on OpenRouter.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? FirstFrame { get; set; }

        /// <summary><para type="description">OpenRouter: the URL of the last frame's image (frame_images, last_frame).</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? LastFrame { get; set; }

        /// <summary><para type="description">OpenRouter: reference image URLs (input_references). In a CSV column, separate several URLs with ';'.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string[]? ReferenceImage { get; set; }

        /// <summary><para type="description">OpenRouter: an https URL notified when the job completes (callback_url).</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? CallbackUrl { get; set; }

        /// <summary><para type="description">OpenRouter: provider passthrough options by provider slug, e.g. @{ 'google-vertex' = @{ output_config = @{ effort = 'low' } } } (provider.options).</para></summary>
        [Parameter]
        public System.Collections.Hashtable? ProviderOptions { get; set; }

        /// <summary><para type="description">FastRouter's generation mode: std or pro (for models that support it). Other providers refuse it before submitting.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateSet("std", "pro", "", IgnoreCase = true)]
        public string? Mode { get; set; }

        /// <summary><para type="description">A label for the job; Save-Video names the file after it (Name.mp4). Alias: Label.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias(ParameterAliases.Label)]
        public string? Name { get; set; }

        /// <summary><para type="description">The most submissions in flight at once. Default 4. Submissions are retried only where no job can have been created (429, 503).</para></summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 4;

        /// <summary><para type="description">The job journal (JSON lines) every created job is recorded in before it is emitted. Default: $env:VIDEOGEN_JOURNAL_PATH, else %LOCALAPPDATA%\VideoGen\journal.jsonl on Windows or ~/.local/state/videogen/journal.jsonl elsewhere. After a crash, Get-VideoJob lists the unfinished jobs.</para></summary>
        [Parameter]
        public string? JournalPath { get; set; }

        #endregion

        private JobJournal? _journal;
        private BackgroundWork<VideoJob>? _work;
        private VideoGenException? _outOfCredits;
        private int _notSubmitted;

        #region Overrides

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            _journal = ResolveJournal(this, JournalPath);
            // Out of credits: nothing more may start, decided by the worker before it frees its slot.
            _work = new BackgroundWork<VideoJob>(ThrottleLimit, CancelToken,
                ex => ex is VideoGenException vg && vg.Kind == VideoGenErrorKind.QuotaExceeded);
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            _row++;
            if (_outOfCredits != null)
            {
                _notSubmitted++;
                Drain(TimeSpan.Zero);
                return;
            }
            var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                ["Prompt"] = Prompt, ["Model"] = Model, ["Provider"] = Provider, ["Duration"] = Duration, ["AspectRatio"] = AspectRatio,
                ["Resolution"] = Resolution, ["Size"] = Size, ["Image"] = Image, ["Seed"] = Seed, ["GenerateAudio"] = GenerateAudio, ["Name"] = Name, ["Mode"] = Mode,
                ["FirstFrame"] = FirstFrame, ["LastFrame"] = LastFrame, ["CallbackUrl"] = CallbackUrl,
                ["ReferenceImage"] = ReferenceImage is null ? null : string.Join(";", ReferenceImage),
            };
            PreparedRow prepared;
            try
            {
                prepared = RowPreparer.Prepare(_row, fields, PlainApiKey, BaseUri, Environment.GetEnvironmentVariable, PassThrough.ToDictionary(ProviderOptions));
                foreach (var warning in Await(ModelCatalog.CheckAsync(Client, prepared, Log, CancelToken)))
                {
                    WriteWarning(prepared.Label + ": " + warning);
                }
            }
            catch (VideoGenException ex)
            {
                WriteError(ToErrorRecord(ex, RequestValidator.DescribeRow(_row, Name)));
                return;
            }
            foreach (var warning in prepared.Warnings)
            {
                WriteWarning(prepared.Label + ": " + warning);
            }
            var model = string.IsNullOrWhiteSpace(prepared.Request.Model) ? prepared.Endpoint.Mapping.DefaultModel : prepared.Request.Model;
            if (!ShouldProcess(prepared.Label + " '" + Shorten(prepared.Request.Prompt) + "' at " + prepared.Endpoint.Provider + " (" + model + ")", "Submit a video job (costs money)"))
            {
                return;
            }
            _work!.Add(prepared, ct => Client.SubmitAsync(prepared.Endpoint, prepared.Request, Log, ct));
            Drain(TimeSpan.Zero);
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            _work!.CompleteAdding();
            while (!_work.IsDone && !Stopping)
            {
                Drain(TimeSpan.FromMilliseconds(200));
            }
            Drain(TimeSpan.Zero);
        }

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _work?.Dispose();
            }
            base.Dispose(disposing);
        }

        #endregion

        /// <summary>
        /// Emits the jobs whose submissions have answered (journal first), writes the errors of those that failed, and
        /// once an out-of-credits answer has come and every submission in flight has answered, stops the command.
        /// </summary>
        private void Drain(TimeSpan wait)
        {
            while (_work!.TryTake(wait, out var outcome) && outcome != null)
            {
                wait = TimeSpan.Zero;
                var prepared = (PreparedRow)outcome.State!;
                switch (outcome.Error)
                {
                    case null:
                        var job = outcome.Value!;
                        try
                        {
                            // On disk before it is emitted: a job paid for survives a killed process.
                            _journal!.Submitted(job);
                        }
                        catch (VideoGenException ex)
                        {
                            WriteError(ToErrorRecord(ex, job));
                        }
                        WriteObject(job);
                        break;
                    case NotStartedException _:
                        _notSubmitted++;
                        break;
                    case VideoGenException ex when ex.Kind == VideoGenErrorKind.QuotaExceeded:
                        _outOfCredits ??= new VideoGenException(ex.Kind, prepared.Label + ": " + ex.Message, ex.TaskId, ex.StatusCode, ex);
                        _notSubmitted++;
                        _work.StopStarting();
                        break;
                    case VideoGenException ex:
                        WriteError(ToErrorRecord(new VideoGenException(ex.Kind, prepared.Label + ": " + ex.Message, ex.TaskId, ex.StatusCode, ex), prepared.Label));
                        break;
                    case Exception ex when IsStopping(ex):
                        break;
                    case Exception ex:
                        WriteError(ToErrorRecord(ex, prepared.Label));
                        break;
                }
            }
            DrainLog();
            if (_outOfCredits != null && _work.Pending == 0)
            {
                ThrowTerminatingError(ToErrorRecord(new VideoGenException(_outOfCredits.Kind,
                    _outOfCredits.Message + " No further rows were submitted (" + _notSubmitted + " not submitted, counting this one).",
                    _outOfCredits.TaskId, _outOfCredits.StatusCode, _outOfCredits), null));
            }
        }

        private static string Shorten(string? text) =>
            text is null ? string.Empty : text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }
}
