using System.Diagnostics;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Text;
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

        var result = ps.Set("key", KeyScopeTests.Secure(HintServer.Key))
            .Run("Get-VideoStatus -Id video_hint -Provider OpenAICompatible -BaseUri $args[0] -ApiKey $key | Wait-Video -TimeoutSec 3 -Verbose", server.BaseUri);

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
        private readonly HttpListener _listener = new();
        private readonly string _header;
        private readonly string _value;
        private int _polls;

        public HintServer(string header, string value)
        {
            _header = header;
            _value = value;
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            _listener.Prefixes.Add("http://127.0.0.1:" + port + "/");
            _listener.Start();
            BaseUri = "http://127.0.0.1:" + port + "/v1";
            _ = Task.Run(ServeAsync);
        }

        public string BaseUri { get; }

        public int Polls => Volatile.Read(ref _polls);

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try
                {
                    ctx = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException || ex is ObjectDisposedException || ex is InvalidOperationException)
                {
                    return;
                }
                try
                {
                    var body = "{\"error\":{\"message\":\"no such route\"}}";
                    var status = 404;
                    if (ctx.Request.HttpMethod == "GET" && ctx.Request.Url!.AbsolutePath == "/v1/videos/video_hint")
                    {
                        Interlocked.Increment(ref _polls);
                        status = 200;
                        body = "{\"id\":\"video_hint\",\"object\":\"video\",\"model\":\"sora-2\",\"status\":\"in_progress\",\"progress\":10}";
                        ctx.Response.AddHeader(_header, _value);
                    }
                    ctx.Response.StatusCode = status;
                    ctx.Response.ContentType = "application/json";
                    var bytes = Encoding.UTF8.GetBytes(body);
                    ctx.Response.ContentLength64 = bytes.Length;
                    await ctx.Response.OutputStream.WriteAsync(bytes);
                    ctx.Response.Close();
                }
                catch (Exception ex) when (ex is HttpListenerException || ex is IOException || ex is ObjectDisposedException)
                {
                }
            }
        }

        public void Dispose() => _listener.Close();
    }
}
