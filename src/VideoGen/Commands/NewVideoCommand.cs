using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using VideoGen.Core;

namespace VideoGen.Commands
{
    /// <summary>
    /// <para type="synopsis">Submits a video generation job to FastRouter, OpenRouter, AppleRouter or an OpenAI-style gateway (OpenAICompatible). It costs money.</para>
    /// <para type="description">New-Video submits one job per prompt (per pipeline object, so each CSV row of Import-Csv is one job), up to -ThrottleLimit at once, and emits a VideoJob as soon as the provider answers with its task id, in the order the answers come. Every created job is written to the job journal before it is emitted. Every parameter binds from the pipeline by property name. Each row is checked against the provider's documented values before anything is sent; a bad row gives an error naming the row and field, and the other rows go on. An out-of-credits answer (HTTP 402) stops submitting: that row and the rows not submitted are errors, and the jobs already created go on down the pipeline. Ctrl+C never cuts a submission already sent: its answer is journaled, and the ids created but not emitted are named in a warning.</para>
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
    public sealed partial class NewVideoCommand : VideoGenCmdletBase
    {
        private int _row;

        #region Parameters

        /// <summary><para type="description">The text prompt. Required: an empty prompt is an error for that row only, an entirely empty CSV row is skipped, and a CSV without a Prompt column gets one error naming the columns New-Video reads.</para></summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
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

        /// <summary><para type="description">The row itself, when piped (an Import-Csv row, any object): its properties bind to the other parameters by name, and it is read to explain rows that cannot bind (a CSV split on the wrong delimiter, an empty row).</para></summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        public PSObject? InputObject { get; set; }

        /// <summary><para type="description">A budget for this invocation, in the provider's unit (FastRouter credits, OpenRouter USD): once the cost the provider reported for the jobs this command created (plus, where OpenRouter publishes prices, the estimate for those whose cost is not known yet) reaches it, no further row is submitted, and each row not submitted is an error (QuotaExceeded, VideoGen.BudgetExceeded). Jobs already created go on down the pipeline. With -ThrottleLimit above 1, submissions already in flight may pass it; use -ThrottleLimit 1 for an exact stop.</para></summary>
        [Parameter]
        [ValidateRange(0, 1000000)]
        public decimal? MaxCost { get; set; }

        /// <summary><para type="description">Submit even when the journal already holds a job for the same row (same provider, Name and request). Without -Force such a row is not paid for again: the recorded job is emitted in its last known state (a failed one is reported again by Wait-Video with its reason, a saved one is recognised by Save-Video).</para></summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary><para type="description">The most submissions in flight at once. Default 4. Submissions are retried only where no job can have been created (429, 503).</para></summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 4;

        /// <summary><para type="description">The job journal (JSON lines) every created job is recorded in before it is emitted. Default: $env:VIDEOGEN_JOURNAL_PATH, else %LOCALAPPDATA%\VideoGen\journal.jsonl on Windows or ~/.local/state/videogen/journal.jsonl elsewhere. After a crash, Get-VideoJob lists the unfinished jobs.</para></summary>
        [Parameter]
        public string? JournalPath { get; set; }

        #endregion

        /// <summary>How long Ctrl+C waits for submissions already sent to answer before it warns that they may have created a job.</summary>
        private static readonly TimeSpan InFlightAnswerBound = TimeSpan.FromSeconds(30);

