@{
    # Built by ./build.ps1 (default task Build). ModuleVersion must equal VersionPrefix in
    # Directory.Build.props, the one version source (a test checks).
    RootModule           = 'VideoGen.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = 'c0fd004b-07cc-4a6d-85e3-450b5dfd2401'
    Author               = 'VideoGen contributors'
    CompanyName          = 'VideoGen'
    Copyright            = '(c) VideoGen contributors. MIT License.'
    Description          = 'Turns prompts into video files through AI video routers (FastRouter, OpenRouter, AppleRouter): New-Video, Get-VideoStatus, Wait-Video, Save-Video. Import-Csv prompts.csv | New-Video | Wait-Video | Save-Video.'
    CompatiblePSEditions = @('Desktop', 'Core')
    PowerShellVersion    = '5.1'
    # Windows PowerShell 5.1 only: the oldest .NET Framework that runs netstandard2.0 assemblies without shims.
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('VideoGen.Format.ps1xml')
    CmdletsToExport      = @('New-Video', 'Get-VideoStatus', 'Wait-Video', 'Save-Video', 'Get-VideoJob', 'Import-VideoJob', 'Remove-Video')
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('video', 'ai', 'sora', 'veo', 'kling', 'openrouter', 'fastrouter', 'applerouter', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/videogen/VideoGen'
            LicenseUri   = 'https://github.com/videogen/VideoGen/blob/main/LICENSE'
            ReleaseNotes = 'See CHANGELOG.md.'
        }
    }
}
