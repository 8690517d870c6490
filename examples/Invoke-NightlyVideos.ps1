#Requires -Version 5.1
<#
.SYNOPSIS
    Unattended VideoGen run for a scheduler: resumes what an interrupted run left, then turns a CSV of
    prompts into videos. Exits 0 when every row has a video, 1 when any row failed.
.DESCRIPTION
    1. Jobs in the journal that were created but not saved (a crash, a reboot) are waited for and saved;
       nothing is submitted again.
    2. Rows of the CSV whose <Name>.mp4 is already in -OutputDirectory, or whose job is still pending in
       the journal, are skipped, so running the task twice never pays twice for a prompt.
    3. The other rows go through New-Video | Wait-Video | Save-Video.
    Everything the run prints goes to a transcript in -LogDirectory.
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
    [string] $JournalPath = (Join-Path $OutputDirectory 'videogen-journal.jsonl'),
    [string] $LogDirectory = (Join-Path $OutputDirectory 'logs'),
    # The module to import: a name on PSModulePath or a path to VideoGen.psd1.
    [string] $Module = 'VideoGen',
    [int] $TimeoutSec = 3600
)

$ErrorActionPreference = 'Continue'
New-Item -ItemType Directory -Force -Path $OutputDirectory, $LogDirectory | Out-Null
Start-Transcript -Path (Join-Path $LogDirectory ('videogen-{0:yyyyMMdd-HHmmss}.log' -f (Get-Date))) | Out-Null
$runErrors = New-Object System.Collections.ArrayList
$exitCode = 0
try {
    Import-Module $Module -ErrorAction Stop
    $common = @{ JournalPath = $JournalPath }
    if ($SecretName) { $common.ApiKey = Get-Secret -Name $SecretName -ErrorAction Stop }
    $submit = @{} + $common
    if ($Provider) { $submit.Provider = $Provider }

    # 1. Resume: jobs created earlier and not saved.
    $resumed = @(VideoGen\Get-VideoJob -JournalPath $JournalPath)
    if ($resumed.Count -gt 0) {
        Write-Host "Resuming $($resumed.Count) job(s) from $JournalPath"
        $resumed | VideoGen\Wait-Video @common -TimeoutSec $TimeoutSec -ErrorVariable +runErrors |
            VideoGen\Save-Video @common -OutputDirectory $OutputDirectory -ErrorVariable +runErrors | Out-Host
    }

    # 2. Tonight's rows, less those already saved or still pending.
    $pending = @(VideoGen\Get-VideoJob -JournalPath $JournalPath | ForEach-Object Name)
    $rows = @(Import-Csv -Path $CsvPath | Where-Object {
            -not ($_.Name -and ((Test-Path -LiteralPath (Join-Path $OutputDirectory "$($_.Name).mp4")) -or ($pending -contains $_.Name)))
        })
    Write-Host "Submitting $($rows.Count) row(s) from $CsvPath"
    if ($rows.Count -gt 0) {
        $rows | VideoGen\New-Video @submit -ErrorVariable +runErrors |
            VideoGen\Wait-Video @common -TimeoutSec $TimeoutSec -ErrorVariable +runErrors |
            VideoGen\Save-Video @common -OutputDirectory $OutputDirectory -ErrorVariable +runErrors | Out-Host
    }
}
catch {
    [void]$runErrors.Add($_)
    Write-Host "VideoGen run stopped: $($_.Exception.Message)"
}
finally {
    foreach ($e in $runErrors) { Write-Host "FAILED: $($e.Exception.Message)" }
    if ($runErrors.Count -gt 0) { $exitCode = 1 }
    Write-Host "VideoGen run finished with exit code $exitCode ($($runErrors.Count) error(s))."
    Stop-Transcript | Out-Null
}
exit $exitCode
