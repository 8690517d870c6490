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

        /// <summary>The model used when a request names none.</summary>
        string DefaultModel { get; }

        /// <summary>The longest wait between two polls of one job; the providers advise 10-30 s.</summary>
        TimeSpan MaxPollInterval { get; }

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
        /// A second poll route to try when the first is missing (a route 404, not an unknown task id), or null.
        /// FastRouter's older documents name the poll route <c>/api/v1/getVideoResponse</c>.
        /// </summary>
        HttpRequestMessage? CreateFallbackPollRequest(Uri baseUri, VideoJob job);

        /// <summary>Whether the request uploads <see cref="VideoRequest.Image"/> as a file, so the client must read it first.</summary>
        bool UploadsImage(VideoRequest request);
    }
}
