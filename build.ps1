#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests and demonstrates VideoGen.
.DESCRIPTION
    Build   (default) dotnet build of the solution, then dotnet publish of the module into out/VideoGen
            and of the emulator into out/emulator. Afterwards Import-Module ./VideoGen.psd1 works.
    Test    Build, the xunit suite (dotnet test), then the Pester suite.
    Pester  Build, then only the Pester suite (tests/*.Tests.ps1) against the built module.
    Package Build, then out/package/VideoGen/<version>/ (an explicit file list) and a .nupkg in out/package/feed.
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

# The module's layout: VideoGen.dll (the cmdlets and the module initializer) with everything it depends on
# in dependencies/, loaded in isolation (see src/VideoGen/ModuleInitializer.cs).
$ModuleFiles = @('VideoGen.dll', 'VideoGen.Format.ps1xml', 'en-US/VideoGen.dll-Help.xml', 'en-US/about_VideoGen.help.txt')
$DependencyFiles = @('VideoGen.Core.dll', 'VideoGen.Isolation.dll', 'Polly.Core.dll', 'System.Text.Json.dll', 'Microsoft.Bcl.AsyncInterfaces.dll',
    'Microsoft.Bcl.TimeProvider.dll', 'System.Buffers.dll', 'System.ComponentModel.Annotations.dll', 'System.Memory.dll', 'System.Numerics.Vectors.dll',
    'System.Runtime.CompilerServices.Unsafe.dll', 'System.Text.Encodings.Web.dll', 'System.Threading.Tasks.Extensions.dll')

function Invoke-Build {
    Invoke-Dotnet build (Join-Path $root 'VideoGen.sln') -c $Configuration -warnaserror
    $module = Join-Path $root 'out/VideoGen'
    $publish = Join-Path $root 'out/publish'
    Remove-Item -Recurse -Force -Path $module, $publish -ErrorAction SilentlyContinue
    Invoke-Dotnet publish (Join-Path $root 'src/VideoGen/VideoGen.csproj') -c $Configuration --no-build -o $publish
    Invoke-Dotnet publish (Join-Path $root 'src/VideoGen.Isolation/VideoGen.Isolation.csproj') -c $Configuration --no-build -o (Join-Path $publish 'isolation')
    Invoke-Dotnet publish (Join-Path $root 'src/VideoGen.Emulator/VideoGen.Emulator.csproj') -c $Configuration --no-build -o (Join-Path $root 'out/emulator')
    New-Item -ItemType Directory -Force -Path (Join-Path $module 'dependencies') | Out-Null
    Copy-Item -Path (Join-Path $publish 'VideoGen.dll'), (Join-Path $publish 'VideoGen.Format.ps1xml') -Destination $module
    Copy-Item -Path (Join-Path $publish 'isolation/VideoGen.Isolation.dll') -Destination (Join-Path $module 'dependencies')
    foreach ($file in $DependencyFiles | Where-Object { $_ -ne 'VideoGen.Isolation.dll' }) {
        Copy-Item -Path (Join-Path $publish $file) -Destination (Join-Path $module 'dependencies')
    }
    # Help: the cmdlets' XML documentation comments and docs/en-US/about_VideoGen.md, turned into MAML.
    # Written beside VideoGen.dll and under the repository root, where Import-Module ./VideoGen.psd1 looks.
    Invoke-Dotnet run -c $Configuration --no-build --project (Join-Path $root 'tools/VideoGen.HelpGen') '--' (Join-Path $root 'docs/en-US') $module $root
    # Fail when the module is incomplete, rather than at Import-Module time.
    foreach ($file in $ModuleFiles + ($DependencyFiles | ForEach-Object { "dependencies/$_" })) {
        if (-not (Test-Path (Join-Path $module $file))) { throw "Build output is missing out/VideoGen/$file." }
    }
}

function Invoke-Package {
    # out/package/VideoGen/<version>/ from an explicit file list, loadable by Import-Module from any path,
    # and a .nupkg published to a local file repository.
    $version = ([xml](Get-Content -Raw (Join-Path $root 'Directory.Build.props'))).Project.PropertyGroup.VersionPrefix | Where-Object { $_ } | Select-Object -First 1
    $target = Join-Path $root "out/package/VideoGen/$version"
    Remove-Item -Recurse -Force -Path (Join-Path $root 'out/package') -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path (Join-Path $target 'dependencies'), (Join-Path $target 'en-US') | Out-Null
    foreach ($file in $ModuleFiles + ($DependencyFiles | ForEach-Object { "dependencies/$_" })) {
        $source = Join-Path $root "out/VideoGen/$file"
        if (-not (Test-Path $source)) { throw "Package: $file is missing; run the Build task." }
        Copy-Item -Path $source -Destination (Join-Path $target $file)
    }
    foreach ($file in 'LICENSE', 'CHANGELOG.md', 'README.md') {
        if (-not (Test-Path (Join-Path $root $file))) { throw "Package: $file is missing." }
        Copy-Item -Path (Join-Path $root $file) -Destination $target
    }
    # The packaged manifest names the files as they lie in the package.
    $manifest = Get-Content -Raw -Path (Join-Path $root 'VideoGen.psd1')
    $manifest = $manifest.Replace("RootModule           = 'out/VideoGen/VideoGen.dll'", "RootModule           = 'VideoGen.dll'")
    $manifest = $manifest.Replace("FormatsToProcess     = @('src/VideoGen/VideoGen.Format.ps1xml')", "FormatsToProcess     = @('VideoGen.Format.ps1xml')")
    Set-Content -Path (Join-Path $target 'VideoGen.psd1') -Value $manifest -Encoding utf8
    Test-ModuleManifest -Path (Join-Path $target 'VideoGen.psd1') -ErrorAction Stop | Out-Null
    $feed = Join-Path $root 'out/package/feed'
    New-Item -ItemType Directory -Force -Path $feed | Out-Null
    # Publishing wants a folder named after the module: stage a copy as out/package/staging/VideoGen.
    $staging = Join-Path $root 'out/package/staging/VideoGen'
    New-Item -ItemType Directory -Force -Path $staging | Out-Null
    Copy-Item -Path (Join-Path $target '*') -Destination $staging -Recurse
    if (Get-Command Publish-PSResource -ErrorAction SilentlyContinue) {
        # Registered afresh each time: an older registration may point at another clone's feed.
        Unregister-PSResourceRepository -Name VideoGenLocal -ErrorAction SilentlyContinue
        Register-PSResourceRepository -Name VideoGenLocal -Uri $feed -Trusted
        Publish-PSResource -Path $staging -Repository VideoGenLocal
    }
    elseif (Get-Command Publish-Module -ErrorAction SilentlyContinue) {
        Unregister-PSRepository -Name VideoGenLocal -ErrorAction SilentlyContinue
        Register-PSRepository -Name VideoGenLocal -SourceLocation $feed -PublishLocation $feed -InstallationPolicy Trusted
        Publish-Module -Path $staging -Repository VideoGenLocal -NuGetApiKey 'local'
    }
    else { throw 'Package: neither PSResourceGet nor PowerShellGet is available to build the .nupkg.' }
    Get-ChildItem -Path $feed -Filter '*.nupkg' | ForEach-Object { Write-Host "Package: $($_.FullName)" }
    Write-Host "Package: $target"
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
    'Package' { if (-not $NoBuild) { Invoke-Build }; Invoke-Package }
    'Bench' {
        Invoke-Build
        $benchArgs = @('run', '-c', $Configuration, '--no-build', '--project', (Join-Path $root 'tests/VideoGen.Benchmarks'))
        if ($Quick) { $benchArgs += @('--', '--quick') }
        Invoke-Dotnet @benchArgs
    }
}
