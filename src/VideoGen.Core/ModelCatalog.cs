using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using VideoGen.Core.Http;
using VideoGen.Core.Providers;

namespace VideoGen.Core
{
    /// <summary>
    /// What one OpenRouter model accepts, from <c>GET /videos/models</c> (OpenRouter's model-list reference,
    /// docs/providers.md, OpenRouter's model list and key): supported resolutions, aspect ratios, durations, sizes and
    /// frame images, and whether it takes generate_audio and seed. An empty list means "not stated": nothing is checked
    /// against it.
    /// </summary>
    public sealed class ModelCapabilities
    {
        internal ModelCapabilities(string id) => Id = id;

        /// <summary>The model id.</summary>
        public string Id { get; }

        /// <summary>The provider whose list stated this model, as messages name it.</summary>
        public string Owner { get; internal set; } = "the provider";
        /// <summary>supported_resolutions.</summary>
        public IReadOnlyList<string> Resolutions { get; internal set; } = Array.Empty<string>();
        /// <summary>supported_aspect_ratios.</summary>
        public IReadOnlyList<string> AspectRatios { get; internal set; } = Array.Empty<string>();
        /// <summary>supported_durations, in seconds.</summary>
        public IReadOnlyList<int> Durations { get; internal set; } = Array.Empty<int>();
        /// <summary>supported_sizes ("WIDTHxHEIGHT").</summary>
        public IReadOnlyList<string> Sizes { get; internal set; } = Array.Empty<string>();
        /// <summary>supported_frame_images (first_frame, last_frame); null where not stated.</summary>
        public IReadOnlyList<string>? FrameImages { get; internal set; }
        /// <summary>generate_audio; null where not stated.</summary>
        public bool? GenerateAudio { get; internal set; }
        /// <summary>seed; null where not stated.</summary>
        public bool? Seed { get; internal set; }

        /// <summary>
        /// OpenRouter's <c>pricing_skus</c> for the model (docs/providers.md: "a map of strings"), SKU name to price in USD as the
        /// provider wrote it; empty when not published. The SKU names are not documented; see <see cref="Estimate"/>.
        /// </summary>
        public IReadOnlyDictionary<string, string> PricingSkus { get; internal set; } = new Dictionary<string, string>();

        /// <summary>
        /// An estimate of a request's cost in USD from <see cref="PricingSkus"/>, or null when no price applies. A SKU whose
        /// name mentions "second" is a price per second of video (times the request's duration, else the model's first
        /// supported duration); one that mentions "video", "request" or "generation" a price per video. Inferred from the
        /// names: OpenRouter does not document them, so this is only ever shown and used as an estimate.
        /// </summary>
        public decimal? Estimate(VideoRequest request)
        {
            if (request is null)
            {
                throw new ArgumentNullException(nameof(request));
            }
            foreach (var sku in PricingSkus.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (!decimal.TryParse(sku.Value, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var price))
                {
                    continue;
                }
                var name = sku.Key.ToLowerInvariant();
                if (name.Contains("second"))
                {
                    var seconds = request.Duration ?? (Durations.Count > 0 ? Durations[0] : (int?)null);
                    if (seconds is int n)
                    {
                        return price * n;
                    }
                }
                else if (name.Contains("video") || name.Contains("request") || name.Contains("generation"))
                {
                    return price;
                }
            }
            return null;
        }

        /// <summary>The problems of a request against these capabilities.</summary>
        public IReadOnlyList<ValidationProblem> Check(VideoRequest request)
        {
            var problems = new List<ValidationProblem>();
            void OneOf(string field, string? value, IReadOnlyList<string> allowed)
            {
                if (!string.IsNullOrEmpty(value) && allowed.Count > 0 && !allowed.Contains(value!, StringComparer.OrdinalIgnoreCase))
                {
                    problems.Add(new ValidationProblem(field, Owner + "'s " + Id + " takes " + string.Join(", ", allowed) + ", not '" + value + "'."));
                }
            }
            OneOf("Resolution", request.Resolution, Resolutions);
            OneOf("AspectRatio", request.AspectRatio, AspectRatios);
            OneOf("Size", request.Size, Sizes);
            if (request.Duration is int d && Durations.Count > 0 && !Durations.Contains(d))
            {
                problems.Add(new ValidationProblem("Duration", Owner + "'s " + Id + " takes " + string.Join(", ", Durations) + " seconds, not " + d + "."));
            }
            if (FrameImages != null)
            {
                if ((!string.IsNullOrEmpty(request.FirstFrame) || !string.IsNullOrEmpty(request.Image)) && !FrameImages.Contains("first_frame"))
                {
                    problems.Add(new ValidationProblem(string.IsNullOrEmpty(request.FirstFrame) ? "Image" : "FirstFrame", Owner + "'s " + Id + " takes no first frame image."));
                }
                if (!string.IsNullOrEmpty(request.LastFrame) && !FrameImages.Contains("last_frame"))
                {
                    problems.Add(new ValidationProblem("LastFrame", Owner + "'s " + Id + " takes no last frame image."));
                }
            }
            if (request.GenerateAudio == true && GenerateAudio == false)
            {
                problems.Add(new ValidationProblem("GenerateAudio", Owner + "'s " + Id + " cannot generate audio."));
            }
            if (request.Seed.HasValue && Seed == false)
            {
                problems.Add(new ValidationProblem("Seed", Owner + "'s " + Id + " takes no seed."));
            }
            return problems;
        }