        private readonly HashSet<string> _emitted = new HashSet<string>(StringComparer.Ordinal);
        /// <summary>Submissions and remixes sent and not yet answered, by their engine state, with the row's label.</summary>
        private readonly System.Collections.Concurrent.ConcurrentDictionary<object, string> _inFlight = new System.Collections.Concurrent.ConcurrentDictionary<object, string>();
        /// <summary>Rows not submitted after a 402 or Ctrl+C: row number and label, reported in row order.</summary>
        private readonly List<KeyValuePair<int, string>> _notSubmitted = new List<KeyValuePair<int, string>>();
        private long _recordedUpTo = -1;
        private JobJournal? _journal;
        private bool _outOfCredits;
        /// <summary>Set by a worker whose job the store could not record: starts stopped for that reason, not a 402.</summary>
        private volatile bool _storeFailed;
        private bool _stopReported;
        private bool _noPromptColumnReported;
        private readonly object _budgetGate = new object();
        private readonly Dictionary<string, decimal> _spent = new Dictionary<string, decimal>(StringComparer.Ordinal);
        private readonly CostTotals _cost = new CostTotals();
        private readonly CostTotals _whatIfEstimate = new CostTotals();
        private int _submittedCount;
        private int _reusedCount;
        private int _failedRows;
        private int _whatIfRows;

        /// <summary>Whether -Duration was typed (not bound from a piped object's Duration, Length or Seconds property).</summary>
        private bool _durationTyped;

        /// <summary>Whether -Prompt was typed (not bound from a piped object's Prompt or Text property).</summary>
        private bool _promptTyped;

        /// <summary>The current row's prompt: -Prompt, or the piped line of text.</summary>
        private string? _rowPrompt;

        /// <summary>The current row's duration: -Duration, except a piped line's own Length.</summary>
        private string? _rowDuration;

