using System.Management.Automation;
using Microsoft.VisualBasic.FileIO;

namespace VideoGen.Tests.Shared;

/// <summary>
/// CSV text as Import-Csv yields it: one PSCustomObject per line after the header, every value a string (a missing
/// trailing field is $null), property names exactly as the header spells them, a leading BOM dropped. Parsed by the
/// framework's TextFieldParser (quoted fields, embedded delimiters and quotes, CRLF), not by hand. Compiled into the
/// engine tests and the child test host (where it backs the Import-Csv stand-in).
/// </summary>
internal static class CsvText
{
    public static List<PSObject> Rows(string text, char delimiter = ',')
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }
        using var parser = new TextFieldParser(new StringReader(text)) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(delimiter.ToString());
        var header = parser.ReadFields() ?? throw new ArgumentException("no header line", nameof(text));
        var rows = new List<PSObject>();
        while (!parser.EndOfData)
        {
            var fields = parser.ReadFields();
            if (fields is null)
            {
                continue;
            }
            var row = new PSObject();
            for (var i = 0; i < header.Length; i++)
            {
                row.Properties.Add(new PSNoteProperty(header[i], i < fields.Length ? fields[i] : null));
            }
            rows.Add(row);
        }
        return rows;
    }
}
