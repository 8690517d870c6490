using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace VideoGen.Core.Storage
{
    /// <summary>
    /// Loads SQLite's native library (e_sqlite3, from the package SQLite through SQLitePCLRaw.bundle_e_sqlite3) from the
    /// module's own folder, the way PowerShell's "Writing portable modules" guide describes for native libraries
    /// (https://learn.microsoft.com/powershell/scripting/dev-cross-plat/writing-portable-modules): one build per runtime
    /// identifier under <c>dependencies/runtimes/&lt;rid&gt;/native/</c>, beside VideoGen.Core.dll.
    /// <list type="bullet">
    /// <item>PowerShell 7: VideoGen's load context (VideoGen.Isolation) answers SQLitePCLRaw's <c>DllImport("e_sqlite3")</c>
    /// with the file for this process's RID; nothing else is needed here.</item>
    /// <item>Windows PowerShell 5.1 (.NET Framework, no load contexts): <see cref="EnsureLoaded"/> loads the file with
    /// LoadLibraryW by full path first, so the DllImport finds the module already loaded by its name.</item>
    /// </list>
    /// The RID rule and the path are owned by one file, SqliteNativeLayout.cs, shared with VideoGen.Isolation.
    /// </summary>
    public static class SqliteNative
    {
        private static readonly object Gate = new object();
        private static volatile bool _loaded;

        /// <summary>
        /// The runtime identifiers the module ships SQLite for: win-x86, win-x64, win-arm64, linux-x64, linux-arm64,
        /// linux-musl-x64, linux-musl-arm64, osx-x64, osx-arm64. The module layout has exactly these under
        /// <c>dependencies/runtimes/</c>.
        /// </summary>
        public static IReadOnlyList<string> ClaimedRuntimeIdentifiers { get; } = Array.AsReadOnly(SqliteNativeLayout.ClaimedRuntimeIdentifiers);

        /// <summary>This process's RID among <see cref="ClaimedRuntimeIdentifiers"/>, or null where the module claims none (e.g. linux-s390x).</summary>
        public static string? CurrentRuntimeIdentifier => SqliteNativeLayout.CurrentRuntimeIdentifier;

        /// <summary>
        /// The RID the module uses for an OS, a process architecture and, on Linux, the C library: e.g. (Linux, Arm64,
        /// musl) gives <c>linux-musl-arm64</c>. Null where the module claims none (another OS, or x86/ARM32/s390x... where
        /// no build is shipped for that OS). Pure: no look at the current process.
        /// </summary>
        /// <param name="os">OSPlatform.Windows, OSPlatform.Linux or OSPlatform.OSX; any other gives null.</param>
        /// <param name="architecture">The process architecture (not the OS's: a 32-bit PowerShell on 64-bit Windows is x86).</param>
        /// <param name="isMusl">Linux only: the process runs on musl libc (Alpine). Ignored elsewhere.</param>
        /// <returns>One of <see cref="ClaimedRuntimeIdentifiers"/>, or null.</returns>
        public static string? RuntimeIdentifier(OSPlatform os, Architecture architecture, bool isMusl) =>
            SqliteNativeLayout.RuntimeIdentifier(os, architecture, isMusl);

        /// <summary>The native library's file name on an OS: <c>e_sqlite3.dll</c> (Windows), <c>libe_sqlite3.so</c> (Linux), <c>libe_sqlite3.dylib</c> (macOS).</summary>
        /// <param name="os">OSPlatform.Windows, OSPlatform.Linux or OSPlatform.OSX.</param>
        /// <returns>The file name, or null for any other OS.</returns>
        public static string? NativeFileName(OSPlatform os) => SqliteNativeLayout.NativeFileName(os);

        /// <summary>
        /// Where the module keeps the native library of a claimed RID: <c>&lt;dependencies&gt;/runtimes/&lt;rid&gt;/native/&lt;file&gt;</c>,
        /// a full path. The same path VideoGen's PowerShell 7 load context loads.
        /// </summary>
        /// <param name="dependenciesFolder">The module's <c>dependencies</c> folder (where VideoGen.Core.dll is).</param>
        /// <param name="runtimeIdentifier">One of <see cref="ClaimedRuntimeIdentifiers"/>.</param>
        /// <returns>The full path, or null for an RID the module does not claim.</returns>
        public static string? NativeLibraryPath(string dependenciesFolder, string runtimeIdentifier) =>
            SqliteNativeLayout.NativeLibraryPath(dependenciesFolder, runtimeIdentifier);

        /// <summary>
        /// The decision <see cref="EnsureLoaded"/> takes before SQLite is first used, without side effects: the file to load
        /// by full path on .NET Framework (Windows PowerShell 5.1), or null on .NET, where the load context (PowerShell 7)
        /// or the application's deps.json (tests, other hosts) resolves the library.
        /// </summary>
        /// <param name="frameworkDescription">RuntimeInformation.FrameworkDescription, e.g. <c>.NET Framework 4.8.9290.0</c> or <c>.NET 10.0.1</c>.</param>
        /// <param name="dependenciesFolder">The module's <c>dependencies</c> folder.</param>
        /// <param name="runtimeIdentifier">The process's RID (<see cref="CurrentRuntimeIdentifier"/>); null where unsupported.</param>
        /// <returns>The full path of <c>e_sqlite3.dll</c> to load first, or null where nothing is to be loaded by path.</returns>
        /// <exception cref="InvalidOperationException">.NET Framework on a platform the module ships no build for.</exception>
        public static string? PreloadPath(string frameworkDescription, string dependenciesFolder, string? runtimeIdentifier)
        {
            if (frameworkDescription is null || !frameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
            {
                return null;
            }
            var path = runtimeIdentifier is null ? null : SqliteNativeLayout.NativeLibraryPath(dependenciesFolder, runtimeIdentifier);
            if (path is null)
            {
                throw new InvalidOperationException(Unsupported(runtimeIdentifier));
            }
            return path;
        }

        /// <summary>
        /// Makes SQLite usable, once per process (idempotent and thread-safe): on Windows PowerShell 5.1, loads
        /// <c>dependencies/runtimes/&lt;rid&gt;/native/e_sqlite3.dll</c> (relative to VideoGen.Core.dll) by full path;
        /// then <c>SQLitePCL.Batteries_V2.Init()</c> and a first call into the library, so a missing or wrong file
        /// fails here, with the RID and the path, rather than inside the first query.
        /// </summary>
        /// <exception cref="InvalidOperationException">
        /// The platform is not one the module ships SQLite for, or the native library for this RID is missing or cannot
        /// be loaded (the module folder is incomplete). The message names the RID and the full path expected.
        /// </exception>
        public static void EnsureLoaded()
        {
            if (_loaded)
            {
                return;
            }
            lock (Gate)
            {
                if (_loaded)
                {
                    return;
                }
                var rid = CurrentRuntimeIdentifier;
                var dependencies = DependenciesFolder;
                var preload = PreloadPath(RuntimeInformation.FrameworkDescription, dependencies, rid);
                if (preload != null)
                {
                    if (!File.Exists(preload))
                    {
                        throw new InvalidOperationException(Incomplete(rid!, preload, "the file does not exist"));
                    }
                    if (LoadLibraryW(preload) == IntPtr.Zero)
                    {
                        throw new InvalidOperationException(Incomplete(rid!, preload, "LoadLibrary failed with Windows error " + Marshal.GetLastWin32Error()));
                    }
                }
                try
                {
                    SQLitePCL.Batteries_V2.Init();
                    _ = SQLitePCL.raw.sqlite3_libversion_number();
                }
                catch (Exception ex) when (ex is DllNotFoundException || ex is BadImageFormatException || ex is EntryPointNotFoundException || ex is TypeInitializationException)
                {
                    var expected = rid is null ? null : SqliteNativeLayout.NativeLibraryPath(dependencies, rid);
                    throw new InvalidOperationException(expected is null ? Unsupported(rid) : Incomplete(rid!, expected, ex.Message), ex);
                }
                _loaded = true;
            }
        }

        /// <summary>
        /// A diagnostic of the whole chain (native library, SQLitePCLRaw, Microsoft.Data.Sqlite): opens or creates the
        /// database file at <paramref name="path"/>, switches it to write-ahead logging and reports what SQLite answered.
        /// </summary>
        /// <param name="path">A database file; created if missing.</param>
        /// <returns>The SQLite version (<c>sqlite_version()</c>) and the journal mode now in effect (<c>wal</c> where WAL is supported).</returns>
        /// <exception cref="InvalidOperationException">See <see cref="EnsureLoaded"/>.</exception>
        /// <exception cref="SqliteException">SQLite refused to open the file.</exception>
        public static SqliteProbeResult Probe(string path)
        {
            EnsureLoaded();
            var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
            using var connection = new SqliteConnection(builder.ToString());
            connection.Open();
            var journalMode = Scalar(connection, "PRAGMA journal_mode=WAL;");
            var version = Scalar(connection, "SELECT sqlite_version();");
            return new SqliteProbeResult(version, journalMode);
        }

        /// <summary>The folder VideoGen.Core.dll was loaded from: in the module layout, <c>dependencies/</c>.</summary>
        private static string DependenciesFolder =>
            Path.GetDirectoryName(typeof(SqliteNative).Assembly.Location) ?? AppContext.BaseDirectory;

        private static string Scalar(SqliteConnection connection, string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
        }

        private static string Incomplete(string rid, string path, string reason) =>
            "SQLite's native library for " + rid + " could not be loaded from " + path + " (" + reason + "). " +
            "The VideoGen module folder is incomplete: reinstall the module so that dependencies/runtimes/" + rid + "/native/ is present.";

        private static string Unsupported(string? rid) =>
            "VideoGen ships SQLite's native library for " + string.Join(", ", SqliteNativeLayout.ClaimedRuntimeIdentifiers) +
            "; this process (" + RuntimeInformation.OSDescription + ", " + RuntimeInformation.ProcessArchitecture + (rid is null ? string.Empty : ", " + rid) +
            ") is not one of them.";

        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr LoadLibraryW(string lpLibFileName);
    }

    /// <summary>What <see cref="SqliteNative.Probe"/> found.</summary>
    public sealed class SqliteProbeResult
    {
        /// <summary>Creates the result.</summary>
        /// <param name="version">sqlite_version(), e.g. 3.53.4.</param>
        /// <param name="journalMode">The journal mode in effect, e.g. wal.</param>
        public SqliteProbeResult(string version, string journalMode)
        {
            Version = version;
            JournalMode = journalMode;
        }

        /// <summary>The SQLite library's version, sqlite_version().</summary>
        public string Version { get; }

        /// <summary>The journal mode PRAGMA journal_mode=WAL left in effect: <c>wal</c>, or what SQLite kept instead.</summary>
        public string JournalMode { get; }
    }
}
