using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using VideoGen.Core;
using VideoGen.Core.Http;
using VideoGen.Core.Submitting;

namespace VideoGen.Commands
{
    /// <summary>
    /// The base of every VideoGen cmdlet: owns cancellation (Ctrl+C calls StopProcessing), the shared HTTP client,
    /// the -ApiKey and -BaseUri parameters, the background engine (<see cref="WorkEngine"/>) and the one drain loop
    /// that hands its outcomes and the queued verbose/debug text to the pipeline thread — the only place from which
    /// a VideoGen cmdlet writes to PowerShell's streams — and the mapping of core errors to ErrorRecords.
    /// </summary>
    public abstract class VideoGenCmdletBase : PSCmdlet, IDisposable
    {
        private static readonly Lazy<VideoGenClient> SharedClient = new Lazy<VideoGenClient>(
            () => VideoGenClient.CreateDefault(VideoGenClientOptions.FromEnvironment(Environment.GetEnvironmentVariable)), LazyThreadSafetyMode.ExecutionAndPublication);
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private readonly QueuedLog _log = new QueuedLog();
        private WorkEngine? _engine;

        #region Parameters

        /// <summary>
        /// <para type="description">The provider API key, as a SecureString (e.g. -ApiKey (Get-Secret FastRouter)). It is sent only to the provider named by -Provider (or $env:VIDEOGEN_PROVIDER), at its configured base URI; rows or jobs of other providers use their own key variable. Jobs piped on to Wait-Video, Save-Video or Get-VideoStatus in the same session carry it along in memory (never exported or journaled). Default: the provider's environment variable FASTROUTER_API_KEY, OPENROUTER_API_KEY, APPLEROUTER_API_KEY or OPENAICOMPATIBLE_API_KEY. Never shown in output, verbose or debug text, or errors.</para>
        /// </summary>
        [Parameter]
        [PlainTextKey]
        public SecureString? ApiKey { get; set; }

        /// <summary>
        /// <para type="description">The provider's base URI, meaning the same as its documented server URL (https://api.fastrouter.ai, https://openrouter.ai/api/v1, https://api.applerouter.ai). Default: $env:VIDEOGEN_&lt;PROVIDER&gt;_BASE_URI, else the documented URL. Jobs carry the base URI they were submitted to. A BaseUri that arrives from pipeline input (a CSV or JSON column) is used only when it is one of those, or the one New-Video recorded for the job; otherwise that row is refused before any request, so a key never goes to an address from a file.</para>
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? BaseUri { get; set; }

        #endregion

        /// <summary>The one client all cmdlets share (one connection pool).</summary>
        protected static VideoGenClient Client => SharedClient.Value;

        /// <summary>The shared client, for completers.</summary>
        internal static VideoGenClient SharedClientInstance => SharedClient.Value;

        /// <summary>Cancelled by Ctrl+C.</summary>
        protected CancellationToken CancelToken => _cancel.Token;

        /// <summary>The log that background work writes and <see cref="DrainLog"/> empties.</summary>
        protected IVideoGenLog Log => _log;

        #region Overrides

        /// <inheritdoc/>
        protected override void StopProcessing()
        {
            _cancel.Cancel();
            OnStopping(_engine);
        }

        /// <summary>
        /// What Ctrl+C does to the background work (called on PowerShell's stopping thread): by default cancels it all.
        /// New-Video only stops starting, so submissions already sent still answer and are journaled.
        /// </summary>
        protected virtual void OnStopping(WorkEngine? engine) => engine?.Cancel();

        /// <summary>Creates this invocation's background engine (once, in BeginProcessing).</summary>
        protected WorkEngine StartEngine(int throttleLimit, Func<Exception, bool>? stopStartingWhen = null) =>
            _engine = new WorkEngine(throttleLimit, stopStartingWhen);

        /// <summary>The background engine, once started.</summary>
        protected WorkEngine Engine => _engine ?? throw new InvalidOperationException("The engine was not started.");

        /// <summary>Called by <see cref="Drain"/> after each pass, on the pipeline thread (progress bars).</summary>
        protected virtual void OnDrained()
        {
        }

