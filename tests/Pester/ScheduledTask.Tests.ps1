#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.1' }
# examples/Invoke-NightlyVideos.ps1 as a scheduler runs it, and the install docs/scheduled-tasks.md gives.
# Run by ./build.ps1 -Task Pester (after the Build task); each file has an emulator and a journal of its own.

BeforeAll {
    # PowerShell's defaults whoever runs the suite (see VideoGen.TestHelpers.psm1), then the file's emulator, journal and module.
    Set-StrictMode -Off; $ErrorActionPreference = 'Continue'
    Import-Module (Join-Path $PSScriptRoot 'VideoGen.TestHelpers.psm1') -Force
    Initialize-VideoGenTestSuite
}

AfterAll { Complete-VideoGenTestSuite }

Describe 'The scheduled-task example' {
    BeforeAll {
        $pwsh = Get-ChildPowerShellPath
        $nightly = Join-Path $root 'examples/Invoke-NightlyVideos.ps1'
    }

    It 'exits 0 when every row has a video, and a second run pays for nothing' {
        $out = Join-Path $TestDrive 'nightly'
        $before = (Get-VideoGenEmulatorStats -Emulator $emulator).submissions

        $arguments = '-NonInteractive', '-NoProfile', '-File', $nightly, '-CsvPath', $csv, '-OutputDirectory', $out, '-Provider', 'FastRouter', '-Module', $modulePath
        $first = Invoke-BoundedProcess -FilePath $pwsh -ArgumentList $arguments
        $second = Invoke-BoundedProcess -FilePath $pwsh -ArgumentList $arguments

        $first.ExitCode | Should -Be 0 -Because (($first.Output + $first.Errors) -join "`n")
        $second.ExitCode | Should -Be 0 -Because (($second.Output + $second.Errors) -join "`n")
        @(Get-ChildItem -Path $out -Filter *.mp4).Count | Should -Be @(Import-Csv $csv).Count
        (Get-VideoGenEmulatorStats -Emulator $emulator).submissions | Should -Be ($before + @(Import-Csv $csv).Count)
        @(Get-ChildItem -Path (Join-Path $out 'logs') -Filter *.log).Count | Should -Be 2
    }

    It 'exits non-zero when a row fails, and still saves the others' {
        $out = Join-Path $TestDrive 'nightly-bad'
        $bad = Join-Path $TestDrive 'bad.csv'
        @(
            [pscustomobject]@{ Name = 'calm-lake'; Prompt = 'A calm lake at dawn' }
            [pscustomobject]@{ Name = 'doomed'; Prompt = 'This one will [fail]' }
        ) | Export-Csv -Path $bad -NoTypeInformation

        $run = Invoke-BoundedProcess -FilePath $pwsh -ArgumentList '-NonInteractive', '-NoProfile', '-File', $nightly, '-CsvPath', $bad, '-OutputDirectory', $out, '-Provider', 'OpenRouter', '-Module', $modulePath

        $run.ExitCode | Should -Be 1 -Because (($run.Output + $run.Errors) -join "`n")
        Join-Path $out 'calm-lake.mp4' | Should -Exist
        Join-Path $out 'doomed.mp4' | Should -Not -Exist
    }

    It 'runs the command docs/scheduled-tasks.md gives, verbatim, with the package installed into a folder on PSModulePath' {
        $doc = Get-Content -Raw -Path (Join-Path $root 'docs/scheduled-tasks.md')
        $commands = @([regex]::Matches($doc, '(?m)^pwsh -NonInteractive -NoProfile -File \./Invoke-NightlyVideos\.ps1 [^\r\n]*') | ForEach-Object { $_.Value.Trim() })
        $commands.Count | Should -Be 1
        # The install the document shows, into a folder of the test's own instead of the machine's.
        & (Join-Path $root 'build.ps1') -Task Package -NoBuild | Out-Host
        $modules = Join-Path $TestDrive 'installed-modules'
        New-Item -ItemType Directory -Force -Path $modules | Out-Null
        Copy-Item -Recurse -Force -Path (Join-Path $root 'out/package/VideoGen') -Destination $modules
        $version = (Import-PowerShellDataFile $modulePath).ModuleVersion
        Join-Path $modules "VideoGen/$version/VideoGen.psd1" | Should -Exist
        $work = Join-Path $TestDrive 'task-folder'
        New-Item -ItemType Directory -Force -Path $work | Out-Null
        Copy-Item -Path $nightly, $csv -Destination $work
        $savedModulePath = $env:PSModulePath
        $savedProvider = $env:VIDEOGEN_PROVIDER
        $env:PSModulePath = $modules + [System.IO.Path]::PathSeparator + $env:PSModulePath
        $env:VIDEOGEN_PROVIDER = 'FastRouter'
        Push-Location -Path $work
        try {
            # The line exactly as the document gives it: 'pwsh' is this function, which runs the PowerShell running this
            # suite with the arguments PowerShell parsed from the line, in the task's folder, bounded in time.
            function pwsh { Invoke-BoundedProcess -FilePath $pwsh -ArgumentList $args -WorkingDirectory $work }
            $run = Invoke-Expression $commands[0]
        }
        finally {
            Pop-Location
            $env:PSModulePath = $savedModulePath
            $env:VIDEOGEN_PROVIDER = $savedProvider
        }
        $log = @($run.Output) + @($run.Errors)

        $run.ExitCode | Should -Be 0 -Because ($log -join "`n")
        foreach ($row in Import-Csv $csv) { Join-Path $work "videos/$($row.Name).mp4" | Should -Exist }
        ($log -join "`n") | Should -Not -Match 'was not loaded'
    }

    It 'writes a plain-text log whose transcript names every task id and the whole path of each video' {
        $out = Join-Path $TestDrive 'nightly-log'
        $tag = [guid]::NewGuid().ToString('N')
        $rowsCsv = Join-Path $TestDrive 'log.csv'
        @(
            [pscustomobject]@{ Name = 'log-lake'; Prompt = "A calm lake at dawn $tag" }
            [pscustomobject]@{ Name = 'log-doomed'; Prompt = "This one will [fail] $tag" }
        ) | Export-Csv -Path $rowsCsv -NoTypeInformation

        $run = Invoke-BoundedProcess -FilePath $pwsh -ArgumentList '-NonInteractive', '-NoProfile', '-File', $nightly, '-CsvPath', $rowsCsv, '-OutputDirectory', $out, '-Provider', 'OpenRouter', '-Module', $modulePath
        # Standard output and standard error, as a scheduler's log gets them (2>&1).
        $log = @($run.Output) + @($run.Errors)

        $run.ExitCode | Should -Be 1 -Because ($log -join "`n")
        $escape = [regex]::Escape([string][char]27)
        ($log -join "`n") | Should -Not -Match $escape
        $transcriptFile = @(Get-ChildItem -Path (Join-Path $out 'logs') -Filter *.log)
        $transcriptFile.Count | Should -Be 1
        $transcript = Get-Content -Raw -Path $transcriptFile[0].FullName
        $transcript | Should -Not -Match $escape
        $jobs = @((Get-VideoGenEmulatorStats -Emulator $emulator).jobs | Where-Object { $_.prompt -like "*$tag*" })
        $jobs.Count | Should -Be 2
        foreach ($job in $jobs) {
            $transcript | Should -Match ('Submitted\s+' + [regex]::Escape($job.id))
        }
        $doomed = $jobs | Where-Object { $_.prompt -like '*`[fail`]*' }
        $transcript | Should -Match ('FAILED: ' + [regex]::Escape($doomed.id))
        $transcript | Should -Match ('Saved\s+\S+\s+\d+ bytes\s+' + [regex]::Escape((Join-Path $out 'log-lake.mp4')))
    }
}
