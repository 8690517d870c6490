using VideoGen.HelpGen;

// Usage: VideoGen.HelpGen <docs/en-US folder> <output folder> [more output folders...]
// Writes <output>/en-US/VideoGen.dll-Help.xml and about_VideoGen.help.txt; fails when help is incomplete.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: VideoGen.HelpGen <docs/en-US> <output folder> [output folder ...]");
    return 2;
}
var assembly = typeof(VideoGen.Commands.NewVideoCommand).Assembly;
var commands = HelpBuilder.Read(assembly, Path.Combine(AppContext.BaseDirectory, "VideoGen.xml"));
var problems = HelpBuilder.Problems(commands);
if (problems.Count > 0)
{
    foreach (var p in problems)
    {
        Console.Error.WriteLine("help: " + p);
    }
    return 1;
}
var maml = HelpBuilder.ToMaml(commands);
var about = File.ReadAllText(Path.Combine(args[0], "about_VideoGen.md"));
foreach (var output in args.Skip(1))
{
    var culture = Path.Combine(output, "en-US");
    Directory.CreateDirectory(culture);
    maml.Save(Path.Combine(culture, "VideoGen.dll-Help.xml"));
    File.WriteAllText(Path.Combine(culture, "about_VideoGen.help.txt"), about);
    Console.WriteLine("help: " + commands.Count + " cmdlets -> " + culture);
}
return 0;
