using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace VideoGen.Commands
{
    /// <summary>Turns PowerShell values (hashtables, arrays, PSObject-wrapped values) into plain .NET values the core writes as JSON.</summary>
    internal static class PlainValues
    {
        public static IDictionary<string, object?>? ToDictionary(IDictionary? table)
        {
            if (table is null)
            {
                return null;
            }
            var result = new Dictionary<string, object?>();
            foreach (DictionaryEntry entry in table)
            {
                result[Unwrap(entry.Key)?.ToString() ?? string.Empty] = Plain(entry.Value);
            }
            return result;
        }

        private static object? Plain(object? value)
        {
            value = Unwrap(value);
            switch (value)
            {
                case null:
                case string _:
                    return value;
                case IDictionary map:
                    return ToDictionary(map);
                case IEnumerable items:
                    var list = new List<object?>();
                    foreach (var item in items)
                    {
                        list.Add(Plain(item));
                    }
                    return list;
                default:
                    return value;
            }
        }

        private static object? Unwrap(object? value) => value is PSObject ps ? ps.BaseObject : value;
    }
}
