using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace VideoGen.HelpGen;

/// <summary>One cmdlet parameter as help shows it.</summary>
public sealed record HelpParameter(string Name, string TypeName, string Description, bool Required, string Position, string PipelineInput,
    IReadOnlyList<string> Aliases, IReadOnlyList<string> ParameterSets, IReadOnlyList<string> ValidValues, string DefaultValue, bool IsSwitch);

/// <summary>One cmdlet as help shows it.</summary>
public sealed record HelpCommand(string Name, string Verb, string Noun, string Synopsis, string Description, IReadOnlyList<HelpParameter> Parameters,
    IReadOnlyList<(string Code, string Remarks)> Examples, IReadOnlyList<string> OutputTypes, bool SupportsShouldProcess);

/// <summary>Reads cmdlets from an assembly and their text from its XML documentation file.</summary>
public static class HelpBuilder
{
    private const string Maml = "http://schemas.microsoft.com/maml/2004/10";
    private const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    /// <summary>Every cmdlet in <paramref name="assembly"/>, documented from <paramref name="xmlDocPath"/>.</summary>
    public static IReadOnlyList<HelpCommand> Read(Assembly assembly, string xmlDocPath)
    {
        var docs = XDocument.Load(xmlDocPath).Descendants("member").ToDictionary(m => (string)m.Attribute("name")!, m => m);
        var commands = new List<HelpCommand>();
        foreach (var type in assembly.GetTypes().Where(t => t.IsPublic && !t.IsAbstract).OrderBy(t => t.Name))
        {
            var cmdlet = type.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.Name == "CmdletAttribute");
            if (cmdlet is null)
            {
                continue;
            }
            var verb = (string)cmdlet.ConstructorArguments[0].Value!;
            var noun = (string)cmdlet.ConstructorArguments[1].Value!;
            var shouldProcess = cmdlet.NamedArguments.Any(n => n.MemberName == "SupportsShouldProcess" && (bool)n.TypedValue.Value!);
            docs.TryGetValue("T:" + type.FullName, out var typeDoc);
            var parameters = new List<HelpParameter>();
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => Depth(type, p)).ThenBy(p => p.MetadataToken))
            {
                var attributes = property.GetCustomAttributesData();
                var parameterAttributes = attributes.Where(a => a.AttributeType.Name == "ParameterAttribute").ToList();
                if (parameterAttributes.Count == 0)
                {
                    continue;
                }
                T Named<T>(CustomAttributeData a, string name, T fallback)
                {
                    foreach (var n in a.NamedArguments)
                    {
                        if (n.MemberName == name && n.TypedValue.Value is T v)
                        {
                            return v;
                        }
                    }
                    return fallback;
                }
                var first = parameterAttributes[0];
                var byValue = parameterAttributes.Any(a => Named(a, "ValueFromPipeline", false));
                var byName = parameterAttributes.Any(a => Named(a, "ValueFromPipelineByPropertyName", false));
                var position = Named(first, "Position", int.MinValue);
                var aliases = attributes.Where(a => a.AttributeType.Name == "AliasAttribute")
                    .SelectMany(a => ((IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!).Select(v => (string)v.Value!)).ToList();
                var validValues = attributes.Where(a => a.AttributeType.Name == "ValidateSetAttribute")
                    .SelectMany(a => ((IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!).Select(v => (string)v.Value!)).Where(v => v.Length > 0).ToList();
                var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (propertyType.IsEnum)
                {
                    validValues = Enum.GetNames(propertyType).ToList();
                }
                docs.TryGetValue("P:" + property.DeclaringType!.FullName + "." + property.Name, out var propertyDoc);
                var description = Para(propertyDoc, "description") ?? Text(propertyDoc?.Element("summary"));
                var isSwitch = propertyType.Name == "SwitchParameter";
                parameters.Add(new HelpParameter(property.Name, TypeName(propertyType), description, Named(first, "Mandatory", false),
                    position == int.MinValue ? "named" : position.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    byValue && byName ? "True (ByValue, ByPropertyName)" : byValue ? "True (ByValue)" : byName ? "True (ByPropertyName)" : "False",
                    aliases, parameterAttributes.Select(a => Named<string?>(a, "ParameterSetName", null) ?? "__AllParameterSets").ToList(), validValues,
                    isSwitch ? "False" : DefaultFrom(description), isSwitch));
            }
            var examples = typeDoc?.Elements("example").Select(e => (Code: Text(e.Element("code")), Remarks: Text(e.Element("para")))).ToList()
                ?? new List<(string, string)>();
            var outputs = type.GetCustomAttributesData().Where(a => a.AttributeType.Name == "OutputTypeAttribute")
                .SelectMany(a => ((IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!).Select(v => ((Type)v.Value!).FullName!)).ToList();
            commands.Add(new HelpCommand(verb + "-" + noun, verb, noun, Para(typeDoc, "synopsis") ?? string.Empty, Para(typeDoc, "description") ?? string.Empty,
                parameters, examples, outputs, shouldProcess));
        }
        return commands;
    }

    /// <summary>What is missing: a parameter without help text, a cmdlet without a synopsis, description or two examples.</summary>
    public static IReadOnlyList<string> Problems(IEnumerable<HelpCommand> commands)
    {
        var problems = new List<string>();
        foreach (var c in commands)
        {
            if (string.IsNullOrWhiteSpace(c.Synopsis)) problems.Add(c.Name + ": no synopsis");
            if (string.IsNullOrWhiteSpace(c.Description)) problems.Add(c.Name + ": no description");
            if (c.Examples.Count < 2) problems.Add(c.Name + ": fewer than two examples");
            problems.AddRange(c.Examples.Where(e => string.IsNullOrWhiteSpace(e.Code) || string.IsNullOrWhiteSpace(e.Remarks)).Select(_ => c.Name + ": an example without code or explanation"));
            problems.AddRange(c.Parameters.Where(p => string.IsNullOrWhiteSpace(p.Description)).Select(p => c.Name + " -" + p.Name + ": no help text"));
            if (c.OutputTypes.Count == 0) problems.Add(c.Name + ": no [OutputType]");
        }
        return problems;
    }

    /// <summary>The MAML document PowerShell's Get-Help reads (VideoGen.dll-Help.xml).</summary>
    public static XDocument ToMaml(IEnumerable<HelpCommand> commands)
    {
        XNamespace msh = "http://msh", maml = Maml, command = Command, dev = Dev;
        XElement Paras(string text) => new(maml + "description", text.Split("\n\n").Select(p => new XElement(maml + "para", p.Trim())));
        XElement Parameter(HelpParameter p) => new(command + "parameter",
            new XAttribute("required", p.Required ? "true" : "false"), new XAttribute("variableLength", "true"), new XAttribute("globbing", "false"),
            new XAttribute("pipelineInput", p.PipelineInput), new XAttribute("position", p.Position), new XAttribute("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases)),
            new XElement(maml + "name", p.Name),
            Paras(p.Description),
            p.ValidValues.Count > 0 ? new XElement(command + "parameterValueGroup", p.ValidValues.Select(v => new XElement(command + "parameterValue", new XAttribute("required", "false"), new XAttribute("variableLength", "false"), v))) : null,
            p.IsSwitch ? null : new XElement(command + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", "false"), p.TypeName),
            new XElement(dev + "type", new XElement(maml + "name", p.TypeName), new XElement(maml + "uri")),
            new XElement(dev + "defaultValue", p.DefaultValue));
        var items = new XElement(msh + "helpItems", new XAttribute("schema", "maml"),
            commands.Select(c => new XElement(command + "command",
                new XAttribute(XNamespace.Xmlns + "maml", Maml), new XAttribute(XNamespace.Xmlns + "command", Command), new XAttribute(XNamespace.Xmlns + "dev", Dev),
                new XElement(command + "details",
                    new XElement(command + "name", c.Name), new XElement(command + "verb", c.Verb), new XElement(command + "noun", c.Noun), Paras(c.Synopsis)),
                Paras(c.Description),
                new XElement(command + "syntax", SyntaxSets(c).Select(set => new XElement(command + "syntaxItem",
                    new XElement(maml + "name", c.Name), set.Select(Parameter)))),
                new XElement(command + "parameters", c.Parameters.Select(Parameter)),
                new XElement(command + "inputTypes", new XElement(command + "inputType",
                    new XElement(dev + "type", new XElement(maml + "name", "System.Management.Automation.PSObject")),
                    Paras(c.Parameters.Any(p => p.PipelineInput.Contains("ByPropertyName"))
                        ? "Any object whose property names match the parameters marked to take pipeline input by property name: Import-Csv rows, ConvertFrom-Json objects, or VideoGen's own VideoJob objects."
                        : "None. This cmdlet takes no pipeline input."))),
                new XElement(command + "returnValues", c.OutputTypes.Select(o => new XElement(command + "returnValue",
                    new XElement(dev + "type", new XElement(maml + "name", o)),
                    Paras(o.EndsWith("VideoJob") ? "A job: Id, Provider, Model, Status, Progress, Prompt, Name, SubmittedAt, CompletedAt, VideoUrl, Error, Cost, PollingUrl, BaseUri."
                        : o.EndsWith("SavedVideo") ? "A saved file: Path, Length, Sha256, Id, Provider, Name, Model." : o)))),
                new XElement(maml + "alertSet", new XElement(maml + "alert", new XElement(maml + "para",
                    "Keys come from -ApiKey or the provider's environment variable and never appear in output. See Get-Help about_VideoGen for providers, keys, the job store, resuming and rate limits."))),
                new XElement(command + "examples", c.Examples.Select((e, i) => new XElement(command + "example",
                    new XElement(maml + "title", "-------------------------- Example " + (i + 1) + " --------------------------"),
                    new XElement(dev + "code", e.Code), new XElement(dev + "remarks", new XElement(maml + "para", e.Remarks))))),
                new XElement(command + "relatedLinks",
                    new[] { "about_VideoGen", "New-Video", "Get-VideoStatus", "Wait-Video", "Save-Video", "Get-VideoJob", "Import-VideoJob", "Remove-Video" }.Where(n => n != c.Name)
                        .Select(n => new XElement(maml + "navigationLink", new XElement(maml + "linkText", n), new XElement(maml + "uri")))))));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), items);
    }

    /// <summary>The parameters of each parameter set, for the syntax block.</summary>
    private static IEnumerable<IEnumerable<HelpParameter>> SyntaxSets(HelpCommand c)
    {
        var sets = c.Parameters.SelectMany(p => p.ParameterSets).Where(s => s != "__AllParameterSets").Distinct().ToList();
        if (sets.Count == 0)
        {
            return new[] { c.Parameters };
        }
        return sets.Select(s => c.Parameters.Where(p => p.ParameterSets.Contains(s) || p.ParameterSets.Contains("__AllParameterSets")));
    }

    /// <summary>How far up the class hierarchy a property is declared: the cmdlet's own parameters come first, in declaration order.</summary>
    private static int Depth(Type type, PropertyInfo property)
    {
        var depth = 0;
        for (var t = type; t != null && t != property.DeclaringType; t = t.BaseType)
        {
            depth++;
        }
        return depth;
    }

    private static string TypeName(Type type) => type.IsArray ? TypeName(type.GetElementType()!) + "[]" : type.Name switch
    {
        "String" => "String", "Int32" => "Int32", "SecureString" => "SecureString", "Hashtable" => "Hashtable", _ => type.Name,
    };

    private static string DefaultFrom(string description)
    {
        // "Default: X." or "Default X;" — X may itself hold dots (journal.jsonl, veo-3.1), so it ends at ". " or ";" or the end.
        var match = Regex.Match(description, @"Default:?\s+(.+?)(?:\.\s|\.$|;|$)");
        return match.Success ? match.Groups[1].Value.Trim() : "None";
    }

    private static string? Para(XElement? member, string type) =>
        member?.Element("summary")?.Elements("para").FirstOrDefault(p => (string?)p.Attribute("type") == type) is { } para ? Text(para) : null;

    private static string Text(XElement? element)
    {
        if (element is null)
        {
            return string.Empty;
        }
        var text = string.Concat(element.Nodes().Select(n => n is XElement e
            ? (e.Name == "see" || e.Name == "paramref" ? ((string?)e.Attribute("cref") ?? (string?)e.Attribute("name") ?? string.Empty).Split('.').Last() : e.Value)
            : n.ToString()));
        text = System.Net.WebUtility.HtmlDecode(text);
        return element.Name == "code"
            ? string.Join("\n", text.Trim('\r', '\n').Split('\n').Select(l => l.Trim()))
            : Regex.Replace(text, @"\s+", " ").Trim();
    }
}