        #region Overrides

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            // Here BoundParameters holds only what was typed: pipeline values are bound per record, after this.
            _promptTyped = MyInvocation.BoundParameters.ContainsKey(nameof(Prompt));
            _durationTyped = MyInvocation.BoundParameters.ContainsKey(nameof(Duration));
            RequireKeyForTypedProvider();
            _journal = ResolveJournal(this, JournalPath);
            if (!MyInvocation.BoundParameters.ContainsKey("WhatIf"))
            {
                RequireWritableJournal(_journal, JournalPath);
            }
            if (!Force)
            {
                try
                {
                    // Rows match jobs recorded before this command started (indexed look-ups per row), never the ones it creates.
                    _recordedUpTo = _journal.LastSequence();
                }
                catch (VideoGenException ex)
                {
                    StoreUnreadable(ex);
                }
            }
            // Out of credits: nothing more may start, decided by the worker before it frees its slot.
            StartEngine(ThrottleLimit, ex => ex is VideoGenException vg && IsOutOfCredits(vg));
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            _row++;
            // This row's prompt and duration. Never written back to the parameters: a value this method set would be kept
            // by the binder (and restored for later rows) as if the user had given it.
            _rowPrompt = Prompt;
            _rowDuration = Duration;
            if (InputObject?.BaseObject is string line)
            {
                // Get-Content prompts.txt | New-Video: each line is a prompt, unless -Prompt was typed (a string has no
                // Prompt property, so Prompt holds only what was typed). The string's own Length property binds to
                // -Duration through its alias Length: the line's length, not a duration.
                // A line that is the row's -RemixOf id ($ids | New-Video -RemixOf { $_ }, or a job object with that Id) is the
                // source, not the prompt.
                var sourceId = RemixOf?.BaseObject is string text ? text : RemixOf is null ? null : Property(RemixOf, "Id");
                var lineIsSource = sourceId != null && string.Equals(sourceId.Trim(), line.Trim(), StringComparison.Ordinal);
                _rowPrompt = _promptTyped || lineIsSource ? Prompt : line;
                _rowDuration = _durationTyped ? Duration : null;
            }
            if (IsRemixRow()) { ProcessRemix(); return; }
            if (string.IsNullOrWhiteSpace(_rowPrompt) && InputObject != null && !ExplainUnboundRow(InputObject))
            {
                Drain(TimeSpan.Zero);
                return;
            }
            if (_outOfCredits || Engine.IsStoppingStarts)
            {
                _notSubmitted.Add(new KeyValuePair<int, string>(_row, RequestValidator.DescribeRow(_row, Name)));
                Drain(TimeSpan.Zero);
                return;
            }
            var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                ["Prompt"] = _rowPrompt, ["Model"] = Model, ["Provider"] = Provider, ["Duration"] = _rowDuration, ["AspectRatio"] = AspectRatio,
                ["Resolution"] = Resolution, ["Size"] = Size, ["Image"] = Image, ["Seed"] = Seed, ["GenerateAudio"] = GenerateAudio, ["Name"] = Name, ["Mode"] = Mode,
                ["FirstFrame"] = FirstFrame, ["LastFrame"] = LastFrame, ["CallbackUrl"] = CallbackUrl,
                ["ReferenceImage"] = ReferenceImage is null ? null : string.Join(";", ReferenceImage),
            };
            PreparedRow prepared;
            try
            {
                fields["Image"] = LocalPath(Image);
                prepared = RowPreparer.Prepare(_row, fields, p => KeyFor(p), p => BaseUriFor(p), Environment.GetEnvironmentVariable,
                    PassThrough.ToDictionary(ProviderOptions), ApiKey != null);
                foreach (var warning in Await(ModelCatalog.CheckAsync(Client, prepared, Log, CancelToken)))
                {
                    WriteWarning(prepared.Label + ": " + warning);
                }
            }
            catch (VideoGenException ex)
            {
                _failedRows++;
                if (FirstNoKeyError(ex))
                {
                    WriteError(ToErrorRecord(ex, RequestValidator.DescribeRow(_row, Name)));
                }
                return;
            }
            foreach (var warning in prepared.Warnings)
            {
                WriteWarning(prepared.Label + ": " + warning);
            }
            var model = string.IsNullOrWhiteSpace(prepared.Request.Model) ? prepared.Endpoint.Mapping.DefaultModel : prepared.Request.Model!;
            var fingerprint = RequestFingerprint.Of(prepared.Endpoint.Provider, prepared.Request, model);
            if (Recorded(prepared.Label, prepared.Endpoint.Provider, prepared.Request.Name, fingerprint, prepared.Request.Prompt, model) is JournalEntry recorded)
            {
                // Already paid for in an earlier run: the recorded job goes on down the pipeline instead of a new one.
                WriteVerbose(prepared.Label + " was submitted before as task " + recorded.Job.Id + " (" + recorded.Job.Status +
                    (recorded.IsSaved ? ", saved" : string.Empty) + ", journal " + _journal!.Path + "); emitting that job instead of paying again. -Force submits anew.");
                EmitRecorded(recorded);
                Drain(TimeSpan.Zero);
                return;
            }
            var provider = prepared.Endpoint.Provider.ToString();
            if (BudgetReached(provider))
            {
                _failedRows++;
                WriteError(BudgetExceeded(prepared.Label));
                return;
            }
            var estimate = ModelCatalog.CachedEstimate(prepared);
            var priced = estimate is decimal e ? " (estimate " + CostTotals.Format(e, "USD") + " from the published prices)" : string.Empty;
            if (!ShouldProcess(prepared.Label + " '" + Shorten(prepared.Request.Prompt) + "' at " + prepared.Endpoint.Provider + " (" + model + ")" + priced, "Submit a video job (costs money)"))
            {
                if (MyInvocation.BoundParameters.ContainsKey("WhatIf"))
                {
                    _whatIfRows++;
                    _whatIfEstimate.Add(estimate, "USD");
                }
                return;
            }
            var journal = _journal!;
            var client = Client;
            var log = Log;
            Engine.StartInOrder(prepared, async context =>
            {
                using (await context.SlotAsync().ConfigureAwait(false))
                {
                    // Decided in the worker holding the slot, so with -ThrottleLimit 1 the budget stops exactly.
                    Reserve(provider, estimate);
                    _inFlight[prepared] = prepared.Label;
                    try
                    {
                        // Not the Ctrl+C token: a submission already sent is never cut off, so its task id is not lost.
                        // The client's own timeouts bound it.
                        VideoJob job;
                        try
                        {
                            job = await client.SubmitAsync(prepared.Endpoint, prepared.Request, log, CancellationToken.None).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (StopStartingOn(context, ex))
                        {
                            throw; // never reached: the filter applies the out-of-credits rule while this row still holds its slot
                        }
                        catch (VideoGenException ex) when (ex.TaskId != null)
                        {
                            // The answer carried a task id but could not be read in full: the job exists, so its id is kept.
                            var known = VideoJob.Restore(ex.TaskId, prepared.Endpoint.Provider, model, prepared.Request.Name, prepared.Request.Prompt,
                                prepared.Endpoint.BaseUri.AbsoluteUri);
                            throw new SubmissionFailure(known, Commit(journal, known, fingerprint), ex);
                        }
                        // On disk the moment the answer is read, before anything else can fail.
                        var journalError = Commit(journal, job, fingerprint);
                        Settle(provider, estimate, job.Cost);
                        return new Submitted(job, journalError);
                    }
                    finally
                    {
                        _inFlight.TryRemove(prepared, out _);
                    }
                }
            });
            Drain(TimeSpan.Zero);
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            DrainToEnd();
            ReportSuppressedNoKeyErrors();
            if (_whatIfRows > 0 && _whatIfEstimate.Any)
            {
                // Shown like the "What if:" lines (PSHOST), and kept in the Information stream.
                WriteToHost("What if: estimated total for " + _whatIfRows + " row(s): " + _whatIfEstimate + " (an estimate from the provider's published prices, not a quote).");
            }
            WriteSummary(string.Format(System.Globalization.CultureInfo.InvariantCulture,
                "New-Video: {0} job(s) created, {1} taken from the journal without paying again, {2} row(s) failed; cost reported: {3}.",
                _submittedCount, _reusedCount, _failedRows + _notSubmitted.Count, _cost));
            if (_notSubmitted.Count > 0 && _storeFailed)
            {
                WriteError(new ErrorRecord(new VideoGenException(VideoGenErrorKind.UnexpectedAnswer,
                    string.Format(System.Globalization.CultureInfo.InvariantCulture,
                        "{0} row(s) were not submitted because the job store {1} could not record a created job (the error naming its task id says why; a local problem): {2}. Fix the store (disk space, permissions, the process holding it), then run the same command again; the jobs already created went on down the pipeline.",
                        _notSubmitted.Count, _journal!.Path, string.Join(", ", NotSubmittedInRowOrder()))),
                    "VideoGen.NotSubmitted", ErrorCategory.WriteError, NotSubmittedInRowOrder()));
            }
            else if (_notSubmitted.Count > 0)
            {
                WriteError(new ErrorRecord(new VideoGenException(VideoGenErrorKind.QuotaExceeded,
                    string.Format(System.Globalization.CultureInfo.InvariantCulture,
                        "{0} row(s) were not submitted because the provider answered that the account is out of credits (HTTP 402): {1}. Add credits, then run the same command again; the jobs already created are in the journal and went on down the pipeline.",
                        _notSubmitted.Count, string.Join(", ", NotSubmittedInRowOrder()))),
                    "VideoGen.NotSubmitted", ErrorCategory.QuotaExceeded, NotSubmittedInRowOrder()));
            }
        }

