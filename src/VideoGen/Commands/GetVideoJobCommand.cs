using System;
using System.Management.Automation;
using VideoGen.Core;

namespace VideoGen.Commands
{
    /// <summary>
    /// <para type="synopsis">Lists the jobs recorded in the job journal: by default those not yet saved.</para>
    /// <para type="description">New-Video records every job it creates in a journal (JSON lines) before emitting it; Save-Video and Wait-Video record when a job is saved or ends without a video. After a crash, a reboot or a killed scheduled task, Get-VideoJob lists the unfinished jobs so they pipe into Wait-Video | Save-Video without submitting any prompt again. The journal never holds a key.</para>
    /// </summary>
    /// <example>
    ///   <code>Get-VideoJob | Wait-Video | Save-Video -OutputDirectory ./videos</code>
    ///   <para>Resumes every job an earlier, interrupted run created and had not yet saved.</para>
    /// </example>
    /// <example>
    ///   <code>Get-VideoJob -All -JournalPath ./nightly.jsonl | Format-Table</code>
    ///   <para>Shows every job a nightly task recorded in its own journal.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "VideoJob", HelpUri = "https://github.com/videogen/VideoGen/blob/main/docs/cmdlets.md#get-videojob")]
    [OutputType(typeof(VideoJob))]
    public sealed class GetVideoJobCommand : PSCmdlet
    {
        #region Parameters

        /// <summary><para type="description">The journal to read. Default: $env:VIDEOGEN_JOURNAL_PATH, else %LOCALAPPDATA%\VideoGen\journal.jsonl on Windows or ~/.local/state/videogen/journal.jsonl elsewhere.</para></summary>
        [Parameter(Position = 0)]
        public string? JournalPath { get; set; }

        /// <summary><para type="description">List every recorded job, saved and ended ones too, not only the unfinished. Each job is shown in its last known state: Status (Succeeded for a saved job, Failed with its Error, ...), and the notes Saved, SavedPath and LastEvent.</para></summary>
        [Parameter]
        public SwitchParameter All { get; set; }

        #endregion

        #region Overrides

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            var journal = VideoGenCmdletBase.ResolveJournal(this, JournalPath);
            WriteVerbose("Reading the job journal " + journal.Path + ".");
            foreach (var entry in journal.ReadStates())
            {
                if (!All && entry.IsDone)
                {
                    continue;
                }
                // The job in its last known state; where it was saved, the file. (Notes, not properties of the job, so a
                // saved job piped on to Save-Video does not bind them to -Path.)
                var output = PSObject.AsPSObject(entry.Job);
                output.Properties.Add(new PSNoteProperty("Saved", entry.IsSaved));
                output.Properties.Add(new PSNoteProperty("SavedPath", entry.SavedPath));
                output.Properties.Add(new PSNoteProperty("LastEvent", entry.LastEvent));
                WriteObject(output);
            }
        }

        #endregion
    }
}
