using System.Net;
using System.Net.Sockets;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// Issue 23 item 9, through New-Video: a submission answered 503 (as a proxy or gateway may answer after it forwarded the
/// POST) is sent once, and its error says a job may exist (VideoGen.SubmissionOutcomeUnknown) instead of paying again.
/// </summary>
public class SubmitRetryTests
{
    [Fact]
    public void New_Video_answered_503_posts_once_and_reports_that_a_job_may_exist()
    {
        using var stub = new UnavailableStub();
        using var ps = Engine.Start();

        var result = ps.Set("key", KeyScopeTests.Secure("vk-" + Guid.NewGuid().ToString("N"))).Run(
            "New-Video -Prompt 'Behind a busy proxy' -Provider FastRouter -Model google/veo3 -BaseUri $args[0] -ApiKey $key", stub.BaseUri);

        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("VideoGen.SubmissionOutcomeUnknown", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("may have been created", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, stub.Posts);
    }

    /// <summary>An HTTP stub on loopback answering every request 503 with an HTML page, counting POSTs.</summary>
    private sealed class UnavailableStub : IDisposable
    {
        private readonly HttpListener _listener = new();
        private int _posts;

        public UnavailableStub()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            BaseUri = "http://127.0.0.1:" + port + "/";
            _listener.Prefixes.Add(BaseUri);
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public string BaseUri { get; }

        public int Posts => Volatile.Read(ref _posts);

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception)
                {
                    return;
                }
                if (context.Request.HttpMethod == "POST")
                {
                    Interlocked.Increment(ref _posts);
                }
                var body = "<html>upstream busy</html>"u8.ToArray();
                context.Response.StatusCode = 503;
                context.Response.ContentType = "text/html";
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
        }
    }
}
