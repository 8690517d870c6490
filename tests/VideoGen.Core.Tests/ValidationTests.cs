using VideoGen.Core;

namespace VideoGen.Core.Tests;

/// <summary>Bad input is refused before any money is spent, naming the row and the field; unknown models only warn.</summary>
public class ValidationTests
{
    private static string? Env(string name) => name == "FASTROUTER_API_KEY" || name == "OPENROUTER_API_KEY" || name == "APPLEROUTER_API_KEY" ? "k" : null;

    private static VideoGenException Refused(int row, params (string Field, string? Value)[] fields)
    {
        var map = fields.ToDictionary(f => f.Field, f => f.Value, StringComparer.OrdinalIgnoreCase);
        return Assert.Throws<VideoGenException>(() => RowPreparer.Prepare(row, map, null, null, Env));
    }

    [Theory]
    [InlineData("FastRouter", "Duration", "7", "4, 5, 6, 8, 10, 12")]
    [InlineData("FastRouter", "Resolution", "4K", "480p, 720p, 1080p")]
    [InlineData("FastRouter", "AspectRatio", "21:9", "16:9")]
    [InlineData("FastRouter", "Mode", "turbo", "std, pro")]
    [InlineData("FastRouter", "Image", "C:\\pics\\cat.png", "http(s) URL")]
    [InlineData("FastRouter", "Size", "1280x720", "only for Sora")]
    [InlineData("OpenRouter", "Mode", "std", "no mode option")]
    [InlineData("OpenRouter", "AspectRatio", "5:3", "21:9")]
    [InlineData("OpenRouter", "Size", "big", "WIDTHxHEIGHT")]
    [InlineData("AppleRouter", "GenerateAudio", "true", "no audio option")]
    [InlineData("AppleRouter", "Duration", "ten", "whole number")]
    public void A_value_the_provider_does_not_document_is_refused_naming_row_and_field(string provider, string field, string value, string hint)
    {
        var ex = Refused(4, ("Provider", provider), ("Prompt", "A prompt"), ("Name", "clip-four"), (field, value));

        Assert.Equal(VideoGenErrorKind.InvalidArgument, ex.Kind);
        Assert.StartsWith("Row 4 ('clip-four')", ex.Message);
        Assert.Contains("field " + field, ex.Message);
        Assert.Contains(hint, ex.Message);
    }

    [Fact]
    public void Sora_takes_its_own_seconds_and_sizes()
    {
        var ex = Refused(1, ("Provider", "FastRouter"), ("Model", "openai/sora-2"), ("Prompt", "p"), ("Duration", "5"));
        Assert.Contains("4, 8, 12", ex.Message);
        var ok = RowPreparer.Prepare(1, new Dictionary<string, string?> { ["Provider"] = "FastRouter", ["Model"] = "openai/sora-2", ["Prompt"] = "p", ["Duration"] = "8", ["Size"] = "1792x1024" }, null, null, Env);
        Assert.Equal(8, ok.Request.Duration);
    }

    [Fact]
    public void An_unknown_model_is_a_warning_not_a_block()
    {
        var prepared = RowPreparer.Prepare(2, new Dictionary<string, string?> { ["Provider"] = "FastRouter", ["Model"] = "newco/brand-new-model", ["Prompt"] = "p" }, null, null, Env);

        Assert.Contains(prepared.Warnings, w => w.Contains("newco/brand-new-model", StringComparison.Ordinal));
    }

    [Fact]
    public void Several_problems_in_one_row_are_all_named()
    {
        var ex = Refused(9, ("Provider", "FastRouter"), ("Prompt", ""), ("Duration", "3"), ("Resolution", "8K"));

        Assert.Contains("field Prompt", ex.Message);
        Assert.Contains("field Duration", ex.Message);
        Assert.Contains("field Resolution", ex.Message);
        Assert.Contains("Nothing was submitted", ex.Message);
    }

    [Fact]
    public void A_missing_key_names_the_parameter_and_the_variable()
    {
        var ex = Assert.Throws<VideoGenException>(() => RowPreparer.Prepare(1, new Dictionary<string, string?> { ["Provider"] = "OpenRouter", ["Prompt"] = "p" }, null, null, _ => null));

        Assert.Equal(VideoGenErrorKind.NoApiKey, ex.Kind);
        Assert.Contains("-ApiKey", ex.Message);
        Assert.Contains("OPENROUTER_API_KEY", ex.Message);
    }

    [Fact]
    public void Without_a_provider_the_one_key_set_decides_and_several_keys_are_ambiguous()
    {
        Assert.Equal(VideoProvider.AppleRouter, EndpointResolver.ResolveProvider(null, false, n => n == "APPLEROUTER_API_KEY" ? "k" : null));
        Assert.Equal(VideoProvider.OpenRouter, EndpointResolver.ResolveProvider(null, false, n => n == "VIDEOGEN_PROVIDER" ? "openrouter" : Env(n)));
        var ex = Assert.Throws<VideoGenException>(() => EndpointResolver.ResolveProvider(null, false, Env));
        Assert.Contains("-Provider", ex.Message);
    }
}
