using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace VideoGen.Core
{
    /// <summary>Costs added up per unit (credits, USD), for progress lines, summaries and budgets. Thread-safe.</summary>
    public sealed class CostTotals
    {
        private readonly Dictionary<string, decimal> _totals = new Dictionary<string, decimal>(StringComparer.Ordinal);

        /// <summary>Adds a reported cost; nothing when the cost or unit is unknown.</summary>
        public void Add(decimal? cost, string? unit)
        {
            if (cost is decimal value && !string.IsNullOrEmpty(unit))
            {
                lock (_totals)
                {
                    _totals[unit!] = (_totals.TryGetValue(unit!, out var sum) ? sum : 0m) + value;
                }
            }
        }

        /// <summary>The total in one unit (0 when none).</summary>
        public decimal In(string unit)
        {
            lock (_totals)
            {
                return _totals.TryGetValue(unit, out var sum) ? sum : 0m;
            }
        }

        /// <summary>Whether any cost was added.</summary>
        public bool Any
        {
            get
            {
                lock (_totals)
                {
                    return _totals.Count > 0;
                }
            }
        }

        /// <summary>"3 credits, 0.50 USD", or "none" when no provider reported a cost (summaries read "cost reported: none").</summary>
        public override string ToString()
        {
            lock (_totals)
            {
                return _totals.Count == 0 ? "none"
                    : string.Join(", ", _totals.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => Format(p.Value, p.Key)));
            }
        }

        /// <summary>"0.50 USD", "1.5 credits".</summary>
        public static string Format(decimal value, string unit) =>
            (unit == "USD" ? value.ToString("0.00##", CultureInfo.InvariantCulture) : value.ToString("0.##", CultureInfo.InvariantCulture)) + " " + unit;
    }
}
