using System.Net;
using System.Text;
using VideoGen.Core.Http;
using VideoGen.Core.Providers;

namespace VideoGen.Core.Tests;

/// <summary>Issue 17: remix and delete on the OpenAI-style route (docs/providers.md, Remix and delete), and values the first API documents lacked (docs/providers.md, Parameters).</summary>
public class RemixDeleteAndDocumentedValuesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Uri Gateway = new("https://gateway.example.com/v1");

    private static ProviderResponse Json(string json) => new(200, "application/json", Encoding.UTF8.GetBytes(json));

    private static HttpResponseMessage JsonAnswer(string json) =>
        new(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static VideoGenClient Client(ScriptedHandler handler) =>
        new(handler, new VideoGenClientOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(1) });

    [Fact]
    public async Task OpenAICompatible_remix_posts_only_the_prompt_as_JSON_to_the_sources_remix_route()
    {
        var mapping = (IRemixDeleteMapping)ProviderMappings.For(VideoProvider.OpenAICompatible);
        var source = VideoJob.Restore("video_abc", VideoProvider.OpenAICompatible, "sora-2", status: "Succeeded");

        using var request = mapping.CreateRemixRequest(new Uri("https://gateway.example.com/v1/"), source, "Make it night");

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://gateway.example.com/v1/videos/video_abc/remix", request.RequestUri!.AbsoluteUri);
        Assert.Equal("application/json", request.Content!.Headers.ContentType!.MediaType);
        Assert.Equal("""{"prompt":"Make it night"}""", await request.Content.ReadAsStringAsync());
    }

    [Fact]
    public void The_remix_answer_is_read_as_a_new_job_with_the_sources_model_and_the_remix_prompt()
    {
        var mapping = (IRemixDeleteMapping)ProviderMappings.For(VideoProvider.AppleRouter);
        var source = VideoJob.Restore("video_src", VideoProvider.AppleRouter, "veo-3.1", "cow", "A cow", "https://api.applerouter.ai/", status: "Succeeded");

        var job = mapping.ReadRemixResponse(Json("""
            {"id":"video_new","object":"video","model":"veo-3.1","status":"queued","progress":0,"created_at":1,"seconds":"8","size":"16x9","remixed_from_video_id":"video_src"}
            """), source, "A cow in the rain", "cow-rain", new Uri("https://api.applerouter.ai/"), Now);

        Assert.Equal("video_new", job.Id);
        Assert.Equal(VideoProvider.AppleRouter, job.Provider);
        Assert.Equal("veo-3.1", job.Model);
        Assert.Equal("A cow in the rain", job.Prompt);
        Assert.Equal("cow-rain", job.Name);
        Assert.Equal(VideoJobStatus.Queued, job.Status);
        Assert.Equal("https://api.applerouter.ai/v1/videos/video_new", job.PollingUrl);
        using var poll = ProviderMappings.For(VideoProvider.AppleRouter).CreatePollRequest(new Uri("https://api.applerouter.ai/"), job);
        Assert.Equal("https://api.applerouter.ai/v1/videos/video_new", poll.RequestUri!.AbsoluteUri);
    }

    [Fact]
    public void Delete_is_DELETE_videos_id_under_each_routes_base()
    {
        var gateway = (IRemixDeleteMapping)ProviderMappings.For(VideoProvider.OpenAICompatible);
        var apple = (IRemixDeleteMapping)ProviderMappings.For(VideoProvider.AppleRouter);

        using var a = gateway.CreateDeleteRequest(new Uri("https://gateway.example.com/v1/"), VideoJob.Restore("video_1", VideoProvider.OpenAICompatible, null));
        using var b = apple.CreateDeleteRequest(new Uri("https://api.applerouter.ai/"), VideoJob.Restore("video_2", VideoProvider.AppleRouter, "veo-3.1-fast"));

        Assert.Equal(HttpMethod.Delete, a.Method);
        Assert.Equal("https://gateway.example.com/v1/videos/video_1", a.RequestUri!.AbsoluteUri);
        Assert.Equal("https://api.applerouter.ai/v1/videos/video_2", b.RequestUri!.AbsoluteUri);
    }

    [Theory]
    [InlineData(VideoProvider.FastRouter, "google/veo3", "FastRouter has no remix")]
    [InlineData(VideoProvider.OpenRouter, "google/veo-3.1", "OpenRouter has no remix")]
    [InlineData(VideoProvider.AppleRouter, "kling-v1", "/v1/video/generations")]
    [InlineData(VideoProvider.AppleRouter, null, "Add -Model")]
    public void Providers_and_routes_without_remix_or_delete_are_refused(VideoProvider provider, string? model, string said)
    {
        var job = VideoJob.Restore("task-9", provider, model, status: "Succeeded");

        var remix = Assert.Throws<VideoGenException>(() => VideoOperations.ForRemix(job));
        var delete = Assert.Throws<VideoGenException>(() => VideoOperations.ForDelete(job));

        Assert.Equal(VideoGenErrorKind.InvalidArgument, remix.Kind);
        Assert.Contains(said, remix.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was sent", remix.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(said.Replace("remix", "delete", StringComparison.Ordinal), delete.Message, StringComparison.Ordinal);
        Assert.Equal(provider == VideoProvider.AppleRouter, VideoOperations.HasRemixAndDelete(provider));
    }

    [Theory]
    [InlineData(VideoProvider.FastRouter)]
    [InlineData(VideoProvider.OpenRouter)]
    public async Task The_client_refuses_remix_and_delete_without_sending_anything(VideoProvider provider)
    {
        var handler = new ScriptedHandler((_, _) => JsonAnswer("{}"));
        using var client = Client(handler);
        var endpoint = new ProviderEndpoint(provider, ProviderMappings.For(provider).DefaultBaseUri!, "k");
        var job = VideoJob.Restore("task-1", provider, "google/veo3", status: "Succeeded");

        await Assert.ThrowsAsync<VideoGenException>(() => client.RemixAsync(endpoint, job, "again", null, null, default));
        await Assert.ThrowsAsync<VideoGenException>(() => client.DeleteAsync(endpoint, job, null, default));

        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task The_client_remixes_once_and_deletes_reading_OpenAIs_deleted_answer()
    {
        var handler = new ScriptedHandler((request, _) => request.Method == HttpMethod.Delete
            ? JsonAnswer("""{"id":"video_1","object":"video.deleted","deleted":true}""")
            : JsonAnswer("""{"id":"video_2","object":"video","model":"sora-2","status":"queued","progress":0,"created_at":1,"remixed_from_video_id":"video_1"}"""));
        using var client = Client(handler);
        var endpoint = new ProviderEndpoint(VideoProvider.OpenAICompatible, Gateway, "k");
        var source = VideoJob.Restore("video_1", VideoProvider.OpenAICompatible, "sora-2", status: "Succeeded");

        var remix = await client.RemixAsync(endpoint, source, "At night", "night", null, default);
        var deleted = await client.DeleteAsync(endpoint, source, null, default);

        Assert.Equal("video_2", remix.Id);
        Assert.Equal("night", remix.Name);
        Assert.Equal("https://gateway.example.com/v1/", remix.BaseUri);
        Assert.Equal("deleted", deleted.ProviderStatus);
        Assert.Equal(new[] { "POST", "DELETE" }, handler.Requests.Select(r => r.Method.Method));
        Assert.All(handler.Requests, r => Assert.Equal("Bearer k", r.Headers.Authorization!.ToString()));
    }

    [Fact]
    public async Task A_delete_answered_deleted_false_is_an_error_naming_the_id()
    {
        var handler = new ScriptedHandler((_, _) => JsonAnswer("""{"id":"video_1","object":"video.deleted","deleted":false}"""));
        using var client = Client(handler);
        var endpoint = new ProviderEndpoint(VideoProvider.OpenAICompatible, Gateway, "k");

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => client.DeleteAsync(endpoint, VideoJob.Restore("video_1", VideoProvider.OpenAICompatible, null), null, default));

        Assert.Equal(VideoGenErrorKind.UnexpectedAnswer, ex.Kind);
        Assert.Equal("video_1", ex.TaskId);
    }

    [Fact]
    public async Task OpenRouter_takes_the_newer_768p()
    {
        var prepared = RowPreparer.Prepare(1, new Dictionary<string, string?> { ["Provider"] = "OpenRouter", ["Prompt"] = "p", ["Resolution"] = "768P" },
            null, null, n => n == "OPENROUTER_API_KEY" ? "k" : null);

        using var request = prepared.Endpoint.Mapping.CreateSubmitRequest(prepared.Endpoint.BaseUri, prepared.Request);
        Assert.Contains("\"resolution\":\"768p\"", await request.Content!.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenRouter_prefers_a_models_listed_values_to_the_documented_list_and_falls_back_to_it()
    {
        // A model whose GET /videos/models entry lists a resolution and a ratio that the documented lists do not have.
        var models = """{"data":[{"id":"newco/wide-1","supported_resolutions":["540p","720p"],"supported_aspect_ratios":["32:9","16:9"]}]}""";
        var handler = new ScriptedHandler((_, _) => JsonAnswer(models));
        using var client = Client(handler);
        string? Env(string name) => name switch
        {
            "OPENROUTER_API_KEY" => "k",
            "VIDEOGEN_OPENROUTER_BASE_URI" => "https://or-" + Guid.NewGuid().ToString("N")[..8] + ".example.com/api/v1",
            _ => null,
        };
        var baseUri = Env("VIDEOGEN_OPENROUTER_BASE_URI");
        string? Fixed(string name) => name == "VIDEOGEN_OPENROUTER_BASE_URI" ? baseUri : Env(name);
        var endpoint = EndpointResolver.Resolve(VideoProvider.OpenRouter, null, null, Fixed);
        Dictionary<string, string?> Row(string model, string resolution, string ratio) =>
            new() { ["Provider"] = "OpenRouter", ["Prompt"] = "p", ["Model"] = model, ["Resolution"] = resolution, ["AspectRatio"] = ratio };

        // Before the list is read: the documented values decide.
        var before = Assert.Throws<VideoGenException>(() => RowPreparer.Prepare(1, Row("newco/wide-1", "540p", "32:9"), null, null, Fixed));
        Assert.Contains("field Resolution", before.Message, StringComparison.Ordinal);
        Assert.NotNull(await ModelCatalog.GetAsync(client, endpoint, null, default));

        // Once it is read: the model's own values are taken, and checked again against its endpoint's list.
        var prepared = RowPreparer.Prepare(2, Row("newco/wide-1", "540p", "32:9"), null, null, Fixed);
        Assert.Empty(await ModelCatalog.CheckAsync(client, prepared, null, default));
        // A documented value the model does not list is refused by the list.
        var notListed = RowPreparer.Prepare(3, Row("newco/wide-1", "1080p", "16:9"), null, null, Fixed);
        var refused = await Assert.ThrowsAsync<VideoGenException>(() => ModelCatalog.CheckAsync(client, notListed, null, default));
        Assert.Contains("540p, 720p", refused.Message, StringComparison.Ordinal);
        // A model the list does not state falls back to the documented values.
        var unknown = Assert.Throws<VideoGenException>(() => RowPreparer.Prepare(4, Row("newco/other", "540p", "16:9"), null, null, Fixed));
        Assert.Contains("768p", unknown.Message, StringComparison.Ordinal);
        Assert.Single(handler.Requests);
    }

    [Theory]
    [InlineData("16x9", null, null, "16x9")]
    [InlineData("9X16", null, null, "9x16")]
    [InlineData("1280x720", null, null, "1280x720")]
    [InlineData(null, null, "16:9", "1280x720")]
    [InlineData(null, null, "9:16", "720x1280")]
    public void AppleRouters_videos_route_takes_both_size_forms_and_sends_the_one_given(string? size, string? resolution, string? ratio, string sent)
    {
        var request = new VideoRequest { Prompt = "p", Model = "veo-3.1", Duration = 8, Size = size, Resolution = resolution, AspectRatio = ratio, Image = "https://example.com/a.png" };

        Assert.Empty(RequestValidator.Validate(VideoProvider.AppleRouter, request, out _));
        Assert.Equal(sent, OpenAIVideos.Size(request));
    }

    [Theory]
    [InlineData("1920x1080", null, null, "Size")]
    [InlineData("4x3", null, null, "Size")]
    [InlineData(null, "1080p", "16:9", "Resolution")]
    [InlineData(null, null, "1:1", "AspectRatio")]
    public void AppleRouters_videos_route_refuses_other_sizes_naming_both_forms(string? size, string? resolution, string? ratio, string field)
    {
        var request = new VideoRequest { Prompt = "p", Model = "veo-3.1", Duration = 8, Size = size, Resolution = resolution, AspectRatio = ratio, Image = "https://example.com/a.png" };

        var problem = Assert.Single(RequestValidator.Validate(VideoProvider.AppleRouter, request, out _));

        Assert.Equal(field, problem.Field);
        Assert.Contains("16x9", problem.Message, StringComparison.Ordinal);
        Assert.Contains("1280x720", problem.Message, StringComparison.Ordinal);
    }
}
