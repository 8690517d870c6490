using System.Collections.Concurrent;
using Microsoft.VisualBasic.FileIO;
using VideoGen.Core;
using VideoGen.Core.Downloading;
using VideoGen.Core.Http;
using VideoGen.Core.Waiting;
using VideoGen.Emulator;

namespace VideoGen.Core.Tests;

/// <summary>The repository root, found from the test binaries.</summary>
internal static class Repo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VideoGen.sln")))
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
    public static void AssertMp4(string path)
    {
        Assert.True(File.Exists(path), "missing " + path);
        using var file = File.OpenRead(path);
        var header = new byte[8];
        Assert.Equal(8, file.Read(header, 0, 8));
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(header, 4, 4));
    }
}

/// <summary>One emulator for a test class; tests that change its switches put them back.</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public EmulatorServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await EmulatorServer.StartAsync(new EmulatorOptions { ApiKey = TestClient.Key, JobDuration = TimeSpan.FromSeconds(1) });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>A <see cref="TestClient"/> against an in-process emulator.</summary>
internal static class Pipelines
{
    public static TestClient For(EmulatorServer server, PollPolicy? policy = null) =>
        new(new Dictionary<VideoProvider, Uri>
        {
            [VideoProvider.FastRouter] = server.BaseUriFor("FastRouter"),
            [VideoProvider.OpenRouter] = server.BaseUriFor("OpenRouter"),
            [VideoProvider.AppleRouter] = server.BaseUriFor("AppleRouter"),
            [VideoProvider.OpenAICompatible] = server.BaseUriFor("OpenAICompatible"),
        }, TestClient.Key, null, policy);
}
