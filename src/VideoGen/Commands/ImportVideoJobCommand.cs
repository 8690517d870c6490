using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using VideoGen.Core;
using VideoGen.Core.Providers;

namespace VideoGen.Commands
{
    /// <summary>
    /// <para type="synopsis">Imports jobs into the job store: a JSON-lines journal of an earlier VideoGen, or a CSV of jobs written by Export-Csv.</para>
    /// <para type="description">VideoGen keeps its jobs in a SQLite job store. Import-VideoJob brings in jobs kept elsewhere, so that Get-VideoJob lists them and a re-run of the same CSV pays for nothing already paid for: the journal.jsonl of VideoGen 0.1 (any encoding, including one re-saved as UTF-16 by Windows PowerShell 5.1, with lines cut short or glued together), or a CSV of jobs that New-Video, Wait-Video or Get-VideoJob emitted and Export-Csv wrote, on this machine or another. Jobs the store already knows (same provider and task id) are left as they are. Every line or row that cannot be read is reported as an error naming its number; the others are imported. The default journal.jsonl beside the default store is imported automatically, once.</para>
    /// <para type="description">Output: one object with Source, Imported, AlreadyKnown and Problems.</para>
    /// </summary>
    /// <example>
    ///   <code>Import-VideoJob -Path ./nightly.jsonl -JournalPath ./nightly.db</code>
    ///   <para>Imports a scheduled task's old journal into a store of its own; give the task -JournalPath ./nightly.db from now on.</para>
    /// </example>
    /// <example>
    ///   <code>Import-VideoJob -Path ./jobs-from-laptop.csv</code>
    ///   <para>Imports the jobs another machine exported (New-Video | Export-Csv), so Get-VideoJob | Wait-Video | Save-Video resumes them here.</para>
    /// </example>
    /// <example>
    ///   <code>Import-Csv ./jobs.csv | Import-VideoJob</code>
    ///   <para>The same, with the rows piped in.</para>
    /// </example>
    [Cmdlet(VerbsData.Import, "VideoJob", DefaultParameterSetName = InputSet, SupportsShouldProcess = true, HelpUri = "https://github.com/videogen/VideoGen/blob/main/docs/cmdlets.md#import-videojob")]
    [OutputType(typeof(JournalImportReport))]
    public sealed class ImportVideoJobCommand : PSCmdlet
    {
        private const string PathSet = "Path";
        private const string InputSet = "InputObject";

        private JobJournal? _journal;
        private JournalImportReport? _pipedReport;
        private readonly List<JournalEntry> _piped = new List<JournalEntry>();
        private int _row;

        #region Parameters

        /// <summary><para type="description">The file to import: a JSON-lines journal of VideoGen 0.1 (journal.jsonl), or a CSV of jobs written by Export-Csv (columns Id and Provider at least; Model, Name, Prompt, BaseUri, PollingUrl, Status, Error, Cost, CostUnit and SubmittedAt where present).</para></summary>
        // Not from the pipeline: piped objects are job rows (the binder otherwise keeps to the set named first and never binds them).
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
        [Alias("LiteralPath")]
        public string Path { get; set; } = string.Empty;

        /// <summary><para type="description">Jobs to import, as rows (Import-Csv) or job objects: each needs Id and Provider.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = InputSet, ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary><para type="description">The job store to import into (created if missing). Default: $env:VIDEOGEN_JOURNAL_PATH, else %LOCALAPPDATA%\VideoGen\journal.db on Windows or ~/.local/state/videogen/journal.db elsewhere.</para></summary>
        [Parameter]
        public string? JournalPath { get; set; }

        #endregion

        #region Overrides

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            _journal = StoreAccess.ResolveJournal(this, JournalPath);
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            if (ParameterSetName == InputSet)
            {
                _row++;
                _pipedReport ??= new JournalImportReport("pipeline input");
                if (InputObject != null && ToEntry(InputObject, _row, _pipedReport) is JournalEntry entry)
                {
                    _piped.Add(entry);
                }
                return;
            }
            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            if (!File.Exists(path))
            {
                WriteError(new ErrorRecord(new FileNotFoundException("The file " + path + " does not exist. Give -Path a journal.jsonl or a CSV of jobs.", path),
                    "VideoGen.ImportFileNotFound", ErrorCategory.ObjectNotFound, path));
                return;
            }
            if (!ShouldProcess(path + " -> " + _journal!.Path, "Import jobs into the job store"))
            {
                return;
            }
            try
            {
                var report = IsCsv(path) ? ImportCsv(path) : _journal!.Import(path);
                Finish(report);
            }
            catch (VideoGenException ex)
            {
                WriteError(new ErrorRecord(ex, "VideoGen.ImportFailed", ErrorCategory.WriteError, path));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                WriteError(new ErrorRecord(new VideoGenException(VideoGenErrorKind.InvalidArgument, "Could not read " + path + " (a local problem): " + ex.Message, null, null, ex),
                    "VideoGen.ImportFailed", ErrorCategory.ReadError, path));
            }
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            if (_pipedReport is null || !ShouldProcess(_row.ToString(CultureInfo.InvariantCulture) + " row(s) -> " + _journal!.Path, "Import jobs into the job store"))
            {
                return;
            }
            try
            {
                _journal!.ImportJobs(_piped, _pipedReport);
                Finish(_pipedReport);
            }
            catch (VideoGenException ex)
            {
                WriteError(new ErrorRecord(ex, "VideoGen.ImportFailed", ErrorCategory.WriteError, _journal!.Path));
            }
        }

