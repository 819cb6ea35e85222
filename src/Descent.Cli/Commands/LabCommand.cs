using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Descent.Cli.Infrastructure;
using Descent.Dashboard.Lab;
using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Learning.Tuning;
using Descent.Plotting;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent lab [--port N] [--open]</c>: the learning lab on 127.0.0.1 until Ctrl-C; and
/// <c>descent lr-find [--data …] [--model …] [--plot out.png] [--json]</c>: the learning-rate finder.
/// </summary>
public static class LabCommand
{
    /// <summary>Builds <c>lab</c>.</summary>
    public static Command Build(CliContext context)
    {
        var port = Options.Whole("--port", "The page's port on 127.0.0.1 (default: any free port).", "8080");
        var open = Options.Flag("--open", "Open the page in the default browser.");
        var c = new Command("lab", "Serve the learning lab on 127.0.0.1: an optimizer race over contour maps, learning rates on a line, a classification playground and a learning-rate finder, until Ctrl-C.") { port, open };
        c.SetAction(p =>
        {
            int n = p.GetValue(port) ?? 0;
            if (n is < 0 or > 65535) throw new UsageException($"--port {n}: use 0 to 65535 (0: any free port), e.g. --port 8080.");
            LabServer lab;
            try
            {
                lab = LabServer.StartAsync(n, context.Cancellation).GetAwaiter().GetResult();
            }
            catch (IOException e)
            {
                throw new UsageException($"--port {n}: {e.Message} — choose another port, or leave --port out to take a free one.");
            }
            try
            {
                var info = p.GetValue(Root.Json) ? context.Error : context.Output;
                info.WriteLine($"Learning lab at {lab.Address}");
                info.WriteLine("Press Ctrl+C to stop.");
                info.Flush();
                if (p.GetValue(open)) OpenBrowser(lab.Address, context.Error);
                context.Cancellation.WaitHandle.WaitOne();
                if (p.GetValue(Root.Json)) Json.Write(context.Output, new JsonObject { ["address"] = lab.Address.ToString() });
            }
            finally
            {
                lab.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            return ExitCodes.Ok;
        });
        return c;
    }

    private static void OpenBrowser(Uri address, TextWriter error)
    {
        try
        {
            string opener = OperatingSystem.IsWindows() ? "explorer" : OperatingSystem.IsMacOS() ? "open" : "xdg-open";
            using var process = Process.Start(new ProcessStartInfo(opener, address.ToString()) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true });
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            error.WriteLine($"Could not start a browser ({e.Message}); open {address} yourself.");
        }
    }

