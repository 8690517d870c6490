using System.Net;
using System.Net.Sockets;
using System.Text;
using VideoGen.PowerShell.Tests.Support;

using VideoGen.Tests.Shared;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// Issue 23 item 4: a key crosses a proxy only inside TLS, and loopback never uses one. .NET reads HTTP_PROXY once per
/// process (HttpClient.DefaultProxy), so each test runs New-Video in a child PowerShell whose environment names a
/// proxy: a stub that records every byte it is sent and answers 502.
/// </summary>
public class ProxyTests
{
    [Fact]
    public async Task With_HTTP_PROXY_set_a_local_http_gateway_is_reached_directly_and_the_proxy_never_sees_the_key()
    {
        await using var emulator = await SharedEmulator.StartPrivateAsync();
        using var proxy = new RecordingProxy();
        using var ps = Engine.Start(importModule: false);
        var baseUri = emulator.BaseUriFor("OpenRouter").AbsoluteUri;
        var script = "Import-Module '" + Repo.Manifest + "' -ErrorAction Stop; " +
                     "New-Video -Prompt 'Through a proxy' -Provider OpenRouter -BaseUri '" + baseUri + "' -JournalPath '" + ps.Journal + "' | ForEach-Object { 'id=' + $_.Id }";

        var run = await ChildHost.RunAsync(script, ps.Directory, Environment(proxy.Uri), TimeSpan.FromSeconds(90));

        Assert.DoesNotContain(SharedEmulator.Key, proxy.Received);
        Assert.Equal(string.Empty, proxy.Received);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("id=", run.Output);
        Assert.Equal(1, emulator.State.Submissions);
    }

    [Fact]
    public async Task With_HTTPS_PROXY_set_an_https_provider_is_reached_through_a_CONNECT_tunnel_that_never_shows_the_key()
    {
        using var proxy = new RecordingProxy();
        using var ps = Engine.Start(importModule: false);
        // The provider's documented https server: the stub proxy refuses the tunnel, so nothing reaches the internet.
        var script = "Import-Module '" + Repo.Manifest + "' -ErrorAction Stop; " +
                     "New-Video -Prompt 'Through a tunnel' -Provider OpenRouter -BaseUri 'https://openrouter.ai/api/v1' -JournalPath '" + ps.Journal + "'";

        var run = await ChildHost.RunAsync(script, ps.Directory, Environment(proxy.Uri), TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, run.ExitCode);
        Assert.StartsWith("CONNECT openrouter.ai:443 ", proxy.Received);
        Assert.DoesNotContain(SharedEmulator.Key, proxy.Received);
        Assert.DoesNotContain("Authorization", proxy.Received, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(SharedEmulator.Key, run.Output + run.Errors);
    }

    private static KeyValuePair<string, string?>[] Environment(Uri proxy) =>
    [
        new("HTTP_PROXY", proxy.AbsoluteUri), new("http_proxy", proxy.AbsoluteUri),
        new("HTTPS_PROXY", proxy.AbsoluteUri), new("https_proxy", proxy.AbsoluteUri),
        new("ALL_PROXY", null), new("all_proxy", null), new("NO_PROXY", null), new("no_proxy", null),
        new("OPENROUTER_API_KEY", SharedEmulator.Key), new("VIDEOGEN_PROVIDER", null),
    ];
}
