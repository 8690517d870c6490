# Starts and stops the VideoGen emulator (out/emulator, built by ./build.ps1) for the demo and the Pester tests.
# The emulator prints one line per provider base URI (VIDEOGEN_X_BASE_URI=uri, or $env:VIDEOGEN_X_BASE_URI = 'uri'
# to paste into pwsh); these helpers read either.

function Start-VideoGenEmulator {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Root,
        [double] $JobSeconds = 1,
        [string] $Key = 'emulator-key',
        [string[]] $ExtraArguments = @()
    )
    $dll = Join-Path $Root 'out/emulator/VideoGen.Emulator.dll'
    if (-not (Test-Path $dll)) { throw "The emulator is not built ($dll); run ./build.ps1 first." }
    $info = New-Object System.Diagnostics.ProcessStartInfo
    $info.FileName = 'dotnet'
    $arguments = @("`"$dll`"", '--job-seconds', $JobSeconds.ToString([Globalization.CultureInfo]::InvariantCulture), '--key', $Key) + $ExtraArguments
    $info.Arguments = $arguments -join ' '
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.CreateNoWindow = $true
    $process = [System.Diagnostics.Process]::Start($info)
    try {
        $uris = @{}
        $first = $null
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ($uris.Count -lt 5) {
            # A bounded read: ReadLine() would wait past the deadline (for ever) on an emulator that hangs before printing.
            $read = $process.StandardOutput.ReadLineAsync()
            $left = $deadline - [DateTime]::UtcNow
            if ($left -le [TimeSpan]::Zero -or -not $read.Wait($left)) { throw 'The emulator did not print its base URIs within 30 s.' }
            $line = $read.Result
            if ($null -eq $line) {
                $null = $process.WaitForExit(5000)
                throw "The emulator ended before printing its base URIs$(if ($process.HasExited) { " (exit code $($process.ExitCode))" })."
            }
            if (-not $first) { $first = $line }
            # Either form: VIDEOGEN_X_BASE_URI=uri, or the line to paste into pwsh, $env:VIDEOGEN_X_BASE_URI = 'uri'.
            if ($line -match '^(VIDEOGEN_[A-Z]+_BASE_URI)=(.+)$') { $uris[$Matches[1]] = $Matches[2].Trim() }
            elseif ($line -match '^\$env:(VIDEOGEN_[A-Z]+_BASE_URI)\s*=\s*''([^'']+)''\s*$') { $uris[$Matches[1]] = $Matches[2] }
        }
        # The rest of its output is read (and dropped) in the background: nothing it prints later can fill the pipe and stall it.
        $null = $process.StandardOutput.ReadToEndAsync()
    }
    catch {
        # Not left running: a stray emulator keeps the console's (or CI's) output pipe open after the run.
        try {
            if (-not $process.HasExited) {
                $process.Kill()
                $null = $process.WaitForExit(5000)
            }
        }
        catch [System.InvalidOperationException] {
            # It ended by itself meanwhile.
        }
        throw
    }
    [pscustomobject]@{
        Process     = $process
        Key         = $Key
        Line        = $first
        FastRouter  = $uris['VIDEOGEN_FASTROUTER_BASE_URI']
        OpenRouter  = $uris['VIDEOGEN_OPENROUTER_BASE_URI']
        AppleRouter = $uris['VIDEOGEN_APPLEROUTER_BASE_URI']
        OpenAICompatible = $uris['VIDEOGEN_OPENAICOMPATIBLE_BASE_URI']
        Fal         = $uris['VIDEOGEN_FAL_BASE_URI']
    }
}

# Every variable Set-VideoGenEmulatorEnvironment sets, for callers that put them back afterwards.
$VideoGenEmulatorVariables = @('VIDEOGEN_FASTROUTER_BASE_URI', 'VIDEOGEN_OPENROUTER_BASE_URI', 'VIDEOGEN_APPLEROUTER_BASE_URI',
    'VIDEOGEN_OPENAICOMPATIBLE_BASE_URI', 'VIDEOGEN_FAL_BASE_URI', 'FASTROUTER_API_KEY', 'OPENROUTER_API_KEY', 'APPLEROUTER_API_KEY',
    'OPENAICOMPATIBLE_API_KEY', 'FAL_KEY', 'VIDEOGEN_POLL_INTERVAL_SEC')

function Set-VideoGenEmulatorEnvironment {
    # Points every provider at the emulator, in this process's environment (which a script run from a session shares
    # with it: save $VideoGenEmulatorVariables first and put them back, so the user's own keys outlive the run).
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Emulator)
    $env:VIDEOGEN_FASTROUTER_BASE_URI = $Emulator.FastRouter
    $env:VIDEOGEN_OPENROUTER_BASE_URI = $Emulator.OpenRouter
    $env:VIDEOGEN_APPLEROUTER_BASE_URI = $Emulator.AppleRouter
    $env:FASTROUTER_API_KEY = $Emulator.Key
    $env:OPENROUTER_API_KEY = $Emulator.Key
    $env:APPLEROUTER_API_KEY = $Emulator.Key
    $env:VIDEOGEN_OPENAICOMPATIBLE_BASE_URI = $Emulator.OpenAICompatible
    $env:OPENAICOMPATIBLE_API_KEY = $Emulator.Key
    # fal's key variable is the name fal's own documents use.
    $env:VIDEOGEN_FAL_BASE_URI = $Emulator.Fal
    $env:FAL_KEY = $Emulator.Key
    # The emulator's jobs take seconds, not the minutes real ones take: poll it every half second where Wait-Video has no
    # history of a model, instead of the providers' advised 10 s.
    $env:VIDEOGEN_POLL_INTERVAL_SEC = '0.5'
}

function Invoke-VideoGenEmulatorControl {
    # POST /_emulator/faults or /_emulator/config on the provider's port.
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [hashtable] $Body, [string] $Provider = 'FastRouter')
    $base = ([uri]$Emulator.$Provider).GetLeftPart([UriPartial]::Authority)
    Invoke-RestMethod -Method Post -Uri "$base/_emulator/$Path" -Body ($Body | ConvertTo-Json -Compress) -ContentType 'application/json' -TimeoutSec 30 | Out-Null
}

function Get-VideoGenEmulatorStats {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Emulator)
    $base = ([uri]$Emulator.FastRouter).GetLeftPart([UriPartial]::Authority)
    Invoke-RestMethod -Uri "$base/_emulator/stats" -TimeoutSec 30
}

function Stop-VideoGenEmulator {
    [CmdletBinding()]
    param($Emulator)
    if ($Emulator -and $Emulator.Process -and -not $Emulator.Process.HasExited) {
        $Emulator.Process.Kill()
        $Emulator.Process.WaitForExit(5000) | Out-Null
    }
}

function Remove-VideoGenStore {
    # Deletes a job store of the demo's or the tests' own: the database and the write-ahead log and shared-memory files
    # SQLite keeps beside it. Never the user's store: callers pass a path they made.
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Path)
    foreach ($file in $Path, "$Path-wal", "$Path-shm") { Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue }
}
