using Descent.Optimization.Stopping;
using Spectre.Console;

namespace Descent.Cli.Infrastructure;

/// <summary>Readable output: plain tables (no colours, so they read the same in a terminal, a file or a test).</summary>
public static class Human
{
    /// <summary>A Spectre console writing plain text to <paramref name="writer"/>.</summary>
    public static IAnsiConsole Console(TextWriter writer, bool live = false)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            // Live means the caller checked that this writer is a terminal (Spectre's own detection looks at stdout,
            // which may be a file with 'descent fit --json > run.json').
            Ansi = live ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = live ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = live ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!live) console.Profile.Width = 120;
        return console;
    }

    /// <summary>Writes a table with <paramref name="headers"/> and <paramref name="rows"/>.</summary>
    public static void Table(TextWriter writer, string[] headers, IEnumerable<string[]> rows, string? title = null)
    {
        var table = new Table().Border(TableBorder.Rounded);
        if (title is not null) table.Title(Markup.Escape(title));
        foreach (var h in headers) table.AddColumn(new TableColumn(Markup.Escape(h)));
        foreach (var r in rows) table.AddRow(r.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(c)).ToArray());
        Console(writer).Write(table);
    }

    /// <summary>The machine name of a stop reason: max-steps, diverged, interrupted, plateau, …</summary>
    public static string StopName(StopKind kind, bool epochs = false) => kind switch
    {
        StopKind.MaxSteps => epochs ? "max-epochs" : "max-steps",
        StopKind.LossBelow => "loss-below",
        StopKind.GradientNormBelow => "grad-below",
        StopKind.StepBelow => "step-below",
        StopKind.Plateau => "plateau",
        StopKind.Patience => "patience",
        StopKind.TimeBudget => "time",
        StopKind.EvaluationBudget => "evaluations",
        StopKind.Diverged => "diverged",
        StopKind.Cancelled => "interrupted",
        StopKind.Converged => "converged",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
