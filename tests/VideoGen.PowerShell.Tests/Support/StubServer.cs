using System.Net;
using System.Net.Sockets;
using System.Text;

namespace VideoGen.PowerShell.Tests.Support;

/// <summary>
/// A small hostile server on loopback for what the emulator does not play: each request goes to the test's handler, which
/// answers through <see cref="RespondAsync"/>. Counts requests by method. Never reaches past 127.0.0.1.
/// </summary>
internal sealed class StubServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerContext, Task> _handle;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public StubServer(Func<HttpListenerContext, Task> handle)
    {
        _handle = handle;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Root = "http://127.0.0.1:" + port + "/";
        _listener.Prefixes.Add(Root);
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    /// <summary>http://127.0.0.1:port/</summary>
    public string Root { get; }

    /// <summary>Requests received with <paramref name="method"/> (GET, POST, ...).</summary>
    public int Count(string method) => _counts.TryGetValue(method, out var n) ? n : 0;

    /// <summary>Every request received.</summary>
    public int Requests => _counts.Values.Sum();

    /// <summary>Answers with a status, a body and headers, and closes the response.</summary>
    public static async Task RespondAsync(HttpListenerContext context, int status, string contentType, byte[] body, params (string Name, string Value)[] headers)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        foreach (var (name, value) in headers)
        {
            context.Response.AddHeader(name, value);
        }
        context.Response.ContentLength64 = body.Length;
        await context.Response.OutputStream.WriteAsync(body);
        context.Response.Close();
    }

    /// <summary>Answers JSON text.</summary>
    public static Task JsonAsync(HttpListenerContext context, int status, string json, params (string Name, string Value)[] headers) =>
        RespondAsync(context, status, "application/json", Encoding.UTF8.GetBytes(json), headers);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException || ex is ObjectDisposedException || ex is InvalidOperationException)
            {
                return;
            }
            _counts.AddOrUpdate(context.Request.HttpMethod, 1, (_, n) => n + 1);
            _ = Task.Run(async () =>
            {
                try
                {
                    await _handle(context);
                }
                catch (Exception ex) when (ex is HttpListenerException || ex is IOException || ex is ObjectDisposedException)
                {
                }
            });
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
    }
}
