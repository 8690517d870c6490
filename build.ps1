#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests and demonstrates VideoGen.
.DESCRIPTION
    Build   (default) dotnet build of the solution, which lays out the module in out/VideoGen (see
            src/VideoGen.Module), then dotnet publish of the emulator into out/emulator.
            Afterwards Import-Module ./out/VideoGen/VideoGen.psd1 works.
    Test    Build, the xunit suites (dotnet test), then the Pester suite on this PowerShell with the Pester the build
            restored (out/modules); ends with one line "total: N passed, N failed" and fails if either runner
            failed or did not run.
    Pester  Build, then only the Pester suite (every tests/Pester/*.Tests.ps1, one file per cmdlet and the end-to-end
            and module files, sharing tests/Pester/VideoGen.TestHelpers.psm1) against the built module.
    Package Build, then out/package/VideoGen/<version>/ (the built layout) and a .nupkg in out/package/feed.
    Bench   Build, then the benchmarks (tests/VideoGen.Benchmarks; -Quick for small sizes). Prints one table.
    Demo    Build, start the emulator on loopback, run
            Import-Csv examples/prompts.csv | New-Video | Wait-Video | Save-Video against it and
            leave the videos in ./out/demo.
.EXAMPLE
    ./build.ps1 -Task Demo
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test

    With only the .NET SDK: PowerShell 7.6.10 from the local tool manifest (.config/dotnet-tools.json).
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Pester', 'Demo', 'Bench', 'Package')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [ValidateSet('FastRouter', 'OpenRouter', 'AppleRouter')]
    [string] $Provider = 'FastRouter',

    # With -Task Bench: small sizes for a quick run (about a minute).
    [switch] $Quick,

    # With -Task Package or Demo: use the module and emulator already built in out/ (the Pester suite uses this
    # while the built module is loaded, which on Windows locks its files, and its emulator runs from out/emulator).
    [switch] $NoBuild
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
. (Join-Path $root 'tests/EmulatorHelper.ps1')

function Invoke-Dotnet {
    # A simple function on purpose: its arguments (-c, -o, --no-build) pass through $args untouched,
    # where an advanced function would try to bind them as its own parameters.
    $Arguments = [string[]]$args
    Write-Host "dotnet $($Arguments -join ' ')" -ForegroundColor DarkGray
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments -join ' ') failed with exit code $LASTEXITCODE." }
}

# The module's layout (out/VideoGen: manifest, VideoGen.dll, format file, help, dependencies/) is built by
# src/VideoGen.Module as part of the solution, so `dotnet build`, `dotnet test`, this script and the Package task
# all use one layout; its dependency list is derived from the build, never written here.
$ModuleDirectory = Join-Path $root 'out/VideoGen'
$ModuleManifest = Join-Path $ModuleDirectory 'VideoGen.psd1'

function Invoke-Build {
    Invoke-Dotnet build (Join-Path $root 'VideoGen.sln') -c $Configuration -warnaserror
    # The emulator as a standalone program, for the demo and the Pester suite.
    Remove-Item -Recurse -Force -Path (Join-Path $root 'out/emulator') -ErrorAction SilentlyContinue
    Invoke-Dotnet publish (Join-Path $root 'src/VideoGen.Emulator/VideoGen.Emulator.csproj') -c $Configuration --no-build -o (Join-Path $root 'out/emulator')
    if (-not (Test-Path $ModuleManifest)) { throw "The build did not lay out the module in $ModuleDirectory." }
    Write-Host "Module: Import-Module $ModuleManifest"
}

function Invoke-Package {
    # out/package/VideoGen/<version>/: the built layout as it is, importable from any path, and a .nupkg in
    # out/package/feed that a local PowerShell repository accepts.
    $version = (Import-PowerShellDataFile -Path $ModuleManifest).ModuleVersion
    $target = Join-Path $root "out/package/VideoGen/$version"
    Remove-Item -Recurse -Force -Path (Join-Path $root 'out/package') -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path $target | Out-Null
    if (-not (Test-Path (Join-Path $ModuleDirectory 'dependencies'))) { throw 'Package: out/VideoGen is incomplete; run the Build task.' }
    Copy-Item -Path (Join-Path $ModuleDirectory '*') -Destination $target -Recurse
    foreach ($file in 'LICENSE', 'CHANGELOG.md', 'README.md') {
        Copy-Item -Path (Join-Path $root $file) -Destination $target
    }
    Test-ModuleManifest -Path (Join-Path $target 'VideoGen.psd1') -ErrorAction Stop | Out-Null
    $feed = Join-Path $root 'out/package/feed'
    New-Item -ItemType Directory -Force -Path $feed | Out-Null
    # The .nupkg from src/VideoGen.Module/VideoGen.nuspec, packed from out/VideoGen (the layout just copied): the one way,
    # everywhere, and the one the xunit suite checks (PackageTests: the whole layout, the Gallery tags, importable unpacked).
    # A local PSResourceGet repository accepts it: Register-PSResourceRepository -Name VideoGenLocal -Uri <feed> -Trusted.
    Invoke-Dotnet pack (Join-Path $root 'src/VideoGen.Module/VideoGen.Module.csproj') -c $Configuration --no-build -o $feed "-p:NuspecProperties=version=$version"
    Get-ChildItem -Path $feed -Filter '*.nupkg' | ForEach-Object { Write-Host "Package: $($_.FullName)" }
    Write-Host "Package: $target"
}

# The modules the tests need (Pester), restored from NuGet by the build (tools/TestModules) into out/modules: put on
# PSModulePath for the test run only, so nothing is installed for the user or the machine and no Gallery is needed.
$TestModulesDirectory = Join-Path $root 'out/modules'

function Invoke-XunitSuites {
    # dotnet test of the solution, each suite's results also written as TRX so the closing line can count them.
    # Returns @{ Passed; Failed; Ran }: Ran is false when a suite did not run at all (a build or test host failure).
    $results = Join-Path $root 'out/TestResults'
    Remove-Item -Recurse -Force -Path $results -ErrorAction SilentlyContinue
    $arguments = @('test', (Join-Path $root 'VideoGen.sln'), '-c', $Configuration, '--no-build', '--logger', 'trx', '--results-directory', $results)
    Write-Host "dotnet $($arguments -join ' ')" -ForegroundColor DarkGray
    & dotnet @arguments | Out-Host
    $exitCode = $LASTEXITCODE
    $passed = 0
    $failed = 0
    $reports = @(Get-ChildItem -Path $results -Filter '*.trx' -Recurse -ErrorAction SilentlyContinue)
    foreach ($report in $reports) {
        $counters = ([xml](Get-Content -Raw -LiteralPath $report.FullName)).TestRun.ResultSummary.Counters
        $passed += [int]$counters.passed
        $failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
    }
    Write-Host ("xunit ({0} suites): passed {1}, failed {2}, exit code {3}" -f $reports.Count, $passed, $failed, $exitCode)
    @{ Passed = $passed; Failed = $failed; Ran = ($exitCode -eq 0 -or $reports.Count -gt 0) -and $passed -gt 0; ExitCode = $exitCode }
}

function Invoke-PesterSuite {
    # Pester 5.9.1 as the build restored it, never whatever Pester the machine has (Windows PowerShell ships 3.4).
    # A suite that cannot run is a failure, not a skip. Returns @{ Passed; Failed; Ran }.
    $pesterManifest = @(Get-ChildItem -Path (Join-Path $TestModulesDirectory 'Pester') -Filter 'Pester.psd1' -Recurse -ErrorAction SilentlyContinue) | Select-Object -First 1
    if (-not $pesterManifest) { throw "Pester is not in $TestModulesDirectory. The Build task restores it from NuGet (tools/TestModules): run ./build.ps1 first." }
    $savedModulePath = $env:PSModulePath
    $env:PSModulePath = $TestModulesDirectory + [System.IO.Path]::PathSeparator + $env:PSModulePath
    try {
        Remove-Module Pester -ErrorAction SilentlyContinue
        Import-Module $pesterManifest.FullName -Force
        $config = New-PesterConfiguration
        # Every *.Tests.ps1 under tests/Pester: a new file there runs without being listed here.
        $config.Run.Path = Join-Path $root 'tests/Pester'
        $config.Run.Exit = $false
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'Detailed'
        $result = Invoke-Pester -Configuration $config
    }
    finally {
        $env:PSModulePath = $savedModulePath
    }
    # Tests that never ran because their block or file failed count as failures too.
    $failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Write-Host ("Pester {0} on PowerShell {1}: passed {2}, failed {3}" -f (Get-Module Pester).Version, $PSVersionTable.PSVersion, $result.PassedCount, $failed)
    @{ Passed = $result.PassedCount; Failed = $failed; Ran = $result.PassedCount + $result.FailedCount -gt 0 -and $result.Result -ne 'NotRun' }
}

function Complete-TestRun {
    # One closing line for both runners ("N passed, N failed"), then a failure if anything failed or did not run.
    param([hashtable[]] $Runs, [string[]] $Names)
    $passed = ($Runs | ForEach-Object { $_.Passed } | Measure-Object -Sum).Sum
    $failed = ($Runs | ForEach-Object { $_.Failed } | Measure-Object -Sum).Sum
    Write-Host ("total: {0} passed, {1} failed" -f $passed, $failed)
    $notRun = @(for ($i = 0; $i -lt $Runs.Count; $i++) { if (-not $Runs[$i].Ran) { $Names[$i] } })
    if ($notRun) { throw "Tests did not run: $($notRun -join ', ')." }
    if ($failed -gt 0) { throw "$failed test(s) failed." }
    $xunit = @($Runs | Where-Object { $_.ContainsKey('ExitCode') -and $_.ExitCode -ne 0 })
    if ($xunit) { throw "dotnet test failed with exit code $($xunit[0].ExitCode)." }
}

function Invoke-Demo {
    # The emulator's keys and addresses and the demo's journal are set in this process, which is the caller's session
    # when ./build.ps1 runs from one: the user's own values are put back afterwards.
    $savedEnvironment = @{}
    foreach ($name in $VideoGenEmulatorVariables + 'VIDEOGEN_JOURNAL_PATH') { $savedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name) }
    $emulator = Start-VideoGenEmulator -Root $root -JobSeconds 3
    try {
        Set-VideoGenEmulatorEnvironment -Emulator $emulator
        Import-Module $ModuleManifest -Force
        $out = Join-Path $root 'out/demo'
        New-Item -ItemType Directory -Force -Path $out | Out-Null
        # The emulator's jobs are kept in a journal of the demo's own, made anew each run: never in the user's journal,
        # where they would be listed by Get-VideoJob next to jobs that cost money.
        $env:VIDEOGEN_JOURNAL_PATH = Join-Path $root 'out/demo-journal.db'
        Remove-VideoGenStore -Path $env:VIDEOGEN_JOURNAL_PATH
        Write-Host "Emulator: $($emulator.Line)"
        Import-Csv (Join-Path $root 'examples/prompts.csv') |
            VideoGen\New-Video -Provider $Provider |
            VideoGen\Wait-Video |
            VideoGen\Save-Video -OutputDirectory $out -Force |
            Format-Table -AutoSize | Out-Host
        Write-Host "Videos are in $out"
    }
    finally {
        Stop-VideoGenEmulator -Emulator $emulator
        foreach ($name in $savedEnvironment.Keys) { [Environment]::SetEnvironmentVariable($name, $savedEnvironment[$name]) }
    }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' {
        Invoke-Build
        # Both runners run whatever the first found, so one run reports every failure.
        $xunit = Invoke-XunitSuites
        $pester = Invoke-PesterSuite
        Complete-TestRun -Runs $xunit, $pester -Names 'xunit', 'Pester'
    }
    'Pester' { Invoke-Build; Complete-TestRun -Runs (Invoke-PesterSuite) -Names 'Pester' }
    'Demo' { if (-not $NoBuild) { Invoke-Build }; Invoke-Demo }
    'Package' { if (-not $NoBuild) { Invoke-Build }; Invoke-Package }
    'Bench' {
        Invoke-Build
        $benchArgs = @('run', '-c', $Configuration, '--no-build', '--project', (Join-Path $root 'tests/VideoGen.Benchmarks'))
        if ($Quick) { $benchArgs += @('--', '--quick') }
        Invoke-Dotnet @benchArgs
    }
}
