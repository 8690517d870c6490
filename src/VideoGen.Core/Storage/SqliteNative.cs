namespace VideoGen.Core.Storage
{
    /// <summary>Placeholder until the native loading lands: initializes SQLitePCLRaw once.</summary>
    public static class SqliteNative
    {
        private static readonly object Gate = new object();
        private static bool _done;

        /// <summary>Loads e_sqlite3 and initializes SQLitePCLRaw, once.</summary>
        public static void EnsureLoaded()
        {
            lock (Gate)
            {
                if (_done)
                {
                    return;
                }
                SQLitePCL.Batteries_V2.Init();
                _done = true;
            }
        }
    }
}
