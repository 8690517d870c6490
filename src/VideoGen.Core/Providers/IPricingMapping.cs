namespace VideoGen.Core.Providers
{
    /// <summary>
    /// What a provider tells about money, for New-Video's budget: whether its submit answer reports a job's cost, and where
    /// it publishes the credit left on a key. A mapping without this interface reports neither (AppleRouter, OpenAI-style
    /// gateways), so -MaxCost there needs a price the user states.
    /// </summary>
    public interface IPricingMapping
    {
        /// <summary>
        /// Whether the submit answer reports the job's cost (FastRouter <c>usage.credits_used</c>, OpenRouter <c>usage.cost</c>;
        /// see docs/providers.md).
        /// </summary>
        bool ReportsCost { get; }

        /// <summary>
        /// The path under the base URI that answers the credit left on the key (OpenRouter <c>key</c>:
        /// https://openrouter.ai/docs/api/api-reference/api-keys/get-current-key), or null where none is published.
        /// </summary>
        string? RemainingCreditPath { get; }

        /// <summary>
        /// Reads the credit left on the key, in the unit of the provider's prices, from the answer at
        /// <see cref="RemainingCreditPath"/>; null where the key has no limit.
        /// </summary>
        /// <exception cref="System.Text.Json.JsonException">The answer is not JSON.</exception>
        decimal? ReadRemainingCredit(string json);
    }
}
