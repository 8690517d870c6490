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

    /// <summary>
    /// A log that can say a kind of line would be dropped (a cmdlet whose -Verbose or -Debug is off): such lines are then
    /// neither sanitized nor queued. Thousands of polls a minute each write a debug line with the answer's body, which
    /// otherwise costs a scan for the key in every encoding and a Write-Debug on the pipeline thread, for nothing.
    /// </summary>
    public interface IVideoGenLogLevels
    {
        /// <summary>False when verbose lines would be dropped.</summary>
        bool WantsVerbose { get; }

        /// <summary>False when debug lines would be dropped.</summary>
        bool WantsDebug { get; }
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
