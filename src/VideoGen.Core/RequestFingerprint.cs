using System;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace VideoGen.Core
{
    /// <summary>
    /// A short, stable fingerprint of what a row asks a provider for (provider, model, prompt and every generation
    /// field, not the label), recorded in the journal with the job it created, so running the same rows again emits
    /// the recorded jobs instead of paying for them twice. Lower-case hex of the first 16 bytes of a SHA-256.
    /// </summary>
    public static class RequestFingerprint
    {
        /// <summary>The fingerprint of <paramref name="request"/> at <paramref name="provider"/> with <paramref name="model"/> (the default model when the row names none).</summary>
        public static string Of(VideoProvider provider, VideoRequest request, string model)
        {
            if (request is null)
            {
                throw new ArgumentNullException(nameof(request));
            }
            var parts = new[]
            {
                provider.ToString(), model, request.Prompt?.Trim(), request.Duration?.ToString(CultureInfo.InvariantCulture), request.AspectRatio,
                request.Resolution, request.Size, request.Image, request.FirstFrame, request.LastFrame,
                request.ReferenceImages is null ? null : string.Join("\u001f", request.ReferenceImages),
                request.CallbackUrl, request.Seed?.ToString(CultureInfo.InvariantCulture), request.GenerateAudio?.ToString(), request.Mode?.ToLowerInvariant(),
                request.ProviderOptions is null ? null : JsonSerializer.Serialize(request.ProviderOptions.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value?.ToString())),
                request.InputReference is null ? null : request.InputReference.FileName + ":" + Hex(Sha(request.InputReference.Content)),
            };
            var text = string.Join("\u001e", parts.Select(p => p ?? string.Empty));
            return Hex(Sha(Encoding.UTF8.GetBytes(text))).Substring(0, 32);
        }

        private static byte[] Sha(byte[] data)
        {
            using var sha = SHA256.Create();
            return sha.ComputeHash(data);
        }

        private static string Hex(byte[] bytes) => BitConverter.ToString(bytes).Replace("-", string.Empty).ToLowerInvariant();
    }
}
