using System;
using System.Management.Automation;
using VideoGen.Core;
using static VideoGen.Commands.ErrorRecords;
using static VideoGen.Commands.StoreAccess;
using VideoGen.Core.Providers;

namespace VideoGen.Commands
{
    /// <summary>
    /// <para type="synopsis">Deletes videos at an OpenAI-style gateway (OpenAICompatible, or AppleRouter's veo-3.1 models).</para>
    /// <para type="description">Remove-Video sends DELETE videos/{id} for each piped job (or -Id with -Provider), asking for confirmation first (ConfirmImpact High: -Confirm:$false skips it, -WhatIf sends nothing). A deleted video is gone at the provider for good: it can no longer be polled, saved or remixed. Each deleted job is marked ended in the job journal, so Get-VideoJob no longer lists it. Only the OpenAI-style /videos route has delete: FastRouter, OpenRouter and AppleRouter's /v1/video/generations tasks are refused before any request. Emits nothing unless -PassThru, which emits each deleted job with its status (ProviderStatus 'deleted'). Deletions run in parallel (-ThrottleLimit).</para>
    /// </summary>
    /// <example>
    ///   <code>Get-VideoJob -All | Where-Object Provider -eq OpenAICompatible | Remove-Video -Confirm:$false</code>
    ///   <para>Deletes every OpenAICompatible video the journal knows, without asking for each.</para>
    /// </example>
    /// <example>
    ///   <code>Remove-Video -Id video_68d7512d -Provider AppleRouter -Model veo-3.1 -WhatIf</code>
    ///   <para>Shows what would be deleted at AppleRouter's /v1/videos route and sends nothing.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Remove, "Video", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = "https://github.com/videogen/VideoGen/blob/main/docs/cmdlets.md#remove-video")]
    [OutputType(typeof(VideoJob))]
    public sealed class RemoveVideoCommand : JobCmdletBase
    {
        #region Parameters

        /// <summary><para type="description">Emit each deleted job (with its status, ProviderStatus 'deleted'). By default Remove-Video emits nothing.</para></summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary><para type="description">The most deletions in flight at once. Default 4. A deletion is retried on 429 and 5xx (deleting twice deletes once).</para></summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 4;

        #endregion

        #region Overrides

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            // A provider without delete is refused per row, with its own message, rather than for a missing key.
            if (MyInvocation.BoundParameters.TryGetValue(nameof(Provider), out var typed) && ProviderMappings.TryParse(typed as string, out var provider) &&
                VideoOperations.HasRemixAndDelete(provider))
            {
                RequireKeyForIdTyped();
            }
            StartEngine(ThrottleLimit);
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            try
            {
                if (string.IsNullOrWhiteSpace(Id))
                {
                    // CurrentJob says what is wrong with a blank Id.
                    CurrentJob();
                }
                // Before the key or the base URI is looked at: a provider or route without delete is refused before any request.
                var probe = VideoJob.Restore(Id, ResolveProvider(Provider), Model, null, null, null, PollingUrl);
                try
                {
                    VideoOperations.ForDelete(probe);
                }
                catch (VideoGenException ex)
                {
                    WriteError(new ErrorRecord(ex, "VideoGen.DeleteNotSupported", ErrorCategory.NotImplemented, Id));
                    return;
                }
                var (job, endpoint) = CurrentJob();
                if (!ShouldProcess("video " + job.Id + " at " + job.Provider + (string.IsNullOrWhiteSpace(job.Name) ? string.Empty : " ('" + job.Name + "')"),
                    "Delete the video at the provider (it cannot be polled, saved or remixed afterwards)"))
                {
                    return;
                }
                var key = CarriedKey(job.Provider);
                var client = Client;
                var journal = Journal;
                var log = Log;
                Engine.StartInSlot(new Target(job, key), async context =>
                {
                    var deleted = await client.DeleteAsync(endpoint, job, log, context.Token).ConfigureAwait(false);
                    // In the journal the moment the provider confirmed, by the worker: Get-VideoJob no longer lists it.
                    return new Deleted(deleted, TryJournal(() => journal.Ended(deleted))?.Message);
                }, OnDeleted);
            }
            catch (VideoGenException ex) when (!FirstNoKeyError(ex))
            {
            }
            catch (VideoGenException ex)
            {
                WriteError(ToErrorRecord(ex.TaskId is null ? new VideoGenException(ex.Kind, ex.Message + " Task id: " + Id + ".", Id, ex.StatusCode, ex) : ex, Id));
            }
            finally
            {
                Drain(TimeSpan.Zero);
            }
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            DrainToEnd();
            ReportSuppressedNoKeyErrors();
        }

        /// <summary>A deletion confirmed, or the error naming its job, on the pipeline thread.</summary>
        private void OnDeleted(WorkOutcome<Target, Deleted> outcome)
        {
            if (outcome.Error is null && outcome.Value is Deleted deleted)
            {
                if (deleted.JournalError != null)
                {
                    WriteWarning("Deleted video " + deleted.Job.Id + " but could not mark it ended in the journal: " + deleted.JournalError);
                }
                WriteVerbose("Deleted video " + deleted.Job.Id + " at " + deleted.Job.Provider + ".");
                if (PassThru)
                {
                    RememberEmitted(deleted.Job, outcome.State.Key);
                    WriteObject(deleted.Job);
                }
            }
            else if (outcome.Error != null && !(outcome.Error is OperationCanceledException && Stopping))
            {
                var job = outcome.State.Job;
                WriteError(ToErrorRecord(outcome.Error is VideoGenException vg ? (vg.TaskId is null ? new VideoGenException(vg.Kind, vg.Message + " Task id: " + job.Id + ".", job.Id, vg.StatusCode, vg) : vg)
                    : new VideoGenException(VideoGenErrorKind.UnexpectedAnswer, "Deleting video " + job.Id + " failed: " + outcome.Error.Message, job.Id, null, outcome.Error), job));
            }
        }

        #endregion

        /// <summary>A deletion: the job (so every error names its id) and the key it carries on.</summary>
        private sealed class Target
        {
            public Target(VideoJob job, System.Security.SecureString? key)
            {
                Job = job;
                Key = key;
            }

            public VideoJob Job { get; }
            public System.Security.SecureString? Key { get; }
        }

        /// <summary>A video the provider deleted, and the journal failure if marking it ended failed.</summary>
        private sealed class Deleted
        {
            public Deleted(VideoJob job, string? journalError)
            {
                Job = job;
                JournalError = journalError;
            }

            public VideoJob Job { get; }
            public string? JournalError { get; }
        }
    }
}
