using VideoGen.Core;
using VideoGen.Core.Downloading;

namespace VideoGen.Core.Tests;

/// <summary>Save-Video's file names: safe on Windows and Linux, from the job's Name or Id.</summary>
public class FileNamesTests
{
    [Fact]
    public void File_names_are_safe_on_windows_and_linux()
    {
        Assert.Equal("a_b_c", FileNames.Sanitize("a/b\\c"));
        Assert.Equal("etc_passwd", FileNames.Sanitize("../../etc/passwd").TrimStart('_', '.'));
        Assert.DoesNotContain("..", FileNames.Sanitize(".."));
        Assert.Equal("_CON", FileNames.Sanitize("CON"));
        Assert.Equal("video", FileNames.Sanitize("   "));
        Assert.Equal("what_ why_", FileNames.Sanitize("what? why*"));
        Assert.Equal(FileNames.MaxBaseLength, FileNames.Sanitize(new string('x', 500)).Length);
        Assert.Equal("task1.mp4", FileNames.ForJob(VideoJob.Restore("task1", VideoProvider.FastRouter, null)));
    }
}
