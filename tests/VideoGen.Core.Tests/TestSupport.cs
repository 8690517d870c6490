using System.Collections.Concurrent;
using VideoGen.Core;
using VideoGen.Core.Downloading;
using VideoGen.Core.Http;
using VideoGen.Core.Waiting;
using VideoGen.Emulator;

namespace VideoGen.Core.Tests;

/// <summary>One emulator for a test class; tests that change its switches put them back.</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public EmulatorServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await EmulatorServer.StartAsync(new EmulatorOptions { ApiKey = TestClient.Key, JobDuration = TimeSpan.FromSeconds(1) });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>A <see cref="TestClient"/> against an in-process emulator.</summary>
internal static class Pipelines
{
    public static TestClient For(EmulatorServer server, PollPolicy? policy = null) =>
        new(new Dictionary<VideoProvider, Uri>
        {
            [VideoProvider.FastRouter] = server.BaseUriFor("FastRouter"),
            [VideoProvider.OpenRouter] = server.BaseUriFor("OpenRouter"),
            [VideoProvider.AppleRouter] = server.BaseUriFor("AppleRouter"),
            [VideoProvider.OpenAICompatible] = server.BaseUriFor("OpenAICompatible"),
        }, TestClient.Key, null, policy);
}
