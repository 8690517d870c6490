using System.Net;
using RichardSzalay.MockHttp;
using VideoGen.Core;
using VideoGen.Core.Http;
using VideoGen.Core.Submitting;

namespace VideoGen.Core.Tests;

/// <summary>The budget: counted where a price is known, refused where none is, exact at its limit.</summary>
public class BudgetRuleTests
{
    [Fact]
    public void Without_MaxCost_everything_passes_and_nothing_is_counted()
    {
        var budget = new Budget(null);

        Assert.Null(budget.Price(VideoProvider.AppleRouter, null, reportsCost: false, "row 1"));
        budget.Reserve(VideoProvider.AppleRouter, null);
        Assert.True(budget.Settle(VideoProvider.AppleRouter, null, null, "t1"));
        Assert.False(budget.IsReached(VideoProvider.AppleRouter));
    }

    [Fact]
    public void A_provider_with_no_price_and_no_stated_price_is_refused_before_the_first_row()
    {
        var budget = new Budget(0.5m);

        var ex = Assert.Throws<VideoGenException>(() => budget.Price(VideoProvider.OpenAICompatible, null, reportsCost: false, "row 1 ('a')"));

        Assert.Equal(VideoGenErrorKind.QuotaExceeded, ex.Kind);
        Assert.Contains("row 1 ('a')", ex.Message, StringComparison.Ordinal);
        Assert.Contains("-PricePerJob", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stated_price_counts_each_row_and_the_budget_stops_at_its_limit()
    {
        var budget = new Budget(0.5m, pricePerJob: 0.2m);
        var sent = 0;
        for (var row = 1; row <= 4; row++)
        {
            try
            {
                var price = budget.Price(VideoProvider.AppleRouter, null, reportsCost: false, "row " + row);
                budget.Reserve(VideoProvider.AppleRouter, price);
                budget.Settle(VideoProvider.AppleRouter, price, null, "t" + row);
                sent++;
            }
            catch (VideoGenException)
            {
            }
        }

        Assert.Equal(3, sent);
        Assert.Equal(0.6m, budget.Spent(VideoProvider.AppleRouter));
        Assert.True(budget.IsReached(VideoProvider.AppleRouter));
    }

    [Fact]
    public void A_reported_cost_replaces_the_estimate_and_a_missing_one_makes_the_budget_uncountable()
    {
        var budget = new Budget(10m);

        var estimated = budget.Price(VideoProvider.OpenRouter, 1.5m, reportsCost: true, "row 1");
        budget.Reserve(VideoProvider.OpenRouter, estimated);
        budget.Settle(VideoProvider.OpenRouter, estimated, 1.2m, "t1");
        var counted = budget.Price(VideoProvider.FastRouter, null, reportsCost: true, "row 2");
        budget.Reserve(VideoProvider.FastRouter, counted);
        var stillCountable = budget.Settle(VideoProvider.FastRouter, counted, null, "task t2");

        Assert.Equal(1.2m, budget.Spent(VideoProvider.OpenRouter));
        Assert.False(stillCountable);
        Assert.Throws<BudgetReachedException>(() => budget.Reserve(VideoProvider.FastRouter, null));
        var ex = Assert.Throws<VideoGenException>(() => budget.Price(VideoProvider.FastRouter, null, reportsCost: true, "row 3"));
        Assert.Contains("the cost of task t2 at FastRouter is not known", ex.Message, StringComparison.Ordinal);
        // Other providers still count.
        Assert.False(budget.IsReached(VideoProvider.OpenRouter));
    }
}

/// <summary>The fingerprint is of the request on the wire.</summary>
public class WireFingerprintTests
{
    private static ProviderEndpoint Endpoint(VideoProvider provider, string uri) => new(provider, new Uri(uri), "k-" + Guid.NewGuid().ToString("N"));

    private static VideoRequest Request(object? effort, string prompt = "p") => new()
    {
        Prompt = prompt,
        Model = "google/veo-3.1",
        ProviderOptions = new Dictionary<string, object?> { ["google-vertex"] = new Dictionary<string, object?> { ["output_config"] = new Dictionary<string, object?> { ["effort"] = effort } } },
    };

    [Fact]
    public void A_value_deep_inside_the_provider_options_changes_it_and_the_order_of_a_table_does_not()
    {
        var endpoint = Endpoint(VideoProvider.OpenRouter, "https://openrouter.ai/api/v1");
        var ab = new VideoRequest { Prompt = "p", ProviderOptions = new Dictionary<string, object?> { ["a"] = "1", ["b"] = new Dictionary<string, object?> { ["x"] = 1, ["y"] = 2 } } };
        var ba = new VideoRequest { Prompt = "p", ProviderOptions = new Dictionary<string, object?> { ["b"] = new Dictionary<string, object?> { ["y"] = 2, ["x"] = 1 }, ["a"] = "1" } };

        Assert.NotEqual(RequestFingerprint.Of(endpoint, Request("low")), RequestFingerprint.Of(endpoint, Request("high")));
        Assert.Equal(RequestFingerprint.Of(endpoint, Request("low")), RequestFingerprint.Of(endpoint, Request("low")));
        Assert.Equal(RequestFingerprint.Of(endpoint, ab), RequestFingerprint.Of(endpoint, ba));
        // The fingerprint of older versions took both effort values for one request.
        Assert.Equal(RequestFingerprint.Legacy(VideoProvider.OpenRouter, Request("low"), "m"), RequestFingerprint.Legacy(VideoProvider.OpenRouter, Request("high"), "m"));
        Assert.False(RequestFingerprint.LegacyIsFaithful(Request("low"), false));
    }

    [Fact]
    public void The_same_request_with_another_key_is_another_request_and_the_key_is_not_in_the_fingerprint()
    {
        var a = new ProviderEndpoint(VideoProvider.OpenRouter, new Uri("https://openrouter.ai/api/v1"), "key-of-customer-A");
        var b = new ProviderEndpoint(VideoProvider.OpenRouter, new Uri("https://openrouter.ai/api/v1"), "key-of-customer-B");
        var again = new ProviderEndpoint(VideoProvider.OpenRouter, new Uri("https://openrouter.ai/api/v1"), "key-of-customer-A");

        Assert.NotEqual(RequestFingerprint.Of(a, new VideoRequest { Prompt = "p" }), RequestFingerprint.Of(b, new VideoRequest { Prompt = "p" }));
        Assert.Equal(RequestFingerprint.Of(a, new VideoRequest { Prompt = "p" }), RequestFingerprint.Of(again, new VideoRequest { Prompt = "p" }));
        Assert.Matches("^[0-9a-f]{32}$", RequestFingerprint.Of(a, new VideoRequest { Prompt = "p" }));
    }

    [Fact]
    public void Another_base_uri_and_other_upload_bytes_are_other_requests()
    {
        var one = Endpoint(VideoProvider.OpenAICompatible, "https://gateway-one.example/v1");
        var two = Endpoint(VideoProvider.OpenAICompatible, "https://gateway-two.example/v1");
        var png = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Assets", "reference.png"));
        VideoRequest WithImage(byte[] bytes) => new() { Prompt = "p", Image = "/tmp/reference.png", InputReference = new UploadFile(bytes, "reference.png", "image/png") };

        Assert.NotEqual(RequestFingerprint.Of(one, new VideoRequest { Prompt = "p" }), RequestFingerprint.Of(two, new VideoRequest { Prompt = "p" }));
        Assert.Equal(RequestFingerprint.Of(one, WithImage(png)), RequestFingerprint.Of(one, WithImage(png)));
        Assert.NotEqual(RequestFingerprint.Of(one, WithImage(png)), RequestFingerprint.Of(one, WithImage([.. png, 0])));
    }
}

/// <summary>Reuse of stored jobs: each taken once, older fingerprints only where they still tell requests apart.</summary>
public class StoredJobsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "videogen-stored-" + Guid.NewGuid().ToString("N"));

