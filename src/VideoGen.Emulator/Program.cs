using System;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace VideoGen.Emulator;

/// <summary>
/// <c>dotnet run --project src/VideoGen.Emulator -- [--port N] [--key K] [--job-seconds S] [--job-seconds-min S --job-seconds-max S]
/// [--rate-limit PER_SECOND] [--file-size BYTES] [--fastrouter-bytes] [--applerouter-flat] [--accept-unknown-fields]</c>. <c>--port N</c> fixes the four ports: FastRouter N,
/// OpenRouter N+1, AppleRouter N+2, fal N+3 (default: four free ones). Prints the base URI of each provider, then the same as
/// ready-to-paste bash and PowerShell lines with the key variables, then serves until SIGINT (Ctrl+C), SIGTERM or
/// SIGQUIT, and exits 0.
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
                case "--job-seconds-min": options.JobDurationMin = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--job-seconds-max": options.JobDurationMax = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--rate-limit": options.RateLimitPerSecond = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--file-size": options.FileSize = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--fastrouter-bytes": options.FastRouterAnswersBytes = true; break;
                case "--applerouter-flat": options.AppleRouterFlat = true; break;
                case "--accept-unknown-fields": options.AcceptUnknownFields = true; break;
                case "-h":
                case "--help":
                    Console.WriteLine("VideoGen.Emulator [--port N] [--key K] [--job-seconds S] [--job-seconds-min S --job-seconds-max S] [--rate-limit PER_SECOND] [--file-size BYTES] [--fastrouter-bytes] [--applerouter-flat] [--accept-unknown-fields]");
                    Console.WriteLine("--port N: FastRouter on N, OpenRouter on N+1, AppleRouter on N+2 (default: free ports).");
                    Console.WriteLine("--job-seconds-min/-max: each job's time drawn evenly from the range (reproducibly, by job number) instead of --job-seconds.");
                    Console.WriteLine("--rate-limit N: N requests a second per key (burst N) on the provider routes; beyond it 429 with Retry-After.");
                    Console.WriteLine("The key may also come from $env:VIDEOGEN_EMULATOR_KEY (default 'emulator-key').");
                    return 0;
                default:
                    Console.Error.WriteLine("Unknown argument " + args[i] + "; see --help.");
                    return 2;
            }
        }
        // Signals: SIGINT (Ctrl+C), SIGTERM and SIGQUIT end the wait; cancelling the default keeps the runtime from
        // tearing the process down under the server (Ctrl+C used to crash with ObjectDisposedException, exit 134, and
        // SIGTERM left it running). The source is never disposed, so a late signal cannot touch a disposed object.
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);
        await using var server = await EmulatorServer.StartAsync(options, port);
        // One line per provider, in a form both a person and a script can read.
        Console.WriteLine("VideoGen emulator listening on " + server.FastRouterAddress + " (FastRouter), " + server.OpenRouterAddress + " (OpenRouter), " + server.AppleRouterAddress + " (AppleRouter), " + server.FalAddress + " (Fal)");
        var providers = new[] { "FastRouter", "OpenRouter", "AppleRouter", "OpenAICompatible", "Fal" };
        // fal's own documents name its key variable FAL_KEY; the others' are <PROVIDER>_API_KEY.
        static string KeyVariable(string provider) => provider == "Fal" ? "FAL_KEY" : provider.ToUpperInvariant() + "_API_KEY";
        foreach (var provider in providers)
        {
            Console.WriteLine("VIDEOGEN_" + provider.ToUpperInvariant() + "_BASE_URI=" + server.BaseUriFor(provider));
        }
        Console.WriteLine("# bash:");
        foreach (var provider in providers)
        {
            Console.WriteLine("export VIDEOGEN_" + provider.ToUpperInvariant() + "_BASE_URI='" + server.BaseUriFor(provider) + "'");
            Console.WriteLine("export " + KeyVariable(provider) + "='" + options.ApiKey.Replace("'", "'\\''", StringComparison.Ordinal) + "'");
        }
        Console.WriteLine("# PowerShell:");
        foreach (var provider in providers)
        {
            Console.WriteLine("$env:VIDEOGEN_" + provider.ToUpperInvariant() + "_BASE_URI = '" + server.BaseUriFor(provider) + "'");
            Console.WriteLine("$env:" + KeyVariable(provider) + " = '" + options.ApiKey.Replace("'", "''", StringComparison.Ordinal) + "'");
        }
        Console.Out.Flush();
        await stop.Task;
        Console.WriteLine("VideoGen emulator stopping.");
        return 0;
    }
}
