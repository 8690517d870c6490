using System.Runtime.InteropServices;
using VideoGen.Core.Storage;
using VideoGen.Isolation;

namespace VideoGen.Module.Tests;

/// <summary>
/// SQLite's native library: which build (RID) a process needs, where the module keeps it, and what Windows PowerShell 5.1
/// would load. Windows cannot run here, so the 5.1 path is checked as the pure decision <see cref="SqliteNative.PreloadPath"/>.
/// </summary>
public sealed class SqliteNativeTests : IDisposable
{
    private static readonly OSPlatform FreeBsd = OSPlatform.Create("FREEBSD");
    private readonly string _dependencies = Path.Combine(Path.GetTempPath(), "videogen-native-" + Guid.NewGuid().ToString("N"), "dependencies");

    public void Dispose()
    {
        var module = Path.GetDirectoryName(_dependencies)!;
        if (Directory.Exists(module))
        {
            Directory.Delete(module, true);
        }
    }

    private static OSPlatform Os(string name) => name switch
    {
        "windows" => OSPlatform.Windows,
        "linux" => OSPlatform.Linux,
        "osx" => OSPlatform.OSX,
        _ => OSPlatform.Create(name.ToUpperInvariant()),
    };

    [Theory]
    [InlineData("windows", Architecture.X86, false, "win-x86")]
    [InlineData("windows", Architecture.X64, false, "win-x64")]
    [InlineData("windows", Architecture.Arm64, false, "win-arm64")]
    [InlineData("linux", Architecture.X64, false, "linux-x64")]
    [InlineData("linux", Architecture.Arm64, false, "linux-arm64")]
    [InlineData("linux", Architecture.X64, true, "linux-musl-x64")]
    [InlineData("linux", Architecture.Arm64, true, "linux-musl-arm64")]
    [InlineData("osx", Architecture.X64, false, "osx-x64")]
    [InlineData("osx", Architecture.Arm64, false, "osx-arm64")]
    [InlineData("windows", Architecture.X64, true, "win-x64")] // musl means nothing off Linux
    [InlineData("osx", Architecture.Arm64, true, "osx-arm64")]
    public void Each_claimed_platform_gets_its_RID(string os, Architecture architecture, bool musl, string expected) =>
        Assert.Equal(expected, SqliteNative.RuntimeIdentifier(Os(os), architecture, musl));

    [Theory]
    [InlineData("linux", Architecture.S390x, false)]
    [InlineData("linux", Architecture.S390x, true)]
    [InlineData("linux", Architecture.Arm, false)] // linux-arm: the package has it, the module does not claim it
    [InlineData("linux", Architecture.Arm, true)]
    [InlineData("linux", Architecture.X86, false)]
    [InlineData("linux", Architecture.RiscV64, false)]
    [InlineData("linux", Architecture.LoongArch64, false)]
    [InlineData("linux", Architecture.Ppc64le, false)]
    [InlineData("windows", Architecture.Arm, false)]
    [InlineData("osx", Architecture.X86, false)]
    [InlineData("freebsd", Architecture.X64, false)]
    [InlineData("browser", Architecture.Wasm, false)]
    public void Unsupported_platforms_get_no_RID(string os, Architecture architecture, bool musl) =>
        Assert.Null(SqliteNative.RuntimeIdentifier(Os(os), architecture, musl));

    [Fact]
    public void The_claimed_list_is_exactly_what_the_rule_can_answer()
    {
        var answers = new HashSet<string>();
        foreach (var os in new[] { OSPlatform.Windows, OSPlatform.Linux, OSPlatform.OSX, FreeBsd })
        {
            foreach (var architecture in Enum.GetValues<Architecture>())
            {
                foreach (var musl in new[] { false, true })
                {
                    var rid = SqliteNative.RuntimeIdentifier(os, architecture, musl);
                    if (rid != null)
                    {
                        answers.Add(rid);
                    }
                }
            }
        }

        Assert.Equal(9, SqliteNative.ClaimedRuntimeIdentifiers.Count);
        Assert.Equal(SqliteNative.ClaimedRuntimeIdentifiers.OrderBy(r => r, StringComparer.Ordinal), answers.OrderBy(r => r, StringComparer.Ordinal));
    }

    [Fact]
    public void The_native_file_is_named_per_OS()
    {
        Assert.Equal("e_sqlite3.dll", SqliteNative.NativeFileName(OSPlatform.Windows));
        Assert.Equal("libe_sqlite3.so", SqliteNative.NativeFileName(OSPlatform.Linux));
        Assert.Equal("libe_sqlite3.dylib", SqliteNative.NativeFileName(OSPlatform.OSX));
        Assert.Null(SqliteNative.NativeFileName(FreeBsd));
    }

    [Theory]
    [InlineData("win-x86", "e_sqlite3.dll")]
    [InlineData("win-x64", "e_sqlite3.dll")]
    [InlineData("win-arm64", "e_sqlite3.dll")]
    [InlineData("linux-x64", "libe_sqlite3.so")]
    [InlineData("linux-arm64", "libe_sqlite3.so")]
    [InlineData("linux-musl-x64", "libe_sqlite3.so")]
    [InlineData("linux-musl-arm64", "libe_sqlite3.so")]
    [InlineData("osx-x64", "libe_sqlite3.dylib")]
    [InlineData("osx-arm64", "libe_sqlite3.dylib")]
    public void The_native_path_is_under_runtimes_rid_native(string rid, string file) =>
        Assert.Equal(Path.Combine(_dependencies, "runtimes", rid, "native", file), SqliteNative.NativeLibraryPath(_dependencies, rid));

