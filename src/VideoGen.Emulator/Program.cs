using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace VideoGen.Emulator;

/// <summary>
/// <c>dotnet run --project src/VideoGen.Emulator -- [--port N] [--key K] [--job-seconds S] [--file-size BYTES]
/// [--fastrouter-bytes] [--applerouter-flat]</c>. Prints the base URI of each provider, then serves until stopped.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static async Task<int> Main(string[] args)
    {
        var options = new EmulatorOptions { ApiKey = Environment.GetEnvironmentVariable("VIDEOGEN_EMULATOR_KEY") ?? "emulator-key" };
        var port = 0;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException(args[i] + " needs a value");
            switch (args[i])
            {
                case "--port": port = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--key": options.ApiKey = Next(); break;
                case "--job-seconds": options.JobDuration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--file-size": options.FileSize = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--fastrouter-bytes": options.FastRouterAnswersBytes = true; break;
                case "--applerouter-flat": options.AppleRouterFlat = true; break;
                case "-h":
                case "--help":
                    Console.WriteLine("VideoGen.Emulator [--port N] [--key K] [--job-seconds S] [--file-size BYTES] [--fastrouter-bytes] [--applerouter-flat]");
                    Console.WriteLine("The key may also come from $env:VIDEOGEN_EMULATOR_KEY (default 'emulator-key').");
                    return 0;
                default:
                    Console.Error.WriteLine("Unknown argument " + args[i] + "; see --help.");
                    return 2;
            }
        }
        await using var server = await EmulatorServer.StartAsync(options, port);
        // One line per provider, in a form both a person and a script can read.
        Console.WriteLine("VideoGen emulator listening on " + server.FastRouterAddress + " (FastRouter), " + server.OpenRouterAddress + " (OpenRouter), " + server.AppleRouterAddress + " (AppleRouter)");
        Console.WriteLine("VIDEOGEN_FASTROUTER_BASE_URI=" + server.BaseUriFor("FastRouter"));
        Console.WriteLine("VIDEOGEN_OPENROUTER_BASE_URI=" + server.BaseUriFor("OpenRouter"));
        Console.WriteLine("VIDEOGEN_APPLEROUTER_BASE_URI=" + server.BaseUriFor("AppleRouter"));
        Console.WriteLine("VIDEOGEN_OPENAICOMPATIBLE_BASE_URI=" + server.BaseUriFor("OpenAICompatible"));
        Console.Out.Flush();
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }
}
