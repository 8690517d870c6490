using VideoGen.Core;
using VideoGen.Core.Downloading;
using VideoGen.Core.Http;
using VideoGen.Core.Waiting;
using VideoGen.Emulator;

namespace VideoGen.Core.Tests;

/// <summary>
/// Issue 11: each fault and answer-shape switch of the emulator (see the list on <see cref="Fault"/>), through the
/// client the cmdlets use (VideoGenClient, JobWaiter, VideoDownloader), asserting what the client does with it.
/// Each test starts its own emulator, since most change its switches.
/// </summary>
public sealed class EmulatorFaultTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "videogen-faults-" + Guid.NewGuid().ToString("N"));

    public EmulatorFaultTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Task<EmulatorServer> StartAsync(Action<EmulatorOptions>? configure = null)
    {
        var options = new EmulatorOptions { ApiKey = TestClient.Key, JobDuration = TimeSpan.FromMilliseconds(500) };
        configure?.Invoke(options);
        return EmulatorServer.StartAsync(options);
    }

    private static TestClient Pipeline(EmulatorServer server, VideoGenClientOptions? options = null) =>
        new(new Dictionary<VideoProvider, Uri>
        {
            [VideoProvider.FastRouter] = server.BaseUriFor("FastRouter"),
            [VideoProvider.OpenRouter] = server.BaseUriFor("OpenRouter"),
            [VideoProvider.AppleRouter] = server.BaseUriFor("AppleRouter"),
        }, TestClient.Key, options ?? TestClient.FastRetries());

    private static async Task<WaitResult> WaitAsync(TestClient pipeline, ProviderEndpoint endpoint, VideoJob job)
    {
        using var engine = new WorkEngine(8);
        using var waiter = new JobWaiter(pipeline.Client, new WaitOptions { Policy = pipeline.Policy, Timeout = TimeSpan.FromSeconds(30) }, null, engine);
        waiter.Add(job, endpoint);
        engine.CompleteAdding();
        while (true)
        {
            if (engine.TryRead(TimeSpan.FromMilliseconds(100), out var outcome) && outcome is WorkOutcome<VideoJob, WaitResult> { Value: WaitResult result })
            {
                return result;
            }
            await Task.Yield();
        }
    }

    [Theory]
    [InlineData(VideoProvider.FastRouter, "fastrouter")]
    [InlineData(VideoProvider.OpenRouter, "openrouter")]
    [InlineData(VideoProvider.AppleRouter, "applerouter")]
    public async Task A_fault_in_each_providers_error_shape_reaches_the_user_with_its_message(VideoProvider provider, string name)
    {
        await using var server = await StartAsync();
        var pipeline = Pipeline(server);
        server.State.AddFault(new Fault { Route = "submit", Provider = name, Status = 400, Message = "prompt refused by policy 42" });

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => pipeline.Client.SubmitAsync(pipeline.Endpoint(provider), new VideoRequest { Prompt = "p" }, null, default));

        Assert.Equal(400, ex.StatusCode);
        Assert.Equal(VideoGenErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("prompt refused by policy 42", ex.Message);
        Assert.Equal(0, server.State.Submissions);
    }

    [Fact]
    public async Task Retry_After_as_an_HTTP_date_sets_the_wait_before_the_retry()
    {
        await using var server = await StartAsync();
        // Without the date the first retry waits about BaseDelay (20 ms); with it, the hint capped at MaxDelay (1 s).
        var pipeline = Pipeline(server, new VideoGenClientOptions { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromSeconds(1) });
        server.State.AddFault(new Fault { Route = "submit", Provider = "openrouter", Status = 429, RetryAfterSeconds = 30, RetryAfterDate = true });

        var job = await pipeline.Client.SubmitAsync(pipeline.Endpoint(VideoProvider.OpenRouter), new VideoRequest { Prompt = "p" }, pipeline.Log, default);

        Assert.Equal(1, server.State.Submissions);
        Assert.True(server.State.Jobs.ContainsKey(job.Id));
        Assert.Contains(pipeline.Log.Lines, l => l.Contains("in 1.0 s after HTTP 429", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(VideoProvider.FastRouter, "fastrouter", "", "text/plain")]
    [InlineData(VideoProvider.FastRouter, "fastrouter", "<html><body><h1>404 Not Found</h1></body></html>", "text/html")]
    [InlineData(VideoProvider.OpenRouter, "openrouter", "", "text/plain")]
    [InlineData(VideoProvider.AppleRouter, "applerouter", "<html><body>Not Found</body></html>", "text/html")]
    public async Task A_404_with_an_empty_or_html_body_is_not_found_and_keeps_the_task_id(VideoProvider provider, string name, string body, string contentType)
    {
        await using var server = await StartAsync();
        var pipeline = Pipeline(server);
        var endpoint = pipeline.Endpoint(provider);
        var job = await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "p" }, null, default);
        // Count 2: FastRouter's client tries its older poll route after a bare 404 (docs/providers.md, Routes); it is gone too.
        server.State.AddFault(new Fault { Route = "poll", Provider = name, Status = 404, Body = body, ContentType = contentType, Count = 2 });

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => pipeline.Client.PollAsync(endpoint, job, null, default));

        Assert.Equal(VideoGenErrorKind.NotFound, ex.Kind);
        Assert.Equal(job.Id, ex.TaskId);
        Assert.Contains(job.Id, ex.Message);
    }

    [Fact]
    public async Task A_poll_answer_that_stalls_half_way_costs_one_retry_not_a_hang()
    {
        // Issue 11 found that a JSON body stalling with the connection open waited for the caller's token; the body is now
        // read inside the attempt, under the inactivity timeout, so the stall ends the attempt and the poll is retried.
        await using var server = await StartAsync();
        var pipeline = Pipeline(server, new VideoGenClientOptions { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromSeconds(1), BodyInactivityTimeout = TimeSpan.FromSeconds(1) });
        var endpoint = pipeline.Endpoint(VideoProvider.OpenRouter);
        var job = await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "p" }, null, default);
        server.State.AddFault(new Fault { Route = "poll", Provider = "openrouter", Status = 200, StallAfterBytes = 20 });
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var polled = await pipeline.Client.PollAsync(endpoint, job, null, cancel.Token);

        Assert.Equal(job.Id, polled.Id);
        Assert.False(cancel.IsCancellationRequested);
        Assert.Equal(2, server.State.Jobs[job.Id].Polls);
    }

    [Fact]
    public async Task A_download_that_stalls_half_way_resumes_after_the_inactivity_timeout_and_completes()
    {
        // Issue 11 found that a download stalling with the connection open waited for the caller's token; the inactivity
        // timeout now ends that read and the download resumes with a Range request.
        await using var server = await StartAsync(o => o.FileSize = 256 * 1024);
        var pipeline = Pipeline(server, new VideoGenClientOptions { BaseDelay = TimeSpan.FromMilliseconds(20), BodyInactivityTimeout = TimeSpan.FromSeconds(1) });
        var endpoint = pipeline.Endpoint(VideoProvider.FastRouter);
        var job = (await WaitAsync(pipeline, endpoint, await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "p" }, null, default))).Job;
        server.State.AddFault(new Fault { Route = "download", Provider = "files", Status = 200, StallAfterBytes = 100_000 });
        var target = Path.Combine(_directory, "stalled.mp4");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var saved = await new VideoDownloader(pipeline.Client).DownloadAsync(endpoint, job, target, false, null, null, cancel.Token);

        Assert.False(cancel.IsCancellationRequested);
        Assert.Equal(256 * 1024, saved.Length);
        Assert.Equal(256 * 1024, new FileInfo(target).Length);
        Assert.Equal(2, server.State.Jobs[job.Id].Downloads);
    }

    [Fact]
    public async Task A_redirect_to_another_host_name_is_followed_without_the_key()
    {
        await using var server = await StartAsync();
        var pipeline = Pipeline(server);
        var endpoint = pipeline.Endpoint(VideoProvider.FastRouter);
        var job = (await WaitAsync(pipeline, endpoint, await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "p" }, null, default))).Job;
        server.State.AddFault(new Fault { Route = "download", Provider = "files", RedirectToHost = "localhost" });
        var target = Path.Combine(_directory, "redirected.mp4");

        var saved = await new VideoDownloader(pipeline.Client).DownloadAsync(endpoint, job, target, false, null, null, default);

        Mp4.AssertMp4(saved.Path);
        Assert.Equal(new[] { ("127.0.0.1", true), ("localhost", false) }, server.State.FileRequests);
    }

    [Fact]
    public async Task A_submission_answered_after_the_attempt_timeout_says_a_job_may_exist_and_is_not_sent_twice()
    {
        await using var server = await StartAsync();
        var pipeline = Pipeline(server, new VideoGenClientOptions { BaseDelay = TimeSpan.FromMilliseconds(20), AttemptTimeout = TimeSpan.FromMilliseconds(500) });
        server.State.AddFault(new Fault { Route = "submit", Provider = "fastrouter", Status = 200, DelayMs = 5000 });

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => pipeline.Client.SubmitAsync(pipeline.Endpoint(VideoProvider.FastRouter), new VideoRequest { Prompt = "slow answer" }, null, default));

        Assert.True(ex.JobMayExist);
        Assert.Equal(VideoGenErrorKind.Timeout, ex.Kind);
        Assert.Equal(1, server.State.Submissions); // the job exists at the provider: exactly one
    }

    [Fact]
    public async Task A_result_that_expired_after_the_wait_cannot_be_saved_and_the_error_keeps_the_task_id()
    {
        await using var server = await StartAsync(o => o.ExpiredAnswer = "empty");
        var pipeline = Pipeline(server);
        var endpoint = pipeline.Endpoint(VideoProvider.AppleRouter);
        var done = await WaitAsync(pipeline, endpoint, await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "p" }, null, default));
        server.Options.ResultTtl = TimeSpan.Zero;

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => new VideoDownloader(pipeline.Client).SaveAsync(endpoint, done.Job, Path.Combine(_directory, "late.mp4"), false, null, null, default));

        Assert.Equal(VideoJobStatus.Succeeded, done.Job.Status);
        Assert.Equal(VideoGenErrorKind.NotFound, ex.Kind);
        Assert.Equal(done.Job.Id, ex.TaskId);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Theory]
    [InlineData("json")]
    [InlineData("html")]
    public async Task A_job_whose_result_expired_before_the_poll_ends_its_wait_with_not_found(string answer)
    {
        await using var server = await StartAsync(o => { o.ResultTtl = TimeSpan.Zero; o.ExpiredAnswer = answer; });
        var pipeline = Pipeline(server);
        var endpoint = pipeline.Endpoint(VideoProvider.OpenRouter);
        var job = await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "p" }, null, default);

        var result = await WaitAsync(pipeline, endpoint, job);

        Assert.NotNull(result.Error);
        Assert.Equal(VideoGenErrorKind.NotFound, result.Error!.Kind);
        Assert.Equal(job.Id, result.Error.TaskId);
    }

    [Fact]
    public async Task FastRouters_documented_json_for_a_finished_Sora_job_is_read_as_succeeded()
    {
        await using var server = await StartAsync(o => o.FastRouterSoraJson = true);
        var pipeline = Pipeline(server);
        var endpoint = pipeline.Endpoint(VideoProvider.FastRouter);
        var job = await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "p", Model = "openai/sora-2", Duration = 8 }, null, default);

        var result = await WaitAsync(pipeline, endpoint, job);

        Assert.Null(result.Error);
        Assert.Equal(VideoJobStatus.Succeeded, result.Job.Status);
        Assert.Equal("completed", result.Job.ProviderStatus);
        Assert.Equal(100, result.Job.Progress);
        Assert.Equal(0, server.State.Jobs[job.Id].Downloads); // no bytes were answered
        // Where this shape's video comes from is not documented: the client repeats the poll, reads JSON, and refuses
        // it as a video rather than saving it.
        var ex = await Assert.ThrowsAsync<VideoGenException>(() => new VideoDownloader(pipeline.Client).SaveAsync(endpoint, result.Job, Path.Combine(_directory, "sora.mp4"), false, null, null, default));
        Assert.Equal(VideoGenErrorKind.InvalidFile, ex.Kind);
        Assert.Equal(job.Id, ex.TaskId);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Theory]
    [InlineData("google/veo3", "queued", VideoJobStatus.Queued)]
    [InlineData("google/veo3", "processing", VideoJobStatus.Running)]
    [InlineData("openai/sora-2", "in_progress", VideoJobStatus.Running)]
    [InlineData("openai/sora-2", "completed", VideoJobStatus.Succeeded)]
    public async Task Every_documented_FastRouter_submit_status_is_read(string model, string status, VideoJobStatus expected)
    {
        await using var server = await StartAsync(o => o.FastRouterSubmitStatus = status);
        var pipeline = Pipeline(server);

        var job = await pipeline.Client.SubmitAsync(pipeline.Endpoint(VideoProvider.FastRouter), new VideoRequest { Prompt = "p", Model = model }, null, default);

        Assert.Equal(expected, job.Status);
        Assert.Equal(status, job.ProviderStatus);
    }

    [Fact]
    public async Task A_FastRouter_submit_answer_naming_another_model_still_polls_with_the_model_sent()
    {
        await using var server = await StartAsync(o => o.FastRouterAnswerModel = "google/veo3-fast");
        var pipeline = Pipeline(server);
        var endpoint = pipeline.Endpoint(VideoProvider.FastRouter);

        var job = await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "p", Model = "google/veo3" }, null, default);
        var result = await WaitAsync(pipeline, endpoint, job);

        Assert.Equal("google/veo3", job.Model);
        Assert.Null(result.Error);
        Assert.Equal(VideoJobStatus.Succeeded, result.Job.Status);
    }

    [Theory]
    [InlineData("NOT_START", VideoJobStatus.Queued)]
    [InlineData("SUBMITTED", VideoJobStatus.Queued)]
    [InlineData("UNKNOWN", VideoJobStatus.Running)]
    public async Task AppleRouters_early_statuses_are_read_and_are_not_terminal(string status, VideoJobStatus expected)
    {
        await using var server = await StartAsync(o => { o.AppleRouterQueuedStatus = status; o.JobDuration = TimeSpan.FromMinutes(5); });
        var pipeline = Pipeline(server);
        var endpoint = pipeline.Endpoint(VideoProvider.AppleRouter);
        var job = await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "p" }, null, default);

        var polled = await pipeline.Client.PollAsync(endpoint, job, null, default);

        Assert.Equal(expected, polled.Status);
        Assert.Equal(status, polled.ProviderStatus);
        Assert.False(polled.IsTerminal);
    }

    [Theory]
    [InlineData("[cancel]", VideoJobStatus.Cancelled)]
    [InlineData("[expire]", VideoJobStatus.Expired)]
    public async Task OpenRouters_cancelled_and_expired_end_the_wait_with_that_status(string marker, VideoJobStatus expected)
    {
        await using var server = await StartAsync();
        var pipeline = Pipeline(server);
        var endpoint = pipeline.Endpoint(VideoProvider.OpenRouter);
        var job = await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "a fox " + marker }, null, default);

        var result = await WaitAsync(pipeline, endpoint, job);

        Assert.Equal(expected, result.Job.Status);
        Assert.Equal(expected.ToString().ToLowerInvariant(), result.Job.ProviderStatus);
        var ex = await Assert.ThrowsAsync<VideoGenException>(() => new VideoDownloader(pipeline.Client).SaveAsync(endpoint, result.Job, Path.Combine(_directory, "x.mp4"), false, null, null, default));
        Assert.Equal(VideoGenErrorKind.JobFailed, ex.Kind);
    }

    [Fact]
    public async Task Files_that_require_the_key_are_saved_from_the_providers_host_and_refused_off_host()
    {
        await using var server = await StartAsync(o => o.FilesRequireKey = true);
        var pipeline = Pipeline(server);
        var endpoint = pipeline.Endpoint(VideoProvider.FastRouter);
        var own = (await WaitAsync(pipeline, endpoint, await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "own host" }, null, default))).Job;
        server.Options.FileHost = "localhost";
        var other = (await WaitAsync(pipeline, endpoint, await pipeline.Client.SubmitAsync(endpoint, new VideoRequest { Prompt = "other host" }, null, default))).Job;
        var downloader = new VideoDownloader(pipeline.Client);

        var saved = await downloader.DownloadAsync(endpoint, own, Path.Combine(_directory, "own.mp4"), false, null, null, default);
        var ex = await Assert.ThrowsAsync<VideoGenException>(() => downloader.DownloadAsync(endpoint, other, Path.Combine(_directory, "other.mp4"), false, null, null, default));

        Mp4.AssertMp4(saved.Path);
        Assert.Equal(VideoGenErrorKind.Authentication, ex.Kind);
        Assert.Equal(other.Id, ex.TaskId);
    }
}
