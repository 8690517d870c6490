using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace VideoGen.Core.Providers
{
    /// <summary>The checks every provider's rules share: a value against a documented list, a size, an image URL.</summary>
    internal static class RequestChecks
    {
        /// <summary>
        /// The clip lengths in seconds that tab completion offers where a provider documents none (OpenRouter, AppleRouter's
        /// generations route): the lengths the routers that do document them take.
        /// </summary>
        public static readonly int[] UndocumentedLengths = { 4, 5, 6, 8, 10, 12 };

        /// <summary>
        /// The documented spelling of a value validated ignoring case (FastRouter's "1080p" for "1080P", OpenRouter's
        /// "1K" for "1k"): a provider that enforces its enum refuses any other. A value off the list comes back trimmed
        /// and otherwise as given (validation reports it).
        /// </summary>
        public static string? DocumentedSpelling(string? value, IReadOnlyList<string> documented)
        {
            if (string.IsNullOrEmpty(value))
            {
                return value;
            }
            var trimmed = value!.Trim();
            foreach (var candidate in documented)
            {
                if (string.Equals(candidate, trimmed, StringComparison.OrdinalIgnoreCase))
                {
                    return candidate;
                }
            }
            return trimmed;
        }

        /// <summary>A size validated as WIDTHxHEIGHT ("1280X720", " 1280 x 720") in the documented spelling "1280x720".</summary>
        public static string? SizeSpelling(string? size) =>
            Dimensions.TryParseSize(size, out var width, out var height)
                ? width.ToString(CultureInfo.InvariantCulture) + "x" + height.ToString(CultureInfo.InvariantCulture)
                : size?.Trim();

        /// <summary>An error where <paramref name="value"/> is given and not one of <paramref name="allowed"/> (ignoring case).</summary>
        public static void OneOf(ICollection<ValidationProblem> errors, string field, string? value, IReadOnlyList<string> allowed, string who)
        {
            if (!string.IsNullOrEmpty(value) && !allowed.Contains(value!.Trim(), StringComparer.OrdinalIgnoreCase))
            {
                errors.Add(new ValidationProblem(field, who + " takes " + string.Join(", ", allowed) + ", not '" + value + "'."));
            }
        }

        /// <summary>An error where a size is given and is not WIDTHxHEIGHT.</summary>
        public static void Size(ICollection<ValidationProblem> errors, string? size)
        {
            if (!string.IsNullOrEmpty(size) && !Dimensions.TryParseSize(size, out _, out _))
            {
                errors.Add(new ValidationProblem("Size", "must be WIDTHxHEIGHT in pixels, such as 1280x720, not '" + size + "'."));
            }
        }

        /// <summary>An error where Resolution/AspectRatio are given without Size and do not make a size in pixels.</summary>
        public static void DerivableSize(ICollection<ValidationProblem> errors, VideoRequest request, string who)
        {
            if (string.IsNullOrEmpty(request.Size) && (!string.IsNullOrEmpty(request.Resolution) || !string.IsNullOrEmpty(request.AspectRatio)) &&
                !Dimensions.TryDerive(request.Resolution, request.AspectRatio, out _, out _))
            {
                errors.Add(new ValidationProblem(string.IsNullOrEmpty(request.Resolution) ? "AspectRatio" : "Resolution",
                    who + "; give Resolution like 720p with AspectRatio like 16:9, or Size like 1280x720."));
            }
        }

        /// <summary>An error where an image is given that is not an http(s) URL.</summary>
        public static void ImageUrlOnly(ICollection<ValidationProblem> errors, VideoRequest request, string provider)
        {
            if (!string.IsNullOrEmpty(request.Image) && !IsHttpUrl(request.Image!))
            {
                errors.Add(new ValidationProblem("Image", provider + " accepts only an http(s) URL of the image (no local path, no base64)."));
            }
        }

        public static bool IsHttpUrl(string text) =>
            Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

        public static string[] Numbers(params int[] values) => values.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray();
    }
}
