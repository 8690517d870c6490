using System;
using System.IO;
using System.Threading;
using System.Collections.Generic;
using System.Globalization;

namespace VideoGen.Core
{
    /// <summary>The AI video routers VideoGen speaks to. Source: docs/providers.md.</summary>
    public enum VideoProvider
    {
        /// <summary>FastRouter: <c>POST /api/v1/videos</c>, polled with <c>POST /api/v1/getAsyncResponse</c>.</summary>
        FastRouter,
        /// <summary>OpenRouter: <c>POST /videos</c> (202 with a polling URL), polled with <c>GET /videos/{id}</c>.</summary>
        OpenRouter,
        /// <summary>AppleRouter: <c>POST /v1/video/generations</c>, polled with <c>GET /v1/video/generations/{task_id}</c>; veo-3.1 models go to its OpenAI-style multipart <c>POST /v1/videos</c>.</summary>
        AppleRouter,
        /// <summary>Any gateway serving the OpenAI-style <c>/videos</c> API (Azure AI Foundry, new-api, one-api): multipart <c>POST {base}/videos</c>, <c>GET {base}/videos/{id}</c>, <c>GET {base}/videos/{id}/content?variant=</c>. Needs a base URI.</summary>
        OpenAICompatible,
        /// <summary>fal's queue (<c>https://queue.fal.run</c>): <c>POST /{model id}</c>, polled at the answer's <c>status_url</c>, the result read from its <c>response_url</c>; the key as <c>Authorization: Key …</c> from <c>$env:FAL_KEY</c>.</summary>
        Fal,
    }
}
