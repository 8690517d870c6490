using Microsoft.Data.Sqlite;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// Looks inside a job store the module wrote, with this process's own SQLite (read the events, or leave the state a kill
/// would). Only between commands: two copies of SQLite in one process must not hold the same file open at once
/// (https://www.sqlite.org/howtocorrupt.html, 2.2.1), and the module closes its connections after each write.
/// </summary>
internal static class StoreFile
{
    static StoreFile() => SQLitePCL.Batteries_V2.Init();

    /// <summary>Each event as "event:task id", oldest first.</summary>
    public static List<string> Events(string path)
    {
        var events = new List<string>();
        using var connection = Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT e.event || ':' || j.id FROM events e JOIN jobs j ON j.seq = e.job ORDER BY e.seq";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            events.Add(reader.GetString(0));
        }
        return events;
    }

    /// <summary>Runs SQL against the store (to leave the state a crash would).</summary>
    public static void Execute(string path, string sql)
    {
        using var connection = Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
