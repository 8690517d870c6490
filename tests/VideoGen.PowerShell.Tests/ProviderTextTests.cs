using System.Net;
using System.Net.Sockets;
using System.Text;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// Issue 23 item 5, through the real cmdlets: a provider (a FastRouter-shaped stub on loopback) that writes the key back in
/// its answers — raw in a video URL's query, JSON-escaped, base64 — never gets it into an emitted job, a stream, an error
/// or the store, and the video URL keeps its CDN signature so the download still works. The key is built at run time.
/// </summary>
public class ProviderTextTests
{
    [Fact]
    public void A_provider_echoing_the_key_in_the_video_url_and_answers_leaves_no_trace_in_jobs_streams_or_the_store()
    {
        var key = "vk-Ab+Cd/Ef" + Guid.NewGuid().ToString("N")[..12];
        var escaped = key.Replace("+", "\\u002B").Replace("/", "\\/");
        var url = "https://cdn.example.net/v.mp4?key=" + Uri.EscapeDataString(key) + "&Signature=cdn-sig-123";
        using var stub = new JsonStub(path => path.EndsWith("/api/v1/videos", StringComparison.Ordinal)
            ? "{\"data\":{\"taskId\":\"task-echo-1\",\"status\":\"waiting\"},\"echo\":\"" + escaped + "\",\"auth\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + key)) + "\"}"
            : "{\"data\":{\"taskId\":\"task-echo-1\",\"generations\":[{\"status\":\"succeed\",\"url\":\"" + url.Replace("/", "\\/") + "\",\"note\":\"for " + escaped + "\"}]}}");
        using var ps = Engine.Start();

        var result = ps.Set("key", KeyScopeTests.Secure(key)).Run(
            "$DebugPreference = 'Continue'; New-Video -Prompt 'An echo' -Provider FastRouter -Model google/veo3 -BaseUri $args[0] -ApiKey $key -Verbose | Get-VideoStatus -Verbose",
            stub.BaseUri);

        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        var job = Assert.Single(result.Output);
        Assert.Equal("Succeeded", job.Text("Status"));
        Assert.Equal("https://cdn.example.net/v.mp4?key=REDACTED&Signature=cdn-sig-123", job.Text("VideoUrl"));
        Assert.Contains(result.Debug, d => d.Message.Contains("Poll answer", StringComparison.Ordinal));
        var store = File.Exists(ps.Journal) ? Encoding.Latin1.GetString(File.ReadAllBytes(ps.Journal)) : string.Empty;
        foreach (var text in new[] { result.AllText(), store })
        {
            foreach (var form in new[] { key, escaped, Uri.EscapeDataString(key), Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + key)), key[11..] })
            {
                Assert.DoesNotContain(form, text, StringComparison.OrdinalIgnoreCase);
            }
        }
        Assert.True(stub.Requests >= 2);
    }

    /// <summary>An HTTP stub on loopback answering every request 200 with the JSON its script gives for the path.</summary>
    private sealed class JsonStub : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Func<string, string> _script;
        private int _requests;

        public JsonStub(Func<string, string> script)
        {
            _script = script;
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

        public int Requests => Volatile.Read(ref _requests);

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
                Interlocked.Increment(ref _requests);
                var body = Encoding.UTF8.GetBytes(_script(context.Request.Url!.AbsolutePath));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
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
