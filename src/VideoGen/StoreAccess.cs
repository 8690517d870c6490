using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using VideoGen.Core;

namespace VideoGen.Commands
{
    /// <summary>How the cmdlets find the job store, describe an import, write to it from a worker, and read piped objects' properties.</summary>
    internal static class StoreAccess
    {
        /// <summary>The job journal at -JournalPath (a PowerShell path, made absolute), else $env:VIDEOGEN_JOURNAL_PATH, else the per-user default.</summary>
        /// <remarks>
        /// For the default store, VideoGen 0.1's journal.jsonl beside it is imported once, with one warning that says so.
        /// Pipeline thread only.
        /// </remarks>
        internal static JobJournal ResolveJournal(PSCmdlet cmdlet, string? journalPath)
        {
            var journal = JobJournal.Resolve(journalPath is null ? null : cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(journalPath), Environment.GetEnvironmentVariable);
            try
            {
                if (journal.ImportLegacyDefault() is JournalImportReport report)
                {
                    cmdlet.WriteWarning(DescribeImport(report, journal) + " This happens once; " + report.Source + " is kept and no longer used.");
                }
            }
            catch (VideoGenException ex)
            {
                cmdlet.WriteWarning("The journal of an earlier VideoGen, " + Path.Combine(Path.GetDirectoryName(journal.Path)!, JobJournal.LegacyFileName) +
                    ", could not be imported into " + journal.Path + ": " + ex.Message + " Run Import-VideoJob -Path <that file> once the store can be written.");
            }
            return journal;
        }

        /// <summary>One sentence on an import: jobs imported, already known, and each line that could not be read with its number.</summary>
        internal static string DescribeImport(JournalImportReport report, JobJournal journal)
        {
            var text = "Imported " + report.Imported.ToString(CultureInfo.InvariantCulture) + " job(s) from " + report.Source + " into the job store " + journal.Path +
                (report.AlreadyKnown > 0 ? " (" + report.AlreadyKnown.ToString(CultureInfo.InvariantCulture) + " already there)" : string.Empty) + ".";
            if (report.Problems.Count > 0)
            {
                text += " " + report.Problems.Count.ToString(CultureInfo.InvariantCulture) + " line(s) could not be read: " +
                    string.Join("; ", report.Problems.Take(20).Select(p => p.ToString())) + (report.Problems.Count > 20 ? "; ..." : string.Empty) + ".";
            }
            return text;
        }

        /// <summary>
        /// A journal write from a worker: a failure of any kind is returned, never thrown, because the job it records
        /// exists whatever the journal says and its id must still reach the output or an error record.
        /// </summary>
        internal static Exception? TryJournal(Action write)
        {
            try
            {
                write();
                return null;
            }
            catch (Exception ex)
            {
                return ex;
            }
        }

        /// <summary>
        /// A property of a piped object (a job, a CSV row) as trimmed text, culture-invariant; null where it is missing,
        /// blank, or its getter throws.
        /// </summary>
        internal static string? Property(PSObject? source, string name)
        {
            if (source is null)
            {
                return null;
            }
            object? value;
            try
            {
                value = source.Properties[name]?.Value;
            }
            catch (GetValueException)
            {
                return null;
            }
            var text = Convert.ToString(value, CultureInfo.InvariantCulture);
            return string.IsNullOrWhiteSpace(text) ? null : text!.Trim();
        }
    }
}
