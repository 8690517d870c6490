using System;
using System.Net.Http;

namespace VideoGen.Core.Providers
{
    /// <summary>
    /// One provider's wire format as pure functions: normalized request to HTTP request, HTTP answer to
    /// normalized job. No I/O happens here; <see cref="Http.VideoGenClient"/> sends what these build.
    /// </summary>
    public interface IProviderMapping
    {
        /// <summary>The provider this maps.</summary>
        VideoProvider Provider { get; }

        /// <summary>The provider's documented server URL; null where there is none (OpenAICompatible needs one given).</summary>
        Uri? DefaultBaseUri { get; }

        /// <summary>The provider's rules for what users type: documented values, checks, completion values (in the provider's folder).</summary>
        IProviderRules Rules { get; }

        /// <summary>
        /// The environment variable the provider's key is read from when no -ApiKey is given: the name the provider's own
        /// documents use where they name one (fal: <c>FAL_KEY</c>), else <c>&lt;PROVIDER&gt;_API_KEY</c>.
        /// </summary>
        string ApiKeyVariable { get; }

        /// <summary>
        /// Whether <see cref="ApiKeyVariable"/> is also another tool's (fal's SDKs and CLI read <c>FAL_KEY</c>): such a variable
        /// chooses its provider only where no other provider's key variable is set, so a key set for that tool never changes
        /// which provider an existing setup uses.
        /// </summary>
        bool KeyVariableIsShared { get; }

        /// <summary>
        /// The scheme of the <c>Authorization</c> header the key travels in: <c>Bearer</c>, or fal's <c>Key</c>
        /// (docs/providers.md). Only <see cref="Http.VideoGenClient"/> writes the header, and only to the provider's own host.
        /// </summary>
        string AuthorizationScheme { get; }

        /// <summary>The model used when a request names none.</summary>
        string DefaultModel { get; }

        /// <summary>The longest wait between two polls of one job, for a job that runs far past what was expected: 30 s, the top of the advice (10-30 s).</summary>
        TimeSpan MaxPollInterval { get; }

        /// <summary>
        /// The interval the provider advises between polls (AppleRouter and OpenRouter: every 10-30 s, docs/providers.md): where
        /// the store has no history of the model, polls start at it; a job that runs past its expected end falls back to it.
        /// <c>$env:VIDEOGEN_POLL_INTERVAL_SEC</c> replaces it, Wait-Video -PollIntervalSec overrides the whole policy.
        /// </summary>
        TimeSpan PollInterval { get; }

        /// <summary>Builds the submission.</summary>
        /// <exception cref="VideoGenException">The request asks for something the provider cannot do (InvalidArgument).</exception>
        HttpRequestMessage CreateSubmitRequest(Uri baseUri, VideoRequest request);

        /// <summary>Reads a 2xx answer to the submission.</summary>
        /// <exception cref="VideoGenException">No task id can be read from it (UnexpectedAnswer, with an excerpt).</exception>
        VideoJob ReadSubmitResponse(ProviderResponse response, VideoRequest request, Uri baseUri, DateTimeOffset now);

        /// <summary>Builds one status poll for a job.</summary>
        HttpRequestMessage CreatePollRequest(Uri baseUri, VideoJob job);

        /// <summary>Reads a 2xx answer to a poll into a new job object; <paramref name="job"/> is not changed.</summary>
        /// <exception cref="VideoGenException">The answer cannot be read (UnexpectedAnswer, with the task id).</exception>
        VideoJob ReadPollResponse(ProviderResponse response, VideoJob job, DateTimeOffset now);

        /// <summary>Builds the request that fetches a finished job's video, or another variant where the route serves one.</summary>
        /// <exception cref="VideoGenException">The job has no known download location (UnexpectedAnswer), or the route serves no such variant (InvalidArgument).</exception>
        HttpRequestMessage CreateDownloadRequest(Uri baseUri, VideoJob job, VideoVariant variant);

        /// <summary>
        /// Whether a finished job's download goes to the video URL its poll answer gave (FastRouter's <c>url</c>, AppleRouter's
        /// <c>result_url</c>, OpenRouter's <c>unsigned_urls[0]</c>) or cannot be made without one: then a download that fails for
        /// want of a URL (a job from the journal, which keeps none) or at a URL no longer served (an expired signed URL) is
        /// worth one poll for a fresh URL. False where the download route takes only the task id (the OpenAI-style
        /// <c>videos/{id}/content</c>).
        /// </summary>
        bool DownloadUsesVideoUrl(VideoJob job);

        /// <summary>
        /// A second poll route to try when the first is missing (a route 404, not an unknown task id), or null.
        /// FastRouter's guide (docs/providers.md, Routes) names the poll route <c>/api/v1/getVideoResponse</c>.
        /// </summary>
        HttpRequestMessage? CreateFallbackPollRequest(Uri baseUri, VideoJob job);

