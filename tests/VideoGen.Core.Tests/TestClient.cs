using VideoGen.Core;
using VideoGen.Core.Downloading;
using VideoGen.Core.Http;
using VideoGen.Core.Waiting;

namespace VideoGen.Core.Tests;

/// <summary>A log that keeps every line, for assertions.</summary>
internal sealed class RecordingLog : IVideoGenLog
{
    public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

    public void Verbose(string message) => Lines.Enqueue("VERBOSE: " + message);

    public void Debug(string message) => Lines.Enqueue("DEBUG: " + message);
}

/// <summary>
/// The core's client pointed at an emulator, for client-level tests: endpoints resolved as the cmdlets resolve them
/// (from the provider variables), a fast retry policy, a recording log, and <see cref="RunOneAsync"/> — one row
/// submitted, polled until it ends and downloaded, one call after the other. What the cmdlets do with many rows at once
/// (the engine, throttles, the journal, the streams) is tested through the real cmdlets in tests/VideoGen.PowerShell.Tests.
/// </summary>
internal sealed class TestClient
{
    public const string Key = "test-key-0123456789";

    private readonly IReadOnlyDictionary<VideoProvider, Uri> _baseUris;
    private readonly string _key;

    public TestClient(IReadOnlyDictionary<VideoProvider, Uri> baseUris, string key = Key, VideoGenClientOptions? options = null, PollPolicy? policy = null)
    {
        _baseUris = baseUris;
        _key = key;
        Client = VideoGenClient.CreateDefault(options ?? FastRetries());
        Policy = policy ?? new PollPolicy { AdvisedInterval = TimeSpan.FromMilliseconds(200), MaxInterval = TimeSpan.FromMilliseconds(500) };
    }

    public VideoGenClient Client { get; }
    public PollPolicy Policy { get; }
    public RecordingLog Log { get; } = new();

    /// <summary>Retries in milliseconds, and a request budget (RequestBudget) far above the cmdlets' 50 a second: these tests are not about it.</summary>
    public static VideoGenClientOptions FastRetries() => new() { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromSeconds(2), MaxRequestsPerSecond = 1000 };

    /// <summary>The environment the cmdlets would read: every provider's key and base URI variable.</summary>
    public string? Environment(string name)
    {
        foreach (var pair in _baseUris)
        {
            if (name == EndpointResolver.ApiKeyVariable(pair.Key))
            {
                return _key;
            }
            if (name == EndpointResolver.BaseUriVariable(pair.Key))
            {
                return pair.Value.AbsoluteUri;
            }
        }
        return null;
    }

    public ProviderEndpoint Endpoint(VideoProvider provider) => EndpointResolver.Resolve(provider, null, null, Environment);

    /// <summary>One row at <paramref name="provider"/>: checked, submitted, polled until it ends, and (if it succeeded) saved as Name.mp4 in <paramref name="directory"/>.</summary>
    public async Task<(VideoJob Submitted, VideoJob Finished, SavedVideo? Saved)> RunOneAsync(string provider, IReadOnlyDictionary<string, string?> row, string directory, CancellationToken cancellationToken = default)
    {
        var fields = new Dictionary<string, string?>(row, StringComparer.OrdinalIgnoreCase) { ["Provider"] = provider };
        var prepared = RowPreparer.Prepare(1, fields, null, null, Environment);
        await ModelCatalog.CheckAsync(Client, prepared, Log, cancellationToken);
        var submitted = await Client.SubmitAsync(prepared.Endpoint, prepared.Request, Log, cancellationToken);
        var job = submitted;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        var started = DateTimeOffset.UtcNow;
        for (var polls = 0; !job.IsTerminal; polls++)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Job " + job.Id + " was still " + job.Status + " after 2 minutes.");
            }
            await Task.Delay(Policy.NextDelay(DateTimeOffset.UtcNow - started, polls, null, prepared.Endpoint.Mapping.PollInterval, prepared.Endpoint.Mapping.MaxPollInterval, job.PollAfter), cancellationToken);
            job = await Client.PollAsync(prepared.Endpoint, job, Log, cancellationToken);
        }
        if (job.Status != VideoJobStatus.Succeeded)
        {
            return (submitted, job, null);
        }
        Directory.CreateDirectory(directory);
        var saved = await new VideoDownloader(Client).SaveAsync(prepared.Endpoint, job, Path.Combine(directory, FileNames.ForJob(job)), false, null, Log, cancellationToken);
        return (submitted, job, saved);
    }
}
