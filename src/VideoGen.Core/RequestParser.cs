using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace VideoGen.Core
{
    /// <summary>
    /// Turns New-Video's text fields (parameters or CSV columns, all strings, so a blank cell is simply empty)
    /// into a <see cref="VideoRequest"/>, with one problem per field that cannot be read. New-Video and the
    /// end-to-end tests both go through here.
    /// </summary>
    public static class RequestParser
    {
        private static readonly char[] ListSeparator = { ';' };

        /// <summary>Reads the text fields of one row.</summary>
        /// <param name="fields">Field name (New-Video parameter) to text; missing and blank mean "not given".</param>
        /// <param name="problems">Receives one problem per unreadable field.</param>
        public static VideoRequest Parse(IReadOnlyDictionary<string, string?> fields, ICollection<ValidationProblem> problems)
        {
            string? Get(string name) => fields.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v!.Trim() : null;
            var request = new VideoRequest
            {
                Prompt = fields.TryGetValue("Prompt", out var prompt) ? prompt?.Trim() : null,
                Model = Get("Model"),
                AspectRatio = Get("AspectRatio"),
                Resolution = Get("Resolution"),
                Size = Get("Size"),
                Image = Get("Image"),
                Name = Get("Name"),
                Mode = Get("Mode"),
                FirstFrame = Get("FirstFrame"),
                LastFrame = Get("LastFrame"),
                CallbackUrl = Get("CallbackUrl"),
            };
            var references = Get("ReferenceImage");
            if (references != null)
            {
                // One CSV cell holds several URLs separated by ';' (the cmdlet joins a -ReferenceImage array the same way).
                request.ReferenceImages = references.Split(ListSeparator, StringSplitOptions.RemoveEmptyEntries)
                    .Select(r => r.Trim()).Where(r => r.Length > 0).ToArray();
            }
            var duration = Get("Duration");
            if (duration != null)
            {
                // "8", "8s", "8 s" and "8.0" (a spreadsheet's number format) all mean eight seconds; "8.5" is refused.
                var text = duration.EndsWith("s", StringComparison.OrdinalIgnoreCase) ? duration.Substring(0, duration.Length - 1).Trim() : duration;
                if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
                {
                    request.Duration = seconds;
                }
                else if (decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var whole) && whole == decimal.Truncate(whole) &&
                         whole >= int.MinValue && whole <= int.MaxValue)
                {
                    request.Duration = (int)whole;
                }
                else
                {
                    problems.Add(new ValidationProblem("Duration", "'" + duration + "' is not a whole number of seconds."));
                }
            }
            var seed = Get("Seed");
            if (seed != null)
            {
                if (long.TryParse(seed, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s))
                {
                    request.Seed = s;
                }
                else
                {
                    problems.Add(new ValidationProblem("Seed", "'" + seed + "' is not a whole number."));
                }
            }
            var audio = Get("GenerateAudio");
            if (audio != null)
            {
                switch (audio.ToLowerInvariant())
                {
                    case "true": case "yes": case "1": case "y": case "on": request.GenerateAudio = true; break;
                    case "false": case "no": case "0": case "n": case "off": request.GenerateAudio = false; break;
                    default: problems.Add(new ValidationProblem("GenerateAudio", "'" + audio + "' is not true or false.")); break;
                }
            }
            return request;
        }
    }
}