    public StoredJobsTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, true);

    private static PaidRequest Paid(ProviderEndpoint endpoint, string fingerprint, string? legacy = null) =>
        new(1, "row 1 ('twin')", endpoint, fingerprint, (_, _) => throw new InvalidOperationException("not sent"), id => VideoJob.Restore(id, endpoint.Provider, "m"))
        {
            Name = "twin",
            Prompt = "p",
            Model = "m",
            LegacyFingerprint = legacy,
        };

    [Fact]
    public void Two_identical_rows_take_two_recorded_jobs_and_a_third_finds_none()
    {
        var store = new JobJournal(Path.Combine(_folder, "s.db"));
        var endpoint = new ProviderEndpoint(VideoProvider.OpenRouter, new Uri("https://openrouter.ai/api/v1"), "k");
        store.Submitted(VideoJob.Restore("j1", VideoProvider.OpenRouter, "m", "twin", "p", endpoint.BaseUri.AbsoluteUri), "fp");
        store.Submitted(VideoJob.Restore("j2", VideoProvider.OpenRouter, "m", "twin", "p", endpoint.BaseUri.AbsoluteUri), "fp");
        var stored = new StoredJobs(store, enabled: true);

        var first = stored.Find(Paid(endpoint, "fp"), out _);
        var second = stored.Find(Paid(endpoint, "fp"), out _);
        var third = stored.Find(Paid(endpoint, "fp"), out _);

        Assert.Equal(new[] { "j1", "j2" }, new[] { first!.Job.Id, second!.Job.Id }.Order());
        Assert.Null(third);
        Assert.Null(new StoredJobs(store, enabled: false).Find(Paid(endpoint, "fp"), out _));
    }

    [Fact]
    public void A_job_under_the_older_fingerprint_is_taken_only_at_the_same_base_uri_and_only_when_offered()
    {
        var store = new JobJournal(Path.Combine(_folder, "s.db"));
        var here = new ProviderEndpoint(VideoProvider.OpenAICompatible, new Uri("https://gateway.example/v1"), "k");
        var there = new ProviderEndpoint(VideoProvider.OpenAICompatible, new Uri("https://other.example/v1"), "k");
        store.Submitted(VideoJob.Restore("old1", VideoProvider.OpenAICompatible, "m", "twin", "p", here.BaseUri.AbsoluteUri), "legacy");

        Assert.Null(new StoredJobs(store, true).Find(Paid(here, "new"), out _));
        Assert.Null(new StoredJobs(store, true).Find(Paid(there, "new", "legacy"), out _));
        Assert.Equal("old1", new StoredJobs(store, true).Find(Paid(here, "new", "legacy"), out _)!.Job.Id);
    }

    [Fact]
    public void Jobs_recorded_after_the_command_started_are_never_taken()
    {
        var store = new JobJournal(Path.Combine(_folder, "s.db"));
        var endpoint = new ProviderEndpoint(VideoProvider.OpenRouter, new Uri("https://openrouter.ai/api/v1"), "k");
        var stored = new StoredJobs(store, enabled: true);
        store.Submitted(VideoJob.Restore("later", VideoProvider.OpenRouter, "m", "twin", "p", endpoint.BaseUri.AbsoluteUri), "fp");

        Assert.Null(stored.Find(Paid(endpoint, "fp"), out _));
    }
}

