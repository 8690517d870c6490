using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace VideoGen.Core.Storage
{
    /// <summary>
    /// Where a job store may live. SQLite's write-ahead log needs shared memory that every process using the database
    /// can map, so "WAL does not work over a network filesystem" (https://www.sqlite.org/wal.html), and file locking on
    /// network file systems is often broken (https://www.sqlite.org/useovernet.html): a store there is refused.
    /// </summary>
    public static class StoreLocation
    {
        private static readonly char[] FieldSeparators = { ' ', '\t' };

        /// <summary>Linux file system types that are network (or remote) file systems, as /proc/mounts names them.</summary>
        private static readonly HashSet<string> NetworkTypes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "afs", "9p", "ceph", "glusterfs", "fuse.glusterfs", "lustre",
            "fuse.sshfs", "sshfs", "davfs", "fuse.davfs2", "fuse.rclone", "fuse.s3fs", "gpfs", "ocfs2", "gfs2", "beegfs", "fuse.cephfs", "vboxsf", "fuse.smbnetfs",
        };

        /// <summary>
        /// The kind of network file system <paramref name="path"/> is on ("UNC path", "network drive", "nfs4", ...), or null
        /// where it is on a local disk or that cannot be told. Windows: a UNC path or a drive of type Network; Linux: the
        /// longest mount point of /proc/mounts that contains the path, by its type; elsewhere: UNC-style paths only.
        /// </summary>
        public static string? NetworkFileSystem(string path)
        {
            var full = Path.GetFullPath(path);
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                if (full.StartsWith(@"\\", StringComparison.Ordinal) && !full.StartsWith(@"\\?\", StringComparison.Ordinal) && !full.StartsWith(@"\\.\", StringComparison.Ordinal))
                {
                    return "UNC path";
                }
                try
                {
                    var root = Path.GetPathRoot(full);
                    if (!string.IsNullOrEmpty(root) && new DriveInfo(root).DriveType == DriveType.Network)
                    {
                        return "network drive " + root;
                    }
                }
                catch (Exception ex) when (ex is ArgumentException || ex is IOException || ex is UnauthorizedAccessException)
                {
                    return null;
                }
                return null;
            }
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                string mounts;
                try
                {
                    mounts = File.ReadAllText("/proc/mounts");
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    return null;
                }
                return NetworkTypeFromMounts(full, mounts);
            }
            return null;
        }

        /// <summary>
        /// The network file system type of the mount holding <paramref name="fullPath"/>, given the text of /proc/mounts
        /// (device, mount point with spaces as \040, type, ...), or null where that mount is local.
        /// </summary>
        public static string? NetworkTypeFromMounts(string fullPath, string procMounts)
        {
            string? bestType = null;
            var bestLength = -1;
            foreach (var line in (procMounts ?? string.Empty).Split('\n'))
            {
                var fields = line.Split(FieldSeparators, StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 3)
                {
                    continue;
                }
                var mountPoint = fields[1].Replace("\\040", " ").Replace("\\011", "\t").Replace("\\134", "\\");
                var inside = mountPoint == "/" || fullPath == mountPoint || fullPath.StartsWith(mountPoint.TrimEnd('/') + "/", StringComparison.Ordinal);
                if (inside && mountPoint.Length >= bestLength) // the later of two mounts on one point is the one in effect
                {
                    bestLength = mountPoint.Length;
                    bestType = fields[2];
                }
            }
            return bestType != null && (NetworkTypes.Contains(bestType) || bestType.StartsWith("nfs", StringComparison.OrdinalIgnoreCase)) ? bestType : null;
        }
    }
}