        /// <summary>The labels of the rows not submitted, in row order (workers report them in the order they gave up).</summary>
        private string[] NotSubmittedInRowOrder() => _notSubmitted.OrderBy(r => r.Key).Select(r => r.Value).ToArray();

        /// <inheritdoc/>
        protected override void OnStopping(WorkEngine? engine) => engine?.StopStarting();

        /// <summary>
        /// An outcome of a new row or a remix, on the pipeline thread: the created job emitted, or the error naming the row
        /// (and, for a remix, the source id).
        /// </summary>
        protected override void OnOutcome(WorkOutcome outcome)
        {
            var remix = outcome.State as RemixRow;
            var prepared = outcome.State as PreparedRow;
            var row = remix?.Row ?? prepared!.Row;
            var label = remix?.Label ?? prepared!.Label;
            // A provider's error with the row's label in front; a created job, where there is one, as the record's target.
            ErrorRecord Labelled(VideoGenException ex, object? job, string more = "") => remix != null
                ? RemixError(more.Length == 0 ? ex : new VideoGenException(ex.Kind, ex.Message + more, ex.TaskId, ex.StatusCode, ex), label)
                : ToErrorRecord(new VideoGenException(ex.Kind, label + ": " + ex.Message + more, ex.TaskId, ex.StatusCode, ex), job ?? label);
            switch (outcome.Error)
            {
                case null:
                    var submitted = (Submitted)outcome.Value!;
                    EmitCreated(submitted, remix != null ? remix.Key : ApiKeyFor(submitted.Job.Provider));
                    break;
                case NotStartedException _:
                    _notSubmitted.Add(new KeyValuePair<int, string>(row, label));
                    break;
                case BudgetReachedException _:
                    _failedRows++;
                    WriteError(BudgetExceeded(label));
                    break;
                case RemixSourceNotFinished notFinished:
                    _failedRows++;
                    WriteError(NotFinishedRecord(notFinished.Video, label));
                    break;
                case SubmissionFailure failure:
                    _failedRows++;
                    if (failure.JournalError != null)
                    {
                        WriteError(JournalFailed(failure.Job, failure.JournalError));
                    }
                    WriteError(Labelled(failure.Cause, failure.Job));
                    break;
                case VideoGenException ex when IsOutOfCredits(ex):
                    // Submissions stopped further starts in their worker, before letting go of the slot; a 402 anywhere else
                    // (a remix's source check) stops them here.
                    _outOfCredits = true;
                    _failedRows++;
                    Engine.StopStarting();
                    WriteError(Labelled(ex, null, " No further rows are submitted; the jobs already created go on."));
                    break;
                case VideoGenException ex:
                    _failedRows++;
                    WriteError(Labelled(ex, null));
                    break;
                case OperationCanceledException _ when Stopping:
                    break;
                case Exception ex:
                    _failedRows++;
                    WriteError(ToErrorRecord(ex, label));
                    break;
            }
        }

