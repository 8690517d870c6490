namespace VideoGen.Core.Http
{
    /// <summary>
    /// Where the core reports what it does. Cmdlets queue these for the pipeline thread (Write-Verbose,
    /// Write-Debug); every text is redacted of the key before it arrives here. Implementations must be thread-safe.
    /// </summary>
    public interface IVideoGenLog
    {
        /// <summary>A step worth a line in -Verbose: a request sent, a retry decided.</summary>
        void Verbose(string message);

        /// <summary>Detail for -Debug: request and answer bodies, redacted.</summary>
        void Debug(string message);
    }

    /// <summary>A log that drops everything.</summary>
    public sealed class NullVideoGenLog : IVideoGenLog
    {
        /// <summary>The one instance.</summary>
        public static readonly NullVideoGenLog Instance = new NullVideoGenLog();

        private NullVideoGenLog()
        {
        }

        /// <inheritdoc/>
        public void Verbose(string message)
        {
        }

        /// <inheritdoc/>
        public void Debug(string message)
        {
        }
    }
}
