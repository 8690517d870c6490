using System.Net.Http;
using RichardSzalay.MockHttp;
using VideoGen.Core;
using VideoGen.Core.Downloading;
using VideoGen.Core.Http;
using VideoGen.Core.Providers;

namespace VideoGen.Core.Tests;

/// <summary>
/// Issue 23 item 7: a base URI with a query (an Azure-style gateway's <c>?api-version=preview</c>) keeps its path and its
/// query on every request of that endpoint: submit, poll, remix, delete, content download.
/// </summary>
public class BaseUriQueryTests
{
    private const string Key = "sk-fake-base-uri-query-0001";
    private const string Gateway = "https://gateway.example.com/v1?api-version=preview";
    private const string Video = """{"id":"video_1","object":"video","model":"sora-2","status":"queued"}""";

    private static ProviderEndpoint OpenAI() => new(VideoProvider.OpenAICompatible, new Uri(Gateway), Key);

    [Fact]
    public async Task OpenAICompatible_sends_every_request_under_the_base_path_with_its_query()
    {
        var mock = new MockHttpMessageHandler();
        mock.Expect(HttpMethod.Post, "https://gateway.example.com/v1/videos").WithExactQueryString("api-version=preview").Respond("application/json", Video);
        mock.Expect(HttpMethod.Get, "https://gateway.example.com/v1/videos/video_1").WithExactQueryString("api-version=preview")
            .Respond("application/json", """{"id":"video_1","status":"completed"}""");
        mock.Expect(HttpMethod.Get, "https://gateway.example.com/v1/videos/video_1/content").WithExactQueryString("api-version=preview&variant=video")
            .Respond("video/mp4", "....ftypisom");
        mock.Expect(HttpMethod.Post, "https://gateway.example.com/v1/videos/video_1/remix").WithExactQueryString("api-version=preview")
            .Respond("application/json", """{"id":"video_2","status":"queued","remixed_from_video_id":"video_1"}""");
        mock.Expect(HttpMethod.Delete, "https://gateway.example.com/v1/videos/video_1").WithExactQueryString("api-version=preview")
            .Respond("application/json", """{"id":"video_1","deleted":true}""");
        using var client = new VideoGenClient(mock, TestClient.FastRetries());
        var endpoint = OpenAI();

        var job = await client.SubmitAsync(endpoint, new VideoRequest { Prompt = "A lighthouse", Model = "sora-2" }, null, default);
        job = await client.PollAsync(endpoint, job, null, default);
        using (var response = await client.OpenDownloadAsync(endpoint, job, VideoVariant.Video, 0, null, default))
        {
            Assert.True(response.IsSuccessStatusCode);
        }
        await client.RemixAsync(endpoint, job, "At night", null, null, default);
        await client.DeleteAsync(endpoint, job, null, default);

        mock.VerifyNoOutstandingExpectation();
        Assert.Equal("https://gateway.example.com/v1/videos/video_1?api-version=preview", job.PollingUrl);
    }

    [Theory]
    [InlineData("https://h.example/v1?api-version=preview", "videos", "https://h.example/v1/videos?api-version=preview")]
    [InlineData("https://h.example/v1/?api-version=preview", "videos/x/content?variant=video", "https://h.example/v1/videos/x/content?api-version=preview&variant=video")]
    [InlineData("https://h.example/api/v1", "/videos", "https://h.example/api/v1/videos")]
    [InlineData("https://h.example", "api/v1/getVideoResponse", "https://h.example/api/v1/getVideoResponse")]
    [InlineData("https://h.example/?a=1&b=2", "v1/video/generations", "https://h.example/v1/video/generations?a=1&b=2")]
    public void Combine_keeps_the_base_path_and_query(string baseUri, string relative, string expected) =>
        Assert.Equal(expected, ProviderJson.Combine(new Uri(baseUri), relative).AbsoluteUri);

    [Fact]
    public void OpenRouter_and_FastRouter_and_AppleRouter_keep_the_query_too()
    {
        var open = new OpenRouterMapping();
        var openBase = new Uri("https://gw.example/api/v1?tenant=a");
        var submit = open.CreateSubmitRequest(openBase, new VideoRequest { Prompt = "p", Model = "google/veo-3.1" });
        var poll = open.CreatePollRequest(openBase, VideoJob.Restore("j1", VideoProvider.OpenRouter, "google/veo-3.1", baseUri: openBase.AbsoluteUri));
        var fast = new FastRouterMapping().CreateSubmitRequest(new Uri("https://gw.example/fr?tenant=b"), new VideoRequest { Prompt = "p", Model = "google/veo3" });
        var apple = new AppleRouterMapping().CreateSubmitRequest(new Uri("https://gw.example/ar?tenant=c"), new VideoRequest { Prompt = "p", Model = "veo3" });

        Assert.Equal("https://gw.example/api/v1/videos?tenant=a", submit.RequestUri!.AbsoluteUri);
        Assert.Equal("https://gw.example/api/v1/videos/j1?tenant=a", poll.RequestUri!.AbsoluteUri);
        Assert.Equal("https://gw.example/fr/api/v1/videos?tenant=b", fast.RequestUri!.AbsoluteUri);
        Assert.Equal("https://gw.example/ar/v1/video/generations?tenant=c", apple.RequestUri!.AbsoluteUri);
    }

    [Fact]
    public void An_endpoint_with_a_query_keeps_it_after_its_path_slash()
    {
        Assert.Equal("https://gateway.example.com/v1/?api-version=preview", OpenAI().BaseUri.AbsoluteUri);
        Assert.Equal("https://gateway.example.com/v1/?api-version=preview", ProviderJson.WithSlash(new Uri(Gateway)).AbsoluteUri);
    }
}
