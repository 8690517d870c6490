using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;
using VideoGen.Core.Storage;

namespace VideoGen.Isolation;

/// <summary>
/// VideoGen's own load context (PowerShell 7): VideoGen.Core and the libraries it brings (Polly.Core,
/// Microsoft.Bcl.*, Microsoft.Data.Sqlite, SQLitePCLRaw.*) load here from the module's dependencies folder; framework
/// assemblies (System.Text.Json, System.Memory, ...) are left to the default context, so no framework type is loaded
/// twice. SQLite's native library (e_sqlite3), which SQLitePCLRaw imports by name, is answered from
/// <c>dependencies/runtimes/&lt;rid&gt;/native/</c> (<see cref="LoadUnmanagedDll"/>).
/// </summary>
public sealed class VideoGenLoadContext : AssemblyLoadContext
{
    private readonly string _dependencies;
    private readonly ISet<string> _shared;

    /// <summary>
    /// Creates the context over a folder of assemblies. What the host already ships (PowerShell's trusted
    /// platform assemblies: the .NET runtime and PowerShell's own libraries) is shared, never loaded again.
    /// </summary>
    public VideoGenLoadContext(string dependencies)
        : this(dependencies, TrustedPlatformNames())
    {
    }

    /// <summary>Creates the context over a folder, sharing the assemblies named in <paramref name="shared"/> with the default context.</summary>
    public VideoGenLoadContext(string dependencies, ISet<string> shared)
        : base("VideoGen", isCollectible: false)
    {
        _dependencies = dependencies;
        _shared = shared;
    }

    /// <inheritdoc/>
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var name = assemblyName.Name;
        if (name is null || _shared.Contains(name))
        {
            return null;
        }
        var path = Path.Combine(_dependencies, name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    /// <summary>
    /// Native libraries asked for by assemblies in this context: SQLite's (e_sqlite3, and the lib*/.so/.dylib spellings)
    /// loads from the module's own folder, the build for this process's RID; any other name is left to the runtime.
    /// Without this, PowerShell 7 finds no e_sqlite3 ("Unable to load shared library 'e_sqlite3'"): nothing in its
    /// probing looks in a module's folder.
    /// </summary>
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = NativeLibraryPath(_dependencies, unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    /// <summary>
    /// The decision of <see cref="LoadUnmanagedDll"/>, without loading: the file under <paramref name="dependencies"/> it
    /// loads for <paramref name="unmanagedDllName"/>, or null where the name is not SQLite's, the platform has no build,
    /// or the file is missing (then the runtime's own probing answers, and fails with DllNotFoundException).
    /// </summary>
    public static string? NativeLibraryPath(string dependencies, string unmanagedDllName)
    {
        if (!SqliteNativeLayout.IsLibraryName(unmanagedDllName))
        {
            return null;
        }
        var rid = SqliteNativeLayout.CurrentRuntimeIdentifier;
        var path = rid is null ? null : SqliteNativeLayout.NativeLibraryPath(dependencies, rid);
        return path != null && File.Exists(path) ? path : null;
    }

    /// <summary>The names of the host's trusted platform assemblies.</summary>
    public static HashSet<string> TrustedPlatformNames()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty;
        foreach (var path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            names.Add(Path.GetFileNameWithoutExtension(path));
        }
        return names;
    }
}

/// <summary>Called once, by reflection, from VideoGen's module initializer on PowerShell 7.</summary>
public static class Isolation
{
    private static readonly object Gate = new();
    private static VideoGenLoadContext? _context;

    /// <summary>The context, once set up.</summary>
    public static AssemblyLoadContext? Context => _context;

    /// <summary>
    /// Sets up the context over <paramref name="dependencies"/> and answers the default context's requests for
    /// the assemblies named in <paramref name="entryAssemblies"/> (VideoGen.Core) from it. Safe to call twice.
    /// </summary>
    public static void Setup(string dependencies, string[] entryAssemblies)
    {
        lock (Gate)
        {
            if (_context != null)
            {
                return;
            }
            var context = new VideoGenLoadContext(dependencies);
            var entries = new HashSet<string>(entryAssemblies, StringComparer.OrdinalIgnoreCase);
            AssemblyLoadContext.Default.Resolving += (_, name) =>
                name.Name != null && entries.Contains(name.Name) ? context.LoadFromAssemblyName(name) : null;
            _context = context;
        }
    }
}
