using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using RichardSzalay.MockHttp;
using VideoGen.Core;
using VideoGen.Core.Http;
using VideoGen.Core.Providers;
using VideoGen.Core.Submitting;
using VideoGen.Core.Waiting;

namespace VideoGen.Core.Tests;

/// <summary>
/// fal, the engine's slots and the inline hand-outs attacked as a hostile user and a hostile provider would (a review of
/// issue 25): the findings it reproduced, each fixed since, and the attacks the code withstood.
/// </summary>
public class AttackTests
{
    private static readonly Uri FalBase = new("https://queue.fal.run/");
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 8, 0, 0, TimeSpan.Zero);
    private const string Key = "fal-own-key-0123456789";

    private static VideoJob Submitted(string id = "80e732af") =>
        new FalMapping().ReadSubmitResponse(new ProviderResponse(200, "application/json", Encoding.UTF8.GetBytes(
            "{\"request_id\":\"" + id + "\",\"response_url\":\"https://queue.fal.run/fal-ai/veo3.1/requests/" + id + "\"," +
            "\"status_url\":\"https://queue.fal.run/fal-ai/veo3.1/requests/" + id + "/status\"}")),
            new VideoRequest { Prompt = "p", Model = "fal-ai/veo3.1/fast" }, FalBase, DateTimeOffset.UtcNow);

    // ---------------------------------------------------------------------------------------------------------------
    // 1. fal's out-of-credits answer is HTTP 403 {"detail":"User is locked. Reason: Exhausted balance. ..."}
    //    (fal-ai/fal issues #1112, #1147, #1163). VideoGen reads it as a refused key and New-Video's stop rule
    //    (Submitter.IsOutOfCredits: QuotaExceeded) never fires: every further row is sent, each error says "fix your key".
    // ---------------------------------------------------------------------------------------------------------------
    [Fact]
    public async Task fals_exhausted_balance_403_is_out_of_credits_and_stops_submitting()
    {
        var mock = new MockHttpMessageHandler();
        mock.When(HttpMethod.Post, "https://queue.fal.run/fal-ai/veo3.1/fast").Respond(HttpStatusCode.Forbidden, "application/json",
            """{"detail":"User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing."}""");
        using var client = new VideoGenClient(mock, TestClient.FastRetries());
        var endpoint = new ProviderEndpoint(VideoProvider.Fal, FalBase, Key);

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => client.SubmitAsync(endpoint, new VideoRequest { Prompt = "p" }, null, default));

        Assert.DoesNotContain("refused the API key", ex.Message, StringComparison.Ordinal);
        Assert.True(Submitter.IsOutOfCredits(ex), "kind " + ex.Kind + ": " + ex.Message);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 2. A fal key is key_id:key_secret (https://docs.fal.ai/documentation/development/environment-variables). The
    //    sanitizer's credential rules stop at ':' ("Bearer <token>" takes [A-Za-z0-9-._~+/=]) and know no "Key <token>"
    //    scheme (the "authorization:" field rule then redacts only the word "Key"): another fal key quoted by a provider
    //    or a proxy page keeps its SECRET half in errors, Job.Error, -Verbose/-Debug lines and the job store. Only the
    //    caller's own key is removed (RemoveKey).
    // ---------------------------------------------------------------------------------------------------------------
    [Fact]
    public async Task a_fal_shaped_credential_quoted_by_the_provider_loses_its_secret_half_too()
    {
        const string other = "1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718:0a1b2c3d4e5f60718293a4b5c6d7e8f9";
        const string secret = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
        // The control: a bearer token without a colon is removed.
        Assert.DoesNotContain(secret, Sanitizer.Sanitize("Authorization: Bearer " + secret, Key), StringComparison.Ordinal);

        var mock = new MockHttpMessageHandler();
        mock.Expect(HttpMethod.Get, "https://queue.fal.run/fal-ai/veo3.1/requests/80e732af/status").Respond("application/json", """{"status":"COMPLETED"}""");
        mock.Expect(HttpMethod.Get, "https://queue.fal.run/fal-ai/veo3.1/requests/80e732af").Respond(HttpStatusCode.UnprocessableEntity, "application/json",
            "{\"detail\":[{\"loc\":[\"header\"],\"msg\":\"upstream rejected Authorization: Key " + other + "\",\"type\":\"value_error\"}]}");
        using var client = new VideoGenClient(mock, TestClient.FastRetries());
        var failed = await client.PollAsync(new ProviderEndpoint(VideoProvider.Fal, FalBase, Key), Submitted(), null, default);

        Assert.Equal(VideoJobStatus.Failed, failed.Status);
        Assert.All(new[]
        {
            failed.Error!, // Job.Error: the output, the store, Export-Csv
            Sanitizer.Sanitize("Authorization: Key " + other, Key),
            Sanitizer.Sanitize("Authorization: Bearer " + other, Key),
            Sanitizer.Sanitize("proxy said: Key " + other + " is not valid", Key),
        }, text => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 3. A documented model id with a leading or trailing slash: PathOf trims the slashes (the request goes to the
    //    documented model's queue) but FalRules.Find does not, so the row is "an unknown model" (warning only, no checks)
    //    and the body is written in the unknown-model spelling: duration "8" where fal-ai/veo3.1/fast takes "8s", and
    //    Duration 7 is not refused before paying.
    // ---------------------------------------------------------------------------------------------------------------
    [Theory]
    [InlineData("fal-ai/veo3.1/fast/")]
    [InlineData("/fal-ai/veo3.1/fast")]
    public async Task a_documented_fal_model_with_a_stray_slash_is_checked_and_spelled_as_that_model(string model)
    {
        using var sent = new FalMapping().CreateSubmitRequest(FalBase, new VideoRequest { Prompt = "p", Model = model, Duration = 8 });
        var errors = RequestValidator.Validate(VideoProvider.Fal, new VideoRequest { Prompt = "p", Model = model, Duration = 7 }, out var warnings);

        Assert.Equal("https://queue.fal.run/fal-ai/veo3.1/fast", sent.RequestUri!.AbsoluteUri); // where it goes: the documented model
        Assert.Equal("8s", JsonDocument.Parse(await sent.Content!.ReadAsStringAsync()).RootElement.GetProperty("duration").GetString());
        Assert.Empty(warnings);
        Assert.Contains(errors, e => e.Field == "Duration");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 4. The waiter takes a host's turn BEFORE a -ThrottleLimit slot "so a host held by its 429s holds no slot another
    //    provider's jobs could use". fal's result request (the second request of a COMPLETED poll) takes its turn while
    //    the slot is held: a fal host short of turns (429 pause, or a low ceiling) holds Wait-Video's slots, and the
    //    polls of another provider whose own host has turns to spare wait behind it.
    //    Here: -ThrottleLimit 1, each host's budget at its 0.2/s floor (one turn now, the next in 5 s). The other
    //    provider's poll has its turn at once, yet waits ~5 s for the slot fal's poll holds while it waits for a turn.
    // ---------------------------------------------------------------------------------------------------------------
    [Fact]
    public async Task a_fal_result_waiting_for_its_hosts_turn_does_not_hold_a_slot_other_providers_polls_need()
    {
        var handler = new ScriptedHandler((request, _) =>
        {
            var uri = request.RequestUri!.AbsoluteUri;
            var json = uri.EndsWith("/status", StringComparison.Ordinal) ? """{"status":"COMPLETED"}"""
                : uri.StartsWith("https://queue.fal.run/", StringComparison.Ordinal) ? """{"video":{"url":"https://v3.fal.media/files/x/out.mp4"}}"""
                : """{"id":"video_1","object":"video","status":"completed","progress":100}""";
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        });
        var options = TestClient.FastRetries();
        options.MaxRequestsPerSecond = 0.2;
        using var client = new VideoGenClient(handler, options);
        var fal = new ProviderEndpoint(VideoProvider.Fal, FalBase, Key);
        var gateway = new ProviderEndpoint(VideoProvider.OpenAICompatible, new Uri("https://gateway.example/v1/"), "gateway-key-0123456789");
        using var engine = new WorkEngine(1);
        using var waiter = new JobWaiter(client, new WaitOptions { Policy = new PollPolicy { FixedInterval = TimeSpan.FromMilliseconds(100) } }, null, engine);
        var clock = Stopwatch.StartNew();

        waiter.Add(Submitted(), fal);
        await Task.Delay(20);
        waiter.Add(VideoJob.Restore("video_1", VideoProvider.OpenAICompatible, "sora-2", baseUri: gateway.BaseUri.AbsoluteUri), gateway);
        engine.CompleteAdding();
        var ended = new Dictionary<VideoProvider, TimeSpan>();
        while (!engine.IsDone && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (engine.TryRead(TimeSpan.FromMilliseconds(50), out var outcome) && outcome is WorkOutcome<VideoJob, WaitResult> { Value: WaitResult r })
            {
                Assert.Null(r.Error);
                ended[r.Job.Provider] = clock.Elapsed;
            }
        }

        Assert.Equal(2, ended.Count);
        Assert.True(ended[VideoProvider.OpenAICompatible] < TimeSpan.FromSeconds(2),
            "the gateway's poll had its own host's turn at once but ended after " + ended[VideoProvider.OpenAICompatible] +
            " (fal's ended after " + ended[VideoProvider.Fal] + "): it waited for the slot fal's poll held while waiting for fal's second turn");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 5. COMPLETED, then the result is gone (fal keeps a result 1 hour: docs/providers.md, Download). The poll throws
    //    NotFound "does not know task ... unknown or expired task id", the error Wait-Video treats as "no such job": the
    //    job is not emitted, its end is never written to the store (it stays Running there, so every later run polls it
    //    twice and fails again), and the COMPLETED the status just gave is lost. The provider knows the request; its
    //    video is gone: that is a job that ended without a video (Failed, with the reason), not an unknown id.
    // ---------------------------------------------------------------------------------------------------------------
    [Fact]
    public async Task a_completed_fal_request_whose_result_expired_is_a_failed_job_not_an_unknown_id()
    {
        var mock = new MockHttpMessageHandler();
        mock.When(HttpMethod.Get, "https://queue.fal.run/fal-ai/veo3.1/requests/80e732af/status").Respond("application/json", """{"status":"COMPLETED"}""");
        mock.When(HttpMethod.Get, "https://queue.fal.run/fal-ai/veo3.1/requests/80e732af").Respond(HttpStatusCode.NotFound, "application/json", """{"detail":"Request not found"}""");
        using var client = new VideoGenClient(mock, TestClient.FastRetries());

        VideoJob? job = null;
        VideoGenException? error = null;
        try
        {
            job = await client.PollAsync(new ProviderEndpoint(VideoProvider.Fal, FalBase, Key), Submitted(), null, default);
        }
        catch (VideoGenException ex)
        {
            error = ex;
        }

        Assert.True(error is null || error.Kind != VideoGenErrorKind.NotFound, "NotFound: " + error?.Message);
        Assert.Equal(VideoJobStatus.Failed, job?.Status);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 6. FAL_KEY is the variable of fal's own SDKs and CLI, so it is set on machines that never meant VideoGen to use
    //    fal. Counting it for "the one provider whose key is set" turns a working FastRouter setup (FASTROUTER_API_KEY
    //    alone, no -Provider, no $env:VIDEOGEN_PROVIDER) into "Cannot tell which provider to use" for every cmdlet.
    // ---------------------------------------------------------------------------------------------------------------
    [Fact]
    public void fal_sdks_FAL_KEY_does_not_break_provider_detection_of_an_existing_setup()
    {
        var env = new Dictionary<string, string> { ["FASTROUTER_API_KEY"] = "fr-key-0123456789", ["FAL_KEY"] = "id:secret-used-by-fal-client" };

        var provider = EndpointResolver.ResolveProvider(null, false, name => env.TryGetValue(name, out var v) ? v : null);

        Assert.Equal(VideoProvider.FastRouter, provider);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Held: attacks that failed.
    // ---------------------------------------------------------------------------------------------------------------
    [Theory]
    [InlineData("https://evil.example/fal-ai/veo3.1/requests/x/status")]
    [InlineData("http://queue.fal.run/fal-ai/veo3.1/requests/x/status")]
    [InlineData("https://queue.fal.run:8443/fal-ai/veo3.1/requests/x/status")]
    [InlineData("//evil.example/x/status")]
    public async Task the_key_never_follows_a_status_or_result_url_off_the_base_host(string statusUrl)
    {
        var mock = new MockHttpMessageHandler();
        mock.When(HttpMethod.Post, "https://queue.fal.run/*").Respond("application/json", "{\"request_id\":\"x\",\"status_url\":\"" + statusUrl + "\"}");
        var keyed = 0;
        mock.Fallback.Respond(request =>
        {
            if (request.Headers.Authorization != null)
            {
                Interlocked.Increment(ref keyed);
            }
            var json = request.RequestUri!.AbsolutePath.EndsWith("/status", StringComparison.Ordinal) ? """{"status":"COMPLETED"}""" : """{"video":{"url":"https://queue.fal.run/x.mp4"}}""";
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        });
        using var client = new VideoGenClient(mock, TestClient.FastRetries());
        var endpoint = new ProviderEndpoint(VideoProvider.Fal, FalBase, Key);

        var job = await client.SubmitAsync(endpoint, new VideoRequest { Prompt = "p" }, null, default);
        await client.PollAsync(endpoint, job, null, default);

        Assert.Equal(0, keyed);
    }

    [Theory]
    [InlineData("text/html", "<html><body>502 Bad Gateway</body></html>")]
    [InlineData("application/json", """{"detail":"Internal error"}""")]
    [InlineData("application/json", """{"status_url":"https://queue.fal.run/a/b/requests/x/status"}""")]
    public async Task a_fal_submission_answered_200_without_a_request_id_says_a_job_may_exist(string type, string body)
    {
        var mock = new MockHttpMessageHandler();
        mock.When(HttpMethod.Post, "https://queue.fal.run/*").Respond(type, body);
        using var client = new VideoGenClient(mock, TestClient.FastRetries());

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => client.SubmitAsync(new ProviderEndpoint(VideoProvider.Fal, FalBase, Key), new VideoRequest { Prompt = "p" }, null, default));

        Assert.True(ex.JobMayExist);
    }

    [Theory]
    [InlineData("-3", null)]
    [InlineData("3.7", 3)]
    [InlineData("\"5\"", 5)]
    [InlineData("\"NaN\"", null)]
    [InlineData("1e300", int.MaxValue)]
    [InlineData("\"lots\"", null)]
    [InlineData("{}", null)]
    public void any_queue_position_a_provider_sends_is_read_or_dropped_never_thrown(string position, int? expected)
    {
        var job = new FalMapping().ReadPollResponse(new ProviderResponse(202, "application/json", Encoding.UTF8.GetBytes("{\"status\":\"IN_QUEUE\",\"queue_position\":" + position + "}")), Submitted(), Now);

        Assert.Equal(expected, job.QueuePosition);
    }

    [Fact]
    public void MaxCost_on_fal_without_PricePerJob_is_refused()
    {
        var budget = new Budget(1m);
        Assert.False(ProviderMappings.For(VideoProvider.Fal) is IPricingMapping);
        Assert.Throws<VideoGenException>(() => budget.Price(VideoProvider.Fal, null, reportsCost: false, "row 1"));
    }

    [Fact]
    public async Task a_result_answering_html_5xx_ends_the_poll_after_the_retries_with_the_task_id()
    {
        var results = 0;
        var mock = new MockHttpMessageHandler();
        mock.When(HttpMethod.Get, "https://queue.fal.run/fal-ai/veo3.1/requests/80e732af/status").Respond("application/json", """{"status":"COMPLETED"}""");
        mock.When(HttpMethod.Get, "https://queue.fal.run/fal-ai/veo3.1/requests/80e732af").Respond(_ =>
        {
            Interlocked.Increment(ref results);
            return new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StringContent("<html>502</html>", Encoding.UTF8, "text/html") };
        });
        var options = TestClient.FastRetries();
        using var client = new VideoGenClient(mock, options);

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => client.PollAsync(new ProviderEndpoint(VideoProvider.Fal, FalBase, Key), Submitted(), null, default));

        Assert.Equal("80e732af", ex.TaskId);
        Assert.Equal(VideoGenErrorKind.ProviderUnavailable, ex.Kind);
        Assert.InRange(results, 1, Math.Max(1, options.MaxRetries) + 1);
    }
    /// <summary>
    /// Held: answers that complete synchronously (every poll ends inside the pump's hand-out or the inline start) with a
    /// budget that hands out turns in batches: 3,000 fal jobs, each polled to COMPLETED and its result read, all end once,
    /// no stack dive, no lost watch; the -ThrottleLimit slots all come back.
    /// </summary>
    [Fact]
    public async Task inline_hand_outs_and_inline_starts_with_synchronous_answers_end_every_watch_once()
    {
        const int count = 3000;
        var polls = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var handler = new ScriptedHandler((request, _) =>
        {
            var path = request.RequestUri!.AbsolutePath;
            var id = path.Split('/')[4];
            string json;
            if (path.EndsWith("/status", StringComparison.Ordinal))
            {
                json = polls.AddOrUpdate(id, 1, (_, n) => n + 1) < 3 ? """{"status":"IN_PROGRESS"}""" : """{"status":"COMPLETED"}""";
            }
            else
            {
                json = """{"video":{"url":"https://v3.fal.media/files/x/out.mp4"}}""";
            }
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        });
        var options = TestClient.FastRetries();
        options.MaxRequestsPerSecond = 400;
        using var client = new VideoGenClient(handler, options);
        var fal = new ProviderEndpoint(VideoProvider.Fal, FalBase, Key);
        using var engine = new WorkEngine(4);
        using var waiter = new JobWaiter(client, new WaitOptions { Policy = new PollPolicy { FixedInterval = TimeSpan.FromMilliseconds(50) } }, null, engine);
        for (var i = 0; i < count; i++)
        {
            waiter.Add(Submitted("r" + i), fal);
        }
        engine.CompleteAdding();
        var ended = new HashSet<string>();
        var clock = Stopwatch.StartNew();
        while (!engine.IsDone && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (engine.TryRead(TimeSpan.FromMilliseconds(100), out var outcome) && outcome is WorkOutcome<VideoJob, WaitResult> { Value: WaitResult r })
            {
                Assert.Null(r.Error);
                Assert.True(ended.Add(r.Job.Id));
            }
        }

        Assert.Equal(count, ended.Count);
        // The four slots are all free again: four items take one at once.
        var slots = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => new WorkContextProbe(engine).TakeAsync()));
        Assert.All(slots, Assert.True);
    }

    private sealed class WorkContextProbe(WorkEngine engine)
    {
        public async Task<bool> TakeAsync()
        {
            var slot = new WorkContext(engine).SlotAsync();
            return await Task.WhenAny(slot, Task.Delay(2000)) == slot && slot.Result != null;
        }
    }
    /// <summary>Held: Ctrl+C while 200 polls wait for a starved host's turn ends every watch at once (cancelled through the pool), none lost.</summary>
    [Fact]
    public async Task ctrl_c_during_budget_waits_ends_every_watch_promptly()
    {
        var handler = new ScriptedHandler((_, _) => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"status":"IN_QUEUE","queue_position":1}""", Encoding.UTF8, "application/json") });
        var options = TestClient.FastRetries();
        options.MaxRequestsPerSecond = 0.2;
        using var client = new VideoGenClient(handler, options);
        var fal = new ProviderEndpoint(VideoProvider.Fal, FalBase, Key);
        using var engine = new WorkEngine(8);
        using var waiter = new JobWaiter(client, new WaitOptions { Policy = new PollPolicy { FixedInterval = TimeSpan.FromMilliseconds(20) } }, null, engine);
        for (var i = 0; i < 200; i++)
        {
            waiter.Add(Submitted("c" + i), fal);
        }
        engine.CompleteAdding();
        await Task.Delay(500);

        var clock = Stopwatch.StartNew();
        engine.Cancel();
        var outcomes = 0;
        while (!engine.IsDone && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (engine.TryRead(TimeSpan.FromMilliseconds(50), out _))
            {
                outcomes++;
            }
        }

        Assert.Equal(200, outcomes);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), "took " + clock.Elapsed);
    }
}