        /// <summary>Whether the request uploads <see cref="VideoRequest.Image"/> as a file, so the client must read it first.</summary>
        bool UploadsImage(VideoRequest request);
    }
}

namespace VideoGen.Core.Providers
{
    /// <summary>
    /// A provider that says "the account cannot pay" with another status than 402 (fal: 403 <c>{"detail": "User is locked.
    /// Reason: Exhausted balance. ..."}</c>, docs/providers.md): the client asks it before the status decides, so such an
    /// answer is QuotaExceeded (New-Video stops submitting) rather than a refused key.
    /// </summary>
    public interface ICreditsMapping
    {
        /// <summary>Whether an error answer with this status and provider message says the account cannot pay.</summary>
        bool SaysAccountCannotPay(int statusCode, string? providerMessage);
    }

    /// <summary>
    /// A provider whose poll says a job is done without carrying its result: the result (the video's URL, or the job's
    /// failure) is read with one more request once the poll says so (fal: status <c>COMPLETED</c>, then
    /// <c>GET response_url</c>, docs/providers.md). <see cref="Http.VideoGenClient"/>'s poll of a job whose result is ready
    /// reads the result instead of the status; a status poll that finds it ready reads it next in the same call, except
    /// for Wait-Video, which takes the host's turn and a slot for it like for any poll (so a host short of turns never
    /// holds a slot another provider's polls could use).
    /// </summary>
    public interface IResultMapping
    {
        /// <summary>Whether <paramref name="job"/>'s status says done and its result has not been read yet.</summary>
        bool IsResultReady(VideoJob job);

        /// <summary>The request that reads the result of a job whose result is ready (<see cref="IsResultReady"/>).</summary>
        HttpRequestMessage CreateResultRequest(Uri baseUri, VideoJob job);

        /// <summary>
        /// Whether an answer to the result request with this HTTP status is the job's own outcome, to be read by
        /// <see cref="ReadResultResponse"/> (fal answers the model's error status and body: the job failed; a 404 once the
        /// status said done: the result is no longer kept), rather than a failure of the request (the key refused, a rate
        /// limit), which the client reports as for any poll.
        /// </summary>
        bool IsOutcome(int statusCode);

        /// <summary>Reads the answer to the result request into a new job object (succeeded with its video URL, or failed with the provider's reason); <paramref name="job"/> is not changed.</summary>
        /// <exception cref="VideoGenException">The answer cannot be read (UnexpectedAnswer, or ProviderUnavailable for a 5xx that is not the provider's own, with the task id).</exception>
        VideoJob ReadResultResponse(ProviderResponse response, VideoJob job, DateTimeOffset now);
    }

    /// <summary>
    /// The OpenAI-style route's other two operations (docs/providers.md, Remix and delete): remix (<c>POST
    /// videos/{id}/remix</c> with JSON <c>{prompt}</c>, answering a new video object with <c>remixed_from_video_id</c>)
    /// and delete (<c>DELETE videos/{id}</c>, answering <c>{id, object:"video.deleted", deleted:true}</c>). Implemented
    /// by the mappings whose provider has them (OpenAICompatible; AppleRouter for its /v1/videos jobs); FastRouter and
    /// OpenRouter document neither, so <see cref="VideoOperations"/> refuses them before any request.
    /// </summary>
    public interface IRemixDeleteMapping
    {
        /// <summary>Why <paramref name="source"/> cannot be remixed on this provider's route, or null when it can.</summary>
        string? RemixRefusal(VideoJob source);

        /// <summary>Why <paramref name="job"/> cannot be deleted on this provider's route, or null when it can.</summary>
        string? DeleteRefusal(VideoJob job);

        /// <summary>Builds <c>POST videos/{id}/remix</c> with JSON <c>{"prompt": ...}</c>.</summary>
        HttpRequestMessage CreateRemixRequest(Uri baseUri, VideoJob source, string prompt);

        /// <summary>Reads a 2xx answer to a remix (a new video object) into a new job.</summary>
        /// <exception cref="VideoGenException">No id can be read from it (UnexpectedAnswer).</exception>
        VideoJob ReadRemixResponse(ProviderResponse response, VideoJob source, string prompt, string? name, Uri baseUri, DateTimeOffset now);

        /// <summary>Builds <c>DELETE videos/{id}</c>.</summary>
        HttpRequestMessage CreateDeleteRequest(Uri baseUri, VideoJob job);

        /// <summary>Reads a 2xx answer to a delete; an empty answer is a success.</summary>
        /// <exception cref="VideoGenException">The answer says the video was not deleted, or cannot be read (UnexpectedAnswer).</exception>
        void ReadDeleteResponse(ProviderResponse response, VideoJob job);

        /// <summary>The source id a remix answer names (<c>remixed_from_video_id</c>), or null where it names none.</summary>
        string? RemixedFrom(ProviderResponse response);
    }
}
