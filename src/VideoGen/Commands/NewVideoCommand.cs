using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using VideoGen.Core;
using static VideoGen.Commands.ErrorRecords;
using static VideoGen.Commands.StoreAccess;
using VideoGen.Core.Submitting;

namespace VideoGen.Commands
{
    /// <summary>
    /// <para type="synopsis">Submits a video generation job to FastRouter, OpenRouter, AppleRouter, an OpenAI-style gateway (OpenAICompatible) or fal's queue (Fal). It costs money.</para>
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

        /// <summary><para type="description">FastRouter, OpenRouter, AppleRouter, OpenAICompatible (any gateway serving the OpenAI-style /videos API; its base URI from -BaseUri or $env:VIDEOGEN_OPENAICOMPATIBLE_BASE_URI, its key from $env:OPENAICOMPATIBLE_API_KEY) or Fal (fal's queue at https://queue.fal.run; its key from $env:FAL_KEY, the name fal's documents use; -Model is a fal model id such as fal-ai/veo3.1/fast). Default: $env:VIDEOGEN_PROVIDER, else the one provider whose key variable is set. Tab completes the names.</para></summary>
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

        /// <summary><para type="description">A budget for this invocation, in the provider's unit (FastRouter credits, OpenRouter USD): once the cost of the jobs this command created reaches it, no further row is submitted, and each row not submitted is an error (QuotaExceeded, VideoGen.BudgetExceeded). A row is priced by -PricePerJob where given, else by the estimate from the provider's published prices (OpenRouter), else by the cost the provider reports in its answer (FastRouter). A budget that cannot be counted is refused, never ignored: with a provider that reports no price (AppleRouter, OpenAICompatible, Fal) and no -PricePerJob, no row is submitted. Jobs already created go on down the pipeline. With -ThrottleLimit above 1, submissions already in flight may pass it; use -ThrottleLimit 1 for an exact stop.</para></summary>
        [Parameter]
        [ValidateRange(0, 1000000)]
        public decimal? MaxCost { get; set; }

        /// <summary><para type="description">The price of one job in the provider's unit, as the provider's price list gives it, for -MaxCost where the provider reports none (AppleRouter, OpenAICompatible, Fal). Each row submitted counts this much against -MaxCost; a cost the provider does report replaces it.</para></summary>
        [Parameter]
        [ValidateRange(0, 1000000)]
        public decimal? PricePerJob { get; set; }

        /// <summary><para type="description">Submit even when the job store already holds a job for the same row (same provider, Name and request as it goes on the wire: every field at any depth, the bytes of a local -Image, the base URI), and even when OpenRouter says the key's credit left is less than the estimate of the rows. Without -Force such a row is not paid for again: the recorded job is emitted in its last known state (a failed one is reported again by Wait-Video with its reason, a saved one is recognised by Save-Video). Two identical rows are two jobs: a re-run takes a different recorded job for each.</para></summary>
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

