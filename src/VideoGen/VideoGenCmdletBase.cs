using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using VideoGen.Core;
using VideoGen.Core.Http;

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
        private static readonly Lazy<VideoGenClient> SharedClient = new Lazy<VideoGenClient>(() => VideoGenClient.CreateDefault(), LazyThreadSafetyMode.ExecutionAndPublication);
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private readonly QueuedLog _log = new QueuedLog();
        private WorkEngine? _engine;

        #region Parameters

        /// <summary>
        /// <para type="description">The provider API key, as a SecureString (e.g. -ApiKey (Get-Secret FastRouter)). Default: the provider's environment variable FASTROUTER_API_KEY, OPENROUTER_API_KEY or APPLEROUTER_API_KEY. Never shown in output, verbose or debug text, or errors.</para>
        /// </summary>
        [Parameter]
        public SecureString? ApiKey { get; set; }

        /// <summary>
        /// <para type="description">The provider's base URI, meaning the same as its documented server URL (https://api.fastrouter.ai, https://openrouter.ai/api/v1, https://api.applerouter.ai). Default: $env:VIDEOGEN_&lt;PROVIDER&gt;_BASE_URI, else the documented URL. Jobs carry the base URI they were submitted to.</para>
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

        /// <summary>Handles one outcome of the engine on the pipeline thread (may write). Called only by <see cref="Drain"/>.</summary>
        protected virtual void OnOutcome(WorkOutcome outcome)
        {
        }

        /// <summary>Called by <see cref="Drain"/> after each pass, on the pipeline thread (progress bars).</summary>
        protected virtual void OnDrained()
        {
        }

        /// <summary>
        /// Called on the pipeline thread when <see cref="Drain"/> finds the pipeline stopping (Ctrl+C), before it ends the
        /// command; writes are attempted and may be refused by PowerShell.
        /// </summary>
        protected virtual void OnStopped()
        {
        }

        /// <summary>
        /// The one drain loop: hands each outcome that arrives within <paramref name="wait"/> (then any already there) to
        /// <see cref="OnOutcome"/>, writes the queued verbose and debug text, and calls <see cref="OnDrained"/>. Pipeline
        /// thread only. When the pipeline is stopping it calls <see cref="OnStopped"/> and ends the command.
        /// </summary>
        protected void Drain(TimeSpan wait)
        {
            if (_engine != null)
            {
                while (!Stopping && _engine.TryRead(wait, out var outcome) && outcome != null)
                {
                    wait = TimeSpan.Zero;
                    OnOutcome(outcome);
                }
            }
            if (Stopping)
            {
                OnStopped();
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

        /// <summary>The -ApiKey as text for the HTTP client, or null when none was given. Never written anywhere.</summary>
        protected string? PlainApiKey => ApiKey is null ? null : new NetworkCredential(string.Empty, ApiKey).Password;

        /// <summary>Resolves the endpoint for a provider from -ApiKey/-BaseUri or the environment.</summary>
        protected ProviderEndpoint ResolveEndpoint(VideoProvider provider, string? baseUri) =>
            EndpointResolver.Resolve(provider, string.IsNullOrWhiteSpace(BaseUri) ? baseUri : BaseUri, PlainApiKey, Environment.GetEnvironmentVariable);

        /// <summary>The job journal at -JournalPath (a PowerShell path, made absolute), else $env:VIDEOGEN_JOURNAL_PATH, else the per-user default.</summary>
        internal static JobJournal ResolveJournal(PSCmdlet cmdlet, string? journalPath) =>
            JobJournal.Resolve(journalPath is null ? null : cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(journalPath), Environment.GetEnvironmentVariable);

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

        /// <summary>An ErrorRecord for a core failure: stable id, the right category, the job (or task id) as target.</summary>
        protected static ErrorRecord ToErrorRecord(Exception exception, object? target)
        {
            if (exception is VideoGenException vg)
            {
                var record = new ErrorRecord(vg, ErrorIdFor(vg), CategoryFor(vg.Kind), target ?? vg.TaskId);
                if (vg.TaskId != null)
                {
                    record.ErrorDetails = new ErrorDetails(vg.Message) { RecommendedAction = RecommendedActionFor(vg) };
                }
                return record;
            }
            return new ErrorRecord(exception, "VideoGen.Unexpected", ErrorCategory.NotSpecified, target);
        }

        /// <summary>
        /// The FullyQualifiedErrorId scripts catch: VideoGen.SubmissionOutcomeUnknown (a submission was sent but its answer
        /// was lost: a job may exist), VideoGen.OutOfCredits (HTTP 402), else VideoGen.&lt;Kind&gt;. Documented in about_VideoGen.
        /// </summary>
        internal static string ErrorIdFor(VideoGenException vg)
        {
            for (Exception? e = vg; e != null; e = e.InnerException)
            {
                if (e is VideoGenException inner && inner.JobMayExist)
                {
                    return "VideoGen.SubmissionOutcomeUnknown";
                }
            }
            return vg.Kind == VideoGenErrorKind.QuotaExceeded && vg.StatusCode == 402 ? "VideoGen.OutOfCredits" : vg.ErrorId;
        }

        private static string RecommendedActionFor(VideoGenException vg) => vg.Kind switch
        {
            VideoGenErrorKind.NotFinished => "Pipe the job through Wait-Video, then Save-Video.",
            VideoGenErrorKind.Timeout => "Run Wait-Video again for task " + vg.TaskId + "; nothing was cancelled at the provider.",
            _ => "Task id " + vg.TaskId + " is kept: Get-VideoStatus -Id " + vg.TaskId + " follows it.",
        };

        /// <summary>The ErrorCategory of each kind of failure.</summary>
        protected static ErrorCategory CategoryFor(VideoGenErrorKind kind) => kind switch
        {
            VideoGenErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
            VideoGenErrorKind.Authentication => ErrorCategory.AuthenticationError,
            VideoGenErrorKind.QuotaExceeded => ErrorCategory.QuotaExceeded,
            VideoGenErrorKind.NotFound => ErrorCategory.ObjectNotFound,
            VideoGenErrorKind.RateLimited => ErrorCategory.LimitsExceeded,
            VideoGenErrorKind.Timeout => ErrorCategory.OperationTimeout,
            VideoGenErrorKind.ProviderUnavailable => ErrorCategory.ConnectionError,
            VideoGenErrorKind.UnexpectedAnswer => ErrorCategory.InvalidResult,
            VideoGenErrorKind.NotFinished => ErrorCategory.ResourceUnavailable,
            VideoGenErrorKind.FileExists => ErrorCategory.ResourceExists,
            VideoGenErrorKind.InvalidFile => ErrorCategory.InvalidData,
            _ => ErrorCategory.NotSpecified,
        };

        /// <summary>Whether an exception is the cancellation Ctrl+C caused.</summary>
        protected bool IsStopping(Exception ex) => ex is OperationCanceledException && _cancel.IsCancellationRequested;

        /// <summary>Releases the cancellation source.</summary>
        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        /// <summary>Releases the engine (bounded, never throws) and the cancellation source.</summary>
        protected virtual void Dispose(bool disposing)
        {
            if (disposing)
            {
                _engine?.Dispose();
                _cancel.Dispose();
            }
        }

        private sealed class QueuedLog : IVideoGenLog
        {
            private readonly ConcurrentQueue<(bool Debug, string Text)> _entries = new ConcurrentQueue<(bool, string)>();

            public void Verbose(string message) => _entries.Enqueue((false, message));

            public void Debug(string message) => _entries.Enqueue((true, message));

            public bool TryTake(out (bool Debug, string Text) entry) => _entries.TryDequeue(out entry);
        }
    }
}
