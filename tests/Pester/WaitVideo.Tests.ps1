#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.1' }
# Wait-Video on the full PowerShell: a failed job, -TimeoutSec, progress records.
# Run by ./build.ps1 -Task Pester (after the Build task); each file has an emulator and a journal of its own.

BeforeAll {
    # PowerShell's defaults whoever runs the suite (see VideoGen.TestHelpers.psm1), then the file's emulator, journal and module.
    Set-StrictMode -Off; $ErrorActionPreference = 'Continue'
    Import-Module (Join-Path $PSScriptRoot 'VideoGen.TestHelpers.psm1') -Force
    Initialize-VideoGenTestSuite
}

AfterAll { Complete-VideoGenTestSuite }

Describe 'Wait-Video' {
    It 'emits a failed job and an error record carrying its id' {
        $errs = $null

        $jobs = @(VideoGen\New-Video -Prompt 'This one will [fail]' -Provider OpenRouter -Name doomed | VideoGen\Wait-Video -ErrorVariable errs -ErrorAction SilentlyContinue)

        $jobs.Count | Should -Be 1
        $jobs[0].Status | Should -Be 'Failed'
        $errs.Count | Should -Be 1
        $errs[0].Exception.TaskId | Should -Be $jobs[0].Id
        $errs[0].TargetObject.Id | Should -Be $jobs[0].Id
    }

    It 'gives the timeout error with the id for a job still running at -TimeoutSec' {
        $job = VideoGen\New-Video -Prompt 'A [slow] sunrise' -Provider AppleRouter -Name slow
        $errs = $null

        $out = @($job | VideoGen\Wait-Video -TimeoutSec 1 -ErrorVariable errs -ErrorAction SilentlyContinue)

        $out.Count | Should -Be 1
        $out[0].Id | Should -Be $job.Id
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $errs[0].Exception.TaskId | Should -Be $job.Id
        $errs[0].Exception.Message | Should -Match ([regex]::Escape($job.Id))
    }

    It 'writes progress with a Completed record for every activity id it opened' {
        $ps = [PowerShell]::Create()
        try {
            $null = $ps.AddScript('param($ModulePath, $Csv) Import-Module $ModulePath; Import-Csv $Csv | Select-Object -First 3 | VideoGen\New-Video -Provider OpenRouter -Force | VideoGen\Wait-Video')
            $null = $ps.AddArgument($modulePath).AddArgument($csv)

            # Bounded: stopped (as Ctrl+C would) if it has not ended, instead of hanging the run.
            $async = $ps.BeginInvoke()
            if (-not $async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(300))) { $ps.Stop(); throw 'The pipeline did not end within 300 s and was stopped.' }
            $jobs = $ps.EndInvoke($async)

            $ps.Streams.Error.Count | Should -Be 0
            $jobs.Count | Should -Be 3
            $records = @($ps.Streams.Progress)
            $records.Count | Should -BeGreaterThan 0
            foreach ($id in @($records | ForEach-Object ActivityId | Sort-Object -Unique)) {
                @($records | Where-Object { $_.ActivityId -eq $id -and $_.RecordType -eq 'Completed' }).Count |
                    Should -BeGreaterThan 0 -Because "activity $id must be completed"
            }
            @($records | Where-Object { $_.ParentActivityId -eq 1 }).Count | Should -BeGreaterThan 0
        }
        finally {
            $ps.Dispose()
        }
    }
}
