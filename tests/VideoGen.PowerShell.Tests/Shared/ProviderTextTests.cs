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
        using var stub = Answering(path => path.EndsWith("/api/v1/videos", StringComparison.Ordinal)
            ? "{\"data\":{\"taskId\":\"task-echo-1\",\"status\":\"waiting\"},\"echo\":\"" + escaped + "\",\"auth\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + key)) + "\"}"
            : "{\"data\":{\"taskId\":\"task-echo-1\",\"generations\":[{\"status\":\"succeed\",\"url\":\"" + url.Replace("/", "\\/") + "\",\"note\":\"for " + escaped + "\"}]}}");
        using var ps = Engine.Start();

        var result = ps.Set("key", KeyScopeTests.Secure(key)).Run(
            "$DebugPreference = 'Continue'; New-Video -Prompt 'An echo' -Provider FastRouter -Model google/veo3 -BaseUri $args[0] -ApiKey $key -Verbose | Get-VideoStatus -Verbose",
            stub.Root);

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

    /// <summary>Answers every request 200 with the JSON <paramref name="script"/> gives for the path.</summary>
    private static StubServer Answering(Func<string, string> script) =>
        new(c => StubServer.JsonAsync(c, 200, script(c.Request.Url!.AbsolutePath)));
}
