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
/// The cmdlet pipeline (Import-Csv | New-Video | Wait-Video | Save-Video) through the same core calls the cmdlets
/// make, against an emulator over loopback HTTP.
/// </summary>
internal sealed class CorePipeline
{
    public const string Key = "test-key-0123456789";

    private readonly IReadOnlyDictionary<VideoProvider, Uri> _baseUris;
    private readonly string _key;

    /// <param name="baseUris">Each provider's base URI (the emulator's).</param>
    /// <param name="key">The key the emulator was started with.</param>
    public CorePipeline(IReadOnlyDictionary<VideoProvider, Uri> baseUris, string key = Key, VideoGenClientOptions? options = null, PollPolicy? policy = null)
    {
        _baseUris = baseUris;
        _key = key;
        Client = VideoGenClient.CreateDefault(options ?? FastRetries());
        Policy = policy ?? new PollPolicy { FirstDelay = TimeSpan.FromMilliseconds(200), MaxInterval = TimeSpan.FromMilliseconds(500) };
    }

    /// <summary>Submissions in flight, as New-Video's -ThrottleLimit.</summary>
    public int SubmitThrottleLimit { get; set; } = 4;

    /// <summary>Downloads in flight, as Save-Video's -ThrottleLimit.</summary>
    public int SaveThrottleLimit { get; set; } = 4;

    /// <summary>Polls in flight, as Wait-Video's -ThrottleLimit.</summary>
    public int WaitThrottleLimit { get; set; } = 8;
    public VideoGenClient Client { get; }
    public PollPolicy Policy { get; }
    public RecordingLog Log { get; } = new();

    public static VideoGenClientOptions FastRetries() => new() { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromSeconds(2) };

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

    public sealed record RunResult(List<VideoJob> Submitted, List<VideoGenException> RowErrors, List<WaitResult> Waited, List<SavedVideo> Saved, List<Exception> SaveErrors)
    {
        /// <summary>Seconds from the start until the last row was submitted, the last job was seen done, the last file was saved.</summary>
        public (double Submitted, double LastDone, double LastSaved) Timings { get; set; }
    }

    /// <summary>New-Video for each row (its Provider column, else <paramref name="provider"/>), Wait-Video over all, Save-Video into <paramref name="directory"/>.</summary>
    public async Task<RunResult> RunAsync(IEnumerable<IReadOnlyDictionary<string, string?>> rows, string? provider, string directory, CancellationToken cancellationToken = default)
    {
        var submitted = new List<VideoJob>();
        var rowErrors = new List<VideoGenException>();
        var waited = new List<WaitResult>();
        var saved = new List<SavedVideo>();
        var saveErrors = new List<Exception>();
        using var waiting = new WorkEngine(WaitThrottleLimit);
        using var waiter = new JobWaiter(Client, new WaitOptions { Policy = Policy, ThrottleLimit = WaitThrottleLimit }, Log, waiting);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        double submittedAt = 0, lastDoneAt = 0, lastSavedAt = 0;
        var rowNumber = 0;
        // As New-Video: rows are checked in order on the pipeline thread, submissions run up to a throttle limit at
        // once, and each job goes to the waiter as soon as its submission answers.
        using var submitting = new WorkEngine(SubmitThrottleLimit);
        void TakeSubmitted(TimeSpan wait)
        {
            while (submitting.TryRead(wait, out var outcome) && outcome != null)
            {
                wait = TimeSpan.Zero;
                if (outcome.Error is VideoGenException failed)
                {
                    rowErrors.Add(failed);
                }
                else if (outcome.Error is null)
                {
                    submitted.Add((VideoJob)outcome.Value!);
                    waiter.Add((VideoJob)outcome.Value!, ((PreparedRow)outcome.State!).Endpoint);
                }
            }
        }
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
                await ModelCatalog.CheckAsync(Client, prepared, Log, cancellationToken);
                submitting.Start(prepared, async ctx => { using (await ctx.SlotAsync()) { return await Client.SubmitAsync(prepared.Endpoint, prepared.Request, Log, cancellationToken); } });
            }
            catch (VideoGenException ex)
            {
                rowErrors.Add(ex);
            }
            TakeSubmitted(TimeSpan.Zero);
        }
        submitting.CompleteAdding();
        while (!submitting.IsDone)
        {
            TakeSubmitted(TimeSpan.FromMilliseconds(100));
        }
        waiting.CompleteAdding();
        submittedAt = clock.Elapsed.TotalSeconds;
        var downloader = new VideoDownloader(Client);
        using var saving = new WorkEngine(SaveThrottleLimit);
        Directory.CreateDirectory(directory);
        while (!waiting.IsDone)
        {
            if (waiting.TryRead(TimeSpan.FromMilliseconds(200), out var waited1) && waited1?.Value is WaitResult result)
            {
                waited.Add(result);
                lastDoneAt = clock.Elapsed.TotalSeconds;
                if (result.Error is null)
                {
                    var endpoint = Endpoint(result.Job.Provider);
                    var target = Path.Combine(directory, FileNames.ForJob(result.Job));
                    saving.Start(result.Job, async ctx => { using (await ctx.SlotAsync()) { return await downloader.SaveAsync(endpoint, result.Job, target, false, null, Log, cancellationToken); } });
                }
            }
        }
        saving.CompleteAdding();
        while (!saving.IsDone)
        {
            if (saving.TryRead(TimeSpan.FromMilliseconds(200), out var outcome) && outcome != null)
            {
                lastSavedAt = clock.Elapsed.TotalSeconds;
                if (outcome.Error is null)
                {
                    saved.Add((SavedVideo)outcome.Value!);
                }
                else
                {
                    saveErrors.Add(outcome.Error);
                }
            }
        }
        return new RunResult(submitted, rowErrors, waited, saved, saveErrors) { Timings = (submittedAt, lastDoneAt, lastSavedAt) };
    }
}
