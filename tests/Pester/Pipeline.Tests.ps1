#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.1' }
# The main job end to end on the full PowerShell: Import-Csv | New-Video | Wait-Video | Save-Video, resuming
# through Export-Csv and JSON and after a killed session, and no trace of the key anywhere.
# Run by ./build.ps1 -Task Pester (after the Build task); each file has an emulator and a journal of its own.

BeforeAll {
    # PowerShell's defaults whoever runs the suite (see VideoGen.TestHelpers.psm1), then the file's emulator, journal and module.
    Set-StrictMode -Off; $ErrorActionPreference = 'Continue'
    Import-Module (Join-Path $PSScriptRoot 'VideoGen.TestHelpers.psm1') -Force
    Initialize-VideoGenTestSuite
}

AfterAll { Complete-VideoGenTestSuite }

Describe 'Import-Csv | New-Video | Wait-Video | Save-Video' {
    It 'turns every row of examples/prompts.csv into a valid MP4 named after it at <Provider>' -ForEach @(
        @{ Provider = 'FastRouter' }
        @{ Provider = 'OpenRouter' }
        @{ Provider = 'AppleRouter' }
        @{ Provider = 'Fal' }
    ) {
        $out = Join-Path $TestDrive $Provider
        $rows = @(Import-Csv $csv)

        $saved = @(Import-Csv $csv | VideoGen\New-Video -Provider $Provider | VideoGen\Wait-Video | VideoGen\Save-Video -OutputDirectory $out)

        $saved.Count | Should -Be $rows.Count
        foreach ($row in $rows) {
            $file = Join-Path $out "$($row.Name).mp4"
            $file | Should -Exist
            $bytes = [System.IO.File]::ReadAllBytes($file)
            [System.Text.Encoding]::ASCII.GetString($bytes, 4, 4) | Should -Be 'ftyp'
        }
        $saved[0].PSObject.TypeNames[0] | Should -Be 'VideoGen.Core.SavedVideo'
        @($saved | Where-Object { $_.Sha256 -notmatch '^[0-9a-f]{64}$' }).Count | Should -Be 0
    }

    It 'resumes in a later step from jobs exported with Export-Csv' {
        $jobsCsv = Join-Path $TestDrive 'jobs.csv'
        # -Force: new jobs, as in a first run. Without it New-Video re-emits the jobs the first test journaled for these
        # rows (already saved), which is another case than resuming jobs still running.
        Import-Csv $csv | Select-Object -First 2 | VideoGen\New-Video -Provider FastRouter -Force | Export-Csv -Path $jobsCsv -NoTypeInformation
        $out = Join-Path $TestDrive 'resumed'

        $saved = @(Import-Csv $jobsCsv | VideoGen\Wait-Video | VideoGen\Save-Video -OutputDirectory $out)

        $saved.Count | Should -Be 2
        (@(Import-Csv $jobsCsv).Id | Sort-Object) | Should -Be (@($saved.Id) | Sort-Object)
    }

    It 'resumes fal requests exported with Export-Csv, following their status URLs, and saves their videos' {
        $jobsCsv = Join-Path $TestDrive 'fal-jobs.csv'
        Import-Csv $csv | Select-Object -First 2 | VideoGen\New-Video -Provider Fal -Force | Export-Csv -Path $jobsCsv -NoTypeInformation
        $exported = @(Import-Csv $jobsCsv)
        $out = Join-Path $TestDrive 'fal-resumed'

        $saved = @(Import-Csv $jobsCsv | VideoGen\Wait-Video | VideoGen\Save-Video -OutputDirectory $out)

        $exported.Provider | Should -Be @('Fal', 'Fal')
        $exported | ForEach-Object { $_.PollingUrl | Should -Match '/requests/.+/status$' }
        $saved.Count | Should -Be 2
        (@($exported.Id) | Sort-Object) | Should -Be (@($saved.Id) | Sort-Object)
        foreach ($video in $saved) {
            [System.Text.Encoding]::ASCII.GetString([System.IO.File]::ReadAllBytes($video.Path), 4, 4) | Should -Be 'ftyp'
        }
    }

    It 'resumes from jobs that went through ConvertTo-Json and ConvertFrom-Json' {
        # -Force, as above: a new job, not the one the first test journaled and saved for this row.
        $json = Import-Csv $csv | Select-Object -First 1 | VideoGen\New-Video -Provider AppleRouter -Force | ConvertTo-Json
        $out = Join-Path $TestDrive 'fromjson'

        $saved = @($json | ConvertFrom-Json | VideoGen\Wait-Video | VideoGen\Save-Video -OutputDirectory $out)

        $saved.Count | Should -Be 1
        $saved[0].Path | Should -Exist
    }
}

