using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace VideoGen.Core.Storage
{
    /// <summary>
    /// The one owner of where SQLite's native library (e_sqlite3) lives in the module folder and which of its builds
    /// this process needs: <c>dependencies/runtimes/&lt;rid&gt;/native/&lt;file&gt;</c>, the layout NuGet packages use and
    /// src/VideoGen.Module copies from the package SQLite. This file is compiled into VideoGen.Core (behind
    /// <c>SqliteNative</c>) and, linked, into VideoGen.Isolation (its load context's LoadUnmanagedDll), which
    /// cannot reference VideoGen.Core: both sides choose the same RID and the same file by the same code.
    /// Only netstandard2.0 APIs, so it compiles for both.
    /// </summary>
    internal static class SqliteNativeLayout
    {
        /// <summary>The name SQLitePCLRaw's provider imports: <c>[DllImport("e_sqlite3")]</c>.</summary>
        internal const string LibraryName = "e_sqlite3";

        /// <summary>
        /// The runtime identifiers the module claims, each with a native build in the layout. Must equal the
        /// <c>ModuleRuntime</c> items of src/VideoGen.Module/VideoGen.Module.csproj (a test compares the built layout).
        /// </summary>
        internal static readonly string[] ClaimedRuntimeIdentifiers =
        {
            "win-x86", "win-x64", "win-arm64",
            "linux-x64", "linux-arm64",
            "linux-musl-x64", "linux-musl-arm64",
            "osx-x64", "osx-arm64",
        };

        private static readonly Lazy<string?> Current = new Lazy<string?>(DetectCurrent);

        /// <summary>This process's claimed RID (OS, process architecture, C library), or null where none fits. Computed once.</summary>
        internal static string? CurrentRuntimeIdentifier => Current.Value;

        /// <summary>The claimed RID for an OS, a process architecture and (Linux) the C library, or null where the module claims none.</summary>
        internal static string? RuntimeIdentifier(OSPlatform os, Architecture architecture, bool isMusl)
        {
            string? arch = architecture switch
            {
                Architecture.X86 => "x86",
                Architecture.X64 => "x64",
                Architecture.Arm64 => "arm64",
                _ => null,
            };
            string? prefix = os == OSPlatform.Windows ? "win"
                : os == OSPlatform.OSX ? "osx"
                : os == OSPlatform.Linux ? (isMusl ? "linux-musl" : "linux")
                : null;
            if (arch is null || prefix is null)
            {
                return null;
            }
            var rid = prefix + "-" + arch;
            return Array.IndexOf(ClaimedRuntimeIdentifiers, rid) >= 0 ? rid : null;
        }

        /// <summary>The file name of the native library on an OS: e_sqlite3.dll, libe_sqlite3.dylib, libe_sqlite3.so; null for any other OS.</summary>
        internal static string? NativeFileName(OSPlatform os) =>
            os == OSPlatform.Windows ? LibraryName + ".dll"
            : os == OSPlatform.OSX ? "lib" + LibraryName + ".dylib"
            : os == OSPlatform.Linux ? "lib" + LibraryName + ".so"
            : null;

        /// <summary>The OS a claimed RID is for, from its prefix (win-, osx-, linux-); null for an RID the module does not claim.</summary>
        internal static OSPlatform? OperatingSystemOf(string runtimeIdentifier)
        {
            if (Array.IndexOf(ClaimedRuntimeIdentifiers, runtimeIdentifier) < 0)
            {
                return null;
            }
            return runtimeIdentifier.StartsWith("win-", StringComparison.Ordinal) ? OSPlatform.Windows
                : runtimeIdentifier.StartsWith("osx-", StringComparison.Ordinal) ? OSPlatform.OSX
                : OSPlatform.Linux;
        }

        /// <summary>
        /// The full path of the native library for a claimed RID under a <c>dependencies</c> folder:
        /// <c>&lt;dependencies&gt;/runtimes/&lt;rid&gt;/native/&lt;file&gt;</c>. Null for an RID the module does not claim.
        /// </summary>
        internal static string? NativeLibraryPath(string dependenciesFolder, string runtimeIdentifier)
        {
            var os = OperatingSystemOf(runtimeIdentifier);
            if (os is null)
            {
                return null;
            }
            return Path.Combine(Path.GetFullPath(dependenciesFolder), "runtimes", runtimeIdentifier, "native", NativeFileName(os.Value)!);
        }

        /// <summary>
        /// Whether a name the runtime asks a load context for is SQLite's native library, in any spelling it may use:
        /// e_sqlite3, e_sqlite3.dll, libe_sqlite3, libe_sqlite3.so, libe_sqlite3.dylib.
        /// </summary>
        internal static bool IsLibraryName(string? unmanagedDllName)
        {
            if (string.IsNullOrEmpty(unmanagedDllName))
            {
                return false;
            }
            var name = unmanagedDllName!;
            foreach (var extension in new[] { ".dll", ".so", ".dylib" })
            {
                if (name.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
                {
                    name = name.Substring(0, name.Length - extension.Length);
                    break;
                }
            }
            if (name.StartsWith("lib", StringComparison.Ordinal))
            {
                name = name.Substring(3);
            }
            return string.Equals(name, LibraryName, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>
        /// Whether a Linux process runs on musl (Alpine) rather than glibc. The evidence, strongest first: the dynamic
        /// loader mapped into this process (<paramref name="mappedFiles"/>, the lines of /proc/self/maps: ld-musl-* or
        /// ld-linux-*), then the runtime's own RID (<paramref name="runtimeIdentifier"/>, e.g. linux-musl-x64), then
        /// whether a musl loader is installed at all (<paramref name="muslLoaderInstalled"/>, /lib/ld-musl-*.so.1).
        /// </summary>
        internal static bool IsMusl(IEnumerable<string>? mappedFiles, string? runtimeIdentifier, bool muslLoaderInstalled)
        {
            if (mappedFiles != null)
            {
                foreach (var line in mappedFiles)
                {
                    if (line.Contains("/ld-musl-"))
                    {
                        return true;
                    }
                    if (line.Contains("/ld-linux"))
                    {
                        return false;
                    }
                }
            }
            if (!string.IsNullOrEmpty(runtimeIdentifier) && runtimeIdentifier!.StartsWith("linux", StringComparison.Ordinal))
            {
                return runtimeIdentifier.StartsWith("linux-musl", StringComparison.Ordinal);
            }
            return muslLoaderInstalled;
        }

        private static string? DetectCurrent()
        {
            OSPlatform os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? OSPlatform.Windows
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? OSPlatform.OSX
                : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? OSPlatform.Linux
                : OSPlatform.Create("OTHER");
            var musl = os == OSPlatform.Linux && IsMusl(ProcessMaps(), RuntimeRid(), MuslLoaderInstalled());
            return RuntimeIdentifier(os, RuntimeInformation.ProcessArchitecture, musl);
        }

        private static List<string>? ProcessMaps()
        {
            try
            {
                return new List<string>(File.ReadLines("/proc/self/maps"));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is NotSupportedException)
            {
                return null;
            }
        }

        // RuntimeInformation.RuntimeIdentifier exists from .NET 5 on; netstandard2.0 cannot name it.
        private static string? RuntimeRid() =>
            typeof(RuntimeInformation).GetProperty("RuntimeIdentifier", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as string;

        private static bool MuslLoaderInstalled()
        {
            try
            {
                return Directory.Exists("/lib") && Directory.GetFiles("/lib", "ld-musl-*.so.1").Length > 0;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return false;
            }
        }
    }
}