        /// <summary>How long the end of a command waits for paid requests already sent to answer before it names them as unanswered.</summary>
        internal static readonly TimeSpan InFlightAnswerBound = TimeSpan.FromSeconds(30);

        /// <summary>The paid requests of this command in flight, and the jobs created and not yet handed down the pipeline.</summary>
        protected SubmissionLedger Ledger { get; } = new SubmissionLedger();

        /// <summary>The job store the ledger's jobs are committed to, for the end-of-command warning.</summary>
        protected virtual string LedgerStore => "the job store";

        private int _ended;
        private bool _answersOutstanding;

        /// <summary>
        /// The one end of every command that did not end through its EndProcessing: Ctrl+C (found by <see cref="Drain"/>), a
        /// downstream <c>Select-Object -First</c>, <c>-ErrorAction Stop</c>, a terminating error anywhere in the pipeline, and
        /// disposal (reached from <see cref="Dispose(bool)"/>). Stops starting (<see cref="OnStopping"/>), lets the paid
        /// requests already sent answer (bounded by <see cref="InFlightAnswerBound"/>; their workers commit each id to the
        /// store), then names every job created and not handed on and every request still unanswered in a warning — on the
        /// host when PowerShell refuses the streams. Runs once; after a normal end the ledger holds nothing to name.
        /// </summary>
        protected void EndCommand()
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
            {
                return;
            }
            OnStopping(_engine);
            _answersOutstanding = !Ledger.WaitForAnswers(InFlightAnswerBound);
            foreach (var line in Ledger.Report(LedgerStore, InFlightAnswerBound))
            {
                WarnEvenIfStopping(line);
            }
        }

        /// <summary>A warning through the stream, or at the host where PowerShell refuses the stream (stopping, or after the pipeline).</summary>
        private void WarnEvenIfStopping(string warning)
        {
            try
            {
                WriteWarning(warning);
                return;
            }
            catch (Exception ex) when (ex is PipelineStoppedException || ex is InvalidOperationException || ex is NotImplementedException || ex is NullReferenceException)
            {
            }
            try
            {
                // The console (and a transcript) still shows the host's warning; the store holds every answered id.
                Host?.UI?.WriteWarningLine(warning);
            }
            catch (Exception ex) when (ex is PipelineStoppedException || ex is NotImplementedException || ex is InvalidOperationException)
            {
            }
        }

        /// <summary>
        /// The one drain loop: hands each outcome that arrives within <paramref name="wait"/> (then any already there) to
        /// the handler its item was started with (<see cref="WorkOutcome.Deliver"/>), writes the queued verbose and debug text, and calls <see cref="OnDrained"/>. Pipeline
        /// thread only. When the pipeline is stopping it ends the command through <see cref="EndCommand"/>.
        /// </summary>
        protected void Drain(TimeSpan wait)
        {
            if (_engine != null)
            {
                while (!Stopping && _engine.TryRead(wait, out var outcome) && outcome != null)
                {
                    wait = TimeSpan.Zero;
                    // The handler the item was started with, typed, on this (the pipeline) thread.
                    outcome.Deliver();
                }
            }
            if (Stopping)
            {
                EndCommand();
                throw new PipelineStoppedException();
            }
            DrainLog();
            OnDrained();
        }

        /// <summary>EndProcessing's loop: no more items; drain until every outcome was handled.</summary>
        protected void DrainToEnd()
        {
            Engine.CompleteAdding();
            while (!Engine.IsDone)
            {
                Drain(TimeSpan.FromMilliseconds(200));
            }
            Drain(TimeSpan.Zero);
        }

        #endregion

        private bool _captured;
        private string? _typedBaseUri;
        private string? _baseUriProvider;
        // A name, not the core's VideoProvider: a field of a value type from VideoGen.Core would make PowerShell load it while it
        // reads the exported cmdlet types, before the module initializer has set up the dependencies folder.
        private string? _keyProvider;

        /// <inheritdoc/>
        protected override void BeginProcessing() => CaptureCommandLine();

