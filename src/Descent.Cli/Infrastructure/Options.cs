using System.CommandLine;

namespace Descent.Cli.Infrastructure;

/// <summary>Option constructors shared by several commands.</summary>
public static class Options
{
    /// <summary>A string option.</summary>
    public static Option<string?> Text(string name, string description) => new(name) { Description = description };

    /// <summary>A repeatable string option.</summary>
    public static Option<string[]> Many(string name, string description) => new(name) { Description = description, AllowMultipleArgumentsPerToken = false, Arity = ArgumentArity.OneOrMore };

    /// <summary>A number option.</summary>
    public static Option<double?> Number(string name, string description) => new(name) { Description = description };

    /// <summary>A whole-number option.</summary>
    public static Option<int?> Whole(string name, string description) => new(name) { Description = description };

    /// <summary>A flag.</summary>
    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    /// <summary>Splits a comma list, or null.</summary>
    public static string[]? List(string? text) => text?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Parses a comma list of whole numbers, naming the option on error.</summary>
    public static int[]? Ints(string option, string? text) => List(text)?.Select(t => int.TryParse(t, out int v) && v >= 1 ? v
        : throw new UsageException($"{option} '{text}': use whole numbers ≥ 1 separated by commas, e.g. {option} 128,64.")).ToArray();
}
