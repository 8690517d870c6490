#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests and demonstrates VideoGen.
.DESCRIPTION
    Build   (default) dotnet build of the solution, then dotnet publish of the module into out/VideoGen
            and of the emulator into out/emulator. Afterwards Import-Module ./VideoGen.psd1 works.
    Test    Build, the xunit suite (dotnet test), then the Pester suite.
    Pester  Build, then only the Pester suite (tests/*.Tests.ps1) against the built module.
    Bench   Build, then the benchmarks (tests/VideoGen.Benchmarks; -Quick for small sizes). Prints one table.
    Demo    Build, start the emulator on loopback, run
            Import-Csv examples/prompts.csv | New-Video | Wait-Video | Save-Video against it and
            leave the videos in ./out/demo.
.EXAMPLE
    ./build.ps1 -Task Demo
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Pester', 'Demo', 'Bench')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [ValidateSet('FastRouter', 'OpenRouter', 'AppleRouter')]
    [string] $Provider = 'FastRouter',

    # With -Task Bench: small sizes for a quick run (about a minute).
    [switch] $Quick
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

function Invoke-Build {
    Invoke-Dotnet build (Join-Path $root 'VideoGen.sln') -c $Configuration -warnaserror
    Invoke-Dotnet publish (Join-Path $root 'src/VideoGen/VideoGen.csproj') -c $Configuration --no-build -o (Join-Path $root 'out/VideoGen')
    Invoke-Dotnet publish (Join-Path $root 'src/VideoGen.Emulator/VideoGen.Emulator.csproj') -c $Configuration --no-build -o (Join-Path $root 'out/emulator')
    # Fail when the module is incomplete, rather than at Import-Module time.
    foreach ($file in 'VideoGen.dll', 'VideoGen.Core.dll', 'Polly.Core.dll', 'System.Text.Json.dll') {
        if (-not (Test-Path (Join-Path $root "out/VideoGen/$file"))) { throw "Build output is missing out/VideoGen/$file." }
    }
}

function Invoke-PesterSuite {
    $pester = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]'5.0' } | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $pester) {
        Write-Warning 'Pester 5 is not installed (Install-Module Pester -MinimumVersion 5.0); the Pester tests were skipped.'
        return
    }
    Import-Module $pester -Force
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $root 'tests'
    $config.Run.Exit = $false
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $result = Invoke-Pester -Configuration $config
    Write-Host ("{0} passed, {1} failed" -f $result.PassedCount, $result.FailedCount)
    if ($result.FailedCount -gt 0 -or $result.Result -ne 'Passed') { throw "Pester: $($result.FailedCount) test(s) failed." }
}

function Invoke-Demo {
    $emulator = Start-VideoGenEmulator -Root $root -JobSeconds 3
    try {
        Set-VideoGenEmulatorEnvironment -Emulator $emulator
        Import-Module (Join-Path $root 'VideoGen.psd1') -Force
        $out = Join-Path $root 'out/demo'
        New-Item -ItemType Directory -Force -Path $out | Out-Null
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
    }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Build; Invoke-Dotnet test (Join-Path $root 'VideoGen.sln') -c $Configuration --no-build; Invoke-PesterSuite }
    'Pester' { Invoke-Build; Invoke-PesterSuite }
    'Demo' { Invoke-Build; Invoke-Demo }
    'Bench' {
        Invoke-Build
        $benchArgs = @('run', '-c', $Configuration, '--no-build', '--project', (Join-Path $root 'tests/VideoGen.Benchmarks'))
        if ($Quick) { $benchArgs += @('--', '--quick') }
        Invoke-Dotnet @benchArgs
    }
}