        /// <summary>
        /// Records what was typed on the command line (before any pipeline object binds): -BaseUri, and the provider -ApiKey
        /// is for (-Provider, else $env:VIDEOGEN_PROVIDER). An -ApiKey with neither is refused before any row: the key is
        /// sent only to the provider it was given for.
        /// </summary>
        protected void CaptureCommandLine()
        {
            if (_captured)
            {
                return;
            }
            _captured = true;
            var bound = MyInvocation.BoundParameters;
            _log.WantsVerbose = Wants(bound, "Verbose", "VerbosePreference");
            _log.WantsDebug = Wants(bound, "Debug", "DebugPreference");
            _typedBaseUri = bound.TryGetValue("BaseUri", out var typed) ? typed as string : null;
            var typedProvider = bound.TryGetValue("Provider", out var p) ? p as string : null;
            if (string.IsNullOrWhiteSpace(typedProvider))
            {
                typedProvider = Environment.GetEnvironmentVariable(EndpointResolver.ProviderVariable);
            }
            if (!string.IsNullOrWhiteSpace(_typedBaseUri))
            {
                // Like -ApiKey: an address typed for one provider must never receive another provider's key.
                if (string.IsNullOrWhiteSpace(typedProvider) || !Core.Providers.ProviderMappings.TryParse(typedProvider!, out var forProvider))
                {
                    ThrowTerminatingError(new ErrorRecord(new VideoGenException(VideoGenErrorKind.InvalidArgument,
                        "-BaseUri is used only for the provider it was given for: name that provider with -Provider (" + string.Join(", ", Core.Providers.ProviderMappings.Names) +
                        ") or $env:" + EndpointResolver.ProviderVariable + ", so no other provider's key is ever sent there."),
                        "VideoGen.BaseUriNeedsProvider", ErrorCategory.InvalidArgument, null));
                    return;
                }
                _baseUriProvider = forProvider.ToString();
            }
            if (ApiKey is null)
            {
                return;
            }
            if (PlainTextKeyAttribute.WasPlainText(ApiKey))
            {
                WriteWarning("-ApiKey was given as plain text, so it may stay in the command history and transcripts. Prefer -ApiKey (Get-Secret <name>) from SecretManagement, or -ApiKey (Read-Host -AsSecureString).");
            }
            var named = bound.TryGetValue("Provider", out var provider) ? provider as string : null;
            if (string.IsNullOrWhiteSpace(named))
            {
                named = Environment.GetEnvironmentVariable(EndpointResolver.ProviderVariable);
            }
            if (string.IsNullOrWhiteSpace(named) || !Core.Providers.ProviderMappings.TryParse(named!, out var parsed))
            {
                ThrowTerminatingError(new ErrorRecord(new VideoGenException(VideoGenErrorKind.InvalidArgument,
                    "-ApiKey is sent only to the provider it was given for: name that provider with -Provider (" + string.Join(", ", Core.Providers.ProviderMappings.Names) +
                    ") or $env:" + EndpointResolver.ProviderVariable + (string.IsNullOrWhiteSpace(named) ? "." : "; '" + named + "' is not a provider.")),
                    "VideoGen.ApiKeyNeedsProvider", ErrorCategory.InvalidArgument, null));
                return;
            }
            _keyProvider = parsed.ToString();
        }

        private readonly HashSet<string> _noKeyReported = new HashSet<string>(StringComparer.Ordinal);
        private int _noKeySuppressed;

        /// <summary>
        /// A "no API key" error is written once per provider per command (rows after the first are counted, not repeated);
        /// returns false when this one was already reported and should not be written again.
        /// </summary>
        protected bool FirstNoKeyError(VideoGenException ex)
        {
            if (ex.Kind != VideoGenErrorKind.NoApiKey)
            {
                return true;
            }
            // The same missing key says the same thing whatever the row: "No API key for OpenRouter. Pass -ApiKey or ...".
            var start = ex.Message.IndexOf("No API key for ", StringComparison.Ordinal);
            var what = start < 0 ? ex.Message : ex.Message.Substring(start);
            if (_noKeyReported.Add(what.Split('.')[0]))
            {
                return true;
            }
            _noKeySuppressed++;
            return false;
        }