        #endregion

        private void Finish(JournalImportReport report)
        {
            foreach (var problem in report.Problems)
            {
                WriteError(new ErrorRecord(new InvalidDataException(report.Source + ", " + problem + ". The other lines were imported."),
                    "VideoGen.ImportLineUnreadable", ErrorCategory.InvalidData, report.Source + ":" + problem.Line.ToString(CultureInfo.InvariantCulture)));
            }
            WriteVerbose(StoreAccess.DescribeImport(report, _journal!));
            WriteObject(report);
        }

        /// <summary>
        /// A CSV (Export-Csv) rather than JSON lines: a .csv file, or one whose first line is not a JSON object and names a
        /// Provider column. A journal whose first line is damaged is still read as JSON lines, line by line.
        /// </summary>
        private static bool IsCsv(string path)
        {
            if (string.Equals(System.IO.Path.GetExtension(path), ".csv", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
            var head = new byte[4096];
            int read;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                read = stream.Read(head, 0, head.Length);
            }
            if (read == 0 || JobJournal.LooksLikeJsonLines(head, read))
            {
                return false;
            }
            var firstLine = new System.Text.UTF8Encoding(false).GetString(head, 0, read).Split('\n')[0];
            return firstLine.IndexOf("Provider", StringComparison.OrdinalIgnoreCase) >= 0 && firstLine.IndexOf('{') < 0;
        }

        /// <summary>The CSV read by PowerShell's own Import-Csv (any encoding it reads, quoting, Windows PowerShell's #TYPE line).</summary>
        private JournalImportReport ImportCsv(string path)
        {
            var report = new JournalImportReport(path);
            Collection<PSObject> rows;
            try
            {
                rows = InvokeCommand.InvokeScript("param($p) Microsoft.PowerShell.Utility\\Import-Csv -LiteralPath $p", true, System.Management.Automation.Runspaces.PipelineResultTypes.None, null, path);
            }
            catch (RuntimeException ex)
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument, "Could not read " + path + " as CSV: " + ex.Message, null, null, ex);
            }
            var entries = new List<JournalEntry>();
            var row = 0;
            foreach (var item in rows)
            {
                row++;
                if (ToEntry(item, row, report) is JournalEntry entry)
                {
                    entries.Add(entry);
                }
            }
            _journal!.ImportJobs(entries, report);
            return report;
        }

        /// <summary>A row or job object as a job to import; null (with a problem in the report) where it has no id or provider.</summary>
        private static JournalEntry? ToEntry(PSObject item, int row, JournalImportReport report)
        {
            string? Get(string name) => StoreAccess.Property(item, name);
            var id = Get("Id");
            if (id is null)
            {
                report.Problems.Add(new JournalImportProblem(row, "row " + row.ToString(CultureInfo.InvariantCulture) + " has no Id"));
                return null;
            }
            if (!ProviderMappings.TryParse(Get("Provider"), out var provider))
            {
                report.Problems.Add(new JournalImportProblem(row, "row " + row.ToString(CultureInfo.InvariantCulture) + " (task " + id + ") has no known Provider ('" + Get("Provider") + "')"));
                return null;
            }
            var job = VideoJob.Restore(id, provider, Get("Model"), Get("Name"), Get("Prompt"), Get("BaseUri"), Get("PollingUrl"), null, Get("Status"), Get("Error"));
            if (decimal.TryParse(Get("Cost"), NumberStyles.Number, CultureInfo.InvariantCulture, out var cost))
            {
                job.RestoreCost(cost, Get("CostUnit"));
            }
            // A job object carries a DateTimeOffset; Export-Csv writes it in the exporting session's culture.
            var at = item.Properties["SubmittedAt"]?.Value is PSObject wrapped ? wrapped.BaseObject : item.Properties["SubmittedAt"]?.Value;
            var submittedAt = at is DateTimeOffset o ? o : at is DateTime d ? new DateTimeOffset(d) : ParseTime(Get("SubmittedAt"));
            return JournalEntry.Imported(job, submittedAt);
        }

        /// <summary>A time as the invariant culture writes it, else as this session's culture does; null where neither reads it.</summary>
        private static DateTimeOffset? ParseTime(string? text) =>
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var invariant) ? invariant :
            DateTimeOffset.TryParse(text, CultureInfo.CurrentCulture, DateTimeStyles.AssumeLocal, out var local) ? local : (DateTimeOffset?)null;
    }
}
