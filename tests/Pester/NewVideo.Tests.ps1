#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.1' }
# New-Video on the full PowerShell: rows from Import-Csv and objects, -WhatIf, a 402, a pipeline ended early by
# Select-Object, a store it must refuse, and Tab completion of its parameters.
# Run by ./build.ps1 -Task Pester (after the Build task); each file has an emulator and a journal of its own.

BeforeAll {
    # PowerShell's defaults whoever runs the suite (see VideoGen.TestHelpers.psm1), then the file's emulator, journal and module.
    Set-StrictMode -Off; $ErrorActionPreference = 'Continue'
    Import-Module (Join-Path $PSScriptRoot 'VideoGen.TestHelpers.psm1') -Force
    Initialize-VideoGenTestSuite
}

AfterAll { Complete-VideoGenTestSuite }

Describe 'New-Video' {
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

    It 'submits nothing with -WhatIf' {
        $before = (Get-VideoGenEmulatorStats -Emulator $emulator).submissions

        VideoGen\New-Video -Prompt 'Not really' -Provider FastRouter -WhatIf | Should -BeNullOrEmpty

        (Get-VideoGenEmulatorStats -Emulator $emulator).submissions | Should -Be $before
    }

    It 'stops submitting at a 402: one error for that row, one naming the rows not submitted, no further submissions' {
        $before = (Get-VideoGenEmulatorStats -Emulator $emulator).submissions
        Invoke-VideoGenEmulatorControl -Emulator $emulator -Provider OpenRouter -Path faults -Body @{ route = 'submit'; provider = 'openrouter'; status = 402; count = 1 }
        $errs = $null

        # One submission at a time, so "no further submissions" is observable: the first answers 402, nothing follows.
        # -Force: rows an earlier test paid for in this journal would otherwise be taken from it, not submitted.
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

Describe 'New-Video completion' {
    It 'completes -Provider with Tab' {
        $line = 'New-Video -Provider Op'
        $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $result.CompletionMatches.CompletionText | Should -Contain 'OpenRouter'
    }

    It 'completes -Provider with every provider, OpenAICompatible and Fal included' {
        $line = 'New-Video -Provider '
        $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $result.CompletionMatches.CompletionText | Should -Be @('FastRouter', 'OpenRouter', 'AppleRouter', 'OpenAICompatible', 'Fal')
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

    It 'completes -Duration, -AspectRatio and -Resolution with the values of the provider typed' {
        $line = 'New-Video -Provider FastRouter -Duration '
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('4', '5', '6', '8', '10', '12')
        $line = 'New-Video -Provider OpenAICompatible -AspectRatio '
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('16:9', '9:16')
        $line = 'New-Video -Provider FastRouter -Resolution '
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('480p', '720p', '1080p')
    }
}