        /// <summary>Rows not submitted after a 402, a store failure or Ctrl+C: row number and label, reported in row order.</summary>
        private readonly List<KeyValuePair<int, string>> _notSubmitted = new List<KeyValuePair<int, string>>();
        private JobJournal? _journal;
        private StoredJobs? _stored;
        private Budget? _budget;
        private Submitter? _submitter;
        private readonly CreditCheck _credit = new CreditCheck();
        private bool _outOfCredits;
        private bool _noPromptColumnReported;
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
                Preflight.RequireWritableJournal(this, _journal, JournalPath);
            }
            try
            {
                // Rows match jobs recorded before this command started (indexed look-ups per row), never the ones it creates.
                _stored = new StoredJobs(_journal, enabled: !Force);
            }
            catch (VideoGenException ex)
            {
                _stored = new StoredJobs(_journal, enabled: false);
                StoreUnreadable(ex);
            }
            _budget = new Budget(MaxCost, PricePerJob);
            // Out of credits: nothing more may start, decided by the worker before it frees its slot.
            _submitter = new Submitter(Client, _journal, StartEngine(ThrottleLimit, Submitter.IsOutOfCredits), _budget, Ledger, Log, OnSubmitted);
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
                    PlainValues.ToDictionary(ProviderOptions), ApiKey != null);
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
            var request = prepared.Request;
            var endpoint = prepared.Endpoint;
            var model = string.IsNullOrWhiteSpace(request.Model) ? endpoint.Mapping.DefaultModel : request.Model!;
            // An image fetched from a URL is read only once the row is confirmed: -WhatIf, or -Confirm answered No, never
            // touches it (a one-time link would be used up). Other rows are matched to the store before they are confirmed.
            var fetchesImage = endpoint.Mapping.UploadsImage(request) && request.Image != null && request.Image.IndexOf("://", StringComparison.Ordinal) > 0;
            PaidRequest? paid = null;
            if (!fetchesImage && !Plan(prepared, model, out paid))
            {
                return;
            }
            var estimate = ModelCatalog.CachedEstimate(prepared);
            var priced = estimate is decimal e ? " (estimate " + CostTotals.Format(e, "USD") + " from the published prices)" : string.Empty;
            if (!ShouldProcess(prepared.Label + " '" + Shorten(request.Prompt) + "' at " + endpoint.Provider + " (" + model + ")" + priced, "Submit a video job (costs money)"))
            {
                if (MyInvocation.BoundParameters.ContainsKey("WhatIf"))
                {
                    _whatIfRows++;
                    _whatIfEstimate.Add(estimate, "USD");
                }
                return;
            }
            if (fetchesImage && !Plan(prepared, model, out paid))
            {
                return;
            }
            if (CreditAllows(paid!))
            {
                while (request.InputReference != null && Engine.Running >= ThrottleLimit * 2)
                {
                    // Rows that upload an image hold its bytes until sent: at most twice -ThrottleLimit of them wait at once.
                    Drain(TimeSpan.FromMilliseconds(100));
                }
                _submitter!.Start(paid!);
            }
            Drain(TimeSpan.Zero);
        }

        /// <summary>
        /// Plans a row's submission, matches it to the store (pay once) and prices it for -MaxCost; false, with the verbose
        /// line, the recorded job or the error written, when the row is not to be sent.
        /// </summary>
        private bool Plan(PreparedRow prepared, string model, out PaidRequest? paid)
        {
            try
            {
                paid = PlanSubmission(prepared, model);
            }
            catch (VideoGenException ex)
            {
                paid = null;
                _failedRows++;
                WriteError(ToErrorRecord(new VideoGenException(ex.Kind, prepared.Label + ": " + ex.Message, null, null, ex), prepared.Label));
                return false;
            }
            return !Reuse(paid, prepared.Label + " was submitted before as task {0}; emitting that job instead of paying again. -Force submits anew.") && Priced(paid);
        }

        /// <summary>
        /// The paid request for a prepared row: the image it uploads read once, here (a local file or a URL, which may answer
        /// other bytes or nothing a second time), so the fingerprint is of the bytes that are sent; the fingerprint taken of
        /// the request as the mapping builds it for the wire; and how to send it.
        /// </summary>
        private PaidRequest PlanSubmission(PreparedRow prepared, string model)
        {
            var request = prepared.Request;
            var endpoint = prepared.Endpoint;
            var uploads = endpoint.Mapping.UploadsImage(request);
            var localUpload = uploads && request.Image != null && request.Image.IndexOf("://", StringComparison.Ordinal) < 0;
            if (uploads && request.InputReference is null)
            {
                request.InputReference = Await(Client.ReadUploadAsync(endpoint, request.Image!, Log, CancelToken));
            }
            return new PaidRequest(prepared.Row, prepared.Label, endpoint, RequestFingerprint.Of(endpoint, request),
                // Not the Ctrl+C token: a submission already sent is never cut off, so its task id is not lost.
                async (client, log) =>
                {
                    try
                    {
                        return await client.SubmitAsync(endpoint, request, log, CancellationToken.None).ConfigureAwait(false);
                    }
                    finally
                    {
                        // Sent (or refused): the image's bytes are not kept while the outcome waits for the pipeline.
                        request.InputReference = null;
                    }
                },
                id => VideoJob.Restore(id, endpoint.Provider, model, request.Name, request.Prompt, endpoint.BaseUri.AbsoluteUri))
            {
                Name = request.Name,
                Prompt = request.Prompt,
                Model = model,
                Estimate = ModelCatalog.CachedEstimate(prepared),
                LegacyFingerprint = RequestFingerprint.LegacyIsFaithful(request, localUpload) ? RequestFingerprint.Legacy(endpoint.Provider, request, model) : null,
                Tag = ApiKeyFor(endpoint.Provider),
            };
        }

        /// <summary>
        /// Pay once: where the store holds a job for this request (recorded before this command started, not yet taken by
        /// another row), that job goes on down the pipeline instead of a new one; true when so.
        /// </summary>
        private bool Reuse(PaidRequest paid, string verbose)
        {
            JournalEntry? recorded;
            try
            {
                recorded = _stored!.Find(paid, out var warning);
                if (warning != null)
                {
                    WriteWarning(warning);
                }
            }
            catch (VideoGenException ex)
            {
                StoreUnreadable(ex);
                return false;
            }
            if (recorded is null)
            {
                return false;
            }
            WriteVerbose(string.Format(System.Globalization.CultureInfo.InvariantCulture, verbose, recorded.Job.Id + " (" + recorded.Job.Status +
                (recorded.IsSaved ? ", saved" : string.Empty) + ", job store " + _journal!.Path + ")"));
            EmitRecorded(recorded);
            Drain(TimeSpan.Zero);
            return true;
        }

        /// <summary>
        /// Before a row is confirmed (so -WhatIf shows it too): its price for -MaxCost, refused where it cannot be counted or
        /// the budget is reached. False (with the error written) when refused.
        /// </summary>
        private bool Priced(PaidRequest paid)
        {
            try
            {
                paid.Reserved = _budget!.Price(paid.Provider, paid.Estimate,
                    paid.Endpoint.Mapping is Core.Providers.IPricingMapping pricing && pricing.ReportsCost, paid.Label);
            }
            catch (VideoGenException ex)
            {
                _failedRows++;
                WriteError(new ErrorRecord(ex, "VideoGen.BudgetExceeded", ErrorCategory.QuotaExceeded, paid.Label));
                return false;
            }
            return true;
        }

        /// <summary>Just before a row is paid for, without -Force: the credit the provider says is left on the key. False (with the error written) when too low.</summary>
        private bool CreditAllows(PaidRequest paid)
        {
            if (Force)
            {
                return true;
            }
            try
            {
                return Await(CheckCreditAsync(paid));
            }
            catch (VideoGenException ex)
            {
                _failedRows++;
                WriteError(new ErrorRecord(ex, "VideoGen.CreditTooLow", ErrorCategory.QuotaExceeded, paid.Label));
                return false;
            }
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
                "New-Video: {0} job(s) created, {1} taken from the job store without paying again, {2} row(s) failed; cost reported: {3}.",
                _submittedCount, _reusedCount, _failedRows + _notSubmitted.Count, _cost));
            if (_notSubmitted.Count > 0 && _submitter!.StoreFailed)
            {
                WriteError(new ErrorRecord(new VideoGenException(VideoGenErrorKind.LocalFailure,
                    string.Format(System.Globalization.CultureInfo.InvariantCulture,
                        "{0} row(s) were not submitted because the job store {1} could not record a created job (the error naming its task id says why; a local problem): {2}. Fix the store (disk space, permissions, the process holding it), then run the same command again; the jobs already created went on down the pipeline.",
                        _notSubmitted.Count, _journal!.Path, string.Join(", ", NotSubmittedInRowOrder()))),
                    "VideoGen.NotSubmitted", ErrorCategory.WriteError, NotSubmittedInRowOrder()));
            }
            else if (_notSubmitted.Count > 0)
            {
                WriteError(new ErrorRecord(new VideoGenException(VideoGenErrorKind.QuotaExceeded,
                    string.Format(System.Globalization.CultureInfo.InvariantCulture,
                        "{0} row(s) were not submitted because the provider answered that the account is out of credits (HTTP 402): {1}. Add credits, then run the same command again; the jobs already created are in the job store and went on down the pipeline.",
                        _notSubmitted.Count, string.Join(", ", NotSubmittedInRowOrder()))),
                    "VideoGen.NotSubmitted", ErrorCategory.QuotaExceeded, NotSubmittedInRowOrder()));
            }
        }

        /// <summary>The labels of the rows not submitted, in row order (workers report them in the order they gave up).</summary>
        private string[] NotSubmittedInRowOrder() => _notSubmitted.OrderBy(r => r.Key).Select(r => r.Value).ToArray();

        /// <inheritdoc/>
        protected override void OnStopping(WorkEngine? engine) => engine?.StopStarting();

        /// <inheritdoc/>
        protected override string LedgerStore => _journal?.Path ?? "the job store";

        /// <summary>
        /// An outcome of a new row or a remix, on the pipeline thread: the created job emitted, or the error naming the row
        /// (and, for a remix, the source id).
        /// </summary>
        private void OnSubmitted(WorkOutcome<PaidRequest, Submission> outcome)
        {
            var paid = outcome.State;
            var remix = paid.SourceId != null;
            var label = paid.Label;
            // A provider's error with the row's label in front; a created job, where there is one, as the record's target.
            ErrorRecord Labelled(VideoGenException ex, object? job, string more = "") => remix
                ? RemixError(more.Length == 0 ? ex : new VideoGenException(ex.Kind, ex.Message + more, ex.TaskId, ex.StatusCode, ex), label)
                : ToErrorRecord(new VideoGenException(ex.Kind, label + ": " + ex.Message + more, ex.TaskId, ex.StatusCode, ex), job ?? label);
            switch (outcome.Error)
            {
                case null:
                    EmitCreated(outcome.Value!);
                    break;
                case NotStartedException _:
                    _notSubmitted.Add(new KeyValuePair<int, string>(paid.Row, label));
                    break;
                case BudgetReachedException _:
                    _failedRows++;
                    WriteError(new ErrorRecord(_budget!.Refusal(label, paid.Provider), "VideoGen.BudgetExceeded", ErrorCategory.QuotaExceeded, label));
                    break;
                case SourceNotFinishedException notFinished:
                    _failedRows++;
                    WriteError(NotFinishedRecord(notFinished.Video, label));
                    break;
                case CreatedButUnreadableException failure:
                    _failedRows++;
                    Ledger.HandedOn(failure.Job.Id);
                    if (failure.StoreError != null)
                    {
                        WriteError(JournalFailed(failure.Job, failure.StoreError));
                    }
                    WriteError(Labelled(failure.Cause, failure.Job));
                    break;
                case VideoGenException ex when Submitter.IsOutOfCredits(ex):
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

        #endregion

        /// <summary>A job this command created (a new row or a remix), on the pipeline thread: counted, remembered with its key, emitted.</summary>
        private void EmitCreated(Submission submitted)
        {
            if (submitted.StoreError != null)
            {
                WriteError(JournalFailed(submitted.Job, submitted.StoreError));
            }
            _submittedCount++;
            _cost.Add(submitted.Job.Cost, submitted.Job.CostUnit);
            SessionJobs.Remember(submitted.Job, submitted.Request.Tag as System.Security.SecureString);
            var delivered = false;
            try
            {
                WriteObject(submitted.Job);
                delivered = true;
            }
            catch (Exception ex) when (Downstream(ex))
            {
                // The next command took the job and then ended the pipeline (Select-Object -First, a throw, -ErrorAction Stop).
                delivered = true;
                throw;
            }
            finally
            {
                // Refused as the pipeline stops (Ctrl+C): not handed on, so the end of the command names it.
                if (delivered)
                {
                    Ledger.HandedOn(submitted.Job.Id);
                }
            }
        }

        /// <summary>An exception a downstream command raised after it received the object (not PowerShell refusing it while stopping).</summary>
        private static bool Downstream(Exception ex) =>
            !(ex is PipelineStoppedException) || ex.GetType().Name == "StopUpstreamCommandsException";

        /// <summary>
        /// A job an earlier run paid for, emitted instead of paying again. Remembered as this session's (its address trusted
        /// with the key) only where New-Video recorded it here: a job imported from a file keeps its address checked like a
        /// piped row's, so a crafted CSV or journal cannot send the key anywhere.
        /// </summary>
        private void EmitRecorded(JournalEntry recorded)
        {
            _reusedCount++;
            if (!recorded.IsImported)
            {
                SessionJobs.Remember(recorded.Job, ApiKeyFor(recorded.Job.Provider));
            }
            WriteObject(recorded.Job);
        }

        /// <summary>Rows are no longer matched to earlier jobs for the rest of the command, with one warning that says so.</summary>
        private void StoreUnreadable(VideoGenException ex)
        {
            _stored?.Disable();
            WriteWarning("The job store " + _journal!.Path + " could not be read, so rows submitted before are not recognised: " + ex.Message);
        }

        private ErrorRecord JournalFailed(VideoJob job, Exception error) =>
            new ErrorRecord(new VideoGenException(VideoGenErrorKind.LocalFailure,
                "Job " + job.Id + " was created but could not be written to the job store " + _journal!.Path + ": " + error.Message +
                " Keep this task id: Get-VideoStatus -Id " + job.Id + " -Provider " + job.Provider + " -Model " + job.Model + " follows it.", job.Id, null, error),
                "VideoGen.JournalWriteFailed", ErrorCategory.WriteError, job);

        private async System.Threading.Tasks.Task<bool> CheckCreditAsync(PaidRequest paid)
        {
            await _credit.CheckAsync(Client, paid, Log, CancelToken).ConfigureAwait(false);
            return true;
        }

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
    }
}
