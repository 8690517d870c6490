namespace VideoGen.Core.Http
{
    /// <summary>
    /// The log every client operation writes through: each verbose and debug line passes <see cref="Sanitizer.Sanitize"/> with
    /// the endpoint's key once, here, whatever provider text it quotes (answers, errors, redirects, retries).
    /// </summary>
    internal sealed class SanitizingLog : IVideoGenLog
    {
        private readonly IVideoGenLog _inner;
        private readonly IVideoGenLogLevels? _levels;
        private readonly string _key;

        private SanitizingLog(IVideoGenLog inner, string key)
        {
            _inner = inner;
            _levels = inner as IVideoGenLogLevels;
            _key = key;
        }

        /// <summary>The caller's log behind the sanitizer for <paramref name="endpoint"/>'s key; the null log stays null.</summary>
        public static IVideoGenLog For(IVideoGenLog? log, ProviderEndpoint endpoint)
        {
            if (log is null || log is NullVideoGenLog)
            {
                return NullVideoGenLog.Instance;
            }
            return log is SanitizingLog same && same._key == endpoint.ApiKey ? same : new SanitizingLog(log, endpoint.ApiKey);
        }

        public void Verbose(string message)
        {
            if (_levels?.WantsVerbose != false)
            {
                _inner.Verbose(Sanitizer.Sanitize(message, _key));
            }
        }

        public void Debug(string message)
        {
            if (_levels?.WantsDebug != false)
            {
                _inner.Debug(Sanitizer.Sanitize(message, _key));
            }
        }
    }
}