Describe 'Failures, secrets and the journal' {
    It 'shows no trace of the key on any stream of a full run with verbose and debug on' {
        $ps = [PowerShell]::Create()
        try {
            $out = Join-Path $TestDrive 'streams'
            $null = $ps.AddScript('param($ModulePath, $Csv, $Out) $VerbosePreference = "Continue"; $DebugPreference = "Continue"; Import-Module $ModulePath; Import-Csv $Csv | Select-Object -First 2 | VideoGen\New-Video -Provider FastRouter -Force | VideoGen\Wait-Video | VideoGen\Save-Video -OutputDirectory $Out; VideoGen\Get-VideoStatus -Id no-such-task -Provider OpenRouter')
            $null = $ps.AddArgument($modulePath).AddArgument($csv).AddArgument($out)

            $async = $ps.BeginInvoke()
            if (-not $async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(300))) { $ps.Stop(); throw 'The pipeline did not end within 300 s and was stopped.' }
            $output = $ps.EndInvoke($async)

            $ps.Streams.Verbose.Count | Should -BeGreaterThan 0
            $ps.Streams.Debug.Count | Should -BeGreaterThan 0
            $ps.Streams.Error.Count | Should -Be 1
            $everything = @(
                $output | Format-List * | Out-String
                $output | ForEach-Object { $_.ToString() }
                $ps.Streams.Error | ForEach-Object { $_.ToString(); $_.Exception.ToString(); $_.ErrorDetails; $_.TargetObject }
                $ps.Streams.Warning | ForEach-Object Message
                $ps.Streams.Verbose | ForEach-Object Message
                $ps.Streams.Debug | ForEach-Object Message
                $ps.Streams.Information | ForEach-Object { $_.MessageData }
                $ps.Streams.Progress | ForEach-Object { $_.Activity; $_.StatusDescription }
                Get-Content -Raw -Path $env:VIDEOGEN_JOURNAL_PATH
            ) -join "`n"
            $everything | Should -Not -BeLike "*$key*"
            $everything | Should -BeLike '*Request body*'
        }
        finally {
            $ps.Dispose()
        }
    }

    It 'lets a fresh session resume from the journal after the process is killed during Wait-Video, submitting each prompt once' {
        $journal = Join-Path $TestDrive 'killed.db'
        $out = Join-Path $TestDrive 'killed'
        $pwsh = Get-ChildPowerShellPath
        $rows = @(Import-Csv $csv)
        $before = @((Get-VideoGenEmulatorStats -Emulator $emulator).prompts).Count
        # The store is read while the child writes it (WAL: readers never wait for the writer); a read that fails counts as "not yet".
        $submittedLines = { try { @(VideoGen\Get-VideoJob -All -JournalPath $journal -ErrorAction Stop).Count } catch { 0 } }
        Invoke-VideoGenEmulatorControl -Emulator $emulator -Path config -Body @{ jobSeconds = 20 }
        $child = $null
        try {
            # Every cmdlet names the one journal, as a session resuming from it would (not $env:VIDEOGEN_JOURNAL_PATH, the file's).
            $first = "Import-Module '$modulePath'; Import-Csv '$csv' | VideoGen\New-Video -Provider OpenRouter -JournalPath '$journal' | VideoGen\Wait-Video -JournalPath '$journal' | VideoGen\Save-Video -OutputDirectory '$out' -JournalPath '$journal'"
            $child = Start-Process -FilePath $pwsh -ArgumentList @('-NoProfile', '-NonInteractive', '-EncodedCommand', [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($first))) -PassThru
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ((& $submittedLines) -lt $rows.Count) {
                if ($child.HasExited) { throw "The child session ended (exit code $($child.ExitCode)) before it had submitted every row." }
                if ([DateTime]::UtcNow -gt $deadline) { throw 'The child session did not submit every row within 60 s.' }
                Start-Sleep -Milliseconds 200
            }
            Stop-Process -Id $child.Id -Force
            $child.WaitForExit(30000) | Should -BeTrue -Because 'the killed session must be gone before the next one starts'
        }
        finally {
            # Never left running past the test, whatever failed above.
            if ($child -and -not $child.HasExited) {
                $child.Kill($true)
                $null = $child.WaitForExit(10000)
            }
            Invoke-VideoGenEmulatorControl -Emulator $emulator -Path config -Body @{ jobSeconds = 1 }
        }
        @(Get-ChildItem -Path $out -Filter *.mp4 -ErrorAction SilentlyContinue).Count | Should -Be 0

        # The jobs take 20 s: -TimeoutSec bounds the wait well above that, and the process is bounded too.
        $second = "Import-Module '$modulePath'; VideoGen\Get-VideoJob -JournalPath '$journal' | VideoGen\Wait-Video -JournalPath '$journal' -TimeoutSec 180 | VideoGen\Save-Video -OutputDirectory '$out' -JournalPath '$journal'"
        $run = Invoke-BoundedProcess -FilePath $pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-EncodedCommand', ([Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($second)))
        $run.ExitCode | Should -Be 0 -Because (($run.Output + $run.Errors) -join "`n")

        foreach ($row in $rows) { Join-Path $out "$($row.Name).mp4" | Should -Exist }
        $submitted = @(@((Get-VideoGenEmulatorStats -Emulator $emulator).prompts) | Select-Object -Skip $before)
        $submitted.Count | Should -Be $rows.Count
        ($submitted | Sort-Object) | Should -Be ($rows.Prompt | Sort-Object)
        @(VideoGen\Get-VideoJob -JournalPath $journal).Count | Should -Be 0
    }
}
