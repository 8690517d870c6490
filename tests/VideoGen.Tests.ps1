#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.1' }
# What only PowerShell shows: binding from Import-Csv, the pipeline through the built module, errors,
# progress records and tab completion. Run by ./build.ps1 -Task Pester (after the Build task).

BeforeAll {
    # PowerShell's defaults, whoever runs the suite. Pester runs these blocks in scopes under its caller's, so
    # ./build.ps1's own Set-StrictMode -Version Latest and $ErrorActionPreference = 'Stop' would otherwise apply here
    # too: a cmdlet's non-terminating error would end a test, and the help formatting behind Get-Help | Out-String is
    # not strict-mode safe. Set here, in the file's outermost block, they hold for every block and test below.
    Set-StrictMode -Off
    $ErrorActionPreference = 'Continue'

    $root = Split-Path -Parent $PSScriptRoot
    . (Join-Path $PSScriptRoot 'EmulatorHelper.ps1')

    # A child process with a time limit: one that never exits (a script waiting on a job, a prompt) fails its test,
    # killed with what it printed, instead of hanging the run. Its environment is this process's, as with & $pwsh.
    function Invoke-BoundedProcess {
        param(
            [Parameter(Mandatory)] [string] $FilePath,
            [string[]] $ArgumentList = @(),
            [string] $WorkingDirectory = (Get-Location -PSProvider FileSystem).ProviderPath,
            [int] $TimeoutSec = 300
        )
        $info = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
        foreach ($argument in $ArgumentList) { $info.ArgumentList.Add($argument) }
        $info.WorkingDirectory = $WorkingDirectory
        $info.UseShellExecute = $false
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($info)
        try {
            # Both streams are read while it runs, so neither pipe can fill and stall it.
            $stdout = $process.StandardOutput.ReadToEndAsync()
            $stderr = $process.StandardError.ReadToEndAsync()
            $exited = $process.WaitForExit($TimeoutSec * 1000)
            if (-not $exited) {
                $process.Kill($true)
                $null = $process.WaitForExit(10000)
            }
            $text = foreach ($read in $stdout, $stderr) {
                if ($read.Wait(10000)) { , @($read.Result -split '\r?\n' | Where-Object { $_ -ne '' }) } else { , @() }
            }
            if (-not $exited) {
                throw "$FilePath $($ArgumentList -join ' ') did not exit within $TimeoutSec s and was killed. It printed:`n$(($text[0] + $text[1]) -join "`n")"
            }
            [pscustomobject]@{ ExitCode = $process.ExitCode; Output = [string[]]$text[0]; Errors = [string[]]$text[1] }
        }
        finally {
            $process.Dispose()
        }
    }

    # The PowerShell running this suite, for the child sessions the tests start: from $PSHOME, never the process path,
    # which is `dotnet` when pwsh runs as a .NET tool (`dotnet pwsh.dll`, as `dotnet pwsh` from the tool manifest does).
    function Get-ChildPowerShellPath {
        $name = if ($PSVersionTable.PSEdition -eq 'Desktop') { 'powershell.exe' } elseif ($IsWindows) { 'pwsh.exe' } else { 'pwsh' }
        $path = Join-Path $PSHOME $name
        if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { throw "This PowerShell has no $name in `$PSHOME ($PSHOME) to start a child session with." }
        $path
    }

    # A distinctive key, so a leak would be found; a journal of the tests' own, never the user's.
    $key = 'vg-test-secret-' + [guid]::NewGuid().ToString('N')
    # What Set-VideoGenEmulatorEnvironment and this block change, put back by AfterAll.
    $savedEnvironment = @{}
    foreach ($environmentName in $VideoGenEmulatorVariables + 'VIDEOGEN_PROVIDER', 'VIDEOGEN_JOURNAL_PATH', 'DOTNET_ROOT') {
        $savedEnvironment[$environmentName] = [Environment]::GetEnvironmentVariable($environmentName)
    }
    # A pwsh from the .NET tool is an apphost that finds the runtime through DOTNET_ROOT (or a default install location):
    # the children get the runtime this process runs on.
    $hostPath = (Get-Process -Id $PID).Path
    if (-not $env:DOTNET_ROOT -and [System.IO.Path]::GetFileNameWithoutExtension($hostPath) -eq 'dotnet') { $env:DOTNET_ROOT = Split-Path -Parent $hostPath }
    # The suite's own journal, named before anything can fail: AfterAll removes this file only, never the journal
    # $env:VIDEOGEN_JOURNAL_PATH named before the suite (the user's task ids), which it puts back.
    $testJournal = Join-Path ([System.IO.Path]::GetTempPath()) ('videogen-pester-' + [guid]::NewGuid().ToString('N') + '.db')
    $env:VIDEOGEN_JOURNAL_PATH = $testJournal
    $emulator = $null
    $emulator = Start-VideoGenEmulator -Root $root -JobSeconds 1 -Key $key
    Set-VideoGenEmulatorEnvironment -Emulator $emulator
    $env:VIDEOGEN_PROVIDER = $null
    $modulePath = Join-Path $root 'out/VideoGen/VideoGen.psd1'
    Import-Module $modulePath -Force
    # Every Wait-Video of the suite is bounded (Wait-Video alone waits for ever; the jobs take a second, and a test's own
    # -TimeoutSec wins), so a job that never ends fails its test with a timeout error instead of hanging the run.
    $PSDefaultParameterValues = @{ 'Wait-Video:TimeoutSec' = 300 }
    $csv = Join-Path $root 'examples/prompts.csv'
}

AfterAll {
    Stop-VideoGenEmulator -Emulator $emulator
    # The suite's own journal only (AfterAll runs even when BeforeAll failed half-way).
    if ($testJournal) { Remove-VideoGenStore -Path $testJournal }
    # The emulator's key and addresses, and the suite's journal path, do not outlive the suite in this process: the
    # variables are as they were before it (build.ps1 runs in the caller's session).
    foreach ($environmentName in $savedEnvironment.Keys) { [Environment]::SetEnvironmentVariable($environmentName, $savedEnvironment[$environmentName]) }
    Remove-Module VideoGen -ErrorAction SilentlyContinue
}

Describe 'Import-Csv | New-Video | Wait-Video | Save-Video' {
    It 'turns every row of examples/prompts.csv into a valid MP4 named after it at <Provider>' -ForEach @(
        @{ Provider = 'FastRouter' }
        @{ Provider = 'OpenRouter' }
        @{ Provider = 'AppleRouter' }
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

    It 'gives an error naming each bad row, and the other rows still produce videos' {
        $rows = @(
            [pscustomobject]@{ Name = 'good-a'; Prompt = 'A red kite over green hills'; Provider = 'OpenRouter' }
            [pscustomobject]@{ Name = 'empty'; Prompt = ''; Provider = 'OpenRouter' }
            [pscustomobject]@{ Name = 'moon'; Prompt = 'A boat at dusk'; Provider = 'MoonRouter' }
            [pscustomobject]@{ Name = 'good-b'; Prompt = 'Rain on a tin roof'; Provider = 'AppleRouter' }
        )
        $out = Join-Path $TestDrive 'mixed'
        $errs = $null

        $saved = @($rows | VideoGen\New-Video -ErrorVariable errs -ErrorAction SilentlyContinue | VideoGen\Wait-Video | VideoGen\Save-Video -OutputDirectory $out)

        $saved.Count | Should -Be 2
        Join-Path $out 'good-a.mp4' | Should -Exist
        Join-Path $out 'good-b.mp4' | Should -Exist
        $errs.Count | Should -Be 2
        $errs[0].Exception.Message | Should -Match "row 2 \('empty'\), field Prompt"
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VideoGen.InvalidArgument*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errs[1].Exception.Message | Should -Match "row 3 \('moon'\), field Provider"
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

    It 'resumes from jobs that went through ConvertTo-Json and ConvertFrom-Json' {
        # -Force, as above: a new job, not the one the first test journaled and saved for this row.
        $json = Import-Csv $csv | Select-Object -First 1 | VideoGen\New-Video -Provider AppleRouter -Force | ConvertTo-Json
        $out = Join-Path $TestDrive 'fromjson'

        $saved = @($json | ConvertFrom-Json | VideoGen\Wait-Video | VideoGen\Save-Video -OutputDirectory $out)

        $saved.Count | Should -Be 1
        $saved[0].Path | Should -Exist
    }

    It 'submits nothing with -WhatIf' {
        $before = (Get-VideoGenEmulatorStats -Emulator $emulator).submissions

        VideoGen\New-Video -Prompt 'Not really' -Provider FastRouter -WhatIf | Should -BeNullOrEmpty

        (Get-VideoGenEmulatorStats -Emulator $emulator).submissions | Should -Be $before
    }

    It 'emits a failed job and an error record carrying its id' {
        $errs = $null

        $jobs = @(VideoGen\New-Video -Prompt 'This one will [fail]' -Provider OpenRouter -Name doomed | VideoGen\Wait-Video -ErrorVariable errs -ErrorAction SilentlyContinue)

        $jobs.Count | Should -Be 1
        $jobs[0].Status | Should -Be 'Failed'
        $errs.Count | Should -Be 1
        $errs[0].Exception.TaskId | Should -Be $jobs[0].Id
        $errs[0].TargetObject.Id | Should -Be $jobs[0].Id
    }

    It 'refuses an existing file without -Force and leaves it untouched' {
        $out = Join-Path $TestDrive 'existing'
        New-Item -ItemType Directory -Path $out | Out-Null
        Set-Content -Path (Join-Path $out 'keep.mp4') -Value 'precious'
        $errs = $null

        $saved = @(VideoGen\New-Video -Prompt 'Harbour lights' -Provider FastRouter -Name keep | VideoGen\Wait-Video |
            VideoGen\Save-Video -OutputDirectory $out -ErrorVariable errs -ErrorAction SilentlyContinue)

        $saved.Count | Should -Be 0
        $errs[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        Get-Content -Path (Join-Path $out 'keep.mp4') | Should -Be 'precious'
    }
}

Describe 'Wait-Video' {
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

Describe 'Failures, secrets and the journal' {
    It 'stops submitting at a 402: one error for that row, one naming the rows not submitted, no further submissions' {
        $before = (Get-VideoGenEmulatorStats -Emulator $emulator).submissions
        Invoke-VideoGenEmulatorControl -Emulator $emulator -Provider OpenRouter -Path faults -Body @{ route = 'submit'; provider = 'openrouter'; status = 402; count = 1 }
        $errs = $null

        # One submission at a time, so "no further submissions" is observable: the first answers 402, nothing follows.
        # -Force: these rows were paid for by an earlier test in this journal, and would otherwise be taken from it.
        try {
            $jobs = @(Import-Csv $csv | VideoGen\New-Video -Provider OpenRouter -ThrottleLimit 1 -Force -ErrorVariable errs -ErrorAction SilentlyContinue)
        }
        finally {
            # A 402 left queued (nothing was submitted) would answer the next test's submission instead.
            Invoke-RestMethod -Method Delete -Uri (([uri]$emulator.OpenRouter).GetLeftPart([UriPartial]::Authority) + '/_emulator/faults') -TimeoutSec 30 | Out-Null
        }

        $jobs.Count | Should -Be 0
        $errs.Count | Should -Be 2
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'VideoGen.OutOfCredits*'
        $errs[1].FullyQualifiedErrorId | Should -BeLike 'VideoGen.NotSubmitted*'
        (Get-VideoGenEmulatorStats -Emulator $emulator).submissions | Should -Be $before
    }

    It 'stores and names the job still on its way when Select-Object -First 1 ends the pipeline, in a script that then exits' {
        # Each of the first two submissions is created at once and answered 1.5 s later: when the first job reaches
        # Select-Object -First 1, the second row's job exists at the provider and its answer is on its way.
        Invoke-VideoGenEmulatorControl -Emulator $emulator -Provider OpenRouter -Path faults -Body @{ route = 'submit'; provider = 'openrouter'; status = 200; delayMs = 1500; count = 2 }
        $store = Join-Path $TestDrive 'first-only.db'
        $tag = [guid]::NewGuid().ToString('N').Substring(0, 10)
        $script = "Import-Module '$modulePath'; 1..3 | ForEach-Object { [pscustomobject]@{ Name = `"first`$_`"; Prompt = `"Only the first `$_ $tag`" } } | " +
            "New-Video -Provider OpenRouter -ThrottleLimit 1 -JournalPath '$store' | Select-Object -First 1 | ForEach-Object { 'EMITTED ' + `$_.Id }"
        try {
            $run = Invoke-BoundedProcess -FilePath (Get-ChildPowerShellPath) -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $script -TimeoutSec 120
        }
        finally {
            Invoke-RestMethod -Method Delete -Uri (([uri]$emulator.OpenRouter).GetLeftPart([UriPartial]::Authority) + '/_emulator/faults') -TimeoutSec 30 | Out-Null
        }

        $created = @((Get-VideoGenEmulatorStats -Emulator $emulator).jobs | Where-Object { $_.prompt -like "*$tag" })
        $stored = @(VideoGen\Get-VideoJob -All -JournalPath $store)
        $printed = ($run.Output + $run.Errors) -join "`n"
        $emitted = @($run.Output | Where-Object { $_ -like 'EMITTED *' })
        $emitted.Count | Should -Be 1
        $created.Count | Should -BeGreaterOrEqual 2
        foreach ($job in $created) {
            $stored.Id | Should -Contain $job.id
            if ($emitted[0] -ne "EMITTED $($job.id)") { $printed | Should -BeLike "*$($job.id)*" }
        }
    }

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
            # Every cmdlet names the one journal, as a session resuming from it would (not $env:VIDEOGEN_JOURNAL_PATH, the suite's).
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

Describe 'OpenAI-style routes' {
    It 'uploads a local image and saves the video, thumbnail and spritesheet with -Variant' {
        $image = Join-Path $TestDrive 'ref.png'
        [System.IO.File]::WriteAllBytes($image, [Convert]::FromBase64String('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='))
        $out = Join-Path $TestDrive 'variants'

        $job = VideoGen\New-Video -Prompt 'A cow dancing' -Provider OpenAICompatible -Duration 8 -AspectRatio 9:16 -Image $image -Name cow | VideoGen\Wait-Video
        $files = foreach ($variant in 'Video', 'Thumbnail', 'Spritesheet') { $job | VideoGen\Save-Video -OutputDirectory $out -Variant $variant }

        @($files).Count | Should -Be 3
        Join-Path $out 'cow.mp4' | Should -Exist
        Join-Path $out 'cow.webp' | Should -Exist
        Join-Path $out 'cow.jpg' | Should -Exist
        $stats = Get-VideoGenEmulatorStats -Emulator $emulator
        ($stats.jobs | Where-Object id -eq $job.Id).prompt | Should -Be 'A cow dancing'
    }
}

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

Describe 'Packaging and isolation' {
    It 'builds a package that imports from a temporary path and passes Test-ModuleManifest' {
        & (Join-Path $root 'build.ps1') -Task Package -NoBuild | Out-Host
        $version = (Import-PowerShellDataFile $modulePath).ModuleVersion
        $package = Join-Path $root "out/package/VideoGen/$version"
        $copy = Join-Path $TestDrive 'modules/VideoGen'
        New-Item -ItemType Directory -Force -Path $copy | Out-Null
        Copy-Item -Path $package -Destination $copy -Recurse
        $pwsh = Get-ChildPowerShellPath

        $run = Invoke-BoundedProcess -FilePath $pwsh -ArgumentList '-NonInteractive', '-NoProfile', '-Command', "Import-Module '$copy/$version/VideoGen.psd1' -ErrorAction Stop; (Get-Command -Module VideoGen).Name -join ','; (Get-Help New-Video -Full | Out-String) -match 'ApiKey'"
        $names = $run.Output

        { Test-ModuleManifest -Path (Join-Path $package 'VideoGen.psd1') -ErrorAction Stop } | Should -Not -Throw
        $names[0] | Should -Match 'New-Video' -Because (($run.Output + $run.Errors) -join "`n")
        $names[1] | Should -Be 'True'
        @(Get-ChildItem -Path (Join-Path $root 'out/package/feed') -Filter 'VideoGen*.nupkg').Count | Should -Be 1
    }

    It 'imports and runs the pipeline in a session that already loaded another Polly.Core' -Skip:($PSVersionTable.PSEdition -ne 'Core') {
        $project = Join-Path $TestDrive 'conflict/Conflict.csproj'
        New-Item -ItemType Directory -Force -Path (Split-Path $project) | Out-Null
        # Another Polly.Core than VideoGen's 8.9.1 (8.5.2 is one the package mirror has).
        Set-Content -Path $project -Value '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>netstandard2.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally><NoWarn>NU1603;NU1605</NoWarn></PropertyGroup><ItemGroup><PackageReference Include="Polly.Core" Version="8.5.2" /></ItemGroup></Project>'
        (Invoke-BoundedProcess -FilePath dotnet -ArgumentList 'restore', $project).Output | Out-Host
        $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
        $otherPolly = Join-Path $packages 'polly.core/8.5.2/lib/netstandard2.0/Polly.Core.dll'
        $otherPolly | Should -Exist
        $out = Join-Path $TestDrive 'conflict-out'
        $pwsh = Get-ChildPowerShellPath

        # -Force: new submissions through the other Polly as well; the child shares the suite's journal (the environment's),
        # where these rows are recorded, and would otherwise only poll and download.
        $run = Invoke-BoundedProcess -FilePath $pwsh -ArgumentList '-NonInteractive', '-NoProfile', '-Command', "Add-Type -Path '$otherPolly'; Import-Module '$modulePath' -ErrorAction Stop; `$saved = @(Import-Csv '$csv' | Select-Object -First 2 | VideoGen\New-Video -Provider OpenRouter -Force | VideoGen\Wait-Video | VideoGen\Save-Video -OutputDirectory '$out'); `$saved.Count; ([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'Polly.Core' } | ForEach-Object { [Diagnostics.FileVersionInfo]::GetVersionInfo(`$_.Location).FileVersion } | Sort-Object -Unique) -join ','"

        $result = $run.Output
        $run.ExitCode | Should -Be 0 -Because (($run.Output + $run.Errors) -join "`n")
        $result[0] | Should -Be '2'
        # Both builds are loaded side by side (they share the assembly version 8.0.0.0, so only the file version tells them apart).
        $result[1] | Should -Match '8\.5\.2'
        $result[1] | Should -Match '8\.9\.1'
    }
}

Describe 'Discovery' {
    It 'completes -Provider with Tab' {
        $line = 'New-Video -Provider Op'
        $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $result.CompletionMatches.CompletionText | Should -Contain 'OpenRouter'
    }

    It 'completes -Provider with every provider, OpenAICompatible included' {
        $line = 'New-Video -Provider '
        $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $result.CompletionMatches.CompletionText | Should -Be @('FastRouter', 'OpenRouter', 'AppleRouter', 'OpenAICompatible')
    }

    It 'completes -Model with Tab from OpenRouter''s model list' {
        $line = 'New-Video -Provider OpenRouter -Model goo'
        $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $result.CompletionMatches.CompletionText | Should -Contain 'google/veo-3.1'
    }

    It 'completes -Model with Tab from the documented FastRouter models' {
        $line = 'New-Video -Provider FastRouter -Model google/veo'
        $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $result.CompletionMatches.CompletionText | Should -Contain 'google/veo3'
    }

    It 'exports exactly the seven cmdlets' {
        (Get-Command -Module VideoGen).Name | Sort-Object | Should -Be @('Get-VideoJob', 'Get-VideoStatus', 'Import-VideoJob', 'New-Video', 'Remove-Video', 'Save-Video', 'Wait-Video')
    }

    It 'shows full help for every cmdlet: synopsis, every parameter, inputs, outputs and examples' -ForEach @(
        @{ Name = 'New-Video' }, @{ Name = 'Get-VideoStatus' }, @{ Name = 'Wait-Video' }, @{ Name = 'Save-Video' }, @{ Name = 'Get-VideoJob' }, @{ Name = 'Remove-Video' }
    ) {
        $help = Get-Help $Name -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match ('^\s*' + [regex]::Escape($Name) + '\s')
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        $declared = (Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and $_ -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters }
        foreach ($parameter in $declared) {
            $entry = $help.Parameters.Parameter | Where-Object Name -eq $parameter
            $entry | Should -Not -BeNullOrEmpty -Because "-$parameter needs help"
            ($entry.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$parameter needs help text"
        }
        @($help.ReturnValues.ReturnValue).Count | Should -BeGreaterOrEqual 1
    }

    It 'answers Get-Help about_VideoGen' {
        (Get-Help about_VideoGen | Out-String) | Should -Match 'THE JOURNAL AND RESUMING'
    }

    It 'shows jobs with the whole 36-character Id, status, provider and name at <Width> columns' -ForEach @(
        @{ Width = 80 }, @{ Width = 120 }
    ) {
        $job = VideoGen\New-Video -Prompt "Format check $Width" -Provider OpenRouter -Name fmt
        $longId = '3f2b8c1e-7a4d-4e0f-9b6a-2d5c8e1f0a47'
        $long = $job.GetType()::Restore($longId, $job.Provider, $job.Model, 'city-rain-night', 'p', $null, $null, $null, 'Running')

        $table = ($job, $long | Format-Table | Out-String -Width $Width) -replace '\x1b\[[0-9;]*m', ''

        $lines = @($table -split '\r?\n' | Where-Object { $_.Trim() })
        $lines[0] | Should -Match '^Id\s+Status\s+Provider\s+Name\s*$'
        @($lines | Where-Object { $_.StartsWith("$longId Running") -and $_ -match 'OpenRouter' }).Count | Should -Be 1
        @($lines | Where-Object { $_.StartsWith($job.Id + ' ') -and $_ -match 'fmt' }).Count | Should -Be 1
        @($lines | Where-Object { $_.TrimEnd().Length -gt $Width }).Count | Should -Be 0
        (Get-Command New-Video).OutputType.Name | Should -Contain 'VideoGen.Core.VideoJob'
    }

    It 'shows saved videos with their Id, a size in KB and the file name at <Width> columns, and the whole path in the list' -ForEach @(
        @{ Width = 80 }, @{ Width = 120 }
    ) {
        $out = Join-Path $TestDrive "format-$Width"
        $saved = VideoGen\New-Video -Prompt "Saved format check $Width" -Provider FastRouter -Name city-rain-night | VideoGen\Wait-Video | VideoGen\Save-Video -OutputDirectory $out

        $table = ($saved | Format-Table | Out-String -Width $Width) -replace '\x1b\[[0-9;]*m', ''
        $list = ($saved | Format-List | Out-String -Width $Width) -replace '\x1b\[[0-9;]*m', ''

        $saved.Length | Should -BeLessThan 1MB
        $lines = @($table -split '\r?\n' | Where-Object { $_.Trim() })
        $lines[0] | Should -Match '^Id\s+Size\s+File\s*$'
        $row = @($lines | Where-Object { $_.StartsWith($saved.Id + ' ') })
        $row.Count | Should -Be 1
        $row[0] | Should -Match '\d+[.,]\d KB\s+city-rain-night\.mp4\s*$'
        $row[0] | Should -Not -Match '0[.,]00'
        $list | Should -Match '(?m)^Size\s+: \d+[.,]\d KB'
        # Format-List wraps a value longer than the line; joined again, the path is whole.
        ($list -replace '\r?\n\s*', '') | Should -Match ([regex]::Escape($saved.Path))
        (Get-Command Save-Video).OutputType.Name | Should -Contain 'VideoGen.Core.SavedVideo'
    }

    It 'completes -Duration, -AspectRatio and -Resolution with the values of the provider typed' {
        $line = 'New-Video -Provider FastRouter -Duration '
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('4', '5', '6', '8', '10', '12')
        $line = 'New-Video -Provider OpenAICompatible -AspectRatio '
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('16:9', '9:16')
        $line = 'New-Video -Provider FastRouter -Resolution '
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('480p', '720p', '1080p')
    }

    It 'gives every cmdlet an online help address in docs/cmdlets.md and names OpenAICompatible for -Provider' {
        foreach ($name in 'New-Video', 'Get-VideoStatus', 'Wait-Video', 'Save-Video', 'Get-VideoJob', 'Import-VideoJob', 'Remove-Video') {
            (Get-Command $name).HelpUri | Should -Be ('https://github.com/videogen/VideoGen/blob/main/docs/cmdlets.md#' + $name.ToLowerInvariant())
        }
        (Get-Help New-Video -Parameter Provider | Out-String) | Should -Match 'OpenAICompatible'
        (Get-Help New-Video).Synopsis | Should -Match 'OpenAICompatible'
    }

    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest -Path $modulePath -ErrorAction Stop } | Should -Not -Throw
    }
}

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
        # The demo's jobs went to a journal of its own, not the one the environment named (the suite's, here).
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

Describe 'The job store' {
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

    It 'refuses a damaged store or an old journal given as -JournalPath, naming the file, before anything is paid' {
        $damaged = Join-Path $TestDrive 'damaged.db'
        [System.IO.File]::WriteAllBytes($damaged, [byte[]](1..200))
        $old = Join-Path $TestDrive 'old.jsonl'
        Set-Content -LiteralPath $old -Value '{"event":"submitted","id":"task-1","provider":"FastRouter"}'
        $before = (Get-VideoGenEmulatorStats -Emulator $emulator).submissions

        $damagedError = { Import-Csv $csv | VideoGen\New-Video -Provider FastRouter -JournalPath $damaged -Force } | Should -Throw -PassThru
        $oldError = { Import-Csv $csv | VideoGen\New-Video -Provider FastRouter -JournalPath $old -Force } | Should -Throw -PassThru

        (Get-VideoGenEmulatorStats -Emulator $emulator).submissions | Should -Be $before
        $damagedError.Exception.Message | Should -BeLike "*$damaged*"
        $oldError.Exception.Message | Should -BeLike "*Import-VideoJob -Path '$old'*"
        Get-Content -Raw -LiteralPath $old | Should -Match 'task-1'
        [System.IO.File]::ReadAllBytes($damaged).Length | Should -Be 200
    }
}
