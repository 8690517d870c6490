using System.Management.Automation;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// Issue 23 item 8, through the real cmdlets: a failure on this machine while Save-Video puts the file in place is a
/// LocalFailure (category WriteError) naming the path and what to do, not a provider or connection error, and the
/// download is not repeated. The target is made unusable in ways that hold even for root (a folder where the file must
/// go; a file where the folder must go), after Save-Video's own check of the folder.
/// </summary>
public class SaveLocalFailureTests
{
    [Fact]
    public async Task A_file_that_cannot_be_put_in_place_is_a_local_failure_naming_the_path_downloaded_once()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "blocked");
        var done = ps.Run("New-Video -Prompt 'A blocked file' -Provider FastRouter -BaseUri $args[0] -Name blocked | Wait-Video -TimeoutSec 60",
            emulator.BaseUriFor("FastRouter").AbsoluteUri);
        Assert.Empty(done.Errors);
        var id = Assert.Single(done.Output).Text("Id")!;
        // A folder stands where the video must go: the rename into place fails on this machine, whatever the user's rights.
        var target = Path.Combine(output, "blocked.mp4");
        Directory.CreateDirectory(target);

        var result = ps.Set("job", done.Output[0]).Run("$job | Save-Video -Path $args[0]", target);

        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.WriteError, error.CategoryInfo.Category);
        Assert.StartsWith("VideoGen.LocalFailure", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains(target, error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains(id, error.Exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("run Save-Video again", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(1, emulator.State.Jobs[id].Downloads);
        Assert.Equal(new[] { "blocked.mp4" }, Directory.GetFileSystemEntries(output).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Fact]
    public async Task A_folder_that_became_a_file_after_the_check_is_a_local_failure_naming_it()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "gone");
        Directory.CreateDirectory(output);
        var done = ps.Run("New-Video -Prompt 'A folder gone' -Provider FastRouter -BaseUri $args[0] -Name gone | Wait-Video -TimeoutSec 60",
            emulator.BaseUriFor("FastRouter").AbsoluteUri);
        Assert.Empty(done.Errors);
        var id = Assert.Single(done.Output).Text("Id")!;

        // Save-Video checks -OutputDirectory in its begin block; the upstream script block then replaces it with a file.
        var result = ps.Set("job", done.Output[0]).Set("dir", output).Run(
            "$job | ForEach-Object { [System.IO.Directory]::Delete($dir, $true); [System.IO.File]::WriteAllText($dir, 'x'); $_ } | Save-Video -OutputDirectory $dir");

        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.WriteError, error.CategoryInfo.Category);
        Assert.StartsWith("VideoGen.LocalFailure", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(output, "gone.mp4"), error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains(id, error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(0, emulator.State.Jobs[id].Downloads);
    }
}
