using System;
using System.IO;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VideoGen.Emulator;

/// <summary>
/// A local stand-in for FastRouter, OpenRouter and AppleRouter, at the providers' own paths, answering in
/// their documented shapes (docs/providers.md). Bind it to 127.0.0.1 port 0 for tests.
/// Base URIs: FastRouter and AppleRouter <c>http://127.0.0.1:PORT</c>, OpenRouter <c>http://127.0.0.1:PORT/api/v1</c>.
/// </summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmulatorServer(WebApplication app, Uri fastRouter, Uri openRouter, Uri appleRouter, Uri fal, EmulatorOptions options, EmulatorState state)
    {
        _app = app;
        FastRouterAddress = fastRouter;
        OpenRouterAddress = openRouter;
        AppleRouterAddress = appleRouter;
        FalAddress = fal;
        Options = options;
        State = state;
    }

    /// <summary>FastRouter's port, e.g. http://127.0.0.1:5123/.</summary>
    public Uri FastRouterAddress { get; }
    /// <summary>OpenRouter's port (its base URI adds /api/v1).</summary>
    public Uri OpenRouterAddress { get; }
    /// <summary>AppleRouter's port.</summary>
    public Uri AppleRouterAddress { get; }
    /// <summary>fal's port: its root is the base URI, as https://queue.fal.run is fal's.</summary>
    public Uri FalAddress { get; }
    /// <summary>The live options (tests may change them).</summary>
    public EmulatorOptions Options { get; }
    /// <summary>What it saw.</summary>
    public EmulatorState State { get; }

    /// <summary>
    /// The base URI VideoGen uses for a provider ("FastRouter", "OpenRouter", "AppleRouter", "OpenAICompatible", "Fal"),
    /// meaning the same as the provider's documented server URL: FastRouter, AppleRouter and fal the port's root,
    /// OpenRouter its /api/v1, an OpenAI-style gateway AppleRouter's /v1.
    /// </summary>
    public Uri BaseUriFor(string provider) => provider.ToLowerInvariant() switch
    {
        "fastrouter" => FastRouterAddress,
        "openrouter" => new Uri(OpenRouterAddress, "api/v1"),
        "applerouter" => AppleRouterAddress,
        "openaicompatible" => new Uri(AppleRouterAddress, "v1"),
        "fal" => FalAddress,
        _ => throw new ArgumentException("Unknown provider " + provider, nameof(provider)),
    };

    /// <summary>
    /// Starts on 127.0.0.1: FastRouter at <paramref name="port"/>, OpenRouter at port+1, AppleRouter at port+2, fal at
    /// port+3 (0: four free ports). Each provider has its own port because FastRouter and OpenRouter share the path
    /// POST /api/v1/videos.
    /// </summary>
    public static async Task<EmulatorServer> StartAsync(EmulatorOptions options, int port = 0, CancellationToken cancellationToken = default)
    {
        // Free ports are picked, then bound: another process may take one in between, so try a few times.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(options, port, cancellationToken);
            }
            catch (IOException) when (port == 0 && attempt < 5)
            {
            }
        }
    }

    private static async Task<EmulatorServer> StartOnceAsync(EmulatorOptions options, int port, CancellationToken cancellationToken)
    {
        var ports = port == 0 ? new[] { FreePort(), FreePort(), FreePort(), FreePort() } : new[] { port, port + 1, port + 2, port + 3 };
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            foreach (var p in ports)
            {
                k.Listen(IPAddress.Loopback, p);
            }
            k.Limits.MaxConcurrentConnections = null;
        });
        var app = builder.Build();
        var names = new[] { ProviderNames.Fast, ProviderNames.Open, ProviderNames.Apple, ProviderNames.Fal };
        app.Use((ctx, next) =>
        {
            var index = Array.IndexOf(ports, ctx.Connection.LocalPort);
            if (index >= 0)
            {
                ctx.Items[FaultGate.ProviderItem] = names[index];
            }
            return next(ctx);
        });
        var state = new EmulatorState();
        Routes.Map(app, options, state);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        Uri At(int p) => new Uri("http://127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture) + "/");
        return new EmulatorServer(app, At(ports[0]), At(ports[1]), At(ports[2]), At(ports[3]), options, state);
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Stops and releases the port.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
