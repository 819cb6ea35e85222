using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Descent.Cli.Infrastructure;
using Descent.Plotting;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent plot RUN.json --out FIG.png</c>: draws a saved <c>--json</c> result: a minimize trajectory (loss
/// versus step), a fit history (train and validation loss) or a sweep (score versus learning rate).
/// </summary>
public static class PlotCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build(CliContext context)
    {
        var run = new Argument<string>("RUN") { Description = "A JSON file saved from 'minimize --json', 'fit --json' or 'sweep … --json'." };
        var output = Options.Text("--out", "The figure to write (.png or .svg; default RUN with .png).");
        var log = Options.Flag("--linear", "Use a linear loss axis instead of a log one.");
        var command = new Command("plot", "Draw a saved run: loss versus step, train/validation loss, or sweep scores.") { run, output, log };
        command.SetAction(p =>
        {
            string path = p.GetValue(run)!;
            if (!File.Exists(path)) throw new InputException($"plot: no such file '{path}'; save a run with e.g. 'descent fit --json > run.json'.");
            JsonNode doc;
            try { doc = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InputException($"plot: '{path}' is empty."); }
            catch (JsonException e) { throw new InputException($"plot: '{path}' is not JSON ({e.Message}).", e); }
            string target = p.GetValue(output) ?? Path.ChangeExtension(path, ".png");
            bool logScale = !p.GetValue(log);
            string kind;
            if (doc["trajectory"] is JsonArray trajectory)
            {
                kind = "trajectory";
                Figures.Save(Figures.LossCurves([((string?)doc["optimizer"] ?? "run", trajectory.Select(t => Number(t!["value"])).ToArray())], logScale, $"f = {(string?)doc["expression"]}", "step", "f"), target);
            }
            else if (doc["history"] is JsonArray history && history.Count > 0)
            {
                kind = "history";
                var val = history.All(h => h!["val_loss"] is not null) ? history.Select(h => Number(h!["val_loss"])).ToArray() : null;
                var train = history.Select(h => Number(h!["train_loss"])).ToArray();
                // A classifier's run with a validation split: its accuracy next to the loss.
                if (history.Any(h => h!["val_accuracy"] is not null))
                    Figures.Save(Figures.LossAndAccuracy(train, val, history.Select(h => Number(h!["val_accuracy"])).ToArray(), $"Training {(string?)doc["model"]}", logScale), target);
                else Figures.Save(Figures.TrainValidation(train, val, $"Training {(string?)doc["model"]}", logScale), target);
            }
            else if (doc["trials"] is JsonArray trials && trials.Count > 0)
            {
                kind = "sweep";
                Figures.Save(Figures.SweepScores(trials.Select(t => Number(t!["learning_rate"])).ToArray(), trials.Select(t => Number(t!["score"])).ToArray(), "Learning-rate sweep", (string?)doc["score"] ?? "score"), target);
            }
            else throw new InputException($"plot: '{path}' has no trajectory, history or trials; save it from minimize, fit or sweep with --json.");
            if (p.GetValue(Root.Json)) Json.Write(context.Output, new JsonObject { ["kind"] = kind, ["path"] = target });
            else context.Output.WriteLine($"{kind} figure written to {target}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static double Number(JsonNode? node) => node switch
    {
        null => double.NaN,
        JsonValue v when v.TryGetValue(out double d) => d,
        JsonValue v when v.TryGetValue(out string? s) => s switch { "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity, _ => double.NaN },
        _ => double.NaN,
    };
}
