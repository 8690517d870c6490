#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.1' }
# Import-VideoJob on the full PowerShell: old journals as Windows PowerShell 5.1 re-saved them, and jobs exported with
# Export-Csv on another machine.
# Run by ./build.ps1 -Task Pester (after the Build task); each file has an emulator and a journal of its own.

BeforeAll {
    # PowerShell's defaults whoever runs the suite (see VideoGen.TestHelpers.psm1), then the file's emulator, journal and module.
    Set-StrictMode -Off; $ErrorActionPreference = 'Continue'
    Import-Module (Join-Path $PSScriptRoot 'VideoGen.TestHelpers.psm1') -Force
    Initialize-VideoGenTestSuite
}

AfterAll { Complete-VideoGenTestSuite }

Describe 'Import-VideoJob' {
    BeforeAll {
        # A journal of VideoGen 0.1 for the rows of examples/prompts.csv, as those versions wrote it before re-run matching
        # (no request fingerprint): the jobs of a first run, then saved.
        function New-LegacyJournalLines {
            param([object[]] $Jobs)
            foreach ($job in $Jobs) {
                $line = [ordered]@{ event = 'submitted'; at = '2026-11-20T22:00:00.0000000+00:00'; id = $job.Id; provider = "$($job.Provider)"; status = 'Queued'; model = $job.Model; name = $job.Name; prompt = $job.Prompt; baseUri = $job.BaseUri; pollingUrl = $job.PollingUrl; submittedAt = '2026-11-20T22:00:00.0000000+00:00' }
                $line | ConvertTo-Json -Compress
                $line.event = 'saved'; $line.status = 'Succeeded'; $line['path'] = "/videos/$($job.Name).mp4"
                $line | ConvertTo-Json -Compress
            }
        }
    }

    It 'imports an old journal re-saved as UTF-16, with a last line cut short and one with no newline, and a re-run of its CSV pays for nothing' {
        $first = Join-Path $TestDrive 'first.db'
        $jobs = @(Import-Csv $csv | VideoGen\New-Video -Provider FastRouter -JournalPath $first -Force)
        $jobs.Count | Should -Be 6
        $lines = @(New-LegacyJournalLines -Jobs $jobs)
        $legacy = Join-Path $TestDrive 'journal.jsonl'
        # Windows PowerShell 5.1's Get-Content $j | Out-File $j writes UTF-16 LE; VideoGen 0.1 then appended UTF-8 lines,
        # the last of them glued to a line whose newline was lost, and a crash cut the very last one short.
        $lines[0..7] | Out-File -LiteralPath $legacy -Encoding Unicode
        [System.IO.File]::AppendAllText($legacy, ($lines[8..9] -join "`n") + "`n" + $lines[10] + $lines[11] + "`n" + $lines[0].Substring(0, 25), [System.Text.UTF8Encoding]::new($false))
        $store = Join-Path $TestDrive 'upgraded.db'
        $before = (Get-VideoGenEmulatorStats -Emulator $emulator).submissions

        $errs = $null
        $report = VideoGen\Import-VideoJob -Path $legacy -JournalPath $store -ErrorVariable errs -ErrorAction SilentlyContinue
        $warnings = $null
        $again = @(Import-Csv $csv | VideoGen\New-Video -Provider FastRouter -JournalPath $store -WarningVariable warnings -WarningAction SilentlyContinue)

        $report.Imported | Should -Be 6
        @($errs).Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'VideoGen.ImportLineUnreadable,VideoGen.Commands.ImportVideoJobCommand'
        "$($errs[0])" | Should -Match 'line 12'
        (Get-VideoGenEmulatorStats -Emulator $emulator).submissions | Should -Be $before
        ($again.Id | Sort-Object) | Should -Be ($jobs.Id | Sort-Object)
        @($warnings | Where-Object { "$_" -match 'without|no request fingerprint' }).Count | Should -Be 6
        @(VideoGen\Get-VideoJob -JournalPath $store).Count | Should -Be 0
        @(VideoGen\Get-VideoJob -JournalPath $store -Status Succeeded -Name 'city*').Name | Should -Be 'city-rain-night'
    }

    It 'imports the jobs another machine exported with Export-Csv, and they resume here' {
        $exported = Join-Path $TestDrive 'jobs.csv'
        Import-Csv $csv | Select-Object -First 2 | VideoGen\New-Video -Provider OpenRouter -JournalPath (Join-Path $TestDrive 'laptop.db') -Force | Export-Csv -LiteralPath $exported -NoTypeInformation
        $store = Join-Path $TestDrive 'desktop.db'

        $report = VideoGen\Import-VideoJob -Path $exported -JournalPath $store
        $saved = @(VideoGen\Get-VideoJob -JournalPath $store | VideoGen\Wait-Video -JournalPath $store | VideoGen\Save-Video -OutputDirectory (Join-Path $TestDrive 'desktop') -JournalPath $store)

        $report.Imported | Should -Be 2
        $saved.Count | Should -Be 2
        @(VideoGen\Get-VideoJob -JournalPath $store).Count | Should -Be 0
    }
}
