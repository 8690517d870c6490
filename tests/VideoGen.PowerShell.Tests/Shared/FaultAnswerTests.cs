using System.Globalization;
using System.Management.Automation;
using System.Text.RegularExpressions;
using VideoGen.Emulator;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// Issue 11, through the real cmdlets: the emulator's error-answer faults (provider-shaped errors, Retry-After in seconds
/// and as a date, 404 with an empty or HTML body) and issue 13's error body that echoes the key. Each test has its own
/// emulator, since faults are global to one.
/// </summary>
public class FaultAnswerTests
{
    /// <summary>The emulator's name for the port a provider submits to.</summary>
    internal static string Port(string provider) => provider switch
    {
        "FastRouter" => "fastrouter",
        "OpenRouter" => "openrouter",
        _ => "applerouter", // AppleRouter and the OpenAI-style route on its port
    };

    /// <summary>New-Video arguments every provider accepts (OpenAICompatible's seconds are 4, 8 or 12).</summary>
    internal static string Extra(string provider) => provider == "OpenAICompatible" ? " -Duration 8" : string.Empty;

    [Theory]
    [InlineData("FastRouter")]
    [InlineData("OpenRouter")]
    [InlineData("AppleRouter")]
    [InlineData("OpenAICompatible")]
    public async Task A_provider_shaped_error_on_submit_reaches_the_user_with_the_providers_message_and_nothing_is_journaled(string provider)
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        emulator.State.AddFault(new Fault { Route = "submit", Provider = Port(provider), Status = 400, Message = "prompt refused by policy 42" });
        using var ps = Engine.Start();

        var result = ps.Run("New-Video -Prompt 'A refused prompt' -Provider " + provider + Extra(provider) + " -BaseUri $args[0] -Name refused",
            emulator.BaseUriFor(provider).AbsoluteUri);

        Assert.Null(result.Terminating);
        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.Equal("VideoGen.InvalidArgument,VideoGen.Commands.NewVideoCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("prompt refused by policy 42", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("refused", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(0, emulator.State.Submissions);
        Assert.Empty(ps.Run("Get-VideoJob -All").Output);
    }

    [Theory]
    [InlineData("FastRouter")]
    [InlineData("OpenRouter")]
    [InlineData("AppleRouter")]
    public async Task A_provider_shaped_error_on_a_poll_ends_that_jobs_wait_with_the_message_and_the_id(string provider)
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var created = ps.Run("New-Video -Prompt 'A polled prompt' -Provider " + provider + " -BaseUri $args[0] -Name polled", emulator.BaseUriFor(provider).AbsoluteUri);
        Assert.Empty(created.Errors);
        var id = Assert.Single(created.Output).Text("Id")!;
        emulator.State.AddFault(new Fault { Route = "poll", Provider = Port(provider), Status = 403, Message = "task access denied by policy 7" });

        var result = ps.Set("job", created.Output[0]).Run("$job | Wait-Video -TimeoutSec 60");

