// Usage: VideoGen.JournalWriter <journal path> <id prefix> <count>
// Waits for a line on stdin (so two writers start together), then appends <count> submitted jobs, one JobJournal call each.
using System.Globalization;
using VideoGen.Core;

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
