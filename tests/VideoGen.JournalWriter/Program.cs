// A second process beside the tests, with VideoGen.Core and its own SQLite:
//   VideoGen.JournalWriter <store path> <id prefix> <count>   waits for a line on stdin (so two writers start together),
//                                                              then records <count> submitted jobs, one JobJournal call each.
//   VideoGen.JournalWriter --events <store path>              prints each event as "event:task id", oldest first.
//   VideoGen.JournalWriter --sql <store path> <sql>           runs SQL against the store (to leave the state a crash would).
//   VideoGen.JournalWriter --seed <store path> <count>        adds <count> saved jobs (four events each, as a nightly run leaves
//                                                              them) to an existing store, in one statement: the benchmark's history.
// The engine tests look inside a store through this process, never with a SQLite of their own: two copies of SQLite in one
// process must not use one file (https://www.sqlite.org/howtocorrupt.html, 2.2.1), and a copy in the test host would be
// shared with the module's load context.
using System.Globalization;
using Microsoft.Data.Sqlite;
using VideoGen.Core;

if (args.Length >= 2 && (args[0] == "--events" || args[0] == "--sql" || args[0] == "--seed"))
{
    VideoGen.Core.Storage.SqliteNative.EnsureLoaded();
    using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = args[1], Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
    connection.Open();
    using var command = connection.CreateCommand();
    if (args[0] == "--seed")
    {
        using var transaction = connection.BeginTransaction();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM jobs";
        var before = (long)command.ExecuteScalar()!;
        command.CommandText = @"
            WITH RECURSIVE n(i) AS (SELECT $from UNION ALL SELECT i + 1 FROM n WHERE i < $to)
            INSERT INTO jobs (provider, id, model, name, prompt, base_uri, request_fingerprint, status, cost, cost_unit, submitted_at, finished_at,
                              last_event, last_event_at, saved, ended, saved_path, sha256)
            SELECT 'FastRouter', printf('task%012d', i), 'google/veo3-fast', printf('clip-%d', i),
                   printf('A lighthouse at dawn, take %d: waves break on the rocks below, golden light, slow drone shot', i),
                   'https://api.fastrouter.ai', lower(hex(randomblob(32))), 'Succeeded', '0.4', 'USD',
                   strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('-%d seconds', i)), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
                   'saved', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1, 0, printf('/videos/clip-%d.mp4', i), lower(hex(randomblob(32)))
            FROM n;
            INSERT INTO events (job, event, at, status, path, sha256)
            SELECT seq, e.event, j.submitted_at, e.status, CASE e.event WHEN 'saved' THEN j.saved_path END, CASE e.event WHEN 'saved' THEN j.sha256 END
            FROM jobs j, (SELECT 'submitted' AS event, 'Queued' AS status UNION ALL SELECT 'status', 'Running' UNION ALL SELECT 'status', 'Succeeded' UNION ALL SELECT 'saved', 'Succeeded') e
            WHERE j.seq > $before ORDER BY j.seq;";
        command.Parameters.AddWithValue("$from", before + 1);
        command.Parameters.AddWithValue("$to", before + long.Parse(args[2], CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$before", before);
        command.ExecuteNonQuery();
        transaction.Commit();
        using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        checkpoint.ExecuteNonQuery();
        return 0;
    }
    if (args[0] == "--sql")
    {
        command.CommandText = args[2];
        command.ExecuteNonQuery();
        return 0;
    }
    command.CommandText = "SELECT e.event || ':' || j.id FROM events e JOIN jobs j ON j.seq = e.job ORDER BY e.seq";
    using var reader = command.ExecuteReader();
    while (reader.Read())
    {
        Console.Out.WriteLine(reader.GetString(0));
    }
    return 0;
}

var journal = new JobJournal(args[0]);
var prefix = args[1];
var count = int.Parse(args[2], CultureInfo.InvariantCulture);
Console.In.ReadLine();
for (var i = 0; i < count; i++)
{
    // A different JobJournal instance per job: nothing shared but the file.
    new JobJournal(journal.Path).Submitted(VideoJob.Restore(prefix + "-" + i.ToString(CultureInfo.InvariantCulture), VideoProvider.FastRouter, "google/veo3", prompt: "process " + prefix));
}
Console.Out.WriteLine("done " + count.ToString(CultureInfo.InvariantCulture));
return 0;
