using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>How a script reaches VideoGen.Core's SqliteNative in the module as loaded (VideoGen's load context on PowerShell 7).</summary>
internal static class SqliteNativeScript
{
    /// <summary>Sets $core (VideoGen.Core, through the default context's hand-over to VideoGen's) and $native (its SqliteNative type).</summary>
    public const string Types = @"
        $core = [System.Reflection.Assembly]::Load('VideoGen.Core')
        $native = $core.GetType('VideoGen.Core.Storage.SqliteNative', $true)
    ";
}

/// <summary>
/// SQLite's native library (e_sqlite3) on the real PowerShell 7.6 engine: after Import-Module of out/VideoGen, code in
/// VideoGen's load context opens a database, because the context answers e_sqlite3 from
/// dependencies/runtimes/&lt;rid&gt;/native/. This test host references no SQLite package, so nothing else could.
/// </summary>
public class SqliteNativeTests
{
    [Fact]
    public void After_Import_Module_SQLite_opens_in_WAL_mode_with_the_native_library_from_the_module_folder()
    {
        using var ps = Engine.Start();
        var database = Path.Combine(ps.Directory, "probe.db");

        var result = ps.Run(SqliteNativeScript.Types + @"
            $probe = $native::Probe($args[0])
            $probe.Version
            $probe.JournalMode
            $native::NativeLibraryPath([System.IO.Path]::GetDirectoryName($core.Location), $native::CurrentRuntimeIdentifier)
            foreach ($name in 'VideoGen.Core', 'Microsoft.Data.Sqlite', 'SQLitePCLRaw.core', 'SQLitePCLRaw.provider.e_sqlite3', 'SQLitePCLRaw.batteries_v2') {
                @([System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq $name } |
                    ForEach-Object { $name + ' ' + [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name }) -join ';'
            }", database);

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        var lines = result.Output.Select(o => o.ToString()).ToList();
        Assert.StartsWith("3.", lines[0], StringComparison.Ordinal);
        Assert.Equal("wal", lines[1]);
        Assert.True(File.Exists(database + "-wal") || File.Exists(database), "no database file");
        // Each of these once, in VideoGen's context: not the default one, not twice.
        Assert.Equal(
            ["VideoGen.Core VideoGen", "Microsoft.Data.Sqlite VideoGen", "SQLitePCLRaw.core VideoGen", "SQLitePCLRaw.provider.e_sqlite3 VideoGen", "SQLitePCLRaw.batteries_v2 VideoGen"],
            lines.Skip(3));
        var native = lines[2];
        Assert.Contains(Path.Combine("dependencies", "runtimes"), native, StringComparison.Ordinal);
        Assert.True(File.Exists(native), native);
        if (OperatingSystem.IsLinux())
        {
            // The library mapped into this process is the module's file, not one found elsewhere.
            Assert.Contains(native, File.ReadAllText("/proc/self/maps"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_layout_holds_a_native_library_for_exactly_the_RIDs_SqliteNative_claims()
    {
        using var ps = Engine.Start();
        var dependencies = Path.Combine(Path.GetDirectoryName(Repo.Manifest)!, "dependencies");

        var result = ps.Run(SqliteNativeScript.Types + @"
            $native::CurrentRuntimeIdentifier
            foreach ($rid in $native::ClaimedRuntimeIdentifiers) { $rid + '|' + $native::NativeLibraryPath($args[0], $rid) }", dependencies);

        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.False(string.IsNullOrEmpty(result.Output[0]?.ToString()), "this machine is a claimed platform");
        var claimed = result.Output.Skip(1).Select(o => o.ToString().Split('|')).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(9, claimed.Count);
        var laidOut = Directory.GetDirectories(Path.Combine(dependencies, "runtimes")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(claimed.Keys.Order(StringComparer.Ordinal), laidOut);
        foreach (var (rid, path) in claimed)
        {
            Assert.True(File.Exists(path) && new FileInfo(path).Length > 0, rid + ": " + path);
            Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
            Assert.Equal(Path.Combine(dependencies, "runtimes", rid, "native"), Path.GetDirectoryName(path));
        }
        // No native build lands flat in dependencies/, where .NET Framework could pick up the wrong architecture's.
        Assert.Empty(Directory.GetFiles(dependencies).Select(Path.GetFileName).Intersect(["e_sqlite3.dll", "libe_sqlite3.so", "libe_sqlite3.dylib"]));
    }
}