        /// <summary>How many "no API key" errors were not repeated; EndProcessing of each cmdlet says so once.</summary>
        protected void ReportSuppressedNoKeyErrors()
        {
            if (_noKeySuppressed > 0)
            {
                WriteVerbose(_noKeySuppressed + " more row(s) were skipped for the same missing API key (" + string.Join(", ", _noKeyReported) + ").");
            }
        }

        /// <summary>
        /// With -Provider typed on the command line and no key for it (no -ApiKey, no key variable), ends the command before
        /// any row, the way Az asks for Connect-AzAccount: one error saying how to give the key.
        /// </summary>
        protected void RequireKeyForTypedProvider()
        {
            if (!MyInvocation.BoundParameters.TryGetValue("Provider", out var typed) || !(typed is string name) ||
                !Core.Providers.ProviderMappings.TryParse(name, out var provider) || ApiKeyFor(provider) != null ||
                !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EndpointResolver.ApiKeyVariable(provider))))
            {
                return;
            }
            ThrowTerminatingError(new ErrorRecord(new VideoGenException(VideoGenErrorKind.NoApiKey,
                "No API key for " + provider + ", so nothing was sent. Set it for this session with $env:" + EndpointResolver.ApiKeyVariable(provider) +
                " = '<key>', or pass -ApiKey (Get-Secret " + provider + ") / -ApiKey (Read-Host -AsSecureString), then run the command again."),
                "VideoGen.NoApiKey", ErrorCategory.AuthenticationError, provider.ToString()));
        }

        /// <summary>The -ApiKey when it was given for <paramref name="provider"/>, as a SecureString; else null.</summary>
        protected SecureString? ApiKeyFor(VideoProvider provider) => ApiKey != null && _keyProvider == provider.ToString() ? ApiKey : null;

        /// <summary>
        /// The one rule for which key goes with a request to <paramref name="provider"/> about <paramref name="pipelineObject"/>:
        /// -ApiKey when it was given for that provider, else the key the piped job carries from this session (for its own
        /// provider only), else null (the provider's key variable is used). The job made from it carries the same key on.
        /// </summary>
        protected SecureString? CarriedKey(VideoProvider provider, object? pipelineObject) =>
            ApiKeyFor(provider) ?? (SessionJobs.TryGet(pipelineObject, out var known, out _, out var carried) && known == provider ? carried : null);

        /// <summary>The key of <see cref="CarriedKey"/> as text, for the endpoint; never written anywhere.</summary>
        protected string? KeyFor(VideoProvider provider, object? pipelineObject = null) =>
            CarriedKey(provider, pipelineObject) is SecureString key ? new NetworkCredential(string.Empty, key).Password : null;

        /// <summary>
        /// The base URI for a request to <paramref name="provider"/>: -BaseUri typed on the command line; else the pipeline
        /// object's BaseUri when it is one configured for the provider, recorded for the job (<paramref name="recorded"/>), or
        /// the one a job emitted in this session carries; else null (the variable or the documented server).
        /// </summary>
        /// <exception cref="VideoGenException">A BaseUri from pipeline input that matches none of them.</exception>
        protected string? BaseUriFor(VideoProvider provider, object? pipelineObject = null, Func<string?>? recorded = null)
        {
            if (!string.IsNullOrWhiteSpace(_typedBaseUri))
            {
                // Typed for one provider only: rows and jobs of another provider use their own configured address.
                return _baseUriProvider == provider.ToString() ? _typedBaseUri : null;
            }
            var fromRow = BaseUri;
            if (string.IsNullOrWhiteSpace(fromRow))
            {
                return null;
            }
            if (SessionJobs.TryGet(pipelineObject, out var known, out var knownUri, out _) && known == provider &&
                EndpointScope.Normalize(knownUri) == EndpointScope.Normalize(fromRow))
            {
                return fromRow;
            }
            EndpointScope.EnsureConfigured(provider, fromRow!, Environment.GetEnvironmentVariable, recorded?.Invoke());
            return fromRow;
        }

        /// <summary>Chooses the provider from a parameter value, $env:VIDEOGEN_PROVIDER, or the one key set.</summary>
        protected VideoProvider ResolveProvider(string? provider) =>
            EndpointResolver.ResolveProvider(provider, ApiKey != null, Environment.GetEnvironmentVariable);

        /// <summary>Waits for a task on the pipeline thread, draining the engine and the log meanwhile.</summary>
        protected T Await<T>(Task<T> task)
        {
            while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(50))
            {
                Drain(TimeSpan.Zero);
            }
            Drain(TimeSpan.Zero);
            return task.GetAwaiter().GetResult();
        }

        /// <summary>
        /// Whether Write-Verbose (or Write-Debug) would show anything: -Verbose:$true/$false where given, else the preference
        /// variable in the caller's scope (a function called with -Verbose sets it there); true where it cannot be told.
        /// </summary>
        private bool Wants(System.Collections.Generic.Dictionary<string, object> bound, string parameter, string preference)
        {
            if (bound.TryGetValue(parameter, out var given))
            {
                return given is SwitchParameter flag ? flag.IsPresent : LanguagePrimitives.IsTrue(given);
            }
            try
            {
                return !(LanguagePrimitives.TryConvertTo<ActionPreference>(GetVariableValue(preference), out var value) &&
                    (value == ActionPreference.SilentlyContinue || value == ActionPreference.Ignore));
            }
            catch (PSInvalidOperationException)
            {
                return true; // not in a runspace that can say (a cmdlet invoked from C#)
            }
        }

        /// <summary>Writes queued verbose and debug text; pipeline thread only.</summary>
        private void DrainLog()
        {
            while (_log.TryTake(out var entry))
            {
                if (entry.Debug)
                {
                    WriteDebug(entry.Text);
                }
                else
                {
                    WriteVerbose(entry.Text);
                }
            }
        }

        private static readonly string[] SummaryTags = { "VideoGen", "Summary" };
        private static readonly string[] HostTags = { "PSHOST", "VideoGen" };

        /// <summary>
        /// The one-line summary each cmdlet writes at its end to the Information stream (tags VideoGen, Summary): counts and
        /// the cost reported per unit, so a scheduled task's transcript (with $InformationPreference = 'Continue') shows
        /// what the night cost.
        /// </summary>
        protected void WriteSummary(string text) => WriteInformation(text, SummaryTags);

        /// <summary>A line shown at the console as Write-Host would (tag PSHOST), also kept in the Information stream.</summary>
        protected void WriteToHost(string text) => WriteInformation(new HostInformationMessage { Message = text }, HostTags);

        /// <summary>Whether an exception is the cancellation Ctrl+C caused.</summary>
        protected bool IsStopping(Exception ex) => ex is OperationCanceledException && _cancel.IsCancellationRequested;

        /// <summary>Releases the cancellation source.</summary>
        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        /// <summary>Ends the command through <see cref="EndCommand"/>, then releases the engine (bounded, never throws) and the cancellation source.</summary>
        protected virtual void Dispose(bool disposing)
        {
            if (disposing)
            {
                EndCommand();
                // Where the end already waited its whole bound for answers, disposal does not wait again.
                _engine?.Dispose(_answersOutstanding ? TimeSpan.Zero : WorkEngine.DisposeBound);
                _cancel.Dispose();
            }
        }

        private sealed class QueuedLog : IVideoGenLog, IVideoGenLogLevels
        {
            private readonly ConcurrentQueue<(bool Debug, string Text)> _entries = new ConcurrentQueue<(bool, string)>();

            /// <inheritdoc/>
            public bool WantsVerbose { get; set; } = true;

            /// <inheritdoc/>
            public bool WantsDebug { get; set; } = true;

            public void Verbose(string message)
            {
                if (WantsVerbose)
                {
                    _entries.Enqueue((false, message));
                }
            }

            public void Debug(string message)
            {
                if (WantsDebug)
                {
                    _entries.Enqueue((true, message));
                }
            }

            public bool TryTake(out (bool Debug, string Text) entry) => _entries.TryDequeue(out entry);
        }
    }
}
