using System;
using System.IO;
using System.Management.Automation;
using VideoGen.Core;

namespace VideoGen.Commands
{
    /// <summary>
    /// Checks made before the first row (BeginProcessing runs for every command of a pipeline before any row), so nothing
    /// is paid for that cannot be recorded or saved: each ends the command with an error naming what the user gave.
    /// </summary>
    internal static class Preflight
    {
        /// <summary>
        /// Checks before the first row (BeginProcessing runs for every command of a pipeline before any row) that a folder
        /// can be created and written, so nothing is paid for that cannot be saved; the error names the path the user gave.
        /// </summary>
        internal static void RequireWritableFolder(PSCmdlet cmdlet, string folder, string given, string parameter)
        {
            try
            {
                Directory.CreateDirectory(folder);
                var probe = Path.Combine(folder, ".videogen-write-check-" + Guid.NewGuid().ToString("N").Substring(0, 8));
                using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
                {
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is NotSupportedException || ex is ArgumentException)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(new VideoGenException(VideoGenErrorKind.InvalidArgument,
                    parameter + " '" + given + "' cannot be written (" + ex.Message + "), so nothing was submitted or saved. Give a folder you can write to."),
                    "VideoGen.PathNotWritable", ErrorCategory.PermissionDenied, given));
            }
        }

        /// <summary>
        /// Checks before the first row that the job store can be written (created, with its schema, if missing): a store that
        /// is damaged, read-only, a JSON-lines journal, on a network share or locked ends the command before anything is paid.
        /// </summary>
        internal static void RequireWritableJournal(PSCmdlet cmdlet, JobJournal journal, string? given)
        {
            try
            {
                journal.EnsureWritable();
            }
            catch (VideoGenException ex)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(new VideoGenException(VideoGenErrorKind.InvalidArgument,
                    "The job store '" + (given ?? journal.Path) + "' cannot be used, so nothing was submitted: every job must be on disk before it is paid for. " + ex.Message, null, null, ex),
                    "VideoGen.JournalNotWritable", ErrorCategory.PermissionDenied, given ?? journal.Path));
            }
        }
    }
}
