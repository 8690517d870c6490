using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;

namespace VideoGen.Commands
{
    /// <summary>
    /// Loads VideoGen's dependencies from the module's <c>dependencies/</c> folder so that another module
    /// already loaded with other versions of them cannot break VideoGen, nor VideoGen break it (the pattern
    /// PSResourceGet and the PowerShell docs on assembly conflicts describe). On PowerShell 7, a load context
    /// of VideoGen's own (VideoGen.Isolation.dll); on Windows PowerShell 5.1, an AssemblyResolve handler that
    /// answers only for assemblies that are in that folder.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        private static readonly object Gate = new object();
        private static readonly string[] EntryAssemblies = { "VideoGen.Core" };
        private static bool _done;

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
                AppDomain.CurrentDomain.AssemblyResolve += (_, args) => ResolveFromFolder(folder, args.Name);
                return;
            }
            var isolation = Assembly.LoadFrom(Path.Combine(folder, "VideoGen.Isolation.dll"));
            isolation.GetType("VideoGen.Isolation.Isolation", throwOnError: true)!
                .GetMethod("Setup", BindingFlags.Public | BindingFlags.Static)!
                .Invoke(null, new object[] { folder, EntryAssemblies });
        }

        /// <summary>Windows PowerShell 5.1: our copy of an assembly we ship, whatever version was asked for; null for anything else.</summary>
        private static Assembly? ResolveFromFolder(string folder, string requested)
        {
            var name = new AssemblyName(requested).Name;
            if (string.IsNullOrEmpty(name))
            {
                return null;
            }
            var path = Path.Combine(folder, name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }
    }
}
