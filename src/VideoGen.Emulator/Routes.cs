using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static VideoGen.Emulator.FaultGate;
using static VideoGen.Emulator.ProviderNames;

namespace VideoGen.Emulator;

/// <summary>
/// The route table: every route the emulator serves. Each provider route passes the <see cref="FaultGate"/> (the port's
/// provider, the key, the rate limit, injected faults), then its provider's handler (FastRouter/, OpenRouter/,
/// AppleRouter/, OpenAIStyle/, Fal/); result files are <see cref="Downloads"/>, the control routes <see cref="ControlRoutes"/>.
/// </summary>
internal static class Routes
{
    /// <summary>Registers every route on <paramref name="app"/>.</summary>
    public static void Map(IEndpointRouteBuilder app, EmulatorOptions options, EmulatorState state)
    {
        // FastRouter and OpenRouter both submit with POST /api/v1/videos: each provider has its own port,
        // and this one route dispatches by the port the request came in on.
        app.MapPost("/api/v1/videos", ctx => PortProvider(ctx) == Open
            ? Guarded(ctx, options, state, Open, "submit", () => OpenRouterRoutes.Submit(ctx, options, state))
            : Guarded(ctx, options, state, Fast, "submit", () => FastRouterRoutes.Submit(ctx, options, state)));

        // FastRouter (FastRouter's reference, docs/providers.md): poll (and the older poll name, FastRouter's guide).
        app.MapPost("/api/v1/getAsyncResponse", ctx => options.FastRouterLegacyPollOnly && PortProvider(ctx) == Fast
            ? Answers.NotFoundRoute(ctx)
            : Guarded(ctx, options, state, Fast, "poll", () => FastRouterRoutes.Poll(ctx, options, state)));
        app.MapPost("/api/v1/getVideoResponse", ctx => Guarded(ctx, options, state, Fast, "poll", () => FastRouterRoutes.Poll(ctx, options, state)));

        // OpenRouter (docs/providers.md), base /api/v1. GET /api/v1/videos/{id} cannot clash with FastRouter's POST.
        app.MapGet("/api/v1/videos/{id}", (HttpContext ctx, string id) => Guarded(ctx, options, state, Open, "poll", () => OpenRouterRoutes.Poll(ctx, options, state, id)));
        app.MapGet("/api/v1/videos/{id}/content", (HttpContext ctx, string id) => Guarded(ctx, options, state, Open, "download", () => OpenRouterRoutes.Content(ctx, options, state, id)));

        // OpenRouter's current key (docs/providers.md, OpenRouter's model list and key).
        app.MapGet("/api/v1/key", ctx => Guarded(ctx, options, state, Open, "key", () => OpenRouterRoutes.Key(ctx, options)));

        // OpenRouter's model capabilities (docs/providers.md, OpenRouter's model list and key).
        app.MapGet("/api/v1/videos/models", ctx => Guarded(ctx, options, state, Open, "models", () => OpenRouterRoutes.Models(ctx)));

        // AppleRouter's OpenAI-style route (docs/providers.md), also what an OpenAICompatible gateway serves under /v1.
        app.MapPost("/v1/videos", ctx => Guarded(ctx, options, state, Apple, "submit", () => OpenAIVideosRoutes.Create(ctx, options, state)));
        app.MapGet("/v1/videos/{id}", (HttpContext ctx, string id) => Guarded(ctx, options, state, Apple, "poll", () => OpenAIVideosRoutes.Retrieve(ctx, options, state, id)));
        app.MapGet("/v1/videos/{id}/content", (HttpContext ctx, string id) => Guarded(ctx, options, state, Apple, "download", () => OpenAIVideosRoutes.Content(ctx, options, state, id)));
        // docs/providers.md, Remix and delete: remix POST /v1/videos/{id}/remix {prompt} answers a new video object with
        // remixed_from_video_id; delete DELETE /v1/videos/{id} answers {id, object:"video.deleted", deleted:true}.
        app.MapPost("/v1/videos/{id}/remix", (HttpContext ctx, string id) => Guarded(ctx, options, state, Apple, "remix", () => OpenAIVideosRoutes.Remix(ctx, options, state, id)));
        app.MapDelete("/v1/videos/{id}", (HttpContext ctx, string id) => Guarded(ctx, options, state, Apple, "delete", () => OpenAIVideosRoutes.Delete(ctx, state, id)));

        // AppleRouter (AppleRouter's create-video reference, docs/providers.md).
        app.MapPost("/v1/video/generations", ctx => Guarded(ctx, options, state, Apple, "submit", () => AppleRouterRoutes.Submit(ctx, options, state)));
        app.MapGet("/v1/video/generations/{id}", (HttpContext ctx, string id) => Guarded(ctx, options, state, Apple, "poll", () => AppleRouterRoutes.Poll(ctx, options, state, id)));

        // fal's queue (docs/providers.md, fal): submit to the whole model id; status and result name only its owner and app.
        app.MapGet("/{owner}/{app}/requests/{id}/status", (HttpContext ctx, string owner, string app, string id) =>
            Guarded(ctx, options, state, Fal, "poll", () => FalRoutes.Status(ctx, state, owner, app, id)));
        app.MapGet("/{owner}/{app}/requests/{id}", (HttpContext ctx, string owner, string app, string id) =>
            Guarded(ctx, options, state, Fal, "result", () => FalRoutes.Result(ctx, options, state, owner, app, id)));
        // The catch-all ranks below every literal route; on another provider's port it is the plain 404 of a missing route.
        app.MapPost("/{**model}", (HttpContext ctx, string model) => PortProvider(ctx) == Fal
            ? Guarded(ctx, options, state, Fal, "submit", () => FalRoutes.Submit(ctx, options, state, model))
            : Answers.NotFoundRoute(ctx));

        // Result files ("CDN" URLs in FastRouter's url and AppleRouter's result_url): no key needed, like a signed URL.
        // A wrong key is refused (401) as any server that reads Authorization does; with FilesRequireKey the key is needed.
        app.MapGet("/files/{file}", (HttpContext ctx, string file) => Downloads.ResultFile(ctx, options, state, file));

        // A public image, as a CDN would serve it (for image-URL uploads to OpenAI-style routes).
        app.MapGet("/assets/reference.webp", ctx => Downloads.ReferenceImage(ctx));

        // Control.
        app.MapPost("/_emulator/faults", ctx => ControlRoutes.AddFault(ctx, state));
        app.MapDelete("/_emulator/faults", ctx => ControlRoutes.ClearFaults(ctx, state));
        app.MapPost("/_emulator/config", ctx => ControlRoutes.Config(ctx, options));
        app.MapGet("/_emulator/stats", ctx => ControlRoutes.Stats(ctx, state));
    }
}