/// <summary>The ledger of paid requests: what the end of a command waits for and names.</summary>
public class SubmissionLedgerTests
{
    [Fact]
    public void Names_the_jobs_not_handed_on_and_the_requests_unanswered_each_once()
    {
        var ledger = new SubmissionLedger();
        var a = new object();
        var b = new object();
        ledger.Sending(a, "row 1 ('a')");
        ledger.Sending(b, "row 2 ('b')");
        ledger.Created(VideoJob.Restore("ja", VideoProvider.OpenRouter, "m", "a"), "row 1 ('a')", stored: true);
        ledger.Answered(a);
        ledger.Created(VideoJob.Restore("jx", VideoProvider.OpenRouter, "m", "x"), "row 3 ('x')", stored: false);
        ledger.Created(VideoJob.Restore("jy", VideoProvider.OpenRouter, "m", "y"), "row 4 ('y')", stored: true);
        ledger.HandedOn("jy");

        Assert.False(ledger.WaitForAnswers(TimeSpan.FromMilliseconds(50)));
        var lines = ledger.Report("/store.db", TimeSpan.FromSeconds(30));

        Assert.Equal(3, lines.Count);
        Assert.Contains("ja (a)", lines[0], StringComparison.Ordinal);
        Assert.Contains("/store.db", lines[0], StringComparison.Ordinal);
        Assert.Contains("could not record it: keep this task id", lines[1], StringComparison.Ordinal);
        Assert.Contains("row 2 ('b') was being submitted", lines[2], StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Contains("jy", StringComparison.Ordinal));
        Assert.Empty(ledger.Report("/store.db", TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Waits_for_an_answer_that_comes_within_the_bound()
    {
        var ledger = new SubmissionLedger();
        var item = new object();
        ledger.Sending(item, "row 1");
        var answer = Task.Run(async () =>
        {
            await Task.Delay(200);
            ledger.Answered(item);
        });

        Assert.True(ledger.WaitForAnswers(TimeSpan.FromSeconds(30)));
        await answer;
        Assert.Equal(0, ledger.InFlight);
    }
}

/// <summary>The credit OpenRouter says is left on the key is checked before paying.</summary>
public class CreditCheckTests
{
    [Fact]
    public async Task Rows_past_the_credit_left_are_refused_and_the_key_is_asked_once()
    {
        var mock = new MockHttpMessageHandler();
        var key = mock.When(HttpMethod.Get, "https://openrouter.ai/api/v1/key")
            .Respond("application/json", "{\"data\":{\"limit\":5,\"limit_remaining\":1.0,\"usage\":4}}");
        using var client = new VideoGenClient(mock, TestClient.FastRetries());
        var endpoint = new ProviderEndpoint(VideoProvider.OpenRouter, new Uri("https://openrouter.ai/api/v1"), "k");
        PaidRequest Row(int n) => new(n, "row " + n, endpoint, "fp" + n, (_, _) => throw new InvalidOperationException(), id => VideoJob.Restore(id, endpoint.Provider, "m")) { Estimate = 0.6m };
        var check = new CreditCheck();

        await check.CheckAsync(client, Row(1), null, default);
        var ex = await Assert.ThrowsAsync<VideoGenException>(() => check.CheckAsync(client, Row(2), null, default));

        Assert.Equal(VideoGenErrorKind.QuotaExceeded, ex.Kind);
        Assert.Contains("row 2", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, mock.GetMatchCount(key));
    }

    [Fact]
    public async Task A_key_without_a_limit_or_an_unreadable_answer_lets_the_rows_through()
    {
        var mock = new MockHttpMessageHandler();
        mock.When(HttpMethod.Get, "https://openrouter.ai/api/v1/key").Respond(HttpStatusCode.OK, "application/json", "{\"data\":{\"limit\":null,\"limit_remaining\":null}}");
        using var client = new VideoGenClient(mock, TestClient.FastRetries());
        var endpoint = new ProviderEndpoint(VideoProvider.OpenRouter, new Uri("https://openrouter.ai/api/v1"), "k");
        var check = new CreditCheck();

        for (var n = 1; n <= 3; n++)
        {
            await check.CheckAsync(client, new PaidRequest(n, "row " + n, endpoint, "fp", (_, _) => throw new InvalidOperationException(), id => VideoJob.Restore(id, endpoint.Provider, "m")) { Estimate = 100m }, null, default);
        }
    }
}

/// <summary>The one worker's stop rules: out of credits and a store that cannot record stop every later start.</summary>
public class SubmitterRuleTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "videogen-submitter-" + Guid.NewGuid().ToString("N"));

    public SubmitterRuleTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, true);

