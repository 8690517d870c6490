#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests and demonstrates VideoGen.
.DESCRIPTION
    Build   (default) dotnet build of the solution, which lays out the module in out/VideoGen (see
            src/VideoGen.Module), then dotnet publish of the emulator into out/emulator.
            Afterwards Import-Module ./out/VideoGen/VideoGen.psd1 works.
    Test    Build, the xunit suite (dotnet test), then the Pester suite.
    Pester  Build, then only the Pester suite (tests/*.Tests.ps1) against the built module.
    Package Build, then out/package/VideoGen/<version>/ (the built layout) and a .nupkg in out/package/feed.
    Bench   Build, then the benchmarks (tests/VideoGen.Benchmarks; -Quick for small sizes). Prints one table.
    Demo    Build, start the emulator on loopback, run
            Import-Csv examples/prompts.csv | New-Video | Wait-Video | Save-Video against it and
            leave the videos in ./out/demo.
.EXAMPLE
    ./build.ps1 -Task Demo
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

    # With -Task Package: package the module already built in out/VideoGen (the Pester suite uses this
    # while the built module is loaded, which on Windows locks its files).
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

function Invoke-PesterSuite {
    $pester = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]'5.1' } | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $pester) {
        Write-Warning 'Pester 5.1 or later is not installed (Install-Module Pester -MinimumVersion 5.1); the Pester tests were skipped.'
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
        Import-Module $ModuleManifest -Force
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
    'Package' { if (-not $NoBuild) { Invoke-Build }; Invoke-Package }
    'Bench' {
        Invoke-Build
        $benchArgs = @('run', '-c', $Configuration, '--no-build', '--project', (Join-Path $root 'tests/VideoGen.Benchmarks'))
        if ($Quick) { $benchArgs += @('--', '--quick') }
        Invoke-Dotnet @benchArgs
    }
}
