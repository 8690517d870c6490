#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.1' }
# Save-Video on the full PowerShell: an existing file, and -Variant on the OpenAI-style route.
# Run by ./build.ps1 -Task Pester (after the Build task); each file has an emulator and a journal of its own.

BeforeAll {
    # PowerShell's defaults whoever runs the suite (see VideoGen.TestHelpers.psm1), then the file's emulator, journal and module.
    Set-StrictMode -Off; $ErrorActionPreference = 'Continue'
    Import-Module (Join-Path $PSScriptRoot 'VideoGen.TestHelpers.psm1') -Force
    Initialize-VideoGenTestSuite
}

AfterAll { Complete-VideoGenTestSuite }

Describe 'Save-Video' {
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