    [Theory]
    [InlineData("linux-s390x")]
    [InlineData("linux-arm")]
    [InlineData("win")]
    [InlineData("../win-x64")]
    [InlineData("")]
    public void No_path_for_an_RID_the_module_does_not_claim(string rid) =>
        Assert.Null(SqliteNative.NativeLibraryPath(_dependencies, rid));

    [Theory]
    [InlineData(".NET Framework 4.8.9290.0", "win-x64")]
    [InlineData(".NET Framework 4.8.4700.0", "win-x86")] // 32-bit Windows PowerShell on 64-bit Windows
    [InlineData(".NET Framework 4.8.9290.0", "win-arm64")]
    public void Windows_PowerShell_preloads_the_dll_of_its_RID_by_full_path(string framework, string rid)
    {
        var path = SqliteNative.PreloadPath(framework, _dependencies, rid);

        Assert.Equal(Path.Combine(_dependencies, "runtimes", rid, "native", "e_sqlite3.dll"), path);
        Assert.True(Path.IsPathFullyQualified(path!));
    }

    [Theory]
    [InlineData(".NET 10.0.1")]
    [InlineData(".NET 8.0.22")]
    [InlineData(".NET Core 3.1.32")]
    public void On_NET_nothing_is_preloaded_the_load_context_answers(string framework) =>
        Assert.Null(SqliteNative.PreloadPath(framework, _dependencies, "linux-x64"));

    [Fact]
    public void Windows_PowerShell_on_an_unsupported_platform_is_told_which_RIDs_are_shipped()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => SqliteNative.PreloadPath(".NET Framework 4.8.9290.0", _dependencies, null));

        Assert.Contains("win-x64", ex.Message, StringComparison.Ordinal);
        Assert.Contains("linux-musl-arm64", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Musl_is_decided_by_the_loader_in_the_process_then_the_runtime_RID_then_the_installed_loader()
    {
        string[] musl = ["7f00-7f01 r-xp 00000000 08:01 1 /lib/ld-musl-x86_64.so.1"];
        string[] glibc = ["7f00-7f01 r--p 00000000 08:01 1 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"];

        Assert.True(SqliteNativeLayout.IsMusl(musl, "linux-x64", muslLoaderInstalled: false));
        Assert.False(SqliteNativeLayout.IsMusl(glibc, "linux-musl-x64", muslLoaderInstalled: true)); // Debian with the musl package installed
        Assert.True(SqliteNativeLayout.IsMusl(null, "linux-musl-arm64", muslLoaderInstalled: false));
        Assert.False(SqliteNativeLayout.IsMusl([], "linux-x64", muslLoaderInstalled: true));
        Assert.True(SqliteNativeLayout.IsMusl(null, null, muslLoaderInstalled: true));
        Assert.False(SqliteNativeLayout.IsMusl(null, null, muslLoaderInstalled: false));
    }

    [Fact]
    public void This_process_has_a_claimed_RID_matching_its_OS_and_architecture()
    {
        var rid = SqliteNative.CurrentRuntimeIdentifier;

        Assert.NotNull(rid);
        Assert.Contains(rid, SqliteNative.ClaimedRuntimeIdentifiers);
        Assert.EndsWith("-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(), rid, StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal), rid!.StartsWith("linux-musl-", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("e_sqlite3")]
    [InlineData("e_sqlite3.dll")]
    [InlineData("libe_sqlite3")]
    [InlineData("libe_sqlite3.so")]
    [InlineData("libe_sqlite3.dylib")]
    public void The_load_context_answers_every_spelling_of_e_sqlite3_with_the_same_file(string name)
    {
        var expected = SqliteNative.NativeLibraryPath(_dependencies, SqliteNative.CurrentRuntimeIdentifier!)!;
        Directory.CreateDirectory(Path.GetDirectoryName(expected)!);
        File.WriteAllText(expected, "stand-in");

        Assert.Equal(expected, VideoGenLoadContext.NativeLibraryPath(_dependencies, name));
    }

    [Theory]
    [InlineData("libc")]
    [InlineData("sqlite3")]
    [InlineData("libsqlite3.so")]
    [InlineData("e_sqlite3x")]
    [InlineData("")]
    public void The_load_context_leaves_other_native_libraries_to_the_runtime(string name)
    {
        var expected = SqliteNative.NativeLibraryPath(_dependencies, SqliteNative.CurrentRuntimeIdentifier!)!;
        Directory.CreateDirectory(Path.GetDirectoryName(expected)!);
        File.WriteAllText(expected, "stand-in");

        Assert.Null(VideoGenLoadContext.NativeLibraryPath(_dependencies, name));
    }

    [Fact]
    public void The_load_context_does_not_answer_for_a_missing_file() =>
        Assert.Null(VideoGenLoadContext.NativeLibraryPath(_dependencies, "e_sqlite3"));

    /// <summary>Outside the module layout (this test host), .NET resolves e_sqlite3 through deps.json; EnsureLoaded adds nothing and may be called from any thread.</summary>
    [Fact]
    public void EnsureLoaded_is_idempotent_across_threads_and_SQLite_opens_in_WAL_mode()
    {
        Parallel.For(0, 8, _ => SqliteNative.EnsureLoaded());
        Directory.CreateDirectory(_dependencies);
        var database = Path.Combine(_dependencies, "probe.db");

        var first = SqliteNative.Probe(database);
        var second = SqliteNative.Probe(database);

        Assert.StartsWith("3.", first.Version, StringComparison.Ordinal);
        Assert.Equal("wal", first.JournalMode);
        Assert.Equal("wal", second.JournalMode);
    }
}
