using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text;
using VideoGen.Core;

namespace VideoGen.Commands
{
    /// <summary>
    /// <para type="synopsis">Lists the jobs recorded in the job store: by default those not yet saved.</para>
    /// <para type="description">New-Video records every job it creates in the job store (a SQLite database) before emitting it; Wait-Video records every status change and Save-Video every saved file. After a crash, a reboot or a killed scheduled task, Get-VideoJob lists the unfinished jobs so they pipe into Wait-Video | Save-Video without submitting any prompt again. -Status, -Name, -Provider and -Since select jobs (with -Status, finished jobs too); the store is indexed, so this stays quick with a million jobs. The store never holds a key.</para>
    /// </summary>
    /// <example>
    ///   <code>Get-VideoJob | Wait-Video | Save-Video -OutputDirectory ./videos</code>
    ///   <para>Resumes every job an earlier, interrupted run created and had not yet saved.</para>
    /// </example>
    /// <example>
    ///   <code>Get-VideoJob -All -JournalPath ./nightly.db | Format-Table</code>
    ///   <para>Shows every job a nightly task recorded in its own store.</para>
    /// </example>
    /// <example>
    ///   <code>Get-VideoJob -Status Failed -Since (Get-Date).AddDays(-7) -Name 'lighthouse*'</code>
    ///   <para>The jobs named lighthouse-something that failed in the last week, with their errors.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "VideoJob", HelpUri = "https://github.com/videogen/VideoGen/blob/main/docs/cmdlets.md#get-videojob")]
    [OutputType(typeof(VideoJob))]
    public sealed class GetVideoJobCommand : PSCmdlet
    {
        #region Parameters

        /// <summary><para type="description">The job store to read. Default: $env:VIDEOGEN_JOURNAL_PATH, else %LOCALAPPDATA%\VideoGen\journal.db on Windows or ~/.local/state/videogen/journal.db elsewhere.</para></summary>
        [Parameter(Position = 0)]
        public string? JournalPath { get; set; }

        /// <summary><para type="description">List every recorded job, saved and ended ones too, not only the unfinished. Each job is shown in its last known state: Status (Succeeded for a saved job, Failed with its Error, ...), and the notes Saved, SavedPath and LastEvent.</para></summary>
        [Parameter]
        public SwitchParameter All { get; set; }

        /// <summary><para type="description">Only jobs whose last known status is one of these (Queued, Running, Succeeded, Failed, Cancelled, Expired). Finished jobs are listed too, as with -All.</para></summary>
        [Parameter]
        public VideoJobStatus[]? Status { get; set; }

        /// <summary><para type="description">Only jobs whose Name matches one of these (wildcards, case-insensitive).</para></summary>
        [Parameter]
        [SupportsWildcards]
        public string[]? Name { get; set; }

        /// <summary><para type="description">Only jobs at one of these providers.</para></summary>
        [Parameter]
        public VideoProvider[]? Provider { get; set; }

        /// <summary><para type="description">Only jobs submitted at or after this time (local time unless it says otherwise).</para></summary>
        [Parameter]
        public DateTime? Since { get; set; }

        #endregion

        #region Overrides

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            var journal = StoreAccess.ResolveJournal(this, JournalPath);
            WriteVerbose("Reading the job store " + journal.Path + ".");
            var patterns = Name?.Where(n => n != null).Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant)).ToList();
            var query = new JournalQuery
            {
                UnfinishedOnly = !All && (Status is null || Status.Length == 0),
                Statuses = Status,
                Providers = Provider,
                NameLike = NameLike(),
                Since = Since is DateTime since ? new DateTimeOffset(since.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(since, DateTimeKind.Local) : since) : null,
            };
            try
            {
                foreach (var entry in journal.Query(query))
                {
                    // The store's LIKE is a first cut (ASCII case only); PowerShell's wildcard rule decides.
                    if (patterns != null && patterns.Count > 0 && !patterns.Any(p => p.IsMatch(entry.Job.Name ?? string.Empty)))
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
            catch (VideoGenException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "VideoGen.JournalNotReadable", ErrorCategory.ReadError, journal.Path));
            }
        }

        /// <summary>-Name as LIKE patterns for the store's index, or null (no filter there) when one of them LIKE cannot express.</summary>
        private List<string>? NameLike()
        {
            // LIKE folds ASCII case only, and never matches a job without a name: a pattern with other letters, or one that
            // matches the empty name (*), is left to PowerShell's wildcard rule alone.
            var likes = Name?.Where(n => n != null).Select(n => n.Any(c => c > 127) ? null : ToLike(n)).ToList();
            return likes is null || likes.Count == 0 || likes.Any(l => l is null || l.Trim('%').Length == 0) ? null : likes.Select(l => l!).ToList();
        }

        /// <summary>
        /// A PowerShell wildcard as an SQL LIKE pattern (escape <c>\</c>): <c>*</c> is <c>%</c>, <c>?</c> is <c>_</c>, a backtick
        /// escapes; null for a pattern LIKE cannot express (a [set]), which is then matched here only.
        /// </summary>
        internal static string? ToLike(string pattern)
        {
            var like = new StringBuilder();
            for (var i = 0; i < pattern.Length; i++)
            {
                var c = pattern[i];
                switch (c)
                {
                    case '`' when i + 1 < pattern.Length:
                        c = pattern[++i];
                        if (c == '%' || c == '_' || c == '\\')
                        {
                            like.Append('\\');
                        }
                        like.Append(c);
                        break;
                    case '*':
                        like.Append('%');
                        break;
                    case '?':
                        like.Append('_');
                        break;
                    case '[':
                        return null;
                    case '%':
                    case '_':
                    case '\\':
                        like.Append('\\').Append(c);
                        break;
                    default:
                        like.Append(c);
                        break;
                }
            }
            return like.ToString();
        }

        #endregion
    }
}