        Assert.Null(result.Terminating);
        var error = Assert.Single(result.Errors);
        Assert.Contains("task access denied by policy 7", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains(id, error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(id, PSObject.AsPSObject(error.TargetObject).Text("Id"));
        Assert.NotEqual(ErrorCategory.NotSpecified, error.CategoryInfo.Category);
        Assert.StartsWith("VideoGen.", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        // The job is not lost: it is still in the journal to wait for again.
        Assert.Contains(ps.Run("Get-VideoJob").Output, j => j.Text("Id") == id);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Retry_After_on_a_submission_is_waited_for_and_the_submission_then_succeeds_once(bool asDate)
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        emulator.State.AddFault(new Fault { Route = "submit", Provider = "openrouter", Status = 429, RetryAfterSeconds = 4, RetryAfterDate = asDate });
        using var ps = Engine.Start();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = ps.Run("New-Video -Prompt 'A busy provider' -Provider OpenRouter -BaseUri $args[0] -Name busy -Verbose", emulator.BaseUriFor("OpenRouter").AbsoluteUri);

        Assert.Empty(result.Errors);
        var job = Assert.Single(result.Output);
        Assert.Equal(1, emulator.State.Submissions);
        Assert.True(emulator.State.Jobs.ContainsKey(job.Text("Id")!));
        Assert.Contains(job.Text("Id")!, File.ReadAllText(ps.Journal), StringComparison.Ordinal);
        AssertWaitedForRetryAfter(result, 4);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.5), "answered after " + clock.Elapsed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Retry_After_on_a_poll_is_waited_for_and_Wait_Video_then_emits_the_finished_job(bool asDate)
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var created = ps.Run("New-Video -Prompt 'A busy poll' -Provider FastRouter -BaseUri $args[0] -Name busy", emulator.BaseUriFor("FastRouter").AbsoluteUri);
        Assert.Empty(created.Errors);
        emulator.State.AddFault(new Fault { Route = "poll", Provider = "fastrouter", Status = 429, RetryAfterSeconds = 4, RetryAfterDate = asDate });

        var result = ps.Set("job", created.Output[0]).Run("$job | Wait-Video -TimeoutSec 60 -Verbose");

        Assert.Empty(result.Errors);
        var job = Assert.Single(result.Output);
        Assert.Equal("Succeeded", job.Text("Status"));
        AssertWaitedForRetryAfter(result, 4);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Retry_After_on_a_download_is_waited_for_and_Save_Video_then_saves_the_file(bool asDate)
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "busy");
        var done = ps.Run("New-Video -Prompt 'A busy download' -Provider AppleRouter -BaseUri $args[0] -Name busy | Wait-Video -TimeoutSec 60", emulator.BaseUriFor("AppleRouter").AbsoluteUri);
        Assert.Empty(done.Errors);
        emulator.State.AddFault(new Fault { Route = "download", Status = 429, RetryAfterSeconds = 4, RetryAfterDate = asDate });

        var result = ps.Set("job", done.Output[0]).Run("$job | Save-Video -OutputDirectory $args[0] -Verbose", output);

        Assert.Empty(result.Errors);
        Assert.Equal(done.Output[0].Text("Id"), Assert.Single(result.Output).Text("Id"));
        Mp4.AssertMp4(Path.Combine(output, "busy.mp4"));
        AssertWaitedForRetryAfter(result, 4);
    }

    /// <summary>The retry line ("Retry 1 of 5 in 4.0 s after HTTP 429.") shows the wait the provider asked for, not the ~1 s backoff.</summary>
    private static void AssertWaitedForRetryAfter(PsResult result, int seconds)
    {
        var lines = result.Verbose.Select(v => v.Message).Concat(result.Debug.Select(d => d.Message)).ToList();
        var retry = lines.Select(l => Regex.Match(l, @"in (\d+(?:\.\d+)?) s after HTTP 429")).FirstOrDefault(m => m.Success);
        Assert.True(retry != null, "no retry after HTTP 429 in:\n" + string.Join("\n", lines));
        var waited = double.Parse(retry!.Groups[1].Value, CultureInfo.InvariantCulture);
        // An HTTP date has whole seconds, so it may say up to a second less than asked, and on a loaded machine the answer
        // is read a few hundred milliseconds after it was written; still far from the ~1 s backoff it replaces.
        Assert.InRange(waited, seconds - 1.6, seconds + 0.05);
    }

    [Theory]
    [InlineData("FastRouter", "", "text/plain")]
    [InlineData("FastRouter", "<html><body><h1>404 Not Found</h1></body></html>", "text/html")]
    [InlineData("OpenRouter", "", "text/plain")]
    [InlineData("OpenRouter", "<html><body><h1>404 Not Found</h1><p>nginx</p></body></html>", "text/html")]
    [InlineData("AppleRouter", "", "text/plain")]
    [InlineData("AppleRouter", "<html><body>Not Found</body></html>", "text/html")]
    public async Task A_404_with_an_empty_or_html_body_on_a_poll_is_ObjectNotFound_naming_the_id_and_emits_no_job(string provider, string body, string contentType)
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var created = ps.Run("New-Video -Prompt 'A forgotten task' -Provider " + provider + " -BaseUri $args[0] -Name forgotten", emulator.BaseUriFor(provider).AbsoluteUri);
        Assert.Empty(created.Errors);
        var id = Assert.Single(created.Output).Text("Id")!;
        // FastRouter's client also tries its older poll route after a bare 404: that one is gone too.
        emulator.State.AddFault(new Fault { Route = "poll", Provider = Port(provider), Status = 404, Body = body, ContentType = contentType, Count = provider == "FastRouter" ? 2 : 1 });

