using System.Diagnostics;
using System.Management.Automation;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// Issue 23 item 6, through the real cmdlets: a poll answered with a server hint far beyond -TimeoutSec (Retry-After a
/// year, a day) ends in about -TimeoutSec as the usual Timeout error naming the task id, and the job can be followed again.
/// The server is a tiny stub of the OpenAI-style video API on loopback (the emulator's Retry-After faults are error answers).
/// </summary>
public class ServerHintTests
{
    [Theory]
    [InlineData("Retry-After", "31536000")]
    [InlineData("Retry-After", "86400")]
    [InlineData("openai-poll-after-ms", "31536000000")]
    public void A_poll_hint_far_beyond_TimeoutSec_ends_as_a_Timeout_naming_the_task_id(string header, string value)
    {
        using var server = new HintServer(header, value);
        using var ps = Engine.Start();
        var clock = Stopwatch.StartNew();

        // The poll first, then Wait-Video: -TimeoutSec counts from Wait-Video's start, and on a loaded machine a poll upstream
        // in the same pipeline could use up the 3 s before the job reaches it (it then times out without waiting at all).
        var result = ps.Set("key", KeyScopeTests.Secure(HintServer.Key))
            .Run("$polled = Get-VideoStatus -Id video_hint -Provider OpenAICompatible -BaseUri $args[0] -ApiKey $key; $polled | Wait-Video -TimeoutSec 3 -Verbose", server.BaseUri);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "took " + clock.Elapsed);
        Assert.Null(result.Terminating);
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.OperationTimeout, error.CategoryInfo.Category);
        Assert.StartsWith("VideoGen.Timeout", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("video_hint", error.Exception.Message, StringComparison.Ordinal);
        Assert.Null(error.Exception.InnerException);
        Assert.DoesNotContain("Following job", error.Exception.Message, StringComparison.Ordinal);
        var job = Assert.Single(result.Output);
        Assert.Equal("video_hint", job.Text("Id"));
        Assert.True(string.IsNullOrEmpty(job.Text("Error")), "the job was marked failed: " + job.Text("Error"));
        Assert.Contains(result.Verbose, v => v.Message.Contains("capped", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(HintServer.Key, result.AllText(), StringComparison.Ordinal);

        // Still followable: the job emitted is polled again as any running job.
        var again = ps.Set("job", result.Output[0]).Run("$job | Get-VideoStatus -Provider OpenAICompatible -ApiKey $key");
        Assert.Empty(again.Errors);
        Assert.Equal("video_hint", Assert.Single(again.Output).Text("Id"));
        Assert.True(server.Polls >= 2, "polls: " + server.Polls);
    }

    /// <summary>Answers every GET /v1/videos/{id} with a running video object and the hint header.</summary>
    private sealed class HintServer : IDisposable
    {
        public const string Key = "sk-fake-hint-stub-key-7d41";
        private readonly StubServer _server;
        private int _polls;

        public HintServer(string header, string value) => _server = new StubServer(context =>
        {
            if (context.Request.HttpMethod == "GET" && context.Request.Url!.AbsolutePath == "/v1/videos/video_hint")
            {
                Interlocked.Increment(ref _polls);
                return StubServer.JsonAsync(context, 200, "{\"id\":\"video_hint\",\"object\":\"video\",\"model\":\"sora-2\",\"status\":\"in_progress\",\"progress\":10}", (header, value));
            }
            return StubServer.JsonAsync(context, 404, "{\"error\":{\"message\":\"no such route\"}}");
        });

        public string BaseUri => _server.Root + "v1";

        public int Polls => Volatile.Read(ref _polls);

        public void Dispose() => _server.Dispose();
    }
}