    /// <summary>Builds <c>lr-find</c>.</summary>
    public static Command LrFind(CliContext context)
    {
        var data = Options.Text("--data", "The data source, as for fit (default synthetic:moons).");
        var features = Options.Text("--features", "Feature columns of a CSV file, comma-separated (default: all but the target).");
        var target = Options.Text("--target", "The target column of a CSV file (default: the last).");
        var model = Options.Text("--model", "linear | logistic | softmax | mlp (default: by the data, as for fit).");
        var hidden = Options.Text("--hidden", "Hidden layer sizes of an mlp, e.g. 32,32 (default 32).");
        var optimizer = Options.Text("--optimizer", "A gradient optimizer as for fit, e.g. adam or momentum:beta=0.9 (default adam).");
        var batch = Options.Whole("--batch-size", "Examples per step (default 32).", "32");
        var min = Options.Number("--min", "The first learning rate (default 1e-7).", "1e-7");
        var max = Options.Number("--max", "The last learning rate (default 10).", "10");
        var steps = Options.Whole("--steps", "Steps (default: one pass over the data, at least 50).", "100");
        var seed = Options.Whole("--seed", "Random seed (weights, batch order).", "0");
        var plot = Options.Text("--plot", "Write loss against learning rate here (.png or .svg).");
        var c = new Command("lr-find", "The learning-rate finder: one pass with the learning rate growing exponentially from --min to --max, the loss at each, and a suggested range (a heuristic).")
        {
            data, features, target, model, hidden, optimizer, batch, min, max, steps, seed, plot,
        };
        c.SetAction(p =>
        {
            string source = p.GetValue(data) ?? "synthetic:moons";
            OutputFiles.Figure("--plot", p.GetValue(plot));
            OutputFiles.Check([new("--plot", p.GetValue(plot))], [new("--data", DataSources.FilePath(source))]);
            int s = p.GetValue(seed) ?? 0;
            int batchSize = p.GetValue(batch) ?? 32;
            if (batchSize < 1) throw new UsageException($"--batch-size {batchSize}: use a whole number ≥ 1.");
            double lo = p.GetValue(min) ?? 1e-7, hi = p.GetValue(max) ?? 10;
            if (!(lo > 0) || !(hi > lo)) throw new UsageException($"--min {Points.Show(lo)} --max {Points.Show(hi)}: need 0 < min < max, e.g. --min 1e-7 --max 10.");
            if (p.GetValue(steps) is < 2) throw new UsageException("--steps must be at least 2.");
            var loaded = DataSources.Load<double>(source, Options.List(p.GetValue(features)), p.GetValue(target), s);
            var train = loaded.Train;
            if (DataSources.IsCsv(source)) train = train.WithFeatures(FeatureScaling.Fit(train.X, ScalingKind.Standard).Apply(train.X));
            bool classification = train.IsClassification;
            int classes = train.ClassCount ?? 0, inputs = train.FeatureCount, outputs = train.Y.Rank == 2 ? train.Y.Shape[1] : 1;
            string name = (p.GetValue(model) ?? (classification ? (classes == 2 ? "logistic" : "softmax") : "linear")).ToLowerInvariant();
            int[] layers = Options.Ints("--hidden", p.GetValue(hidden)) ?? [32];
            if (p.GetValue(hidden) is not null && name != "mlp") throw new UsageException($"--hidden goes with --model mlp; the model here is {name}.");
            (Module<double> module, LossFunction<double> loss) = name switch
            {
                "linear" when classification => throw new UsageException("--model linear needs numeric targets, but the data has class labels; use logistic, softmax or mlp."),
                "linear" => ((Module<double>)new LinearRegression<double>(inputs, outputs, s), (LossFunction<double>)((a, b) => Loss.MeanSquaredError(a, b))),
                "logistic" when !classification || classes != 2 => throw new UsageException("--model logistic is for two classes; use softmax or mlp."),
                "logistic" => (new LogisticRegression<double>(inputs, s), Loss.FromName<double>("bce")),
                "softmax" when !classification => throw new UsageException("--model softmax needs class labels; use linear or mlp."),
                "softmax" => (new SoftmaxRegression<double>(inputs, classes, s), (a, b) => Loss.SoftmaxCrossEntropy(a, b)),
                "mlp" when classification => (new Mlp<double>(inputs, layers, classes, seed: s), (a, b) => Loss.SoftmaxCrossEntropy(a, b)),
                "mlp" => (new Mlp<double>(inputs, layers, outputs, seed: s), (a, b) => Loss.MeanSquaredError(a, b)),
                _ => throw new UsageException($"--model '{name}': use linear, logistic, softmax or mlp."),
            };
            var setting = Setting.Parse("--optimizer", p.GetValue(optimizer) ?? "adam");
            Factories.Optimizer<double>(setting, _ => lo, allowMethods: false); // a bad --optimizer is refused before the run
            var result = LearningRateFinder.Run(module, loss, schedule => Factories.Optimizer<double>(setting, schedule, allowMethods: false),
                DataLoader<double>.MiniBatches(train, batchSize, s), new LearningRateFinderOptions { Min = lo, Max = hi, Steps = p.GetValue(steps) });
            if (p.GetValue(plot) is { } path)
                Figures.Save(Figures.LearningRateFinder(result.LearningRates, result.Losses, result.Smoothed, result.Suggested.Low, result.Suggested.High), path);
            static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture).Replace("E-0", "e-", StringComparison.Ordinal).Replace("E+0", "e+", StringComparison.Ordinal).Replace('E', 'e');
            if (p.GetValue(Root.Json))
            {
                Json.Write(context.Output, new JsonObject
                {
                    ["data"] = loaded.Name,
                    ["model"] = name,
                    ["optimizer"] = setting.Text,
                    ["learning_rates"] = Json.Array(result.LearningRates),
                    ["losses"] = Json.Array(result.Losses),
                    ["smoothed"] = Json.Array(result.Smoothed),
                    ["steepest"] = Json.Number(result.Steepest),
                    ["lowest_loss"] = Json.Number(result.LowestLoss),
                    ["suggested"] = Json.Array([result.Suggested.Low, result.Suggested.High]),
                    ["stopped_early"] = result.StoppedEarly,
                    ["note"] = LearningRateFinderResult.Caveat,
                    ["plot"] = p.GetValue(plot),
                });
            }
            else
            {
                var o = context.Output;
                o.WriteLine($"Learning-rate finder: {loaded.Name}, {name}, {setting.Text}; {result.LearningRates.Length} steps from {F(lo)} to {F(result.LearningRates[^1])}"
                    + (result.StoppedEarly ? " (stopped: the loss blew up)" : ""));
                o.WriteLine($"Suggested learning rates: {F(result.Suggested.Low)} to {F(result.Suggested.High)} (steepest fall at {F(result.Steepest)}, lowest loss at {F(result.LowestLoss)}).");
                o.WriteLine($"This is {LearningRateFinderResult.Caveat}.");
                if (p.GetValue(plot) is { } written) o.WriteLine($"Plot: {written}");
            }
            return ExitCodes.Ok;
        });
        return c;
    }
}
