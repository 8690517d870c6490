using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using VideoGen.Core.Http;
using VideoGen.Core.Providers;

namespace VideoGen.Core.Submitting
{
    /// <summary>
    /// Before paying, where the provider publishes the credit left on the key (OpenRouter <c>GET /api/v1/key</c> →
    /// <c>limit_remaining</c>): asks once per endpoint and key, then refuses a row once the estimates of the rows this
    /// command sent there, this one included, exceed that credit. Rows arrive one by one, so "the batch" is every row up to
    /// the refused one; the rows after it are refused too. A key without a limit, a row without an estimate, or a provider
    /// that publishes nothing is let through; an answer that cannot be read is said in verbose text and let through.
    /// </summary>
    /// <remarks>Pipeline thread only.</remarks>
    public sealed class CreditCheck
    {
        private readonly Dictionary<string, Credit> _credits = new Dictionary<string, Credit>(StringComparer.Ordinal);

        /// <summary>
        /// Adds <paramref name="request"/>'s estimate to what this command will spend at its endpoint, and refuses it where that
        /// exceeds the credit left on the key.
        /// </summary>
        /// <exception cref="VideoGenException">QuotaExceeded: the estimate exceeds the credit left; nothing was sent.</exception>
        public async Task CheckAsync(VideoGenClient client, PaidRequest request, IVideoGenLog? log, CancellationToken cancellationToken)
        {
            if (client is null || request is null)
            {
                throw new ArgumentNullException(client is null ? nameof(client) : nameof(request));
            }
            if (!(request.Endpoint.Mapping is IPricingMapping pricing) || pricing.RemainingCreditPath is null || !(request.Estimate is decimal estimate))
            {
                return;
            }
            var key = request.Endpoint.ToString() + "\u0000" + request.Endpoint.ApiKey.GetHashCode().ToString(CultureInfo.InvariantCulture);
            if (!_credits.TryGetValue(key, out var credit))
            {
                credit = new Credit(await ReadAsync(client, request.Endpoint, pricing, log, cancellationToken).ConfigureAwait(false));
                _credits[key] = credit;
            }
            if (!(credit.Remaining is decimal remaining))
            {
                return;
            }
            if (credit.Estimated + estimate > remaining)
            {
                throw new VideoGenException(VideoGenErrorKind.QuotaExceeded, string.Format(CultureInfo.InvariantCulture,
                    "{0} was not submitted: the key has {1} USD of credit left ({2} limit_remaining), and the rows of this command sent there would cost an estimated {3} USD with this one. " +
                    "Add credit or raise the key's limit, submit fewer rows, or pass -Force to submit anyway.",
                    request.Label, remaining, request.Provider, credit.Estimated + estimate));
            }
            credit.Estimated += estimate;
        }

        private static async Task<decimal?> ReadAsync(VideoGenClient client, ProviderEndpoint endpoint, IPricingMapping pricing, IVideoGenLog? log, CancellationToken cancellationToken)
        {
            try
            {
                var json = await client.GetTextAsync(endpoint, pricing.RemainingCreditPath!, log, cancellationToken).ConfigureAwait(false);
                var remaining = pricing.ReadRemainingCredit(json);
                log?.Verbose(endpoint.Provider + " key: " + (remaining is decimal r ? r.ToString(CultureInfo.InvariantCulture) + " USD of credit left." : "no credit limit."));
                return remaining;
            }
            catch (Exception ex) when (ex is VideoGenException || ex is System.Text.Json.JsonException || ex is FormatException || ex is OverflowException)
            {
                log?.Verbose("The credit left on the " + endpoint.Provider + " key could not be read, so it is not checked: " + ex.Message);
                return null;
            }
        }

        private sealed class Credit
        {
            public Credit(decimal? remaining) => Remaining = remaining;

            public decimal? Remaining { get; }

            public decimal Estimated { get; set; }
        }
    }
}
