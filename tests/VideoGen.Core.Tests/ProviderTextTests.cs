using System.Net;
using System.Text;
using VideoGen.Core;
using VideoGen.Core.Http;

namespace VideoGen.Core.Tests;

/// <summary>
/// Issue 23 item 5: every string a provider sends passes one sanitizer that knows the key raw, JSON-escaped,
/// URL-encoded and base64-encoded; a video URL keeps everything but the key so the download still works.
/// The key is built at run time, with '+' and '/' in it (as base64-looking keys have), and never written here whole.
/// </summary>
public sealed class ProviderTextTests
{
    private static readonly string Key = "vk-Ab+Cd/Ef" + Guid.NewGuid().ToString("N")[..12] + "=x";

    private static ProviderEndpoint FastRouter() => new(VideoProvider.FastRouter, new Uri("https://api.fastrouter.ai"), Key);

    private static VideoGenClient Client(ScriptedHandler handler) => new(handler, new VideoGenClientOptions { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) });

    private static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    /// <summary>The key as System.Text.Json (\u002B) and PHP (\/) write it.</summary>
    private static string JsonEscaped(string key) => key.Replace("+", "\\u002B").Replace("/", "\\/").Replace("=", "\\u003d");

    private static IEnumerable<string> Forms(string key) =>
    [
        key,
        JsonEscaped(key),
        Uri.EscapeDataString(key),
        System.Text.RegularExpressions.Regex.Replace(Uri.EscapeDataString(key), "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant()),
        Convert.ToBase64String(Encoding.UTF8.GetBytes(key)),
        Convert.ToBase64String(Encoding.UTF8.GetBytes(":" + key)),
        Convert.ToBase64String(Encoding.UTF8.GetBytes(key)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
    ];

    private static void AssertNoKey(string? text)
    {
        Assert.NotNull(text);
        foreach (var form in Forms(Key))
        {
            Assert.DoesNotContain(form, text!, StringComparison.OrdinalIgnoreCase);
        }
        // Whatever the encoding, the distinctive tail of the key is not there.
        Assert.DoesNotContain(Key[11..23], text!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_401_body_with_the_key_json_escaped_does_not_leak_it_in_the_exception()
    {
        var handler = new ScriptedHandler((_, _) => Json("{\"error\":{\"message\":\"bad key " + JsonEscaped(Key) + "\"}}", HttpStatusCode.Unauthorized));
        using var client = Client(handler);

        var ex = await Assert.ThrowsAsync<VideoGenException>(() => client.SubmitAsync(FastRouter(), new VideoRequest { Prompt = "p", Model = "google/veo3" }, null, default));

        Assert.Equal(VideoGenErrorKind.Authentication, ex.Kind);
        Assert.Contains("bad key REDACTED", ex.Message);
        AssertNoKey(ex.Message);
    }

    [Fact]
    public async Task A_poll_answer_whose_video_url_carries_the_key_keeps_the_url_but_not_the_key()
    {
        var url = "https://cdn.example.net/v.mp4?key=" + Uri.EscapeDataString(Key) + "&Signature=cdn-sig-123&Expires=99";
        var handler = new ScriptedHandler((_, _) => Json("{\"data\":{\"generations\":[{\"status\":\"succeed\",\"url\":\"" + url.Replace("/", "\\/") + "\"}]}}"));
        using var client = Client(handler);

        var job = await client.PollAsync(FastRouter(), VideoJob.Restore("task-url", VideoProvider.FastRouter, "google/veo3"), null, default);

        Assert.Equal(VideoJobStatus.Succeeded, job.Status);
        AssertNoKey(job.VideoUrl);
        Assert.StartsWith("https://cdn.example.net/v.mp4?key=REDACTED&", job.VideoUrl);
        Assert.Contains("Signature=cdn-sig-123", job.VideoUrl);
        Assert.Contains("Expires=99", job.VideoUrl);
    }

    [Fact]
    public async Task The_debug_line_of_a_submit_answer_echoing_the_key_escaped_does_not_carry_it()
    {
        var handler = new ScriptedHandler((_, _) => Json("{\"data\":{\"taskId\":\"t1\",\"status\":\"waiting\",\"echo\":\"" + JsonEscaped(Key) + "\",\"b64\":\"" +
            Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + Key)) + "\"}}"));
        using var client = Client(handler);
        var log = new RecordingLog();

        var job = await client.SubmitAsync(FastRouter(), new VideoRequest { Prompt = "p", Model = "google/veo3" }, log, default);

        Assert.Equal("t1", job.Id);
        Assert.Contains(log.Lines, l => l.Contains("Submit answer", StringComparison.Ordinal));
        Assert.All(log.Lines, AssertNoKey);
    }

    [Fact]
    public void The_sanitizer_knows_the_key_in_every_encoding_and_case()
    {
        var escapedEveryChar = string.Concat(Key.Select(c => "\\u" + ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)));
        var escapedUpper = string.Concat(Key.Select(c => "\\u" + ((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture)));
        var percentAll = string.Concat(Encoding.UTF8.GetBytes(Key).Select(b => "%" + b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("anyone:" + Key));
        foreach (var form in Forms(Key).Concat([escapedEveryChar, escapedUpper, percentAll, basic]))
        {
            var clean = Sanitizer.Sanitize("before " + form + " after", Key);
            Assert.DoesNotContain(form, clean, StringComparison.Ordinal);
            Assert.StartsWith("before ", clean);
            Assert.EndsWith(" after", clean);
        }
        Assert.Equal("nothing here", Sanitizer.Sanitize("nothing here", Key));
    }

    [Fact]
    public void The_sanitizer_knows_the_key_url_encoded_twice_and_as_html_character_references()
    {
        var twice = Uri.EscapeDataString(Uri.EscapeDataString(Key));
        var html = string.Concat(Key.Select(c => char.IsLetterOrDigit(c) ? c.ToString() : "&#" + (int)c + ";"));
        var htmlHex = string.Concat(Key.Select(c => char.IsLetterOrDigit(c) ? c.ToString() : "&#x" + ((int)c).ToString("X", System.Globalization.CultureInfo.InvariantCulture) + ";"));

        foreach (var form in new[] { twice, html, htmlHex })
        {
            Assert.NotEqual(Key, form);
            Assert.Equal("bad key REDACTED today", Sanitizer.Sanitize("bad key " + form + " today", Key));
        }
    }

    [Fact]
    public void A_video_url_loses_only_the_key()
    {
        var url = "https://cdn.example.net/v.mp4?token=" + Uri.EscapeDataString(Key) + "&X-Amz-Signature=abc&X-Amz-Expires=60";

        var clean = Sanitizer.SanitizeUrl(url, Key);

        Assert.Equal("https://cdn.example.net/v.mp4?token=REDACTED&X-Amz-Signature=abc&X-Amz-Expires=60", clean);
        Assert.Equal("https://cdn.example.net/v.mp4?X-Amz-Signature=abc", Sanitizer.SanitizeUrl("https://cdn.example.net/v.mp4?X-Amz-Signature=abc", Key));
        Assert.Null(Sanitizer.SanitizeUrl(null, Key));
    }
}
