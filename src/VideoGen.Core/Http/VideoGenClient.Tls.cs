using System;
using System.Net;

namespace VideoGen.Core.Http
{
    // TLS on Windows PowerShell 5.1.
    public sealed partial class VideoGenClient
    {
        /// <summary>
        /// Windows PowerShell 5.1 (.NET Framework) offers only SSL 3 and TLS 1.0 unless told otherwise: add TLS 1.2
        /// (and 1.3 where the framework knows it) to what is there. Nothing on .NET Core, or where the OS chooses (SystemDefault).
        /// </summary>
        internal static void EnableModernTls()
        {
            if (!System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }
            var current = ServicePointManager.SecurityProtocol;
            try
            {
                ServicePointManager.SecurityProtocol = WithModernTls(current, tls13: true);
            }
            catch (NotSupportedException)
            {
                ServicePointManager.SecurityProtocol = WithModernTls(current, tls13: false); // .NET Framework before 4.8 has no TLS 1.3
            }
        }

        /// <summary>The protocols after adding TLS 1.2 (and 1.3): nothing removed; SystemDefault (0) left to the OS.</summary>
        internal static SecurityProtocolType WithModernTls(SecurityProtocolType current, bool tls13)
        {
            if (current == 0)
            {
                return current;
            }
            var result = current | SecurityProtocolType.Tls12;
            return tls13 ? result | (SecurityProtocolType)12288 : result;
        }
    }
}
