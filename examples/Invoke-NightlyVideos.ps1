#Requires -Version 5.1
<#
.SYNOPSIS
    Unattended VideoGen run for a scheduler: resumes what an interrupted run left, then turns a CSV of
    prompts into videos. Exits 0 when every row has a video, 1 when any row failed.
.DESCRIPTION
    0. Upgrade, once: with the default -JournalPath, when videogen-journal.db does not exist yet and the
       videogen-journal.jsonl of an earlier VideoGen is in -OutputDirectory, Import-VideoJob brings its jobs into the
       new store (the old file is kept), so nothing it recorded is resumed or paid for again.
    1. Jobs in the job store that were created but not saved (a crash, a reboot) are waited for and saved;
       nothing is submitted again.
    2. Every row goes through New-Video | Wait-Video | Save-Video. Running the task twice never pays twice: New-Video
       emits the job the store recorded for a row instead of submitting it again, and Save-Video takes a video
       already saved (same SHA-256) as saved. No skip logic of its own is needed.
    The cmdlets' one-line summaries (jobs, failures, cost per unit) go to the transcript too.
    Everything the run prints goes to a transcript in -LogDirectory, in plain text (no colour codes, so a
    cron or systemd log stays readable): one line per task id submitted or resumed, one per video saved with
    its whole path, and one per failure with the task id where there is one.
.EXAMPLE
    pwsh -NonInteractive -NoProfile -File ./Invoke-NightlyVideos.ps1 -CsvPath ./prompts.csv -OutputDirectory ./videos
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $CsvPath,
    [Parameter(Mandatory)] [string] $OutputDirectory,
    # FastRouter, OpenRouter, AppleRouter or OpenAICompatible; default: $env:VIDEOGEN_PROVIDER or the one key set.
    [string] $Provider,
    # A SecretManagement secret holding the key; default: the provider's environment variable.
    [string] $SecretName,
    # The job store (a SQLite file on a local disk).
    [string] $JournalPath = (Join-Path $OutputDirectory 'videogen-journal.db'),
    [string] $LogDirectory = (Join-Path $OutputDirectory 'logs'),
    # The module to import: a name on PSModulePath or a path to VideoGen.psd1.
    [string] $Module = 'VideoGen',
    [int] $TimeoutSec = 3600
)

$ErrorActionPreference = 'Continue'
# A log, not a terminal: no ANSI colour codes (PowerShell 7.2+; Windows PowerShell has none) and no progress bars.
if (Get-Variable -Name PSStyle -ErrorAction SilentlyContinue) { $PSStyle.OutputRendering = 'PlainText' }
$ProgressPreference = 'SilentlyContinue'
# The cmdlets' summaries (counts and what the night cost) are on the Information stream: show them in the log.
$InformationPreference = 'Continue'
New-Item -ItemType Directory -Force -Path $OutputDirectory, $LogDirectory | Out-Null
Start-Transcript -Path (Join-Path $LogDirectory ('videogen-{0:yyyyMMdd-HHmmss}.log' -f (Get-Date))) | Out-Null
$runErrors = New-Object System.Collections.ArrayList
$exitCode = 0
try {
    Import-Module $Module -ErrorAction Stop

    # 0. Upgrade, once: the JSON-lines journal an earlier VideoGen kept here goes into the new store before anything else.
    $oldJournal = Join-Path $OutputDirectory 'videogen-journal.jsonl'
    if (-not $PSBoundParameters.ContainsKey('JournalPath') -and -not (Test-Path -LiteralPath $JournalPath) -and (Test-Path -LiteralPath $oldJournal)) {
        Write-Host "Importing $oldJournal into $JournalPath"
        $imported = VideoGen\Import-VideoJob -Path $oldJournal -JournalPath $JournalPath -ErrorVariable +runErrors
        foreach ($report in $imported) {
            Write-Host ('Imported  {0} job(s) from {1} ({2} already there, {3} line(s) unreadable)' -f $report.Imported, $report.Source, $report.AlreadyKnown, $report.Problems.Count)
        }
    }

    $common = @{ JournalPath = $JournalPath }
    if ($SecretName) { $common.ApiKey = Get-Secret -Name $SecretName -ErrorAction Stop }
    $submit = @{} + $common
    # One line per saved video: task id, size in bytes, the whole path (a table would cut it at the log's width).
    $logSaved = { Write-Host ('Saved     {0}  {1} bytes  {2}' -f $_.Id, $_.Length, $_.Path) }
    if ($Provider) { $submit.Provider = $Provider }

    # 1. Resume: jobs created earlier and not saved.
    $resumed = @(VideoGen\Get-VideoJob -JournalPath $JournalPath)
    if ($resumed.Count -gt 0) {
        Write-Host "Resuming $($resumed.Count) job(s) from $JournalPath"
        foreach ($job in $resumed) { Write-Host ('Resumed   {0}  {1}  {2}' -f $job.Id, $job.Provider, $job.Name) }
        $resumed | VideoGen\Wait-Video @common -TimeoutSec $TimeoutSec -ErrorVariable +runErrors |
            VideoGen\Save-Video @common -OutputDirectory $OutputDirectory -ErrorVariable +runErrors | ForEach-Object $logSaved
    }

    # 2. Tonight's rows: the cmdlets themselves never pay twice for a row already submitted or saved.
    $rows = @(Import-Csv -Path $CsvPath)
    Write-Host "Submitting $($rows.Count) row(s) from $CsvPath"
    if ($rows.Count -gt 0) {
        $rows | VideoGen\New-Video @submit -ErrorVariable +runErrors |
            ForEach-Object { Write-Host ('Submitted {0}  {1}  {2}' -f $_.Id, $_.Provider, $_.Name); $_ } |
            VideoGen\Wait-Video @common -TimeoutSec $TimeoutSec -ErrorVariable +runErrors |
            VideoGen\Save-Video @common -OutputDirectory $OutputDirectory -ErrorVariable +runErrors | ForEach-Object $logSaved
    }
}
catch {
    [void]$runErrors.Add($_)
    Write-Host "VideoGen run stopped: $($_.Exception.Message)"
}
finally {
    foreach ($e in $runErrors) {
        $taskId = if ($e.Exception -and $e.Exception.PSObject.Properties['TaskId'] -and $e.Exception.TaskId) { "$($e.Exception.TaskId): " } else { '' }
        Write-Host "FAILED: $taskId$($e.Exception.Message)"
    }
    if ($runErrors.Count -gt 0) { $exitCode = 1 }
    Write-Host "VideoGen run finished with exit code $exitCode ($($runErrors.Count) error(s))."
    Stop-Transcript | Out-Null
}
exit $exitCode
