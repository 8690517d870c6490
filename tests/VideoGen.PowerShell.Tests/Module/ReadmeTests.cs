using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// The README's emulator section and quick start, pasted as written: the emulator started with the README's
/// <c>dotnet run --project ...</c> line (on a free port, from the build the tests already made), every <c>$env:</c> line it
/// printed pasted into a second PowerShell process, then the README's commands in that process from a folder laid out
/// like a clone. The second process is the child test host (the PowerShell 7.6 engine, nothing imported, with an
/// Import-Csv stand-in backed by a real CSV parser): nothing of this test process's environment reaches it but what the
/// README says to set.
/// </summary>
public class ReadmeTests
{
    private static readonly string[] KeyedVariables =
    [
        "FASTROUTER_API_KEY", "OPENROUTER_API_KEY", "APPLEROUTER_API_KEY", "OPENAICOMPATIBLE_API_KEY",
        "VIDEOGEN_FASTROUTER_BASE_URI", "VIDEOGEN_OPENROUTER_BASE_URI", "VIDEOGEN_APPLEROUTER_BASE_URI", "VIDEOGEN_OPENAICOMPATIBLE_BASE_URI",
        "VIDEOGEN_PROVIDER",
    ];

    [Fact]
    public async Task The_emulator_section_works_pasted_as_written()
    {
        var section = Section("## The emulator");
        var blocks = CodeBlocks(section);
        var start = Assert.Single(blocks[0].Lines);
        var printed = blocks.Single(b => b.Language == "text").Lines;
        var commands = blocks.Where(b => b.Language == "powershell").Skip(1).First().Lines;
        await using var emulator = await ReadmeEmulator.StartAsync(start);
        // The lines the README shows are lines the emulator prints (with its port in place of the README's).
        Assert.NotEmpty(printed);
        Assert.All(printed, line => Assert.Contains(emulator.Port(line), emulator.PowerShellLines));
        using var clone = new CloneLayout();

        var run = await clone.PasteAsync(string.Join("\n", emulator.PowerShellLines.Concat(WithoutBuild(commands))));

        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = Csv.File(Repo.File("examples", "prompts.csv"));
        clone.AssertVideos(Path.Combine("out", "try"), rows);
        // Every row was paid for once, at the emulator the README started: the pasted lines were the only configuration.
        Assert.Equal(rows.Count, await emulator.SubmissionsAsync());
        Assert.DoesNotContain("emulator-key", run.Output + run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_quick_start_works_pasted_as_written_with_the_provider_address_pointed_at_the_emulator()
    {
        var commands = CodeBlocks(Section("## Quick start with a real key")).First(b => b.Language == "powershell").Lines;
        var keyLine = Assert.Single(commands, l => l.StartsWith("$env:FASTROUTER_API_KEY = '<your key>'", StringComparison.Ordinal));
        await using var emulator = await ReadmeEmulator.StartAsync("dotnet run --project src/VideoGen.Emulator -- --port 41001 --key emulator-key");
        using var clone = new CloneLayout();
        // The only stand-in: FastRouter's address is the emulator's, not https://api.fastrouter.ai; the key is the emulator's.
        var pasted = WithoutBuild(commands).Select(l => l == keyLine ? l.Replace("<your key>", "emulator-key", StringComparison.Ordinal) : l);

        var run = await clone.PasteAsync(string.Join("\n", pasted), ("VIDEOGEN_FASTROUTER_BASE_URI", emulator.BaseUri(0)));

        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = Csv.File(Repo.File("examples", "prompts.csv"));
        clone.AssertVideos("videos", rows);
        Assert.Equal(rows.Count, await emulator.SubmissionsAsync());
        Assert.DoesNotContain("emulator-key", run.Output + run.Errors, StringComparison.Ordinal);
    }

    /// <summary>The block's lines but ./build.ps1: the tests run on the build already made (and the engine has no Utility cmdlets the script needs).</summary>
    private static IEnumerable<string> WithoutBuild(IEnumerable<string> lines) =>
        lines.Where(l => !l.TrimStart().StartsWith("./build.ps1", StringComparison.Ordinal));

    private static string Section(string heading)
    {
        var readme = File.ReadAllText(Repo.File("README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var at = readme.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(at >= 0, "README.md has no section " + heading);
        var next = readme.IndexOf("\n## ", at + heading.Length + 1, StringComparison.Ordinal);
        return next < 0 ? readme[at..] : readme[at..next];
    }

    private static List<(string Language, List<string> Lines)> CodeBlocks(string markdown) =>
        Regex.Matches(markdown, "```(\\w+)\\n(.*?)\\n```", RegexOptions.Singleline)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value.Split('\n').Where(l => l.Trim().Length > 0).ToList()))
            .ToList();

    /// <summary>The emulator as the README starts it, in a process of its own, and what it printed.</summary>
    private sealed class ReadmeEmulator : IAsyncDisposable
    {
        private const int ReadmePort = 41001;
        private readonly Process _process;
        private readonly int _port;

        private ReadmeEmulator(Process process, int port, List<string> lines)
        {
            _process = process;
            _port = port;
            PowerShellLines = lines;
        }

        /// <summary>Every <c>$env:</c> line it printed, in order.</summary>
        public List<string> PowerShellLines { get; }

        /// <summary>A README line with the README's ports (41001 and up) replaced by this emulator's.</summary>
        public string Port(string readmeLine) =>
            Regex.Replace(readmeLine, "127\\.0\\.0\\.1:4100([1-3])", m => "127.0.0.1:" + (_port + int.Parse(m.Groups[1].Value) - 1));

        /// <summary>The base URI of the port at <paramref name="offset"/> (0 FastRouter, 1 OpenRouter, 2 AppleRouter).</summary>
        public string BaseUri(int offset) => "http://127.0.0.1:" + (_port + offset) + "/";

        /// <summary>Jobs created so far, from GET /_emulator/stats.</summary>
        public async Task<int> SubmissionsAsync()
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using var stats = JsonDocument.Parse(await http.GetStringAsync(BaseUri(0) + "_emulator/stats"));
            return stats.RootElement.GetProperty("submissions").GetInt32();
        }

        /// <summary>
        /// Runs the README's <c>dotnet run --project &lt;project&gt; -- &lt;arguments&gt;</c> line from the repository root, with
        /// --no-build and the tests' configuration (the project is built) and a free port for 41001.
        /// </summary>
        public static async Task<ReadmeEmulator> StartAsync(string readmeCommand)
        {
            var match = Regex.Match(readmeCommand, "^dotnet run --project (\\S+) -- (.+)$");
            Assert.True(match.Success, "not the dotnet run line the test knows: " + readmeCommand);
            var arguments = match.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
            var portAt = arguments.IndexOf("--port");
            Assert.True(portAt >= 0 && arguments[portAt + 1] == ReadmePort.ToString(), "the README starts the emulator on --port " + ReadmePort);
            var port = FreePorts(3);
            arguments[portAt + 1] = port.ToString();
            var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Repo.Root, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in (string[])["run", "--project", match.Groups[1].Value, "--no-build", "-c", ChildHost.Configuration, "--"])
            {
                info.ArgumentList.Add(a);
            }
            arguments.ForEach(info.ArgumentList.Add);
            var process = Process.Start(info)!;
            var lines = new List<string>();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            try
            {
                // Eight $env: lines: a base URI and a key for each of the four providers.
                while (lines.Count < 8)
                {
                    var left = deadline - DateTime.UtcNow;
                    // WaitAsync bounds the read whatever the pipe's kind (a synchronous pipe ignores a token).
                    var line = await process.StandardOutput.ReadLineAsync().WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero)
                        ?? throw new InvalidOperationException("the emulator ended: " + await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10)));
                    if (line.StartsWith("$env:", StringComparison.Ordinal))
                    {
                        lines.Add(line);
                    }
                }
            }
            catch
            {
                process.Kill(entireProcessTree: true);
                process.Dispose();
                throw;
            }
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            return new ReadmeEmulator(process, port, lines);
        }

        /// <summary>A port p such that p .. p+count-1 are all free on loopback now.</summary>
        private static int FreePorts(int count)
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                var first = new TcpListener(IPAddress.Loopback, 0);
                first.Start();
                var port = ((IPEndPoint)first.LocalEndpoint).Port;
                var held = new List<TcpListener> { first };
                try
                {
                    for (var i = 1; i < count; i++)
                    {
                        var next = new TcpListener(IPAddress.Loopback, port + i);
                        next.Start();
                        held.Add(next);
                    }
                    return port;
                }
                catch (SocketException)
                {
                }
                finally
                {
                    held.ForEach(l => l.Stop());
                }
            }
            throw new InvalidOperationException("no three free ports in a row on loopback");
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            _process.Dispose();
        }
    }

    /// <summary>
    /// A temporary folder laid out like the root of a clone after ./build.ps1, for the README's relative paths
    /// (./out/VideoGen/VideoGen.psd1, examples/prompts.csv): links to the repository's, so output stays in the folder.
    /// </summary>
    private sealed class CloneLayout : IDisposable
    {
        public CloneLayout()
        {
            Root = Path.Combine(Path.GetTempPath(), "vg-readme-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(Path.Combine(Root, "out"));
            try
            {
                Directory.CreateSymbolicLink(Path.Combine(Root, "out", "VideoGen"), Path.Combine(Repo.Root, "out", "VideoGen"));
                Directory.CreateSymbolicLink(Path.Combine(Root, "examples"), Repo.File("examples"));
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public string Root { get; }

        /// <summary>
        /// Runs the pasted lines in a new PowerShell process at the clone's root: its environment is this one's without any
        /// provider key, base URI or VIDEOGEN_PROVIDER, plus <paramref name="environment"/>, and a journal of the test's own.
        /// </summary>
        public Task<ChildRun> PasteAsync(string pasted, params (string Name, string Value)[] environment)
        {
            var variables = KeyedVariables.Select(name => new KeyValuePair<string, string?>(name, null))
                .Concat(environment.Select(e => new KeyValuePair<string, string?>(e.Name, e.Value)))
                .Append(new KeyValuePair<string, string?>("VIDEOGEN_JOURNAL_PATH", Path.Combine(Root, "journal.db")));
            // The engine starts at the process's working directory, the clone's root: no Set-Location (a Management cmdlet) needed.
            return ChildHost.RunAsync(pasted, Root, variables, TimeSpan.FromSeconds(120));
        }

        /// <summary>One playable MP4 per row, named after the row, in <paramref name="folder"/> (relative to the clone).</summary>
        public void AssertVideos(string folder, List<System.Management.Automation.PSObject> rows)
        {
            var directory = Path.Combine(Root, folder);
            Assert.Equal(rows.Count, Directory.GetFiles(directory, "*.mp4").Length);
            foreach (var row in rows)
            {
                Mp4.AssertMp4(Path.Combine(directory, row.Text("Name") + ".mp4"));
            }
        }

        public void Dispose()
        {
            try
            {
                // The links first, on their own (Directory.Delete of a link removes the link only), so nothing can reach
                // through them into the repository.
                foreach (var link in new[] { Path.Combine(Root, "out", "VideoGen"), Path.Combine(Root, "examples") })
                {
                    if (new DirectoryInfo(link).LinkTarget != null)
                    {
                        Directory.Delete(link);
                    }
                }
                Directory.Delete(Root, true);
            }
            catch (IOException)
            {
            }
        }
    }
}