        /// <summary>A job this command created (a new row or a remix), on the pipeline thread: counted, remembered with its key, emitted.</summary>
        private void EmitCreated(Submitted submitted, System.Security.SecureString? key)
        {
            if (submitted.JournalError != null)
            {
                WriteError(JournalFailed(submitted.Job, submitted.JournalError));
            }
            _emitted.Add(submitted.Job.Id);
            _submittedCount++;
            _cost.Add(submitted.Job.Cost, submitted.Job.CostUnit);
            SessionJobs.Remember(submitted.Job, key);
            WriteObject(submitted.Job);
        }

        /// <summary>
        /// A job an earlier run paid for, emitted instead of paying again. Remembered as this session's (its address trusted
        /// with the key) only where New-Video recorded it here: a job imported from a file keeps its address checked like a
        /// piped row's, so a crafted CSV or journal cannot send the key anywhere.
        /// </summary>
        private void EmitRecorded(JournalEntry recorded)
        {
            _emitted.Add(recorded.Job.Id);
            _reusedCount++;
            if (!recorded.IsImported)
            {
                SessionJobs.Remember(recorded.Job, ApiKeyFor(recorded.Job.Provider));
            }
            WriteObject(recorded.Job);
        }

        /// <summary>
        /// Ctrl+C: submissions already sent are let answer (up to <see cref="InFlightAnswerBound"/>); each answer was journaled
        /// by its worker. The ids created but not emitted, and the rows whose answer never came, are named in warnings.
        /// </summary>
        protected override void OnStopped()
        {
            if (_stopReported)
            {
                return;
            }
            _stopReported = true;
            var created = new List<string>();
            // New rows and remixes share the one engine: what is in flight is let answer, then every outcome is read. The rows
            // still in flight are taken before the outcomes are read, and named unless an outcome came for them: an answer that
            // lands in between is then named as possibly created, never by neither warning.
            Engine.WaitForRunning(InFlightAnswerBound);
            var unanswered = _inFlight.ToArray();
            var answered = new HashSet<object>();
            while (Engine.TryRead(TimeSpan.Zero, out var outcome) && outcome != null)
            {
                if (outcome.State != null)
                {
                    answered.Add(outcome.State);
                }
                var job = (outcome.Value as Submitted)?.Job ?? (outcome.Error as SubmissionFailure)?.Job;
                if (job != null && !_emitted.Contains(job.Id))
                {
                    created.Add(job.Id + (string.IsNullOrWhiteSpace(job.Name) ? string.Empty : " (" + job.Name + ")"));
                }
            }
            var warnings = new List<string>();
            if (created.Count > 0)
            {
                warnings.Add("Stopped. These jobs were created and are in the journal " + _journal!.Path + "; resume with Get-VideoJob | Wait-Video | Save-Video: " + string.Join(", ", created));
            }
            foreach (var row in unanswered.Where(p => !answered.Contains(p.Key)).Select(p => p.Value))
            {
                warnings.Add("Stopped while " + row + " was being submitted and no answer came within " + InFlightAnswerBound.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) +
                    " s: a job may have been created at the provider; check its dashboard before submitting that row again.");
            }
            foreach (var warning in warnings)
            {
                try
                {
                    WriteWarning(warning);
                }
                catch (PipelineStoppedException)
                {
                    // PowerShell refuses the streams once stopping: the console (and a transcript) still shows the host's warning.
                    // The journal already holds every answered id.
                    try
                    {
                        Host?.UI?.WriteWarningLine(warning);
                    }
                    catch (Exception ex) when (ex is PipelineStoppedException || ex is NotImplementedException || ex is InvalidOperationException)
                    {
                    }
                }
            }
        }

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            if (disposing && Stopping)
            {
                // Stopped while another command of the pipeline ran (New-Video's drain never saw it): answers already on
                // their way are still let come and journaled, and the ids not emitted are named at the console.
                OnStopped();
            }
            base.Dispose(disposing);
        }

        #endregion

        private bool BudgetReached(string provider)
        {
            if (!(MaxCost is decimal max))
            {
                return false;
            }
            lock (_budgetGate)
            {
                return _spent.TryGetValue(provider, out var spent) && spent >= max;
            }
        }

        /// <summary>In the worker, before sending: refuses when the budget is reached, else counts the estimate (if any) as spent.</summary>
        private void Reserve(string provider, decimal? estimate)
        {
            if (!(MaxCost is decimal max))
            {
                return;
            }
            lock (_budgetGate)
            {
                var spent = _spent.TryGetValue(provider, out var s) ? s : 0m;
                if (spent >= max)
                {
                    throw new BudgetReachedException();
                }
                _spent[provider] = spent + (estimate ?? 0m);
            }
        }

        /// <summary>After the answer: the reported cost replaces the estimate.</summary>
        private void Settle(string provider, decimal? estimate, decimal? reported)
        {
            if (MaxCost is null || reported is null)
            {
                return;
            }
            lock (_budgetGate)
            {
                _spent[provider] = (_spent.TryGetValue(provider, out var s) ? s : 0m) - (estimate ?? 0m) + reported.Value;
            }
        }

        private ErrorRecord BudgetExceeded(string label) =>
            new ErrorRecord(new VideoGenException(VideoGenErrorKind.QuotaExceeded,
                label + " was not submitted: the budget -MaxCost " + MaxCost?.ToString(System.Globalization.CultureInfo.InvariantCulture) +
                " is reached by the jobs this command created (cost reported so far: " + _cost + "). Raise -MaxCost, or run the rows left another time."),
                "VideoGen.BudgetExceeded", ErrorCategory.QuotaExceeded, label);

        /// <summary>A row not sent because the budget was reached while it waited for a slot.</summary>
        private sealed class BudgetReachedException : Exception
        {
            public BudgetReachedException()
                : base("The budget is reached.")
            {
            }
        }

        /// <summary>An exception filter: out of credits stops further starts before this worker's slot is released; always false.</summary>
        private static bool StopStartingOn(WorkContext context, Exception ex)
        {
            context.ObserveFailure(ex);
            return false;
        }

        private static bool IsOutOfCredits(VideoGenException ex) => ex.Kind == VideoGenErrorKind.QuotaExceeded && ex.TaskId is null;

        /// <summary>
        /// The job an earlier run already paid for this row (or remix): recorded before this command started with the same
        /// provider, name and request fingerprint; else, for a row (a <paramref name="model"/> given), a job imported from an
        /// older journal without a fingerprint with the same provider, name, prompt and model, with a warning. Null where none
        /// matches, with -Force, or where the store cannot be read (warned once at the start).
        /// </summary>
        private JournalEntry? Recorded(string label, VideoProvider provider, string? name, string fingerprint, string? prompt, string? model)
        {
            if (Force || _recordedUpTo < 0)
            {
                return null;
            }
            try
            {
                var found = _journal!.FindByFingerprint(provider, name, fingerprint, _recordedUpTo);
                if (found is null && model != null)
                {
                    found = _journal.FindUnfingerprinted(provider, name, prompt, model, _recordedUpTo);
                    if (found != null)
                    {
                        WriteWarning(label + " matches task " + found.Job.Id + " (" + found.Job.Status + "), imported from an older journal that kept no request fingerprint, by provider, name, prompt and model only; " +
                            "emitting that job instead of paying again. -Force submits anew.");
                    }
                }
                return found;
            }
            catch (VideoGenException ex)
            {
                StoreUnreadable(ex);
                return null;
            }
        }

        /// <summary>Rows are no longer matched to earlier jobs for the rest of the command, with one warning that says so.</summary>
        private void StoreUnreadable(VideoGenException ex)
        {
            _recordedUpTo = -1;
            WriteWarning("The job store " + _journal!.Path + " could not be read, so rows submitted before are not recognised: " + ex.Message);
        }

        /// <summary>
        /// Records a created job, in the worker that read its answer. A failure is returned, to be reported with the job, and
        /// stops further starts before the worker lets go of its slot: every later job could not be recorded either, and a
        /// re-run would pay for it again.
        /// </summary>
        private Exception? Commit(JobJournal journal, VideoJob job, string fingerprint)
        {
            var error = TryJournal(() => journal.Submitted(job, fingerprint));
            if (error != null)
            {
                _storeFailed = true;
                Engine.StopStarting();
            }
            return error;
        }

        private ErrorRecord JournalFailed(VideoJob job, Exception error) =>
            new ErrorRecord(new VideoGenException(VideoGenErrorKind.UnexpectedAnswer,
                "Job " + job.Id + " was created but could not be written to the journal " + _journal!.Path + ": " + error.Message +
                " Keep this task id: Get-VideoStatus -Id " + job.Id + " -Provider " + job.Provider + " -Model " + job.Model + " follows it.", job.Id, null, error),
                "VideoGen.JournalWriteFailed", ErrorCategory.WriteError, job);

        /// <summary>The columns New-Video reads, for messages.</summary>
        private const string AcceptedColumns = "Prompt (or Text), Name (or Label), Model, Provider, Duration (or Length, Seconds), AspectRatio, Resolution, Size, Image (or ImageUrl), Seed, GenerateAudio, Mode, FirstFrame, LastFrame, ReferenceImage, CallbackUrl";

        /// <summary>
        /// A piped row with no Prompt: an entirely empty row is skipped with a verbose line; a row whose only column name holds
        /// ';' or ',' and "Prompt" is a CSV split on the wrong delimiter; otherwise the CSV has no Prompt column (said once).
        /// Returns true when the row should still be processed (its Prompt error comes from validation).
        /// </summary>
        private bool ExplainUnboundRow(PSObject row)
        {
            var properties = row.Properties.Where(p => p.IsGettable).ToList();
            if (properties.Count == 0 || row.BaseObject is string)
            {
                return true;
            }
            var values = properties.Select(p => { try { return p.Value?.ToString(); } catch (GetValueException) { return null; } }).ToList();
            if (values.All(string.IsNullOrWhiteSpace))
            {
                WriteVerbose("Row " + _row + " is empty (every column blank); skipped.");
                return false;
            }
            if (properties.Any(p => string.Equals(p.Name, "Prompt", StringComparison.OrdinalIgnoreCase) || string.Equals(p.Name, ParameterAliases.PromptText, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
            // Each such row failed (one error says why for all of them).
            _failedRows++;
            if (_noPromptColumnReported)
            {
                return false;
            }
            _noPromptColumnReported = true;
            var single = properties.Count == 1 ? properties[0].Name : null;
            var delimiter = single?.IndexOf(';') >= 0 ? ";" : single?.IndexOf(',') >= 0 ? "," : null;
            var message = delimiter != null && single!.IndexOf("Prompt", StringComparison.OrdinalIgnoreCase) >= 0
                ? "The rows have one column named '" + Shorten(single) + "': the CSV is separated by '" + delimiter + "' (as Excel saves it in many regions) but was read with another delimiter. Read it with: Import-Csv <file> -Delimiter '" + delimiter + "' | New-Video ..."
                : "The rows have no Prompt column (they have: " + string.Join(", ", properties.Select(p => p.Name)) + "). New-Video reads the columns " + AcceptedColumns + "; add a Prompt column, or rename the column that holds the prompts.";
            WriteError(new ErrorRecord(new VideoGenException(VideoGenErrorKind.InvalidArgument, message + " Nothing was submitted for these rows."),
                delimiter != null ? "VideoGen.WrongCsvDelimiter" : "VideoGen.NoPromptColumn", ErrorCategory.InvalidArgument, row));
            return false;
        }

        /// <summary>A relative file path of -Image resolved against the PowerShell location ($PWD), not the process's directory; URLs as they are.</summary>
        private string? LocalPath(string? image)
        {
            if (string.IsNullOrWhiteSpace(image) || image!.IndexOf("://", StringComparison.Ordinal) > 0)
            {
                return image;
            }
            try
            {
                return SessionState.Path.GetUnresolvedProviderPathFromPSPath(image);
            }
            catch (Exception ex) when (ex is ItemNotFoundException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException || ex is NotSupportedException || ex is ArgumentException)
            {
                return image;
            }
        }

        private static string Shorten(string? text) =>
            text is null ? string.Empty : text.Length <= 60 ? text : text.Substring(0, 57) + "...";

        /// <summary>A job the provider created, and the journal failure if writing it failed.</summary>
        private sealed class Submitted
        {
            public Submitted(VideoJob job, Exception? journalError)
            {
                Job = job;
                JournalError = journalError;
            }

            public VideoJob Job { get; }
            public Exception? JournalError { get; }
        }

        /// <summary>An answer that carried a task id but could not be read in full: the job exists and its id is kept.</summary>
        private sealed class SubmissionFailure : Exception
        {
            public SubmissionFailure(VideoJob job, Exception? journalError, VideoGenException cause)
                : base(cause.Message, cause)
            {
                Job = job;
                JournalError = journalError;
                Cause = cause;
            }

            public VideoJob Job { get; }
            public Exception? JournalError { get; }
            public VideoGenException Cause { get; }
        }
    }
}
