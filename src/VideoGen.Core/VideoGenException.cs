using System;

namespace VideoGen.Core
{
    /// <summary>What went wrong, in the terms a cmdlet turns into an ErrorCategory.</summary>
    public enum VideoGenErrorKind
    {
        /// <summary>Bad input: caught before submission, or a provider's 400. InvalidArgument.</summary>
        InvalidArgument,
        /// <summary>The key is missing or refused (401/403). AuthenticationError.</summary>
        Authentication,
        /// <summary>Out of credits (402). QuotaExceeded; every later submission would fail too.</summary>
        QuotaExceeded,
        /// <summary>Unknown or expired task id (404 on a poll). ObjectNotFound.</summary>
        NotFound,
        /// <summary>Rate limited (429) after the retries. LimitsExceeded.</summary>
        RateLimited,
        /// <summary>A timeout. OperationTimeout.</summary>
        Timeout,
        /// <summary>The provider failed (5xx) after the retries, or the network did. ConnectionError.</summary>
        ProviderUnavailable,
        /// <summary>An answer not in the documented shape. InvalidResult.</summary>
        UnexpectedAnswer,
        /// <summary>The job ended Failed, Cancelled or Expired. NotSpecified.</summary>
        JobFailed,
        /// <summary>The job has not finished yet. ResourceUnavailable.</summary>
        NotFinished,
        /// <summary>The target file exists. ResourceExists.</summary>
        FileExists,
        /// <summary>The downloaded file failed verification (length, MP4 signature). InvalidData.</summary>
        InvalidFile,
        /// <summary>No key is configured for the provider (no -ApiKey, no key variable); nothing was sent. AuthenticationError.</summary>
        NoApiKey,
        /// <summary>A failure on this machine, not at the provider: a full disk, a read-only folder, a file in use. The message names the path. WriteError.</summary>
        LocalFailure,
    }

    /// <summary>
    /// The one exception VideoGen's core throws for failures a user can act on. Messages never contain an
    /// API key; <see cref="TaskId"/> carries the task id whenever a job exists, so nothing paid for is lost.
    /// </summary>
    public sealed class VideoGenException : Exception
    {
        /// <summary>Creates the exception.</summary>
        /// <param name="kind">What went wrong.</param>
        /// <param name="message">What happened and what to do next.</param>
        /// <param name="taskId">The provider's task id, where a job exists.</param>
        /// <param name="statusCode">The HTTP status code, where there was an answer.</param>
        /// <param name="inner">The underlying exception.</param>
        public VideoGenException(VideoGenErrorKind kind, string message, string? taskId = null, int? statusCode = null, Exception? inner = null)
            : base(message, inner)
        {
            Kind = kind;
            TaskId = taskId;
            StatusCode = statusCode;
        }

        /// <summary>What went wrong.</summary>
        public VideoGenErrorKind Kind { get; }

        /// <summary>The task id of the job concerned, where one exists.</summary>
        public string? TaskId { get; }

        /// <summary>The HTTP status code of the provider's answer, where there was one.</summary>
        public int? StatusCode { get; }

        /// <summary>The wait the provider asked for (Retry-After), where it sent one.</summary>
        public TimeSpan? RetryAfter { get; internal set; }

        /// <summary>
        /// Whether a job may have been created at the provider although no task id came back (a submission that failed
        /// after it was sent). False where <see cref="TaskId"/> is set: then the job certainly exists and the id is known
        /// (e.g. an answer with an id but a field that cannot be read); journal it.
        /// </summary>
        public bool JobMayExist { get; internal set; }

        /// <summary>A 404 whose body is not the provider's error document: the route itself is missing, not the task.</summary>
        internal bool RouteMissing { get; set; }

        /// <summary>A stable error id for PowerShell's ErrorRecord, e.g. <c>VideoGen.Authentication</c>.</summary>
        public string ErrorId => "VideoGen." + Kind;

        /// <summary>A copy of this exception carrying a task id (used where the id becomes known higher up).</summary>
        internal VideoGenException WithTaskId(string taskId) =>
            TaskId == taskId ? this : new VideoGenException(Kind, Message, taskId, StatusCode, InnerException) { RetryAfter = RetryAfter, JobMayExist = JobMayExist };
    }
}
