using System;
using System.Collections.Generic;
using System.Globalization;

namespace VideoGen.Core.Submitting
{
    /// <summary>
    /// New-Video's -MaxCost: the cost of the jobs one command creates, per provider, in the provider's unit (FastRouter
    /// credits, OpenRouter USD), against a limit. A budget it cannot count is refused, never ignored: a row is priced by
    /// -PricePerJob where given, else by the estimate from the provider's published prices (OpenRouter), else by the cost
    /// the provider reports in its submit answer (FastRouter); a provider with none of these (AppleRouter, an
    /// OpenAI-style gateway) is refused before its first paid row, and a reported cost that does not come stops further rows.
    /// </summary>
    /// <remarks>
    /// Thread-safe: rows are priced on the pipeline thread (<see cref="Price"/>), reserved by the worker holding the
    /// slot (<see cref="Reserve"/>, so with -ThrottleLimit 1 the stop is exact), and settled when the answer is read.
    /// </remarks>
    public sealed class Budget
    {
        private readonly object _gate = new object();
        private readonly Dictionary<VideoProvider, decimal> _spent = new Dictionary<VideoProvider, decimal>();
        private readonly Dictionary<VideoProvider, string> _uncountable = new Dictionary<VideoProvider, string>();

        /// <summary>Creates a budget.</summary>
        /// <param name="maxCost">The limit (-MaxCost), or null for none: then every method lets everything through.</param>
        /// <param name="pricePerJob">The price of one job the user states (-PricePerJob), used where the provider gives none.</param>
        public Budget(decimal? maxCost, decimal? pricePerJob = null)
        {
            MaxCost = maxCost;
            PricePerJob = pricePerJob;
        }

        /// <summary>The limit, or null.</summary>
        public decimal? MaxCost { get; }

        /// <summary>The price of one job the user stated, or null.</summary>
        public decimal? PricePerJob { get; }

        /// <summary>
        /// The amount to reserve for a row before it is paid for: <see cref="PricePerJob"/>, else <paramref name="estimate"/>;
        /// null where the provider reports the cost in its answer (counted then by <see cref="Settle"/>), and without a budget.
        /// </summary>
        /// <param name="provider">The row's provider.</param>
        /// <param name="estimate">The estimate from the provider's published prices, or null.</param>
        /// <param name="reportsCost">Whether the provider reports a job's cost in its submit answer.</param>
        /// <param name="label">The row, for the message.</param>
        /// <exception cref="VideoGenException">QuotaExceeded: the cost of this row cannot be counted, or the budget is reached; nothing was sent.</exception>
        public decimal? Price(VideoProvider provider, decimal? estimate, bool reportsCost, string label)
        {
            if (!(MaxCost is decimal max))
            {
                return null;
            }
            lock (_gate)
            {
                if (_uncountable.TryGetValue(provider, out var why))
                {
                    throw Uncountable(label, why);
                }
                if (SpentLocked(provider) >= max)
                {
                    throw Reached(label, provider);
                }
            }
            if (PricePerJob is decimal stated)
            {
                return stated;
            }
            if (estimate is decimal e)
            {
                return e;
            }
            if (reportsCost)
            {
                // Counted when the answer reports it (Settle).
                return null;
            }
            throw Uncountable(label, provider + " reports no price for its jobs and none is published for this model");
        }

        /// <summary>
        /// In the worker holding the slot, just before sending: refuses when the budget is reached, else counts
        /// <paramref name="amount"/> as spent.
        /// </summary>
        /// <exception cref="BudgetReachedException">The budget is reached (by jobs answered since the row was priced).</exception>
        public void Reserve(VideoProvider provider, decimal? amount)
        {
            if (!(MaxCost is decimal max))
            {
                return;
            }
            lock (_gate)
            {
                if (_uncountable.ContainsKey(provider) || SpentLocked(provider) >= max)
                {
                    throw new BudgetReachedException();
                }
                _spent[provider] = SpentLocked(provider) + (amount ?? 0m);
            }
        }

        /// <summary>
        /// After the answer: the reported cost replaces what was reserved (<paramref name="reserved"/>, null where the cost was
        /// left to the answer). Where the cost was left to the answer and none came, the budget can no longer be counted for that provider: later rows are refused.
        /// </summary>
        /// <param name="provider">The provider.</param>
        /// <param name="reserved">What <see cref="Price"/> gave for the request (and <see cref="Reserve"/> counted), or null.</param>
        /// <param name="reported">The cost the provider reported, or null.</param>
        /// <param name="what">The job or request whose cost this is, for the message, e.g. <c>task abc</c>.</param>
        /// <returns>False when the budget became uncountable for <paramref name="provider"/> by this answer.</returns>
        public bool Settle(VideoProvider provider, decimal? reserved, decimal? reported, string what)
        {
            if (MaxCost is null)
            {
                return true;
            }
            lock (_gate)
            {
                if (reported is decimal cost)
                {
                    _spent[provider] = SpentLocked(provider) - (reserved ?? 0m) + cost;
                    return true;
                }
                if (reserved != null)
                {
                    return true;
                }
                _uncountable[provider] = "the cost of " + what + " at " + provider + " is not known";
                return false;
            }
        }

        /// <summary>What the jobs of <paramref name="provider"/> cost so far (reported, or reserved where not reported yet).</summary>
        internal decimal Spent(VideoProvider provider)
        {
            lock (_gate)
            {
                return SpentLocked(provider);
            }
        }

        /// <summary>Whether no further row of <paramref name="provider"/> may be sent.</summary>
        internal bool IsReached(VideoProvider provider)
        {
            if (!(MaxCost is decimal max))
            {
                return false;
            }
            lock (_gate)
            {
                return _uncountable.ContainsKey(provider) || SpentLocked(provider) >= max;
            }
        }

        /// <summary>The error for a row not sent because the budget is reached or cannot be counted.</summary>
        public VideoGenException Refusal(string label, VideoProvider provider)
        {
            lock (_gate)
            {
                return _uncountable.TryGetValue(provider, out var why) ? Uncountable(label, why) : Reached(label, provider);
            }
        }

        private decimal SpentLocked(VideoProvider provider) => _spent.TryGetValue(provider, out var s) ? s : 0m;

        private VideoGenException Reached(string label, VideoProvider provider) =>
            new VideoGenException(VideoGenErrorKind.QuotaExceeded,
                label + " was not submitted: the budget -MaxCost " + Format(MaxCost) + " is reached by the jobs this command created at " + provider +
                " (" + Format(SpentLocked(provider)) + " so far). Raise -MaxCost, or run the rows left another time.");

        private VideoGenException Uncountable(string label, string why) =>
            new VideoGenException(VideoGenErrorKind.QuotaExceeded,
                label + " was not submitted: -MaxCost " + Format(MaxCost) + " cannot be enforced, because " + why + ". Give the price of one job in the provider's unit with -PricePerJob " +
                "(from the provider's price list), or leave out -MaxCost to submit without a budget.");

        private static string Format(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
    }

    /// <summary>A row not sent because the budget was reached while it waited for a slot.</summary>
    public sealed class BudgetReachedException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public BudgetReachedException()
            : base("The budget is reached.")
        {
        }
    }
}
