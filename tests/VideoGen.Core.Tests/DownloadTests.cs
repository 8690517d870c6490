using System.Security.Cryptography;
using VideoGen.Core;
using VideoGen.Core.Downloading;
using VideoGen.Emulator;

namespace VideoGen.Core.Tests;

/// <summary>A file is complete and verified, or absent: resuming, restarting, refusing to overwrite, cleaning up.</summary>
public class DownloadTests : IAsyncLifetime
{
    private EmulatorServer _server = null!;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "videogen-dl-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        // Its own emulator: these tests change download switches.
        _server = await EmulatorServer.StartAsync(new EmulatorOptions { ApiKey = TestClient.Key, JobDuration = TimeSpan.Zero });
        Directory.CreateDirectory(_directory);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, true);
    }

    private async Task<(TestClient Pipeline, ProviderEndpoint Endpoint, VideoJob Job)> FinishedJobAsync(VideoProvider provider = VideoProvider.OpenRouter)
    {
        var pipeline = Pipelines.For(_server);
        var endpoint = pipeline.Endpoint(provider);
        var job = await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "Download me", Name = "clip" }, null, default);
        job = await pipeline.Client.PollAsync(endpoint, job, null, default);
        Assert.Equal(VideoJobStatus.Succeeded, job.Status);
        return (pipeline, endpoint, job);
    }

    private static string Sha(long length)
    {
        using var bytes = new MemoryStream();
        VideoFile.WriteAsync(bytes, length, 0, length, default).GetAwaiter().GetResult();
        return Convert.ToHexString(SHA256.HashData(bytes.ToArray())).ToLowerInvariant();
    }

    [Fact]
    public async Task A_file_larger_than_the_buffer_streams_through_and_verifies()
    {
        _server.Options.FileSize = 11L * 1024 * 1024 + 17; // more than ten copy buffers
        var (pipeline, endpoint, job) = await FinishedJobAsync();
        var target = Path.Combine(_directory, "big.mp4");
        var reports = new List<DownloadProgress>();

        var saved = await new VideoDownloader(pipeline.Client).DownloadAsync(endpoint, job, target, false, new SyncProgress(reports), null, default);

        Assert.True(_server.Options.FileSize > VideoDownloader.BufferSize * 10);
        Assert.Equal(_server.Options.FileSize, saved.Length);
        Assert.Equal(Sha(saved.Length), saved.Sha256);
        Assert.True(reports.Count > 10);
        Assert.Equal(saved.Length, reports[^1].Done);
        Assert.Equal(saved.Length, reports[^1].Total);
        Mp4.AssertMp4(target);
    }

    [Fact]
    public async Task A_download_cut_off_half_way_resumes_with_a_range_and_ends_complete_with_the_right_hash()
    {
        const long size = 2 * 1024 * 1024;
        _server.Options.FileSize = size;
        _server.Options.CutDownloadsAt = size / 2;
        var (pipeline, endpoint, job) = await FinishedJobAsync();
        var target = Path.Combine(_directory, "resumed.mp4");

        var saved = await new VideoDownloader(pipeline.Client).DownloadAsync(endpoint, job, target, false, null, pipeline.Log, default);

        Assert.Equal(size, new FileInfo(target).Length);
        Assert.Equal(Sha(size), saved.Sha256);
        Assert.Equal(Sha(size), Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(target))).ToLowerInvariant());
        Assert.Equal(2, _server.State.Jobs[job.Id].Downloads);
        Assert.Contains(pipeline.Log.Lines, l => l.Contains("broke off", StringComparison.Ordinal));
        Assert.DoesNotContain(pipeline.Log.Lines, l => l.Contains("restarting", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Where_the_server_ignores_ranges_an_interrupted_download_restarts_from_zero()
    {
        const long size = 1024 * 1024;
        _server.Options.FileSize = size;
        _server.Options.CutDownloadsAt = size / 3;
        _server.Options.AcceptRanges = false;
        var (pipeline, endpoint, job) = await FinishedJobAsync();
        var target = Path.Combine(_directory, "restarted.mp4");

        var saved = await new VideoDownloader(pipeline.Client).DownloadAsync(endpoint, job, target, false, null, pipeline.Log, default);

        Assert.Equal(Sha(size), saved.Sha256);
        Assert.Equal(size, new FileInfo(target).Length);
        Assert.Contains(pipeline.Log.Lines, l => l.Contains("restarting", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_existing_file_is_an_error_and_is_not_touched()
    {
        var (pipeline, endpoint, job) = await FinishedJobAsync();
        var target = Path.Combine(_directory, "clip.mp4");
        await File.WriteAllTextAsync(target, "precious");
        var downloadsBefore = _server.State.Jobs[job.Id].Downloads;

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => new VideoDownloader(pipeline.Client).SaveAsync(endpoint, job, target, false, null, null, default));

        Assert.Equal(VideoGenErrorKind.FileExists, ex.Kind);
        Assert.Equal(job.Id, ex.TaskId);
        Assert.Equal("precious", await File.ReadAllTextAsync(target));
        Assert.Equal(downloadsBefore, _server.State.Jobs[job.Id].Downloads);
        Assert.Single(Directory.GetFiles(_directory));

        var saved = await new VideoDownloader(pipeline.Client).SaveAsync(endpoint, job, target, true, null, null, default);
        Mp4.AssertMp4(saved.Path);
    }

    [Fact]
    public async Task A_failure_mid_stream_that_outlasts_the_attempts_leaves_no_file_under_the_final_name()
    {
        const long size = 1024 * 1024;
        _server.Options.FileSize = size;
        var (pipeline, endpoint, job) = await FinishedJobAsync();
        // Every attempt breaks off: ranges off and a cut on each download.
        _server.Options.AcceptRanges = false;
        _server.Options.CutDownloadsAt = size / 2;
        var downloader = new VideoDownloader(pipeline.Client) { MaxStreamAttempts = 1 };
        var target = Path.Combine(_directory, "broken.mp4");

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => downloader.DownloadAsync(endpoint, job, target, false, null, null, default));

        Assert.Equal(job.Id, ex.TaskId);
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task Something_that_is_not_an_MP4_is_refused_and_nothing_is_saved()
    {
        var (pipeline, endpoint, job) = await FinishedJobAsync(VideoProvider.AppleRouter);
        _server.State.AddFault(new Fault { Route = "download", Provider = "files", Status = 200, Body = "<html>login required</html>", ContentType = "text/html" });
        var target = Path.Combine(_directory, "html.mp4");

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => new VideoDownloader(pipeline.Client).DownloadAsync(endpoint, job, target, false, null, null, default));

        Assert.Equal(VideoGenErrorKind.InvalidFile, ex.Kind);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task A_job_still_running_is_polled_once_then_refused_with_advice_to_wait()
    {
        _server.Options.JobDuration = TimeSpan.FromMinutes(5);
        var pipeline = Pipelines.For(_server);
        var endpoint = pipeline.Endpoint(VideoProvider.FastRouter);
        var job = await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "Not yet" }, null, default);

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => new VideoDownloader(pipeline.Client).SaveAsync(endpoint, job, Path.Combine(_directory, "x.mp4"), false, null, null, default));

        Assert.Equal(VideoGenErrorKind.NotFinished, ex.Kind);
        Assert.Contains("Wait-Video", ex.Message);
        Assert.Equal(1, _server.State.Jobs[job.Id].Polls);
    }

    private sealed class SyncProgress(List<DownloadProgress> reports) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => reports.Add(value);
    }
}
