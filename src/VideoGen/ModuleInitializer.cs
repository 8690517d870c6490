using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;

namespace VideoGen
{
    /// <summary>
    /// Loads VideoGen's dependencies from the module's <c>dependencies/</c> folder so that another module
    /// already loaded with other versions of them cannot break VideoGen, nor VideoGen break it (the pattern
    /// PSResourceGet and the PowerShell docs on assembly conflicts describe). On PowerShell 7, a load context
    /// of VideoGen's own (VideoGen.Isolation.dll); on Windows PowerShell 5.1, an AssemblyResolve handler that
    /// answers only for assemblies that are in that folder, asked for by VideoGen's own assemblies, and is
    /// removed again with the module (<see cref="OnRemove"/>).
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly object Gate = new object();
        private static readonly string[] EntryAssemblies = { "VideoGen.Core" };
        private static bool _done;
        private static ResolveEventHandler? _resolver;

        /// <summary>The folder beside VideoGen.dll holding its dependencies.</summary>
        internal static string DependenciesFolder =>
            Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "dependencies");

        /// <inheritdoc/>
        public void OnImport()
        {
            lock (Gate)
            {
                if (_done)
                {
                    return;
                }
                _done = true;
            }
            var folder = DependenciesFolder;
            if (!Directory.Exists(folder))
            {
                return; // a development build with everything beside VideoGen.dll
            }
            // Windows PowerShell 5.1 runs on .NET Framework, which has no AssemblyLoadContext.
            if (Type.GetType("System.Runtime.Loader.AssemblyLoadContext, System.Runtime.Loader", throwOnError: false) is null &&
                Type.GetType("System.Runtime.Loader.AssemblyLoadContext", throwOnError: false) is null)
            {
                lock (Gate)
                {
                    _resolver = (_, args) => ResolveFromFolder(folder, args);
                    AppDomain.CurrentDomain.AssemblyResolve += _resolver;
                }
                return;
            }
            var isolation = Assembly.LoadFrom(Path.Combine(folder, "VideoGen.Isolation.dll"));
            isolation.GetType("VideoGen.Isolation.Isolation", throwOnError: true)!
                .GetMethod("Setup", BindingFlags.Public | BindingFlags.Static)!
                .Invoke(null, new object[] { folder, EntryAssemblies });
        }

        /// <summary>Remove-Module: the 5.1 resolver goes with the module, so it answers nobody after VideoGen is gone.</summary>
        /// <param name="psModuleInfo">The module being removed.</param>
        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            lock (Gate)
            {
                if (_resolver != null)
                {
                    AppDomain.CurrentDomain.AssemblyResolve -= _resolver;
                    _resolver = null;
                }
                _done = false;
            }
        }

        /// <summary>Windows PowerShell 5.1: our copy of an assembly we ship, for our own assemblies only; null for anything else.</summary>
        private static Assembly? ResolveFromFolder(string folder, ResolveEventArgs args)
        {
            var requesting = args.RequestingAssembly;
            var path = DependencyPath(folder, args.Name, requesting is null ? null : requesting.IsDynamic ? string.Empty : requesting.Location);
            return path is null ? null : Assembly.LoadFrom(path);
        }

        /// <summary>
        /// The resolver's decision, without side effects: the file in <paramref name="dependenciesFolder"/> to load for
        /// <paramref name="requestedAssembly"/>, or null to let others answer. Answers only where the simple name is a
        /// <c>.dll</c> VideoGen ships in that folder AND the requester is VideoGen's: an assembly loaded from the module
        /// folder (the folder's parent, where VideoGen.dll is) or from the dependencies folder. A requester of unknown
        /// location (dynamic, or loaded from bytes) is foreign; no requester at all (null) is accepted for names we ship.
        /// </summary>
        /// <param name="dependenciesFolder">The full path of the module's <c>dependencies</c> folder.</param>
        /// <param name="requestedAssembly">The requested assembly's display name, e.g. <c>System.Text.Json, Version=8.0.0.0, ...</c>.</param>
        /// <param name="requestingAssemblyLocation">The requester's file path; null where there is no requester; empty where it has no file.</param>
        /// <returns>A full file path, or null.</returns>
        public static string? DependencyPath(string dependenciesFolder, string requestedAssembly, string? requestingAssemblyLocation)
        {
            string? name;
            try
            {
                name = new AssemblyName(requestedAssembly).Name;
            }
            catch (Exception ex) when (ex is ArgumentException || ex is FileLoadException)
            {
                return null;
            }
            if (string.IsNullOrEmpty(name) || name!.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains("..") ||
                name.IndexOf(Path.DirectorySeparatorChar) >= 0 || name.IndexOf(Path.AltDirectorySeparatorChar) >= 0)
            {
                return null;
            }
            var folder = Path.GetFullPath(dependenciesFolder);
            if (requestingAssemblyLocation != null)
            {
                if (requestingAssemblyLocation.Length == 0)
                {
                    return null;
                }
                var from = Path.GetDirectoryName(Path.GetFullPath(requestingAssemblyLocation));
                var moduleFolder = Path.GetDirectoryName(folder.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
                if (!SamePath(from, folder) && !SamePath(from, moduleFolder))
                {
                    return null;
                }
            }
            var path = Path.Combine(folder, name + ".dll");
            return File.Exists(path) ? path : null;
        }

        private static bool SamePath(string? a, string? b) =>
            a != null && b != null &&
            string.Equals(a.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar), b.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar),
                Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }
}
