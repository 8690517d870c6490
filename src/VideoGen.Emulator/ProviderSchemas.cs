using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VideoGen.Emulator;

/// <summary>The JSON type a field must have on the wire.</summary>
internal enum FieldType
{
    /// <summary>A JSON string.</summary>
    String,
    /// <summary>A JSON number without a fraction (a string of digits is not one).</summary>
    Integer,
    /// <summary>Any JSON number.</summary>
    Number,
    /// <summary>true or false (not "yes", not 1).</summary>
    Boolean,
    /// <summary>A JSON array.</summary>
    Array,
    /// <summary>A JSON object.</summary>
    Object,
}

/// <summary>
/// One documented field: its name as spelled in the document, its type, whether it is required, its enum (compared
/// exactly, as a provider that enforces its enum does), and any further rule (returns an error text or null).
/// </summary>
internal sealed record FieldRule(string Name, FieldType Type, bool Required = false, IReadOnlyList<string>? Enum = null,
    IReadOnlyList<long>? IntEnum = null, long? Minimum = null, Func<JsonNode, string?>? Check = null);

/// <summary>
/// The request validation tables, one per provider route, each from the provider document docs/providers.md names for it
/// (its Sources), and the validator that checks a body against one. A request the document would refuse
/// answers 400 here, so a client bug a real provider would refuse fails a test. Unknown fields are refused unless
/// <see cref="EmulatorOptions.AcceptUnknownFields"/> is set (real gateways vary: some ignore, some refuse). Each
/// provider's tables live in its folder (FastRouter/FastRouterSchema.cs, OpenRouter/OpenRouterSchema.cs,
/// AppleRouter/AppleRouterSchema.cs, OpenAIStyle/OpenAIVideosSchema.cs); this part holds what they share.
/// </summary>
internal static partial class ProviderSchemas
{
    /// <summary>Checks a JSON body against a table: the first problem, or null when the document would accept it.</summary>
    public static string? Validate(JsonObject? body, IReadOnlyList<FieldRule> table, bool acceptUnknownFields)
    {
        if (body is null)
        {
            return "the body must be a JSON object";
        }
        foreach (var rule in table.Where(r => r.Required))
        {
            if (!body.TryGetPropertyValue(rule.Name, out var value) || value is null)
            {
                return rule.Name + " is required";
            }
        }
        foreach (var (name, value) in body)
        {
            var rule = table.FirstOrDefault(r => r.Name == name);
            if (rule is null)
            {
                if (acceptUnknownFields)
                {
                    continue;
                }
                var near = table.FirstOrDefault(r => string.Equals(r.Name.Replace("_", "", StringComparison.Ordinal), name.Replace("_", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
                return "unknown field '" + name + "'" + (near is null ? string.Empty : " (did you mean '" + near.Name + "'?)");
            }
            if (value is null)
            {
                continue;
            }
            var problem = CheckValue(rule, value);
            if (problem != null)
            {
                return problem;
            }
        }
        return null;
    }

    private static string? CheckValue(FieldRule rule, JsonNode value)
    {
        var kind = value.GetValueKind();
        var typeOk = rule.Type switch
        {
            FieldType.String => kind == JsonValueKind.String,
            FieldType.Integer => kind == JsonValueKind.Number && value.AsValue().TryGetValue<long>(out _),
            FieldType.Number => kind == JsonValueKind.Number,
            FieldType.Boolean => kind is JsonValueKind.True or JsonValueKind.False,
            FieldType.Array => kind == JsonValueKind.Array,
            _ => kind == JsonValueKind.Object,
        };
        if (!typeOk)
        {
            return rule.Name + " must be " + rule.Type.ToString().ToLowerInvariant() + ", not " + value.ToJsonString();
        }
        if (rule.Enum != null && !rule.Enum.Contains(value.GetValue<string>(), StringComparer.Ordinal))
        {
            return rule.Name + " must be one of " + string.Join(", ", rule.Enum) + ", not '" + value.GetValue<string>() + "'";
        }
        if (rule.IntEnum != null && !rule.IntEnum.Contains(value.GetValue<long>()))
        {
            return rule.Name + " must be one of " + string.Join(", ", rule.IntEnum) + ", not " + value.ToJsonString();
        }
        if (rule.Minimum is long min && value.GetValue<long>() < min)
        {
            return rule.Name + " must be at least " + min.ToString(CultureInfo.InvariantCulture) + ", not " + value.ToJsonString();
        }
        return rule.Check?.Invoke(value) is { } problem ? rule.Name + ": " + problem : null;
    }

    private static string? NotBlank(JsonNode n) => string.IsNullOrWhiteSpace(n.GetValue<string>()) ? "must not be empty" : null;
}
