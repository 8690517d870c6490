using System;
using System.Management.Automation;
using VideoGen.Core;
using static VideoGen.Commands.ErrorRecords;

namespace VideoGen.Commands
{
    /// <summary>
    /// <para type="synopsis">Polls a video job once and emits its current state.</para>
    /// <para type="description">Get-VideoStatus asks the provider once for each piped job (or for -Id with -Provider and -Model) and emits the job with its normalized Status (Queued, Running, Succeeded, Failed, Cancelled, Expired), Progress where the provider reports it, and VideoUrl once finished. A job that cannot be polled gives an error record carrying its id.</para>
    /// </summary>
    /// <example>
    ///   <code>Import-Csv jobs.csv | Get-VideoStatus | Format-Table</code>
    ///   <para>Checks every job exported earlier with New-Video | Export-Csv jobs.csv.</para>
    /// </example>
    /// <example>
    ///   <code>Get-VideoStatus -Id task0a1b2c -Provider FastRouter -Model google/veo3</code>
    ///   <para>Polls one FastRouter task by id; FastRouter needs the model the job was submitted with.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "VideoStatus", HelpUri = "https://github.com/videogen/VideoGen/blob/main/docs/cmdlets.md#get-videostatus")]
    [OutputType(typeof(VideoJob))]
    public sealed class GetVideoStatusCommand : JobCmdletBase
    {
        #region Overrides

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            RequireKeyForIdTyped();
        }

        /// <inheritdoc/>
        protected override void EndProcessing() => ReportSuppressedNoKeyErrors();

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            try
            {
                var (job, endpoint) = CurrentJob();
                var polled = Await(Client.PollAsync(endpoint, job, Log, CancelToken));
                RecordEnded(polled);
                RememberEmitted(polled, CarriedKey(polled.Provider));
                WriteObject(polled);
            }
            catch (VideoGenException ex) when (!FirstNoKeyError(ex))
            {
            }
            catch (VideoGenException ex)
            {
                WriteError(ToErrorRecord(ex.TaskId is null ? new VideoGenException(ex.Kind, ex.Message + " Task id: " + Id + ".", Id, ex.StatusCode, ex) : ex, Id));
            }
            catch (Exception ex) when (IsStopping(ex))
            {
            }
        }

        #endregion
    }
}
