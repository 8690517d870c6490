using System;
using System.IO;
using System.Threading;
using System.Collections.Generic;
using System.Globalization;

namespace VideoGen.Core
{
    /// <summary>What Save-Video fetches from an OpenAI-style route (<c>GET /videos/{id}/content?variant=</c>); other routes serve only the video.</summary>
    public enum VideoVariant
    {
        /// <summary>The MP4 video (saved as .mp4).</summary>
        Video,
        /// <summary>A still image (saved as .webp).</summary>
        Thumbnail,
        /// <summary>A grid of frames (saved as .jpg).</summary>
        Spritesheet,
    }

    /// <summary>An image uploaded as a multipart file (OpenAI-style <c>input_reference</c>), read by the client before the request is built.</summary>
    public sealed class UploadFile
    {
        /// <summary>Creates an upload.</summary>
        public UploadFile(byte[] content, string fileName, string mediaType)
        {
            Content = content;
            FileName = fileName;
            MediaType = mediaType;
        }

        /// <summary>The bytes.</summary>
        public byte[] Content { get; }
        /// <summary>The file name sent.</summary>
        public string FileName { get; }
        /// <summary>The media type sent, e.g. image/png.</summary>
        public string MediaType { get; }
    }

    /// <summary>
    /// A normalized video request: one row of prompts.csv, one call of New-Video. Property names are
    /// New-Video's parameter names.
    /// </summary>
    public sealed class VideoRequest
    {
        /// <summary>The text prompt. Required, not blank.</summary>
        public string? Prompt { get; set; }
        /// <summary>The provider's model id (FastRouter <c>google/veo3</c>, OpenRouter <c>google/veo-3.1</c>, AppleRouter <c>kling-v1</c>). Empty: the provider's default, see <see cref="Providers.ProviderMappings.DefaultModel"/>.</summary>
        public string? Model { get; set; }
        /// <summary>Length of the video in seconds (FastRouter <c>length</c>/<c>seconds</c>, OpenRouter and AppleRouter <c>duration</c>).</summary>
        public int? Duration { get; set; }
        /// <summary>Width-to-height ratio such as <c>16:9</c>.</summary>
        public string? AspectRatio { get; set; }
        /// <summary>Resolution such as <c>720p</c>.</summary>
        public string? Resolution { get; set; }
        /// <summary>Exact frame size <c>WIDTHxHEIGHT</c> in pixels, such as <c>1280x720</c>.</summary>
        public string? Size { get; set; }
        /// <summary>An input image (image-to-video): an http(s) URL; for OpenAI-style routes also a local file, uploaded as <c>input_reference</c>. OpenRouter sends it as the first frame.</summary>
        public string? Image { get; set; }
        /// <summary>OpenRouter: the first frame's image URL (<c>frame_images[].frame_type = first_frame</c>).</summary>
        public string? FirstFrame { get; set; }
        /// <summary>OpenRouter: the last frame's image URL (<c>frame_type = last_frame</c>).</summary>
        public string? LastFrame { get; set; }
        /// <summary>OpenRouter: reference image URLs (<c>input_references[]</c> of type image_url).</summary>
        public IReadOnlyList<string>? ReferenceImages { get; set; }
        /// <summary>OpenRouter: an https URL notified when the job completes (<c>callback_url</c>).</summary>
        public string? CallbackUrl { get; set; }
        /// <summary>OpenRouter: provider passthrough options by provider slug (<c>provider.options</c>): strings, numbers, booleans, nested dictionaries and lists.</summary>
        public IDictionary<string, object?>? ProviderOptions { get; set; }
        /// <summary>The image file to upload for OpenAI-style routes, read from <see cref="Image"/> by the client before the request is built.</summary>
        public UploadFile? InputReference { get; set; }
        /// <summary>A seed for reproducible output.</summary>
        public long? Seed { get; set; }
        /// <summary>Whether to generate an audio track (FastRouter, OpenRouter).</summary>
        public bool? GenerateAudio { get; set; }
        /// <summary>FastRouter's generation mode: <c>std</c> or <c>pro</c> (FastRouter's reference, docs/providers.md, <c>mode</c>); other providers have no such field.</summary>
        public string? Mode { get; set; }
        /// <summary>A label; it becomes the saved file's name.</summary>
        public string? Name { get; set; }
    }
}
