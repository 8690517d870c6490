using System.Net;
using System.Net.Sockets;
using System.Text;
using VideoGen.Core;
using VideoGen.Core.Http;

using VideoGen.Tests.Shared;

namespace VideoGen.Core.Tests;

/// <summary>
/// Issue 23 item 4: <see cref="EndpointScope"/> decides where a key may go — scheme, host, redirects and proxies. The child
/// process test in tests/VideoGen.PowerShell.Tests/Shared/ProxyTests.cs covers HTTP_PROXY from the environment; here the proxy is
/// given through <see cref="VideoGenClientOptions.Proxy"/> to the client <see cref="VideoGenClient.CreateDefault"/> builds.
/// </summary>
public sealed class EndpointScopeTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _fixture;

    public EndpointScopeTests(EmulatorFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task A_configured_proxy_is_not_used_for_a_loopback_gateway_and_never_sees_the_key()
    {
        using var proxy = new RecordingProxy();
        var options = TestClient.FastRetries();
        options.Proxy = new WebProxy(proxy.Uri, false);
        using var client = VideoGenClient.CreateDefault(options);
        var endpoint = new ProviderEndpoint(VideoProvider.FastRouter, _fixture.Server.BaseUriFor("FastRouter"), TestClient.Key);

        var job = await client.SubmitAsync(endpoint, new VideoRequest { Prompt = "Past the proxy", Model = "google/veo3" }, null, default);
        var polled = await client.PollAsync(endpoint, job, null, default);

        Assert.False(string.IsNullOrEmpty(polled.Id));
        Assert.Equal(string.Empty, proxy.Received);
    }

    [Fact]
    public void The_scoped_proxy_bypasses_loopback_and_leaves_other_hosts_to_the_system_proxy()
    {
        var system = new WebProxy("http://proxy.example.net:3128", false);
        var scoped = EndpointScope.Proxy(system);

        foreach (var local in new[] { "http://127.0.0.1:5000/v1", "http://localhost:8080/", "http://[::1]:9000/" })
        {
            Assert.True(scoped.IsBypassed(new Uri(local)), local);
            Assert.Null(scoped.GetProxy(new Uri(local)));
            Assert.True(EndpointScope.KeepsKeyOffProxy(new Uri(local), scoped), local);
        }
        Assert.False(scoped.IsBypassed(new Uri("https://openrouter.ai/api/v1/videos")));
        Assert.Equal(new Uri("http://proxy.example.net:3128/"), scoped.GetProxy(new Uri("https://openrouter.ai/api/v1/videos")));
        // Over https the proxy only tunnels TLS; over plain http it would read the header: the key may not go that way.
        Assert.True(EndpointScope.KeepsKeyOffProxy(new Uri("https://openrouter.ai/api/v1/videos"), scoped));
        Assert.False(EndpointScope.KeepsKeyOffProxy(new Uri("http://gateway.example.com/v1/videos"), scoped));
        Assert.True(EndpointScope.KeepsKeyOffProxy(new Uri("http://gateway.example.com/v1/videos"), EndpointScope.Proxy(null)));
    }

    [Fact]
    public void Scheme_host_and_pipeline_base_uris_are_decided_in_one_place()
    {
        var key = "k-" + Guid.NewGuid().ToString("N");
        var plain = Assert.Throws<VideoGenException>(() => new ProviderEndpoint(VideoProvider.OpenRouter, new Uri("http://gateway.example.com/v1"), key));
        Assert.Equal(VideoGenErrorKind.InvalidArgument, plain.Kind);
        Assert.DoesNotContain(key, plain.Message);
        var endpoint = new ProviderEndpoint(VideoProvider.OpenRouter, new Uri("https://openrouter.ai/api/v1"), key);
        Assert.True(endpoint.IsOwnHost(new Uri("https://OPENROUTER.ai/api/v1/videos/x")));
        Assert.False(endpoint.IsOwnHost(new Uri("http://openrouter.ai/api/v1/videos/x")));
        Assert.False(endpoint.IsOwnHost(new Uri("https://openrouter.ai:8443/api/v1/videos/x")));
        Assert.False(endpoint.IsOwnHost(new Uri("https://cdn.openrouter.ai/v.mp4")));
        Assert.Equal("https://gateway.example.com/v1/", EndpointScope.Normalize(" HTTPS://Gateway.Example.com/v1 "));
        Assert.Null(EndpointScope.Normalize("not a uri"));
        EndpointScope.EnsureConfigured(VideoProvider.OpenRouter, "https://openrouter.ai/api/v1/", _ => null);
        var foreign = Assert.Throws<VideoGenException>(() => EndpointScope.EnsureConfigured(VideoProvider.OpenRouter, "https://evil.example/api/v1", _ => null));
        Assert.Contains("not one configured for OpenRouter", foreign.Message);
    }
}
