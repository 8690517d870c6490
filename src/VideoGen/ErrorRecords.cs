using System;
using System.Management.Automation;
using VideoGen.Core;

namespace VideoGen.Commands
{
    /// <summary>
    /// Core failures as PowerShell error records: the stable FullyQualifiedErrorId scripts catch, the ErrorCategory of each
    /// kind, the job (or task id) as target, and the command to run next. Documented in about_VideoGen (ERRORS).
    /// </summary>
    internal static class ErrorRecords
    {
        /// <summary>An ErrorRecord for a core failure: stable id, the right category, the job (or task id) as target.</summary>
        internal static ErrorRecord ToErrorRecord(Exception exception, object? target)
        {
            if (exception is VideoGenException vg)
            {
                var record = new ErrorRecord(vg, ErrorIdFor(vg), CategoryFor(vg.Kind), target ?? vg.TaskId);
                if (vg.TaskId != null)
                {
                    record.ErrorDetails = new ErrorDetails(vg.Message) { RecommendedAction = RecommendedActionFor(vg, target as VideoJob) };
                }
                return record;
            }
            return new ErrorRecord(exception, "VideoGen.Unexpected", ErrorCategory.NotSpecified, target);
        }

        /// <summary>
        /// The FullyQualifiedErrorId scripts catch: VideoGen.SubmissionOutcomeUnknown (a submission was sent but its answer
        /// was lost: a job may exist), VideoGen.OutOfCredits (the provider says the account cannot pay: HTTP 402, or fal's 403
        /// "User is locked"), else VideoGen.&lt;Kind&gt;. Documented in about_VideoGen.
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
            // A provider's own answer (a status code), not -MaxCost's budget, which is counted here.
            return vg.Kind == VideoGenErrorKind.QuotaExceeded && vg.StatusCode is int status && status >= 400 && status < 500 ? "VideoGen.OutOfCredits" : vg.ErrorId;
        }

        /// <summary>What to run next, as a command ready to paste: it names the task id, and the provider and model when known.</summary>
        internal static string RecommendedActionFor(VideoGenException vg, VideoJob? job)
        {
            var follow = "Get-VideoStatus -Id " + vg.TaskId +
                (job is null ? string.Empty : " -Provider " + job.Provider + (string.IsNullOrWhiteSpace(job.Model) ? string.Empty : " -Model '" + job.Model + "'"));
            return vg.Kind switch
            {
                VideoGenErrorKind.NotFinished => follow + " | Wait-Video | Save-Video",
                VideoGenErrorKind.Timeout => "Nothing was cancelled at the provider; wait again with: " + follow + " | Wait-Video | Save-Video",
                VideoGenErrorKind.LocalFailure => "This machine failed, not the provider: free disk space or choose a folder you can write to, then save again with: " + follow + " | Save-Video -OutputDirectory <folder>",
                VideoGenErrorKind.NotFound => "The provider does not know this task (wrong id, another provider or base URI, or an expired result). Check the id, then: " + follow,
                _ => "Task id " + vg.TaskId + " is kept; follow it with: " + follow,
            };
        }

        /// <summary>The ErrorCategory of each kind of failure.</summary>
        internal static ErrorCategory CategoryFor(VideoGenErrorKind kind) => kind switch
        {
            VideoGenErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
            VideoGenErrorKind.Authentication => ErrorCategory.AuthenticationError,
            VideoGenErrorKind.NoApiKey => ErrorCategory.AuthenticationError,
            VideoGenErrorKind.LocalFailure => ErrorCategory.WriteError,
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
    }
}
