using System;
using System.Globalization;

namespace VideoGen.Core.Providers
{
    /// <summary>Frame sizes: "WIDTHxHEIGHT" strings, and sizes derived from a resolution and an aspect ratio.</summary>
    internal static class Dimensions
    {
        /// <summary>Parses "1280x720" (also "1280X720", "1280*720"); false where it is not two positive integers.</summary>
        public static bool TryParseSize(string? size, out int width, out int height)
        {
            width = height = 0;
            if (string.IsNullOrWhiteSpace(size))
            {
                return false;
            }
            var parts = size!.Trim().Split('x', 'X', '*');
            return parts.Length == 2 &&
                int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out width) &&
                int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out height) &&
                width > 0 && height > 0;
        }

        /// <summary>Parses "16:9"; false where it is not two positive integers.</summary>
        public static bool TryParseAspect(string? aspect, out int w, out int h)
        {
            w = h = 0;
            if (string.IsNullOrWhiteSpace(aspect))
            {
                return false;
            }
            var parts = aspect!.Trim().Split(':');
            return parts.Length == 2 &&
                int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out w) &&
                int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out h) &&
                w > 0 && h > 0;
        }

        /// <summary>The short side in pixels of "480p", "720p", "1080p", "1K", "2K", "4K"; null where unknown.</summary>
        public static int? ShortSide(string? resolution)
        {
            switch ((resolution ?? string.Empty).Trim().ToUpperInvariant())
            {
                case "480P": return 480;
                case "720P": return 720;
                case "1080P": case "1K": return 1080;
                case "1440P": case "2K": return 1440;
                case "2160P": case "4K": return 2160;
                default: return null;
            }
        }

        /// <summary>
        /// Width and height from a resolution (short side, default 720p) and an aspect ratio (default 16:9),
        /// each rounded to an even number of pixels: 720p 16:9 is 1280x720, 720p 9:16 is 720x1280.
        /// </summary>
        public static bool TryDerive(string? resolution, string? aspectRatio, out int width, out int height)
        {
            width = height = 0;
            var shortSide = string.IsNullOrWhiteSpace(resolution) ? 720 : ShortSide(resolution);
            int aw = 16, ah = 9;
            if (shortSide is null || (!string.IsNullOrWhiteSpace(aspectRatio) && !TryParseAspect(aspectRatio, out aw, out ah)))
            {
                return false;
            }
            if (aw >= ah)
            {
                height = shortSide.Value;
                width = Even(shortSide.Value * (double)aw / ah);
            }
            else
            {
                width = shortSide.Value;
                height = Even(shortSide.Value * (double)ah / aw);
            }
            return true;
        }

        private static int Even(double value) => (int)(Math.Round(value / 2, MidpointRounding.AwayFromZero) * 2);
    }
}
