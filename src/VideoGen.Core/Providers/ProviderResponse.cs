using System;
using System.Text;

namespace VideoGen.Core.Providers
{
    /// <summary>A provider's HTTP answer, as the mapping functions read it.</summary>
    public sealed class ProviderResponse
    {
        /// <summary>Creates an answer.</summary>
        /// <param name="statusCode">The HTTP status code.</param>
        /// <param name="mediaType">The Content-Type media type, or null.</param>
        /// <param name="body">The body bytes; empty for a media answer whose body was left unread.</param>
        public ProviderResponse(int statusCode, string? mediaType, byte[] body)
        {
            StatusCode = statusCode;
            MediaType = mediaType;
            Body = body ?? Array.Empty<byte>();
        }

        /// <summary>The HTTP status code.</summary>
        public int StatusCode { get; }

        /// <summary>The Content-Type media type, lower case, or null.</summary>
        public string? MediaType { get; }

        /// <summary>The body.</summary>
        public byte[] Body { get; }

        /// <summary>
        /// True when the answer is the video itself rather than JSON (video/*, application/octet-stream).
        /// FastRouter can answer a finished poll this way (docs/providers.md, Answers: inferred).
        /// </summary>
        public bool IsMedia => IsMediaType(MediaType);

        /// <summary>The body as UTF-8 text.</summary>
        public string Text => Encoding.UTF8.GetString(Body);

        /// <summary>Whether a media type names video bytes rather than a document.</summary>
        public static bool IsMediaType(string? mediaType) =>
            mediaType != null &&
            (mediaType.StartsWith("video/", StringComparison.OrdinalIgnoreCase) ||
             string.Equals(mediaType, "application/octet-stream", StringComparison.OrdinalIgnoreCase));
    }
}
