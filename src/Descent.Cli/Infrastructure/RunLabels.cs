using System.CommandLine;
using System.Text.Json.Nodes;

namespace Descent.Cli.Infrastructure;

/// <summary>
/// <c>--name NAME</c> and <c>--tag TAG</c> (repeatable) on <c>fit</c>, <c>minimize</c> and <c>sweep</c>: how a run is
/// told apart in <c>descent runs</c> and on the dashboard. The name is the run's name; the tags are kept in its
/// settings as <c>"tags": [...]</c> (the dashboard shows them next to the name).
/// </summary>
internal sealed record RunLabels(Option<string?> Name, Option<string[]> Tags)
{
    /// <summary>The two options, added to <paramref name="command"/>.</summary>
    public static RunLabels AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var labels = new RunLabels(
            Options.Text("--name", "A name for the run in 'descent runs' and on the live page and dashboard (default: the command and its data)."),
            Options.Many("--tag", "A tag for the run (repeatable), kept in its settings and shown on the dashboard."));
        command.Add(labels.Name);
        command.Add(labels.Tags);
        return labels;
    }

    /// <summary>
    /// The name and tags given, checked: each non-blank, without control characters, a name up to 200 characters and a
    /// tag up to 64; and only with something that records or shows the run (<paramref name="recorded"/>).
    /// </summary>
    public (string? Name, string[] Tags) Read(ParseResult parse, bool recorded, string needs)
    {
        ArgumentNullException.ThrowIfNull(parse);
        string? name = parse.GetValue(Name);
        string[] tags = parse.GetValue(Tags) ?? [];
        if ((name is not null || tags.Length > 0) && !recorded)
            throw new UsageException($"{(name is not null ? "--name" : "--tag")} labels a recorded run: add {needs}, e.g. --track --name baseline.");
        if (name is not null) Check("--name", name, 200);
        foreach (var tag in tags) Check("--tag", tag, 64);
        return (name?.Trim(), tags.Select(t => t.Trim()).Distinct(StringComparer.Ordinal).ToArray());
    }

    /// <summary><paramref name="settings"/> with <c>"tags"</c> added when there are any.</summary>
    public static JsonObject WithTags(JsonObject settings, string[] tags)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(tags);
        if (tags.Length > 0) settings["tags"] = new JsonArray(tags.Select(t => (JsonNode)t).ToArray());
        return settings;
    }

    private static void Check(string option, string value, int max)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new UsageException($"{option} needs a non-blank value, e.g. {option} baseline.");
        if (value.Length > max) throw new UsageException($"{option} '{value[..20]}…' is {value.Length} characters long; use at most {max}.");
        if (value.Any(char.IsControl)) throw new UsageException($"{option} must not contain control characters (such as a newline).");
    }
}
