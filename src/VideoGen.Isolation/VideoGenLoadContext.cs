using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace VideoGen.Isolation;

/// <summary>
/// VideoGen's own load context (PowerShell 7): VideoGen.Core and the libraries it brings (Polly.Core,
/// Microsoft.Bcl.*) load here from the module's dependencies folder; framework assemblies (System.Text.Json,
/// System.Memory, ...) are left to the default context, so no framework type is loaded twice.
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
