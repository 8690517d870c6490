using System.Collections.Concurrent;
using Microsoft.VisualBasic.FileIO;
using VideoGen.Core;
using VideoGen.Core.Downloading;
using VideoGen.Core.Http;
using VideoGen.Core.Waiting;
using VideoGen.Emulator;

namespace VideoGen.Core.Tests;

/// <summary>The repository root, found from the test binaries.</summary>
internal static class Repo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VideoGen.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("VideoGen.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Reads a CSV the way Import-Csv does: the first line names the columns; quoted fields may hold commas.</summary>
    public static List<Dictionary<string, string?>> ReadCsv(string path)
    {
        using var parser = new TextFieldParser(path) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var header = parser.ReadFields()!;
        var rows = new List<Dictionary<string, string?>>();
        while (!parser.EndOfData)
        {
            var fields = parser.ReadFields()!;
            var row = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < header.Length; i++)
            {
                row[header[i]] = i < fields.Length ? fields[i] : null;
            }
            rows.Add(row);
        }
        return rows;
    }
}

/// <summary>A log that keeps every line, for assertions.</summary>
internal sealed class RecordingLog : IVideoGenLog
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public void Verbose(string message) => Lines.Enqueue("VERBOSE: " + message);

    public void Debug(string message) => Lines.Enqueue("DEBUG: " + message);
}

/// <summary>
/// The cmdlet pipeline (Import-Csv | New-Video | Wait-Video | Save-Video) through the same core calls the cmdlets
/// make, against an emulator over loopback HTTP.
/// </summary>
internal sealed class CorePipeline
{
    public const string Key = "test-key-0123456789";

    public CorePipeline(EmulatorServer emulator, VideoGenClientOptions? options = null, PollPolicy? policy = null)
    {
        Emulator = emulator;
        Client = VideoGenClient.CreateDefault(options ?? FastRetries());
        Policy = policy ?? new PollPolicy { FirstDelay = TimeSpan.FromMilliseconds(200), MaxInterval = TimeSpan.FromMilliseconds(500) };
    }

    public EmulatorServer Emulator { get; }
    public VideoGenClient Client { get; }
    public PollPolicy Policy { get; }
    public RecordingLog Log { get; } = new();

    public static VideoGenClientOptions FastRetries() => new() { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromSeconds(2) };

    public string? Environment(string name) => name switch
    {
        "FASTROUTER_API_KEY" or "OPENROUTER_API_KEY" or "APPLEROUTER_API_KEY" => Key,
        "VIDEOGEN_FASTROUTER_BASE_URI" => Emulator.BaseUriFor("FastRouter").AbsoluteUri,
        "VIDEOGEN_OPENROUTER_BASE_URI" => Emulator.BaseUriFor("OpenRouter").AbsoluteUri,
        "VIDEOGEN_APPLEROUTER_BASE_URI" => Emulator.BaseUriFor("AppleRouter").AbsoluteUri,
        _ => null,
    };

    public ProviderEndpoint Endpoint(VideoProvider provider) => EndpointResolver.Resolve(provider, null, null, Environment);

    public sealed record RunResult(List<VideoJob> Submitted, List<VideoGenException> RowErrors, List<WaitResult> Waited, List<SavedVideo> Saved, List<Exception> SaveErrors);

    /// <summary>New-Video for each row (its Provider column, else <paramref name="provider"/>), Wait-Video over all, Save-Video into <paramref name="directory"/>.</summary>
    public async Task<RunResult> RunAsync(IEnumerable<IReadOnlyDictionary<string, string?>> rows, string? provider, string directory, CancellationToken cancellationToken = default)
    {
        var submitted = new List<VideoJob>();
        var rowErrors = new List<VideoGenException>();
        var waited = new List<WaitResult>();
        var saved = new List<SavedVideo>();
        var saveErrors = new List<Exception>();
        using var waiter = new JobWaiter(Client, new WaitOptions { Policy = Policy, ThrottleLimit = 8 }, Log, cancellationToken);
        var rowNumber = 0;
        foreach (var columns in rows)
        {
            rowNumber++;
            var fields = RequestParser.FromColumns(columns);
            if (provider != null && !fields.ContainsKey("Provider"))
            {
                fields["Provider"] = provider;
            }
            try
            {
                var prepared = RowPreparer.Prepare(rowNumber, fields, null, null, Environment);
                var job = await Client.SubmitAsync(prepared.Endpoint, prepared.Request, Log, cancellationToken);
                submitted.Add(job);
                waiter.Add(job, prepared.Endpoint);
            }
            catch (VideoGenException ex)
            {
                rowErrors.Add(ex);
            }
        }
        waiter.CompleteAdding();
        var downloader = new VideoDownloader(Client);
        using var saving = new BackgroundWork<SavedVideo>(4, cancellationToken);
        Directory.CreateDirectory(directory);
        while (!waiter.IsDone)
        {
            if (waiter.TryTake(TimeSpan.FromMilliseconds(200), out var result) && result != null)
            {
                waited.Add(result);
                if (result.Error is null)
                {
                    var endpoint = Endpoint(result.Job.Provider);
                    var target = Path.Combine(directory, FileNames.ForJob(result.Job));
                    saving.Add(result.Job, ct => downloader.SaveAsync(endpoint, result.Job, target, false, null, Log, ct));
                }
            }
        }
        saving.CompleteAdding();
        while (!saving.IsDone)
        {
            if (saving.TryTake(TimeSpan.FromMilliseconds(200), out var outcome) && outcome != null)
            {
                if (outcome.Error is null)
                {
                    saved.Add(outcome.Value!);
                }
                else
                {
                    saveErrors.Add(outcome.Error);
                }
            }
        }
        return new RunResult(submitted, rowErrors, waited, saved, saveErrors);
    }

    public static void AssertMp4(string path)
    {
        Assert.True(File.Exists(path), "missing " + path);
        using var file = File.OpenRead(path);
        var header = new byte[8];
        Assert.Equal(8, file.Read(header, 0, 8));
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(header, 4, 4));
    }
}

/// <summary>One emulator for a test class; tests that change its switches put them back.</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public EmulatorServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await EmulatorServer.StartAsync(new EmulatorOptions { ApiKey = CorePipeline.Key, JobDuration = TimeSpan.FromSeconds(1) });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
