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
    /// The base of every VideoGen cmdlet: owns cancellation (Ctrl+C calls StopProcessing, which cancels),
    /// the shared HTTP client, the -ApiKey and -BaseUri parameters, the log that background work fills and
    /// the pipeline thread drains, and the mapping of core errors to ErrorRecords.
    /// </summary>
    public abstract class VideoGenCmdletBase : PSCmdlet, IDisposable
    {
        private static readonly Lazy<VideoGenClient> SharedClient = new Lazy<VideoGenClient>(() => VideoGenClient.CreateDefault(), LazyThreadSafetyMode.ExecutionAndPublication);
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private readonly QueuedLog _log = new QueuedLog();

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
        protected override void StopProcessing() => _cancel.Cancel();

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

        /// <summary>Waits for a task on the pipeline thread, writing queued verbose/debug text meanwhile.</summary>
        protected T Await<T>(Task<T> task)
        {
            while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(100))
            {
                DrainLog();
            }
            DrainLog();
            return task.GetAwaiter().GetResult();
        }

        /// <summary>Writes queued verbose and debug text; pipeline thread only.</summary>
        protected void DrainLog()
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
                var record = new ErrorRecord(vg, vg.ErrorId, CategoryFor(vg.Kind), target ?? vg.TaskId);
                if (vg.TaskId != null)
                {
                    record.ErrorDetails = new ErrorDetails(vg.Message) { RecommendedAction = RecommendedActionFor(vg) };
                }
                return record;
            }
            return new ErrorRecord(exception, "VideoGen.Unexpected", ErrorCategory.NotSpecified, target);
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

        /// <summary>Releases resources; derived cmdlets release their background work here.</summary>
        protected virtual void Dispose(bool disposing)
        {
            if (disposing)
            {
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