        var result = ps.Set("job", created.Output[0]).Run("$job | Wait-Video -TimeoutSec 60");

        Assert.Null(result.Terminating);
        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("VideoGen.NotFound,VideoGen.Commands.WaitVideoCommand", error.FullyQualifiedErrorId);
        Assert.Contains(id, error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(id, PSObject.AsPSObject(error.TargetObject).Text("Id"));
        Assert.Contains("Get-VideoStatus -Id " + id, error.ErrorDetails?.RecommendedAction ?? string.Empty, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("OpenRouter", "", "text/plain")]
    [InlineData("AppleRouter", "<html><body>Not Found</body></html>", "text/html")]
    public async Task Get_VideoStatus_of_a_task_answered_by_a_bare_or_html_404_is_ObjectNotFound_naming_the_id(string provider, string body, string contentType)
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var created = ps.Run("New-Video -Prompt 'An unknown task' -Provider " + provider + " -BaseUri $args[0] -Name unknown", emulator.BaseUriFor(provider).AbsoluteUri);
        Assert.Empty(created.Errors);
        var id = Assert.Single(created.Output).Text("Id")!;
        emulator.State.AddFault(new Fault { Route = "poll", Provider = Port(provider), Status = 404, Body = body, ContentType = contentType });

        var result = ps.Set("job", created.Output[0]).Run("$job | Get-VideoStatus");

        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("VideoGen.NotFound,VideoGen.Commands.GetVideoStatusCommand", error.FullyQualifiedErrorId);
        Assert.Contains(id, error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains(id, PSObject.AsPSObject(error.TargetObject).ToString(), StringComparison.Ordinal);
    }

    /// <summary>Issue 13: a provider that echoes the key back in its error text, on submit, poll and download.</summary>
    [Theory]
    [InlineData("FastRouter")]
    [InlineData("OpenRouter")]
    [InlineData("AppleRouter")]
    public async Task An_error_body_echoing_the_key_leaves_no_trace_of_it_in_any_stream_object_or_the_journal(string provider)
    {
        const string skToken = "sk-proj-Echoed7Token0123456789abcdef";
        const string otherBearer = "vgEchoedBearer9f8e7d6c5b4a";
        var echo = "Invalid API key " + SharedEmulator.Key + " (header Authorization: Bearer " + SharedEmulator.Key + "; also tried Bearer " + otherBearer + " and " + skToken + ")";
        var jsonEcho = "{\"error\":{\"message\":\"" + echo + "\",\"code\":\"echo\",\"api_key\":\"" + SharedEmulator.Key + "\"}}";
        await using var emulator = await SharedEmulator.StartPrivateAsync(o => o.FileSize = 64 * 1024);
        var baseUri = emulator.BaseUriFor(provider).AbsoluteUri;
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "echo");

        // 1. Submit: the provider's own error shape, the key in its message.
        emulator.State.AddFault(new Fault { Route = "submit", Provider = Port(provider), Status = 400, Message = echo });
        var refused = ps.Run("New-Video -Prompt 'Echo one' -Provider " + provider + " -BaseUri $args[0] -Name one -Verbose -Debug", baseUri);
        // 2. Poll: a raw JSON body with the key in a field and the message.
        var created = ps.Run("New-Video -Prompt 'Echo two' -Provider " + provider + " -BaseUri $args[0] -Name two -Verbose -Debug", baseUri);
        Assert.Empty(created.Errors);
        emulator.State.AddFault(new Fault { Route = "poll", Provider = Port(provider), Status = 401, Body = jsonEcho });
        var polled = ps.Set("job", created.Output[0]).Run("$job | Wait-Video -TimeoutSec 60 -Verbose -Debug");
        // 3. Download: a plain-text body with the key.
        var finished = ps.Run("New-Video -Prompt 'Echo three' -Provider " + provider + " -BaseUri $args[0] -Name three | Wait-Video -TimeoutSec 60", baseUri);
        Assert.Empty(finished.Errors);
        // Twice: a stored URL refused once is asked for again with one poll (an expired signed URL), then refused again.
        emulator.State.AddFault(new Fault { Route = "download", Status = 403, Body = echo, ContentType = "text/plain", Count = 2 });
        var saved = ps.Set("done", finished.Output[0]).Run("$done | Save-Video -OutputDirectory $args[0] -Verbose -Debug", output);

        // Each fault reached the user as an error (so the check below looked at real error text).
        Assert.Single(refused.Errors);
        Assert.Empty(refused.Output);
        Assert.Single(polled.Errors);
        Assert.Single(saved.Errors);
        Assert.Empty(saved.Output);
        Assert.Contains("Invalid API key", refused.Errors[0].Exception.Message, StringComparison.Ordinal);
        var everything = string.Join("\n", refused.AllText(), created.AllText(), polled.AllText(), finished.AllText(), saved.AllText(), File.ReadAllText(ps.Journal));
        Assert.DoesNotContain(SharedEmulator.Key, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(skToken, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(otherBearer, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-proj-", everything, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output) && Directory.GetFiles(output, "*.mp4").Length > 0);
    }
    /// <summary>Issue 13: the key echoed in a failed job's own error text, which lands in the job object, its error and the journal.</summary>
    [Fact]
    public async Task A_failed_jobs_error_text_echoing_the_key_leaves_no_trace_of_it_in_the_job_the_error_or_the_journal()
    {
        const string skToken = "sk-or-v1-Echoed5Token0123456789abcdef";
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var created = ps.Run("New-Video -Prompt 'Echo in a failure' -Provider OpenRouter -BaseUri $args[0] -Name echoed -Verbose -Debug", emulator.BaseUriFor("OpenRouter").AbsoluteUri);
        Assert.Empty(created.Errors);
        var id = Assert.Single(created.Output).Text("Id")!;
        var reason = "upstream refused key " + SharedEmulator.Key + " sent as Authorization: Bearer " + SharedEmulator.Key + " (fallback " + skToken + ")";
        var body = "{\"id\":\"" + id + "\",\"polling_url\":\"/api/v1/videos/" + id + "\",\"status\":\"failed\",\"progress\":100,\"error\":\"" + reason + "\"}";
        emulator.State.AddFault(new Fault { Route = "poll", Provider = "openrouter", Status = 200, Body = body, Count = 2 });

        var status = ps.Set("job", created.Output[0]).Run("$job | Get-VideoStatus -Verbose -Debug");
        var waited = ps.Set("job", created.Output[0]).Run("$job | Wait-Video -TimeoutSec 60 -Verbose -Debug");
        var listed = ps.Run("Get-VideoJob -All");

        // The failure was read and shown (so the check below looked at the job's error text).
        Assert.Equal("Failed", Assert.Single(status.Output).Text("Status"));
        var job = Assert.Single(waited.Output);
        Assert.Equal("Failed", job.Text("Status"));
        Assert.Contains("upstream refused key", job.Text("Error") ?? string.Empty, StringComparison.Ordinal);
        Assert.Contains(id, Assert.Single(waited.Errors).Exception.Message, StringComparison.Ordinal);
        var everything = string.Join("\n", created.AllText(), status.AllText(), waited.AllText(), listed.AllText(), File.ReadAllText(ps.Journal));
        Assert.Contains("upstream refused key", File.ReadAllText(ps.Journal) + waited.AllText(), StringComparison.Ordinal);
        Assert.DoesNotContain(SharedEmulator.Key, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(skToken, everything, StringComparison.Ordinal);
    }
}