        /// <summary>Reads <c>{data:[...]}</c> or a bare array; unknown fields are ignored.</summary>
        public static IReadOnlyList<ModelCapabilities> Parse(string json)
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var list = root.ValueKind == JsonValueKind.Array ? root
                : ProviderJson.Get(root, "data") is { ValueKind: JsonValueKind.Array } data ? data
                : ProviderJson.Get(root, "models") is { ValueKind: JsonValueKind.Array } models ? models
                : default;
            var result = new List<ModelCapabilities>();
            if (list.ValueKind != JsonValueKind.Array)
            {
                return result;
            }
            foreach (var item in list.EnumerateArray())
            {
                var id = item.ValueKind == JsonValueKind.Object ? ProviderJson.String(item, "id") ?? ProviderJson.String(item, "slug") : null;
                if (id is null)
                {
                    continue;
                }
                var durations = new List<int>();
                if (ProviderJson.Get(item, "supported_durations") is { ValueKind: JsonValueKind.Array } ds)
                {
                    foreach (var x in ds.EnumerateArray())
                    {
                        if (x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out var n))
                        {
                            durations.Add(n);
                        }
                    }
                }
                result.Add(new ModelCapabilities(id)
                {
                    Resolutions = ProviderJson.Strings(item, "supported_resolutions"),
                    AspectRatios = ProviderJson.Strings(item, "supported_aspect_ratios"),
                    Sizes = ProviderJson.Strings(item, "supported_sizes"),
                    Durations = durations,
                    FrameImages = ProviderJson.Get(item, "supported_frame_images") is null ? null : ProviderJson.Strings(item, "supported_frame_images"),
                    GenerateAudio = Bool(item, "generate_audio"),
                    Seed = Bool(item, "seed"),
                    PricingSkus = Skus(item),
                });
            }
            return result;
        }

        private static Dictionary<string, string> Skus(JsonElement item)
        {
            var skus = new Dictionary<string, string>(StringComparer.Ordinal);
            if (ProviderJson.Get(item, "pricing_skus") is { ValueKind: JsonValueKind.Object } map)
            {
                foreach (var p in map.EnumerateObject())
                {
                    var text = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetRawText() : null;
                    if (!string.IsNullOrWhiteSpace(text))
                    {
                        skus[p.Name] = text!;
                    }
                }
            }
            return skus;
        }

        private static bool? Bool(JsonElement item, string name) =>
            ProviderJson.Get(item, name) is JsonElement v && (v.ValueKind == JsonValueKind.True || v.ValueKind == JsonValueKind.False) ? v.GetBoolean() : (bool?)null;
    }

    /// <summary>
    /// OpenRouter's model capabilities, fetched once per session per base URI and cached: used to check
    /// resolution, aspect ratio, duration, size and frames before submitting, and to complete -Model with Tab.
    /// A failed fetch blocks nothing and is remembered for the session (one warning; a gateway without the route is
    /// not asked again for every row).
    /// </summary>
    public static class ModelCatalog
    {
        private static readonly ConcurrentDictionary<string, IReadOnlyList<ModelCapabilities>> Cache = new ConcurrentDictionary<string, IReadOnlyList<ModelCapabilities>>(StringComparer.Ordinal);

        /// <summary>Base URIs whose list could not be read, with the reason: not asked again this session.</summary>
        private static readonly ConcurrentDictionary<string, string> Failures = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Base URIs whose failure was already reported as a warning (once per session).</summary>
        private static readonly ConcurrentDictionary<string, bool> Warned = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);

        /// <summary>The cached list for an endpoint, without fetching.</summary>
        public static IReadOnlyList<ModelCapabilities>? Cached(ProviderEndpoint endpoint) =>
            Cache.TryGetValue(endpoint.BaseUri.AbsoluteUri, out var list) ? list : null;

        /// <summary>
        /// A model's capabilities from any OpenRouter list read this session, without fetching; null where none states it.
        /// Lets the synchronous row check prefer the provider's current values to the documented list; <see cref="CheckAsync"/>
        /// then checks the row against the list of its own endpoint.
        /// </summary>
        public static ModelCapabilities? KnownCapabilities(string? model) =>
            string.IsNullOrWhiteSpace(model) ? null
                : Cache.Values.SelectMany(list => list).FirstOrDefault(m => string.Equals(m.Id, model!.Trim(), StringComparison.OrdinalIgnoreCase));

        /// <summary>The list for an endpoint (OpenRouter only; others get null), fetched once.</summary>
        public static async Task<IReadOnlyList<ModelCapabilities>?> GetAsync(VideoGenClient client, ProviderEndpoint endpoint, IVideoGenLog? log, CancellationToken cancellationToken)
        {
            var path = endpoint.Mapping.Rules.ModelListPath;
            if (path is null)
            {
                return null;
            }
            if (Cached(endpoint) is { } cached)
            {
                return cached;
            }
            if (Failures.ContainsKey(endpoint.BaseUri.AbsoluteUri))
            {
                return null;
            }
            try
            {
                var json = await client.GetTextAsync(endpoint, path, log, cancellationToken).ConfigureAwait(false);
                var list = ModelCapabilities.Parse(json);
                foreach (var model in list)
                {
                    model.Owner = endpoint.Provider.ToString();
                }
                Cache[endpoint.BaseUri.AbsoluteUri] = list;
                return list;
            }
            catch (Exception ex) when ((ex is VideoGenException || ex is JsonException || ex is HttpRequestException) && !cancellationToken.IsCancellationRequested)
            {
                Failures[endpoint.BaseUri.AbsoluteUri] = endpoint.Redact(ex.Message);
                log?.Verbose(endpoint.Provider + "'s model capabilities could not be read (" + endpoint.Redact(ex.Message) + "); requests are checked against the documented values only.");
                return null;
            }
        }

        /// <summary>
        /// An estimate in USD of a prepared row's cost from OpenRouter's published prices (cached model list; nothing is
        /// fetched here), or null where no price is published or the provider is not OpenRouter.
        /// </summary>
        public static decimal? CachedEstimate(PreparedRow row)
        {
            if (row is null || row.Endpoint.Mapping.Rules.ModelListPath is null || !(Cached(row.Endpoint) is { } list))
            {
                return null;
            }
            var model = string.IsNullOrWhiteSpace(row.Request.Model) ? row.Endpoint.Mapping.DefaultModel : row.Request.Model!;
            return list.FirstOrDefault(m => string.Equals(m.Id, model, StringComparison.OrdinalIgnoreCase))?.Estimate(row.Request);
        }

        /// <summary>
        /// Checks a prepared row against its model's capabilities. Returns warnings (an unlisted model);
        /// throws InvalidArgument naming the row and fields for values the model does not take.
        /// </summary>
        public static async Task<IReadOnlyList<string>> CheckAsync(VideoGenClient client, PreparedRow row, IVideoGenLog? log, CancellationToken cancellationToken)
        {
            var list = await GetAsync(client, row.Endpoint, log, cancellationToken).ConfigureAwait(false);
            var key = row.Endpoint.BaseUri.AbsoluteUri;
            var model = string.IsNullOrWhiteSpace(row.Request.Model) ? row.Endpoint.Mapping.DefaultModel : row.Request.Model!;
            var capabilities = list?.FirstOrDefault(m => string.Equals(m.Id, model, StringComparison.OrdinalIgnoreCase));
            if (row.Endpoint.Mapping.Rules.ModelListPath != null && capabilities is null)
            {
                // No list for this endpoint, or the model is not in it: the documented values decide.
                var documented = row.Endpoint.Mapping.Rules.CheckDocumented(row.Request, null);
                if (documented.Count > 0)
                {
                    throw RowPreparer.Refused(row.Label, documented);
                }
            }
            if (list is null && Failures.TryGetValue(key, out var reason) && Warned.TryAdd(key, true))
            {
                return new[] { row.Endpoint.Provider + "'s model list (GET " + row.Endpoint.Mapping.Rules.ModelListPath + ") could not be read at " + key + " (" + reason + "); rows are checked against the documented values only, and the list is not asked for again this session." };
            }
            if (list is null || list.Count == 0)
            {
                return Array.Empty<string>();
            }
            if (capabilities is null)
            {
                return new[] { "Model '" + model + "' is not in " + row.Endpoint.Provider + "'s model list; submitting it anyway." };
            }
            var problems = capabilities.Check(row.Request);
            if (problems.Count > 0)
            {
                throw RowPreparer.Refused(row.Label, problems);
            }
            return Array.Empty<string>();
        }
    }
}
