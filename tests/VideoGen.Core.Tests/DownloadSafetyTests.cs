using System.Net;
using VideoGen.Core;
using VideoGen.Core.Downloading;
using VideoGen.Core.Http;

namespace VideoGen.Core.Tests;

/// <summary>Issue 12 item 6: resumes hash each byte once, a 206 must start where the file ends, -Force replaces atomically, device names.</summary>
public sealed class DownloadSafetyTests : IDisposable
{
    private const string Key = "sk-download-safety-key-0001";
    private const string VideoUrl = "https://cdn.example.net/v.mp4";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "videogen-dls-" + Guid.NewGuid().ToString("N"));

    public DownloadSafetyTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, true);

    private static ProviderEndpoint Endpoint() => new(VideoProvider.FastRouter, new Uri("https://api.fastrouter.ai"), Key);

    private static VideoJob Job() => VideoJob.Restore("task-dl", VideoProvider.FastRouter, "google/veo3", videoUrl: VideoUrl, status: "Succeeded");

    private static long? RangeFrom(HttpRequestMessage r) => r.Headers.Range?.Ranges.First().From;

    /// <summary>
    /// Issue 23 item 8: a write to the local file that fails (a full disk) is a LocalFailure naming the path, after one
    /// request: the download is not tried again (the network was fine), and no partial file is left.
    /// </summary>
    [Fact]
    public async Task A_write_that_fails_is_a_local_failure_naming_the_path_after_one_request_and_leaves_no_file()
    {
        var body = ScriptedHandler.Video(3 * VideoDownloader.BufferSize + 1000);
        var handler = new ScriptedHandler((r, _) => ScriptedHandler.From(body, RangeFrom(r) ?? 0));
        using var client = new VideoGenClient(handler, TestClient.FastRetries());
        var target = Path.Combine(_directory, "w.mp4");
        var downloader = new VideoDownloader(client) { OpenTemporary = temp => new FailingWrite(temp, failAtWrite: 2) };

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => downloader.DownloadAsync(Endpoint(), Job(), target, false, null, null, default));

        Assert.Equal(VideoGenErrorKind.LocalFailure, ex.Kind);
        Assert.Single(handler.Requests);
        Assert.Contains(target, ex.Message, StringComparison.Ordinal);
        Assert.Contains("-OutputDirectory", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("run Save-Video again", ex.Message, StringComparison.Ordinal);
        Assert.Equal("task-dl", ex.TaskId);
        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    /// <summary>A read from the network that breaks off still resumes: only the file's side is local.</summary>
    [Fact]
    public async Task A_read_that_breaks_off_still_resumes_and_hashes_each_byte_once()
    {
        var body = ScriptedHandler.Video(3 * VideoDownloader.BufferSize + 1000);
        var handler = new ScriptedHandler((r, n) => n == 1 ? ScriptedHandler.Broken(body, VideoDownloader.BufferSize + 500) : ScriptedHandler.From(body, RangeFrom(r) ?? 0));
        using var client = new VideoGenClient(handler, TestClient.FastRetries());
        var target = Path.Combine(_directory, "r1.mp4");

        var saved = await new VideoDownloader(client).DownloadAsync(Endpoint(), Job(), target, false, null, null, default);

        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(ScriptedHandler.Sha(body), ScriptedHandler.Sha(File.ReadAllBytes(target)));
        Assert.Equal(ScriptedHandler.Sha(body), saved.Sha256);
    }

    [Fact]
    public async Task A_206_that_does_not_start_where_the_file_ends_is_not_spliced_in_the_download_restarts()
    {
        var body = ScriptedHandler.Video(300_000);
        var handler = new ScriptedHandler((r, n) => n switch
        {
            1 => ScriptedHandler.Broken(body, 100_000),
            // Asked for bytes from 100000, the server answers 206 from 0 (a wrong range).
            2 => ScriptedHandler.From(body, 0, claimedFrom: 0) is var wrong ? Partial(wrong) : null!,
            _ => ScriptedHandler.From(body, RangeFrom(r) ?? 0),
        });
        using var client = new VideoGenClient(handler, TestClient.FastRetries());
        var target = Path.Combine(_directory, "r.mp4");

        var saved = await new VideoDownloader(client).DownloadAsync(Endpoint(), Job(), target, false, null, null, default);

        Assert.Equal(ScriptedHandler.Sha(body), saved.Sha256);
        Assert.Equal(ScriptedHandler.Sha(body), ScriptedHandler.Sha(File.ReadAllBytes(target)));
        Assert.Equal(100_000, RangeFrom(handler.Requests[1]));
        Assert.Null(RangeFrom(handler.Requests[2])); // started over from the first byte
    }

    private static HttpResponseMessage Partial(HttpResponseMessage response)
    {
        response.StatusCode = HttpStatusCode.PartialContent;
        return response;
    }

    [Fact]
    public void Force_replaces_the_old_file_in_one_rename_the_target_is_never_absent()
    {
        var target = Path.Combine(_directory, "clip.mp4");
        File.WriteAllText(target, "old");
        var temp = Path.Combine(_directory, ".clip.mp4.partial");
        File.WriteAllText(temp, "new");
        var events = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var renamed = new ManualResetEventSlim();
        using var watcher = new FileSystemWatcher(_directory) { IncludeSubdirectories = false };
        watcher.Deleted += (_, e) => events.Enqueue("deleted " + e.Name);
        watcher.Renamed += (_, e) =>
        {
            events.Enqueue("renamed " + e.OldName + " -> " + e.Name);
            if (e.Name == "clip.mp4")
            {
                renamed.Set();
            }
        };
        watcher.EnableRaisingEvents = true;

        FileNames.Publish(temp, target, overwrite: true, "t1");

        Assert.True(renamed.Wait(TimeSpan.FromSeconds(20)), "no rename seen: " + string.Join("; ", events));
        Assert.Equal("new", File.ReadAllText(target));
        Assert.False(File.Exists(temp));
        Assert.DoesNotContain("deleted clip.mp4", events);
    }

    [Fact]
    public void Publish_without_force_never_replaces_a_file_that_appeared_meanwhile()
    {
        var target = Path.Combine(_directory, "late.mp4");
        var temp = Path.Combine(_directory, ".late.partial");
        File.WriteAllText(temp, "new");
        File.WriteAllText(target, "someone else's");

        var ex = Assert.Throws<VideoGenException>(() => FileNames.Publish(temp, target, overwrite: false, "t9"));

        Assert.Equal(VideoGenErrorKind.FileExists, ex.Kind);
        Assert.Equal("t9", ex.TaskId);
        Assert.Equal("someone else's", File.ReadAllText(target));
    }

    [Theory]
    [InlineData("COM0")]
    [InlineData("lpt0")]
    [InlineData("CONIN$")]
    [InlineData("conout$.final")]
    [InlineData("COM\u00B9")]
    [InlineData("CON .x")]
    public void Windows_device_names_get_a_prefix(string name) =>
        Assert.StartsWith("_", FileNames.Sanitize(name));

    /// <summary>A temporary file whose <c>failAtWrite</c>-th write (plain or async) puts half its bytes on disk and then fails, as a full disk or a dropped share does.</summary>
#pragma warning disable CA1835 // the downloader calls the array overload; the Memory one would call back into it
    private sealed class FailingWrite(string path, int failAtWrite)
        : FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, VideoDownloader.BufferSize, useAsync: true)
    {
        private int _writes;

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (++_writes == failAtWrite)
            {
                base.Write(buffer, offset, count / 2);
                base.Flush();
                throw new IOException("No space left on device (test) : '" + Name + "'", 28);
            }
            base.Write(buffer, offset, count);
        }

        public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (++_writes == failAtWrite)
            {
                await base.WriteAsync(buffer, offset, count / 2, cancellationToken);
                await base.FlushAsync(cancellationToken);
                throw new IOException("No space left on device (test) : '" + Name + "'", 28);
            }
            await base.WriteAsync(buffer, offset, count, cancellationToken);
        }
    }
#pragma warning restore CA1835
}
