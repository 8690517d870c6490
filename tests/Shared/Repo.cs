using Microsoft.VisualBasic.FileIO;

namespace VideoGen.Tests;

/// <summary>The repository root, found from the test binaries, and what both test projects read from it (one copy, linked into each).</summary>
internal static class Repo
{
    public static string Root { get; } = Find();

    /// <summary>out/VideoGen/VideoGen.psd1: the manifest, imported as Import-Module would.</summary>
    public static string Manifest => Path.Combine(Root, "out", "VideoGen", "VideoGen.psd1");

    /// <summary>A path under the repository root.</summary>
    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "VideoGen.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("VideoGen.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Reads a CSV the way Import-Csv does: the first line names the columns; quoted fields may hold commas.</summary>
    public static List<Dictionary<string, string?>> ReadCsv(string path)
    {
        using var parser = new TextFieldParser(path) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var header = parser.ReadFields()!;
        var rows = new List<Dictionary<string, string?>>();
        while (!parser.EndOfData)
        {
            var fields = parser.ReadFields()!;
            var row = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < header.Length; i++)
            {
                row[header[i]] = i < fields.Length ? fields[i] : null;
            }
            rows.Add(row);
        }
        return rows;
    }
}

/// <summary>Assertions on saved files.</summary>
internal static class Mp4
{
    /// <summary>The bytes start like an MP4: a box header whose type is <c>ftyp</c>.</summary>
    public static void AssertHeader(byte[] bytes) => Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(bytes, 4, 4));

    /// <summary>The file exists and starts like an MP4.</summary>
    public static void AssertMp4(string path)
    {
        Assert.True(System.IO.File.Exists(path), "missing " + path);
        using var file = System.IO.File.OpenRead(path);
        var header = new byte[8];
        Assert.Equal(8, file.Read(header, 0, 8));
        AssertHeader(header);
    }
}
