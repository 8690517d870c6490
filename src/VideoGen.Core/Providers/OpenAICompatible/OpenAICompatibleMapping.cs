using System;
using System.Globalization;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;

namespace VideoGen.Core.Providers
{
    /// <summary>
    /// A gateway serving the OpenAI-style <c>/videos</c> API (Azure AI Foundry, new-api, one-api; AppleRouter's
    /// <c>https://api.applerouter.ai/v1</c>). The base URI is the one "videos" is relative to, e.g. <c>https://gateway.example.com/v1</c>.
    /// </summary>
    public sealed class OpenAICompatibleMapping : IProviderMapping, IRemixDeleteMapping
    {
        /// <inheritdoc/>
        public IProviderRules Rules { get; } = new OpenAICompatibleRules();

        /// <inheritdoc/>
        public VideoProvider Provider => VideoProvider.OpenAICompatible;
        /// <inheritdoc/>
        public Uri? DefaultBaseUri => null;
        /// <inheritdoc/>
        public string ApiKeyVariable => "OPENAICOMPATIBLE_API_KEY";
        /// <inheritdoc/>
        public bool KeyVariableIsShared => false;
        /// <inheritdoc/>
        public string AuthorizationScheme => "Bearer";
        /// <inheritdoc/>
        public string DefaultModel => "sora-2";
        /// <inheritdoc/>
        public TimeSpan MaxPollInterval => TimeSpan.FromSeconds(30);
        /// <inheritdoc/>
        public TimeSpan PollInterval => TimeSpan.FromSeconds(10); // the route documents openai-poll-after-ms, which wins; without it VideoGen's default, not the SDKs' 1 s (docs/providers.md)

        /// <inheritdoc/>
        public HttpRequestMessage CreateSubmitRequest(Uri baseUri, VideoRequest request) =>
            OpenAIVideos.CreateSubmitRequest(baseUri, request, Model(request));

        /// <inheritdoc/>
        public VideoJob ReadSubmitResponse(ProviderResponse response, VideoRequest request, Uri baseUri, DateTimeOffset now) =>
            OpenAIVideos.ReadSubmitResponse(response, Provider, request, baseUri, baseUri, Model(request), now);

        /// <inheritdoc/>
        public HttpRequestMessage CreatePollRequest(Uri baseUri, VideoJob job) =>
            new HttpRequestMessage(HttpMethod.Get, ProviderJson.Combine(baseUri, "videos/" + Uri.EscapeDataString(job.Id)));

        /// <inheritdoc/>
        public VideoJob ReadPollResponse(ProviderResponse response, VideoJob job, DateTimeOffset now) =>
            OpenAIVideos.ReadPollResponse(response, Provider, job, now);

        /// <inheritdoc/>
        public HttpRequestMessage CreateDownloadRequest(Uri baseUri, VideoJob job, VideoVariant variant) =>
            OpenAIVideos.CreateDownloadRequest(baseUri, job, variant);

        /// <inheritdoc/>
        public bool DownloadUsesVideoUrl(VideoJob job) => false;

        /// <inheritdoc/>
        public HttpRequestMessage? CreateFallbackPollRequest(Uri baseUri, VideoJob job) => null;

        /// <inheritdoc/>
        public bool UploadsImage(VideoRequest request) => !string.IsNullOrEmpty(request.Image);

        /// <inheritdoc/>
        public string? RemixRefusal(VideoJob source) => null;

        /// <inheritdoc/>
        public string? DeleteRefusal(VideoJob job) => null;

        /// <inheritdoc/>
        public HttpRequestMessage CreateRemixRequest(Uri baseUri, VideoJob source, string prompt) =>
            OpenAIVideos.CreateRemixRequest(baseUri, source, prompt);

        /// <inheritdoc/>
        public VideoJob ReadRemixResponse(ProviderResponse response, VideoJob source, string prompt, string? name, Uri baseUri, DateTimeOffset now) =>
            OpenAIVideos.ReadRemixResponse(response, Provider, source, prompt, name, baseUri, baseUri, now);

        /// <inheritdoc/>
        public HttpRequestMessage CreateDeleteRequest(Uri baseUri, VideoJob job) => OpenAIVideos.CreateDeleteRequest(baseUri, job);

        /// <inheritdoc/>
        public void ReadDeleteResponse(ProviderResponse response, VideoJob job) => OpenAIVideos.ReadDeleteResponse(response, Provider, job);

        /// <inheritdoc/>
        public string? RemixedFrom(ProviderResponse response) => OpenAIVideos.RemixedFrom(response);

        private string Model(VideoRequest request) => string.IsNullOrWhiteSpace(request.Model) ? DefaultModel : request.Model!;
    }
}
