#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.1' }
# The module as the full PowerShell sees it: the exported cmdlets, Get-Help, the manifest, the format views at the
# console, the package and another Polly.Core loaded first.
# Run by ./build.ps1 -Task Pester (after the Build task); each file has an emulator and a journal of its own.

BeforeAll {
    # PowerShell's defaults whoever runs the suite (see VideoGen.TestHelpers.psm1), then the file's emulator, journal and module.
    Set-StrictMode -Off; $ErrorActionPreference = 'Continue'
    Import-Module (Join-Path $PSScriptRoot 'VideoGen.TestHelpers.psm1') -Force
    Initialize-VideoGenTestSuite
}

AfterAll { Complete-VideoGenTestSuite }

Describe 'Discovery' {
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

Describe 'Format views' {
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

        # -Force: new submissions through the other Polly as well; the child shares this file's journal (the environment's),
        # where an earlier run of these rows would be recorded, and would otherwise only poll and download.
        $run = Invoke-BoundedProcess -FilePath $pwsh -ArgumentList '-NonInteractive', '-NoProfile', '-Command', "Add-Type -Path '$otherPolly'; Import-Module '$modulePath' -ErrorAction Stop; `$saved = @(Import-Csv '$csv' | Select-Object -First 2 | VideoGen\New-Video -Provider OpenRouter -Force | VideoGen\Wait-Video | VideoGen\Save-Video -OutputDirectory '$out'); `$saved.Count; ([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'Polly.Core' } | ForEach-Object { [Diagnostics.FileVersionInfo]::GetVersionInfo(`$_.Location).FileVersion } | Sort-Object -Unique) -join ','"

        $result = $run.Output
        $run.ExitCode | Should -Be 0 -Because (($run.Output + $run.Errors) -join "`n")
        $result[0] | Should -Be '2'
        # Both builds are loaded side by side (they share the assembly version 8.0.0.0, so only the file version tells them apart).
        $result[1] | Should -Match '8\.5\.2'
        $result[1] | Should -Match '8\.9\.1'
    }
}
