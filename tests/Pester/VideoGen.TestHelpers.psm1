# What every file of the Pester suite (tests/Pester/*.Tests.ps1) shares: the emulator (tests/EmulatorHelper.ps1, which
# ./build.ps1's Demo task uses too), the setup and teardown around a file's tests, and the child processes they start.
# A test file begins with:
#
#     BeforeAll {
#         Set-StrictMode -Off
#         $ErrorActionPreference = 'Continue'
#         Import-Module (Join-Path $PSScriptRoot 'VideoGen.TestHelpers.psm1') -Force
#         Initialize-VideoGenTestSuite
#     }
#     AfterAll { Complete-VideoGenTestSuite }
#
# The first two lines are PowerShell's defaults, whoever runs the suite: Pester runs these blocks in scopes under its
# caller's, so ./build.ps1's own Set-StrictMode -Version Latest and $ErrorActionPreference = 'Stop' would otherwise apply
# too (a cmdlet's non-terminating error would end a test, and the help formatting behind Get-Help | Out-String is not
# strict-mode safe). They stay in the file: strict mode set from a module holds in the module only.

. (Join-Path (Split-Path -Parent $PSScriptRoot) 'EmulatorHelper.ps1')

# The state of the file being run, for Complete-VideoGenTestSuite.
$script:SavedEnvironment = $null
$script:Emulator = $null
$script:TestJournal = $null

function Initialize-VideoGenTestSuite {
    <#
    .SYNOPSIS
        Starts an emulator for one test file, points every provider at it, gives the file a journal of its own and
        imports the built module; sets in the caller's scope what the tests read:
        $root, $key, $emulator, $modulePath, $csv, $testJournal and $PSDefaultParameterValues.
    #>
    [CmdletBinding()]
    param()
    $root = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    # A distinctive key, so a leak would be found; a journal of the file's own, never the user's.
    $key = 'vg-test-secret-' + [guid]::NewGuid().ToString('N')
    # What Set-VideoGenEmulatorEnvironment and this function change, put back by Complete-VideoGenTestSuite.
    $script:SavedEnvironment = @{}
    foreach ($environmentName in $VideoGenEmulatorVariables + 'VIDEOGEN_PROVIDER', 'VIDEOGEN_JOURNAL_PATH', 'DOTNET_ROOT') {
        $script:SavedEnvironment[$environmentName] = [Environment]::GetEnvironmentVariable($environmentName)
    }
    # A pwsh from the .NET tool is an apphost that finds the runtime through DOTNET_ROOT (or a default install location):
    # the children get the runtime this process runs on.
    $hostPath = (Get-Process -Id $PID).Path
    if (-not $env:DOTNET_ROOT -and [System.IO.Path]::GetFileNameWithoutExtension($hostPath) -eq 'dotnet') { $env:DOTNET_ROOT = Split-Path -Parent $hostPath }
    # The file's own journal, named before anything can fail: Complete-VideoGenTestSuite removes this file only, never
    # the journal $env:VIDEOGEN_JOURNAL_PATH named before the suite (the user's task ids), which it puts back.
    $script:TestJournal = Join-Path ([System.IO.Path]::GetTempPath()) ('videogen-pester-' + [guid]::NewGuid().ToString('N') + '.db')
    $env:VIDEOGEN_JOURNAL_PATH = $script:TestJournal
    $script:Emulator = $null
    $script:Emulator = Start-VideoGenEmulator -Root $root -JobSeconds 1 -Key $key
    Set-VideoGenEmulatorEnvironment -Emulator $script:Emulator
    $env:VIDEOGEN_PROVIDER = $null
    $modulePath = Join-Path $root 'out/VideoGen/VideoGen.psd1'
    # -Global: the tests' session, not this module's, gets the cmdlets.
    Import-Module $modulePath -Force -Global
    $variables = $PSCmdlet.SessionState.PSVariable
    $variables.Set('root', $root)
    $variables.Set('key', $key)
    $variables.Set('emulator', $script:Emulator)
    $variables.Set('modulePath', $modulePath)
    $variables.Set('csv', (Join-Path $root 'examples/prompts.csv'))
    $variables.Set('testJournal', $script:TestJournal)
    # Every Wait-Video of the suite is bounded (Wait-Video alone waits for ever; the jobs take a second, and a test's own
    # -TimeoutSec wins), so a job that never ends fails its test with a timeout error instead of hanging the run.
    $variables.Set('PSDefaultParameterValues', @{ 'Wait-Video:TimeoutSec' = 300 })
}

function Complete-VideoGenTestSuite {
    <#
    .SYNOPSIS
        Undoes Initialize-VideoGenTestSuite, also after it failed half-way (Pester runs AfterAll then too): stops the
        emulator, removes the file's own journal, puts back every environment variable and removes the module.
    #>
    [CmdletBinding()]
    param()
    Stop-VideoGenEmulator -Emulator $script:Emulator
    $script:Emulator = $null
    if ($script:TestJournal) { Remove-VideoGenStore -Path $script:TestJournal }
    $script:TestJournal = $null
    # The emulator's key and addresses, and the file's journal path, do not outlive the file in this process: the
    # variables are as they were before it (build.ps1 runs in the caller's session).
    if ($script:SavedEnvironment) {
        foreach ($environmentName in $script:SavedEnvironment.Keys) { [Environment]::SetEnvironmentVariable($environmentName, $script:SavedEnvironment[$environmentName]) }
    }
    $script:SavedEnvironment = $null
    Remove-Module VideoGen -ErrorAction SilentlyContinue
}

function Invoke-BoundedProcess {
    # A child process with a time limit: one that never exits (a script waiting on a job, a prompt) fails its test,
    # killed with what it printed, instead of hanging the run. Its environment is this process's, as with & $pwsh.
    [CmdletBinding()]
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

function Get-ChildPowerShellPath {
    # The PowerShell running this suite, for the child sessions the tests start: from $PSHOME, never the process path,
    # which is `dotnet` when pwsh runs as a .NET tool (`dotnet pwsh.dll`, as `dotnet pwsh` from the tool manifest does).
    [CmdletBinding()]
    param()
    $name = if ($PSVersionTable.PSEdition -eq 'Desktop') { 'powershell.exe' } elseif ($IsWindows) { 'pwsh.exe' } else { 'pwsh' }
    $path = Join-Path $PSHOME $name
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { throw "This PowerShell has no $name in `$PSHOME ($PSHOME) to start a child session with." }
    $path
}

Export-ModuleMember -Function Initialize-VideoGenTestSuite, Complete-VideoGenTestSuite, Invoke-BoundedProcess, Get-ChildPowerShellPath,
    Start-VideoGenEmulator, Stop-VideoGenEmulator, Set-VideoGenEmulatorEnvironment,
    Invoke-VideoGenEmulatorControl, Get-VideoGenEmulatorStats, Remove-VideoGenStore -Variable VideoGenEmulatorVariables
