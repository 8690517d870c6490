#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.1' }
# The README's demo with only the .NET SDK, and the session it ran in left as it was.
# Run by ./build.ps1 -Task Pester (after the Build task); each file has an emulator and a journal of its own.

BeforeAll {
    # PowerShell's defaults whoever runs the suite (see VideoGen.TestHelpers.psm1), then the file's emulator, journal and module.
    Set-StrictMode -Off; $ErrorActionPreference = 'Continue'
    Import-Module (Join-Path $PSScriptRoot 'VideoGen.TestHelpers.psm1') -Force
    Initialize-VideoGenTestSuite
}

AfterAll { Complete-VideoGenTestSuite }

Describe 'The README with only the .NET SDK' {
    It 'runs the demo as the README gives it (dotnet tool restore, then dotnet pwsh) and leaves six videos in out/demo' {
        $readme = Get-Content -Raw (Join-Path $root 'README.md')
        $block = [regex]::Match($readme, '(?s)No PowerShell yet\?.*?```sh\r?\n(.*?)```').Groups[1].Value
        $lines = @($block -split '\r?\n' | ForEach-Object { ($_ -replace '#.*$', '').Trim() } | Where-Object { $_ })
        $lines | Should -Be @('dotnet tool restore', 'dotnet pwsh ./build.ps1 -Task Demo')
        $started = [DateTime]::UtcNow.AddSeconds(-2)

        foreach ($line in $lines) {
            $arguments = @($line -split '\s+' | Select-Object -Skip 1)
            # The one difference from a paste: -NoBuild, since this suite runs on the build already made and its emulator
            # runs from out/emulator, which the Build task lays out anew.
            if ($arguments -contains 'Demo') { $arguments += '-NoBuild' }
            $run = Invoke-BoundedProcess -FilePath 'dotnet' -ArgumentList $arguments -WorkingDirectory $root
            $run.ExitCode | Should -Be 0 -Because "$line`n$(($run.Output + $run.Errors) -join "`n")"
        }

        $rows = @(Import-Csv $csv)
        $rows.Count | Should -Be 6
        foreach ($row in $rows) {
            $file = Get-Item -LiteralPath (Join-Path $root "out/demo/$($row.Name).mp4")
            $file.LastWriteTimeUtc | Should -BeGreaterThan $started
            [System.Text.Encoding]::ASCII.GetString([System.IO.File]::ReadAllBytes($file.FullName), 4, 4) | Should -Be 'ftyp'
        }
        # The demo's jobs went to a journal of its own, not the one the environment named (this file's, here).
        $demoIds = @(VideoGen\Get-VideoJob -All -JournalPath (Join-Path $root 'out/demo-journal.db') | ForEach-Object Id)
        $demoIds.Count | Should -Be 6
        $suiteIds = @(VideoGen\Get-VideoJob -All -JournalPath $testJournal | ForEach-Object Id)
        foreach ($id in $demoIds) { $suiteIds | Should -Not -Contain $id }
    }

    It 'puts back the keys, addresses and journal of the session that ran the demo' {
        $command = "`$env:FASTROUTER_API_KEY = 'users-own-key'; `$env:VIDEOGEN_FASTROUTER_BASE_URI = `$null; `$env:VIDEOGEN_JOURNAL_PATH = 'users-journal.db'; " +
            "& ./build.ps1 -Task Demo -NoBuild | Out-Null; `$env:FASTROUTER_API_KEY; [string]::IsNullOrEmpty(`$env:VIDEOGEN_FASTROUTER_BASE_URI); `$env:VIDEOGEN_JOURNAL_PATH"
        $run = Invoke-BoundedProcess -FilePath (Get-ChildPowerShellPath) -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $command -WorkingDirectory $root
        $run.ExitCode | Should -Be 0 -Because (($run.Output + $run.Errors) -join "`n")
        $run.Output[-3..-1] | Should -Be @('users-own-key', 'True', 'users-journal.db')
    }
}