    private static List<WorkOutcome<PaidRequest, Submission>> Run(MockHttpMessageHandler mock, JobJournal store, int rows, out Submitter submitter, out SubmissionLedger ledger)
    {
        using var client = new VideoGenClient(mock, TestClient.FastRetries());
        var endpoint = new ProviderEndpoint(VideoProvider.FastRouter, new Uri("https://api.fastrouter.ai"), "k-" + Guid.NewGuid().ToString("N"));
        using var engine = new WorkEngine(1, Submitter.IsOutOfCredits);
        var outcomes = new List<WorkOutcome<PaidRequest, Submission>>();
        ledger = new SubmissionLedger();
        submitter = new Submitter(client, store, engine, new Budget(null), ledger, null, outcomes.Add);
        for (var n = 1; n <= rows; n++)
        {
            var request = new VideoRequest { Prompt = "row " + n, Model = "google/veo3" };
            submitter.Start(new PaidRequest(n, "row " + n, endpoint, "fp" + n, (c, log) => c.SubmitAsync(endpoint, request, log, default),
                id => VideoJob.Restore(id, endpoint.Provider, "google/veo3")));
        }
        engine.CompleteAdding();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!engine.IsDone && DateTime.UtcNow < deadline)
        {
            if (engine.TryRead(TimeSpan.FromMilliseconds(100), out var outcome))
            {
                outcome!.Deliver();
            }
        }
        return outcomes.OrderBy(o => o.State.Row).ToList();
    }

    [Fact]
    public void Out_of_credits_stops_every_later_start_and_nothing_more_is_sent()
    {
        var mock = new MockHttpMessageHandler();
        var submit = mock.When(HttpMethod.Post, "https://api.fastrouter.ai/api/v1/videos")
            .Respond(HttpStatusCode.PaymentRequired, "application/json", "{\"error\":{\"message\":\"Insufficient credits\"}}");

        var outcomes = Run(mock, new JobJournal(Path.Combine(_folder, "s.db")), 3, out _, out var ledger);

        Assert.Equal(1, mock.GetMatchCount(submit));
        Assert.True(Submitter.IsOutOfCredits(outcomes[0].Error!));
        Assert.All(outcomes.Skip(1), o => Assert.IsType<NotStartedException>(o.Error));
        Assert.Equal(0, ledger.InFlight);
    }

    [Fact]
    public void A_store_that_cannot_record_a_created_job_stops_later_starts_and_keeps_the_id()
    {
        var mock = new MockHttpMessageHandler();
        var submit = mock.When(HttpMethod.Post, "https://api.fastrouter.ai/api/v1/videos")
            .Respond("application/json", "{\"data\":{\"taskId\":\"task-kept-1\",\"status\":\"waiting\"}}");
        // A file where the store's folder should be: every write fails.
        var blocker = Path.Combine(_folder, "not-a-folder");
        File.WriteAllText(blocker, "x");

        var outcomes = Run(mock, new JobJournal(Path.Combine(blocker, "s.db")), 3, out var submitter, out var ledger);

        Assert.Equal(1, mock.GetMatchCount(submit));
        Assert.True(submitter.StoreFailed);
        Assert.Equal("task-kept-1", outcomes[0].Value!.Job.Id);
        Assert.NotNull(outcomes[0].Value!.StoreError);
        Assert.All(outcomes.Skip(1), o => Assert.IsType<NotStartedException>(o.Error));
        Assert.Contains(ledger.Report("s.db", TimeSpan.Zero), l => l.Contains("task-kept-1", StringComparison.Ordinal) && l.Contains("keep this task id", StringComparison.Ordinal));
    }
}
