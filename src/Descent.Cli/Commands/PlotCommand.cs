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
            string target = p.GetValue(output) ?? Path.ChangeExtension(path, ".png");
            OutputFiles.Figure("--out", target);
            OutputFiles.Check([new("--out", target)], [new("RUN", path)]);
            var doc = Read(path);
            bool logScale = !p.GetValue(log);
            string kind;
            if (doc["trajectory"] is JsonNode trajectoryNode)
            {
                kind = "trajectory";
                var values = Series(path, Array(path, trajectoryNode, "trajectory"), "trajectory", "value");
                Figures.Save(Figures.LossCurves([(Text(doc["optimizer"]) ?? "run", values)], logScale, $"f = {Text(doc["expression"])}", "step", "f"), target);
            }
            else if (doc["history"] is JsonNode historyNode)
            {
                kind = "history";
                var history = Array(path, historyNode, "history");
                var train = Series(path, history, "history", "train_loss");
                var val = history.All(h => h is JsonObject o && o["val_loss"] is not null) ? Series(path, history, "history", "val_loss") : null;
                // A classifier's run with a validation split: its accuracy next to the loss.
                if (history.All(h => h is JsonObject o && o["val_accuracy"] is not null))
                    Figures.Save(Figures.LossAndAccuracy(train, val, Series(path, history, "history", "val_accuracy"), $"Training {Text(doc["model"])}", logScale), target);
                else Figures.Save(Figures.TrainValidation(train, val, $"Training {Text(doc["model"])}", logScale), target);
            }
            else if (doc["trials"] is JsonNode trialsNode)
            {
                kind = "sweep";
                var trials = Array(path, trialsNode, "trials");
                Figures.Save(Figures.SweepScores(Series(path, trials, "trials", "learning_rate"), Series(path, trials, "trials", "score"), "Learning-rate sweep", Text(doc["score"]) ?? "score"), target);
            }
            else throw new InputException($"plot: '{path}' has no trajectory, history or trials; save it from minimize, fit or sweep with --json.");
            if (p.GetValue(Root.Json)) Json.Write(context.Output, new JsonObject { ["kind"] = kind, ["path"] = target });
            else context.Output.WriteLine($"{kind} figure written to {target}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The largest run file read: saved runs are far smaller; a larger (or endless, /dev/zero) file is refused.</summary>
    public const int MaxRunFileBytes = 64 << 20;

    /// <summary>Reads at most <see cref="MaxRunFileBytes"/> and parses the JSON object of a saved run.</summary>
    private static JsonObject Read(string path)
    {
        byte[] bytes;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            bytes = new byte[file.CanSeek && file.Length is > 0 and <= MaxRunFileBytes ? file.Length + 1 : 1 << 16];
            int filled = 0;
            while (true)
            {
                if (filled == bytes.Length)
                {
                    if (bytes.Length > MaxRunFileBytes)
                        throw new InputException($"plot: '{path}' is larger than {MaxRunFileBytes >> 20} MB; a run saved with --json is far smaller — is this the right file?");
                    System.Array.Resize(ref bytes, (int)Math.Min((long)bytes.Length * 2, MaxRunFileBytes + 1L));
                }
                int read = file.Read(bytes, filled, bytes.Length - filled);
                if (read == 0) break;
                filled += read;
            }
            System.Array.Resize(ref bytes, filled);
        }
        JsonNode? doc;
        try { doc = JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }); }
        catch (JsonException e) { throw new InputException($"plot: '{path}' is not JSON ({e.Message}).", e); }
        return doc switch
        {
            null => throw new InputException($"plot: '{path}' holds JSON null, not a saved run; save one with minimize, fit or sweep --json."),
            JsonObject o => o,
            _ => throw new InputException($"plot: '{path}' holds a JSON {Kind(doc)}, not a saved run (an object with trajectory, history or trials); save one with minimize, fit or sweep --json."),
        };
    }

    private static JsonArray Array(string path, JsonNode node, string name) => node as JsonArray is { Count: > 0 } a ? a
        : throw new InputException($"plot: '{path}': \"{name}\" must be a non-empty list of entries, but it is {(node is JsonArray ? "empty" : "a JSON " + Kind(node))}.");

    /// <summary>The number <paramref name="key"/> of every entry (null and "NaN" are NaN, "Infinity" is ∞).</summary>
    private static double[] Series(string path, JsonArray entries, string name, string key)
    {
        var values = new double[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            if (entries[i] is not JsonObject entry)
                throw new InputException($"plot: '{path}': entry {i} of \"{name}\" is {(entries[i] is null ? "null" : "a JSON " + Kind(entries[i]!))}, not an object with \"{key}\".");
            values[i] = entry[key] switch
            {
                null => double.NaN,
                JsonValue v when v.TryGetValue(out double d) => d,
                JsonValue v when v.TryGetValue(out string? t) && t is "NaN" or "Infinity" or "-Infinity" => Number(v),
                var other => throw new InputException($"plot: '{path}': \"{key}\" of entry {i} of \"{name}\" is {other.ToJsonString()}, not a number."),
            };
        }
        return values;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : node?.ToJsonString();

    private static string Kind(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.Array => "list",
        JsonValueKind.Object => "object",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "true/false",
        _ => "null",
    };

    private static double Number(JsonNode? node) => node switch
    {
        null => double.NaN,
        JsonValue v when v.TryGetValue(out double d) => d,
        JsonValue v when v.TryGetValue(out string? s) => s switch { "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity, _ => double.NaN },
        _ => double.NaN,
    };
}
