using System.Net;
using System.Net.Http.Headers;
using System.Text;
using VideoGen.Core;
using VideoGen.Core.Downloading;
using VideoGen.Core.Http;
using VideoGen.Core.Providers;

namespace VideoGen.Core.Tests;

/// <summary>Issue 13 items 3, 4, 7, 8, 9 and issue 12 item 3: bodies cannot hang, provider text is sanitized, route switches need proof, images never carry the key.</summary>
public sealed class ClientSafetyTests : IDisposable
{
    private const string Key = "sk-or-v1-client-safety-key-0123456789";
    private const string OtherToken = "sk-proj-AbCdEf0123456789xyz";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "videogen-cs-" + Guid.NewGuid().ToString("N"));

    public ClientSafetyTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, true);

    private static ProviderEndpoint FastRouter() => new(VideoProvider.FastRouter, new Uri("https://api.fastrouter.ai"), Key);

    private static ProviderEndpoint OpenRouter() => new(VideoProvider.OpenRouter, new Uri("https://openrouter.ai/api/v1"), Key);

    private static VideoGenClientOptions Options(TimeSpan inactivity) => new()
    {
        BaseDelay = TimeSpan.FromMilliseconds(10),
        MaxDelay = TimeSpan.FromMilliseconds(50),
        BodyInactivityTimeout = inactivity,
    };

    private static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static HttpResponseMessage Text(string text, HttpStatusCode status) =>
        new(status) { Content = new StringContent(text, Encoding.UTF8, "text/plain") };

    private static HttpResponseMessage Stalling(byte[] first, string mediaType, long? length)
    {
        var content = new StreamContent(new StallingStream(first));
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        content.Headers.ContentLength = length;
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        response.Headers.AcceptRanges.Add("bytes");
        return response;
    }

    // ---- issue 13 item 3: every body read has a timeout ----

    [Fact]
    public async Task A_download_that_stalls_half_way_resumes_with_a_range_within_twice_the_inactivity_timeout()
    {
        var inactivity = TimeSpan.FromSeconds(2);
        var body = ScriptedHandler.Video(200_000);
        var handler = new ScriptedHandler((r, n) => n == 1
            ? Stalling(body.AsSpan(0, 100_000).ToArray(), "video/mp4", body.Length)
            : ScriptedHandler.From(body, r.Headers.Range?.Ranges.First().From ?? 0));
        using var client = new VideoGenClient(handler, Options(inactivity));
        var job = VideoJob.Restore("task-stall", VideoProvider.FastRouter, "google/veo3", videoUrl: "https://cdn.example.net/v.mp4", status: "Succeeded");
        var target = Path.Combine(_directory, "stalled.mp4");

        var saved = await new VideoDownloader(client).DownloadAsync(FastRouter(), job, target, false, null, null, default).WaitAsync(inactivity * 2);

        Assert.Equal(ScriptedHandler.Sha(body), saved.Sha256);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(100_000, handler.Requests[1].Headers.Range!.Ranges.First().From);
    }

    [Fact]
    public async Task A_poll_answer_that_stalls_costs_one_retry_not_a_hang()
    {
        var handler = new ScriptedHandler((_, n) => n == 1
            ? Stalling("{\"data\":{\"generations\""u8.ToArray(), "application/json", null)
            : Json("""{"data":{"generations":[{"status":"succeed","url":"https://cdn.example.net/v.mp4"}]}}"""));
        using var client = new VideoGenClient(handler, Options(TimeSpan.FromMilliseconds(300)));

        var job = await client.PollAsync(FastRouter(), VideoJob.Restore("task-poll", VideoProvider.FastRouter, "google/veo3"), null, default).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(VideoJobStatus.Succeeded, job.Status);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task A_submit_answer_that_stalls_is_not_resent_and_says_a_job_may_exist()
    {
        var handler = new ScriptedHandler((_, _) => Stalling("{\"data\":"u8.ToArray(), "application/json", null));
        using var client = new VideoGenClient(handler, Options(TimeSpan.FromMilliseconds(300)));

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => client.SubmitAsync(FastRouter(), new VideoRequest { Prompt = "p", Model = "google/veo3" }, null, default).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(VideoGenErrorKind.Timeout, ex.Kind);
        Assert.True(ex.JobMayExist);
        Assert.Single(handler.Requests); // a submission costs money: never sent twice after it may have been received
    }

    [Fact]
    public async Task A_json_answer_that_trickles_forever_is_bounded_by_the_total_timeout_and_retried()
    {
        var handler = new ScriptedHandler((_, n) => n == 1
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new TricklingStream()) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } } }
            : Json("""{"data":{"generations":[{"status":"processing"}]}}"""));
        var options = Options(TimeSpan.FromSeconds(5));
        options.JsonAnswerTimeout = TimeSpan.FromMilliseconds(500);
        using var client = new VideoGenClient(handler, options);

        var job = await client.PollAsync(FastRouter(), VideoJob.Restore("task-trickle", VideoProvider.FastRouter, "google/veo3"), null, default).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(VideoJobStatus.Running, job.Status);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public void The_timeouts_have_defaults_an_admin_would_not_notice()
    {
        var options = new VideoGenClientOptions();
        Assert.Equal(TimeSpan.FromSeconds(30), options.BodyInactivityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), options.JsonAnswerTimeout);
    }

    // ---- issue 13 item 4: provider text is sanitized ----

    [Fact]
    public async Task A_failure_message_echoing_the_key_and_tokens_reaches_the_job_sanitized()
    {
        var handler = new ScriptedHandler((_, _) => Json("{\"data\":{\"generations\":[{\"status\":\"failed\",\"failMsg\":\"key " + Key +
            " refused; also tried " + OtherToken + " with Authorization: Bearer abc.def-123456\"}]}}"));
        using var client = new VideoGenClient(handler, Options(TimeSpan.FromSeconds(5)));

        var job = await client.PollAsync(FastRouter(), VideoJob.Restore("task-echo", VideoProvider.FastRouter, "google/veo3"), null, default);

        Assert.Equal(VideoJobStatus.Failed, job.Status);
        Assert.StartsWith("key REDACTED refused", job.Error);
        Assert.DoesNotContain(Key, job.Error);
        Assert.DoesNotContain(OtherToken, job.Error);
        Assert.DoesNotContain("abc.def-123456", job.Error);
    }

    [Fact]
    public async Task An_unreadable_answer_echoing_secrets_gives_an_error_without_them()
    {
        var handler = new ScriptedHandler((_, _) => Json("{\"echo\":\"Bearer " + Key + "\",\"note\":\"" + OtherToken + "\"}"));
        using var client = new VideoGenClient(handler, Options(TimeSpan.FromSeconds(5)));
        var log = new ListLog();

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => client.PollAsync(FastRouter(), VideoJob.Restore("task-x", VideoProvider.FastRouter, "google/veo3"), log, default));

        Assert.Equal(VideoGenErrorKind.UnexpectedAnswer, ex.Kind);
        Assert.Equal("task-x", ex.TaskId);
        Assert.DoesNotContain(Key, ex.Message);
        Assert.DoesNotContain(OtherToken, ex.Message);
        Assert.Contains("REDACTED", ex.Message);
        Assert.All(log.Lines, l => Assert.DoesNotContain(OtherToken, l));
    }

    [Fact]
    public async Task An_error_body_echoing_an_sk_token_is_sanitized_in_the_exception()
    {
        var handler = new ScriptedHandler((_, _) => Json("{\"error\":{\"message\":\"bad request from " + OtherToken + "\"}}", HttpStatusCode.BadRequest));
        using var client = new VideoGenClient(handler, Options(TimeSpan.FromSeconds(5)));

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => client.SubmitAsync(FastRouter(), new VideoRequest { Prompt = "p", Model = "google/veo3" }, null, default));

        Assert.Equal(VideoGenErrorKind.InvalidArgument, ex.Kind);
        Assert.DoesNotContain(OtherToken, ex.Message);
    }

    [Fact]
    public void The_sanitizer_removes_keys_tokens_and_query_values_but_keeps_allowed_parameters()
    {
        var text = "x-api-key: abc123secret, \"password\":\"hunter22\" see https://cdn.example/v.mp4?X-Amz-Signature=deadbeef&model=veo3&id=t1 Basic dXNlcjpwYXNz";

        var clean = Sanitizer.Sanitize(text, "unused-key");

        Assert.DoesNotContain("abc123secret", clean);
        Assert.DoesNotContain("hunter22", clean);
        Assert.DoesNotContain("deadbeef", clean);
        Assert.DoesNotContain("dXNlcjpwYXNz", clean);
        Assert.Contains("X-Amz-Signature=REDACTED", clean);
        Assert.Contains("model=veo3", clean);
        Assert.Contains("id=t1", clean);
        Assert.Equal(string.Empty, Sanitizer.Sanitize(null));
        Assert.Equal("plain words stay", Sanitizer.Sanitize("plain words stay", Key));
        Assert.Equal("Token limit reached on the Basic subscription", Sanitizer.Sanitize("Token limit reached on the Basic subscription"));
        Assert.Equal("task_abcdefgh1 and sk-learn stay", Sanitizer.Sanitize("task_abcdefgh1 and sk-learn stay"));
        // fal's scheme, for another fal key a provider quotes: the credential goes, words after "Key" stay.
        var fal = Sanitizer.Sanitize("Authorization: Key 6f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f:9a8b7c6d5e4f3a2b rejected", "unused-key");
        Assert.DoesNotContain("9a8b7c6d5e4f3a2b", fal);
        Assert.DoesNotContain("6f1c2d3e", fal);
        Assert.Equal("Key points and key frames stay", Sanitizer.Sanitize("Key points and key frames stay"));
    }

    // ---- issue 12 item 3: an answer with an id whose other fields cannot be read keeps the id ----

    [Theory]
    [InlineData("""{"id":"job-uri","status":"pending","polling_url":"http://[not a uri"}""", "job-uri")]
    [InlineData("""{"id":"job-nostatus"}""", "job-nostatus")]
    public async Task A_submit_answer_with_an_id_and_an_unreadable_field_carries_the_id(string answer, string id)
    {
        var handler = new ScriptedHandler((_, _) => Json(answer));
        using var client = new VideoGenClient(handler, Options(TimeSpan.FromSeconds(5)));

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => client.SubmitAsync(OpenRouter(), new VideoRequest { Prompt = "p" }, null, default));

        Assert.Equal(id, ex.TaskId);
        Assert.Equal(VideoGenErrorKind.UnexpectedAnswer, ex.Kind);
        Assert.False(ex.JobMayExist); // the job certainly exists, and its id is known
    }

    // ---- issue 13 item 7: the older FastRouter route only on proof, and not forever ----

    [Fact]
    public async Task A_plain_404_for_an_expired_task_does_not_switch_the_poll_route()
    {
        var handler = new ScriptedHandler((r, _) =>
        {
            var body = r.Content!.ReadAsStringAsync().GetAwaiter().GetResult();
            return body.Contains("\"expired\"", StringComparison.Ordinal)
                ? Text("invalid taskId or expired result", HttpStatusCode.NotFound)
                : Json("""{"data":{"generations":[{"status":"processing"}]}}""");
        });
        using var client = new VideoGenClient(handler, Options(TimeSpan.FromSeconds(5)));

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => client.PollAsync(FastRouter(), VideoJob.Restore("expired", VideoProvider.FastRouter, "google/veo3"), null, default));
        Assert.Equal(VideoGenErrorKind.NotFound, ex.Kind);
        Assert.Equal("expired", ex.TaskId);

        var next = await client.PollAsync(FastRouter(), VideoJob.Restore("alive", VideoProvider.FastRouter, "google/veo3"), null, default);

        Assert.Equal(VideoJobStatus.Running, next.Status);
        Assert.EndsWith(FastRouterMapping.PollPath, handler.Requests[^1].RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task A_missing_poll_route_proven_by_the_older_route_is_used_for_a_while_then_rechecked()
    {
        var clock = new ManualClock();
        var documentedWorks = false;
        var handler = new ScriptedHandler((r, _) => r.RequestUri!.AbsolutePath.EndsWith(FastRouterMapping.PollPath, StringComparison.Ordinal) && !documentedWorks
            ? Text("Cannot POST", HttpStatusCode.NotFound)
            : Json("""{"data":{"generations":[{"status":"processing"}]}}"""));
        var options = Options(TimeSpan.FromSeconds(5));
        using var client = new VideoGenClient(handler, options, clock);
        var job = VideoJob.Restore("t1", VideoProvider.FastRouter, "google/veo3");

        await client.PollAsync(FastRouter(), job, null, default);
        Assert.EndsWith(FastRouterMapping.LegacyPollPath, handler.Requests[^1].RequestUri!.AbsolutePath);
        var before = handler.Requests.Count;
        await client.PollAsync(FastRouter(), job, null, default);
        Assert.Equal(before + 1, handler.Requests.Count); // remembered: straight to the older route
        Assert.EndsWith(FastRouterMapping.LegacyPollPath, handler.Requests[^1].RequestUri!.AbsolutePath);

        documentedWorks = true;
        clock.Advance(options.PollRouteRecheck + TimeSpan.FromSeconds(1));
        await client.PollAsync(FastRouter(), job, null, default);

        Assert.EndsWith(FastRouterMapping.PollPath, handler.Requests[^1].RequestUri!.AbsolutePath);
    }

    // ---- issue 13 item 8: input images follow redirects, never carry the key, and cannot hang ----

    [Fact]
    public async Task An_input_image_that_redirects_to_a_CDN_is_fetched_without_the_key()
    {
        var png = new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0 };
        var handler = new ScriptedHandler((r, _) =>
        {
            if (r.RequestUri!.Host == "openrouter.ai")
            {
                var redirect = new HttpResponseMessage(HttpStatusCode.Found);
                redirect.Headers.Location = new Uri("https://cdn.example.net/img/cat.png?sig=1");
                return redirect;
            }
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(png) { Headers = { ContentType = new MediaTypeHeaderValue("image/png") } } };
        });
        using var client = new VideoGenClient(handler, Options(TimeSpan.FromSeconds(5)));

        var upload = await client.ReadUploadAsync(OpenRouter(), "https://openrouter.ai/files/cat.png", null, default);

        Assert.Equal(png, upload.Content);
        Assert.Equal(2, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.Null(r.Headers.Authorization));
    }

    [Fact]
    public async Task An_input_image_that_stalls_fails_instead_of_hanging()
    {
        var handler = new ScriptedHandler((_, _) => Stalling(new byte[] { 0x89, (byte)'P' }, "image/png", 1000));
        using var client = new VideoGenClient(handler, Options(TimeSpan.FromMilliseconds(300)));

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => client.ReadUploadAsync(OpenRouter(), "https://images.example.net/cat.png", null, default).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(VideoGenErrorKind.Timeout, ex.Kind);
    }

    // ---- issue 13 item 9: what Windows PowerShell 5.1 needs, as far as it can be checked here ----

    [Fact]
    public void A_dns_or_connect_failure_reported_as_a_WebException_counts_as_never_sent()
    {
        Assert.True(VideoGenClient.FailedBeforeSending(new HttpRequestException("x", new WebException("no such host", WebExceptionStatus.NameResolutionFailure))));
        Assert.True(VideoGenClient.FailedBeforeSending(new HttpRequestException("x", new WebException("refused", WebExceptionStatus.ConnectFailure))));
        Assert.False(VideoGenClient.FailedBeforeSending(new HttpRequestException("x", new WebException("reset", WebExceptionStatus.ReceiveFailure))));
    }

    [Fact]
    public void TLS_1_2_and_1_3_are_added_to_what_is_there_and_the_system_default_is_left_alone()
    {
#pragma warning disable CA5364 // Windows PowerShell 5.1's old default is the input here, not a choice
        var old = SecurityProtocolType.Tls;
        var added = VideoGenClient.WithModernTls(old, tls13: true);
        Assert.True(added.HasFlag(SecurityProtocolType.Tls));
        Assert.True(added.HasFlag(SecurityProtocolType.Tls12));
        Assert.True(added.HasFlag(SecurityProtocolType.Tls13));
        Assert.Equal(SecurityProtocolType.Tls | SecurityProtocolType.Tls12, VideoGenClient.WithModernTls(old, tls13: false));
        Assert.Equal(SecurityProtocolType.SystemDefault, VideoGenClient.WithModernTls(SecurityProtocolType.SystemDefault, tls13: true));
#pragma warning restore CA5364
    }

    private sealed class ListLog : IVideoGenLog
    {
        public List<string> Lines { get; } = new();
        public void Verbose(string message) { lock (Lines) { Lines.Add(message); } }
        public void Debug(string message) { lock (Lines) { Lines.Add(message); } }
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }

    /// <summary>Gives its first bytes, then a read that never completes and ignores cancellation (only Dispose ends it).</summary>
    private sealed class StallingStream(byte[] first) : ForwardOnlyStream
    {
        private readonly TaskCompletionSource<int> _never = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _position;

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (_position < first.Length)
            {
                var n = Math.Min(count, first.Length - _position);
                Array.Copy(first, _position, buffer, offset, n);
                _position += n;
                return Task.FromResult(n);
            }
            return _never.Task;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < first.Length)
            {
                var n = Math.Min(buffer.Length, first.Length - _position);
                first.AsMemory(_position, n).CopyTo(buffer);
                _position += n;
                return ValueTask.FromResult(n);
            }
            return new ValueTask<int>(_never.Task);
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        protected override void Dispose(bool disposing)
        {
            _never.TrySetException(new ObjectDisposedException(nameof(StallingStream)));
            base.Dispose(disposing);
        }

        protected override long BytesRead => _position;
    }

    /// <summary>A JSON body that never ends: one space every 50 ms (never stalls, never completes).</summary>
    private sealed class TricklingStream : ForwardOnlyStream
    {
        private bool _opened;

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (!_opened)
            {
                _opened = true;
                buffer[offset] = (byte)'{';
                return 1;
            }
            await Task.Delay(50, cancellationToken);
            buffer[offset] = (byte)' ';
            return 1;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var array = new byte[1];
            return new ValueTask<int>(ReadAsync(array, 0, 1, cancellationToken).ContinueWith(t => { array.AsMemory(0, t.Result).CopyTo(buffer); return t.Result; }, cancellationToken, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default));
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();
    }
}
