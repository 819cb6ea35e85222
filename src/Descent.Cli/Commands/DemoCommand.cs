using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Descent.Cli.Infrastructure;
using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;
using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;
using Descent.Plotting;

namespace Descent.Cli.Commands;

/// <summary><c>descent demo NAME [--out DIR]</c>: one lesson end to end, with its figures.</summary>
public static class DemoCommand
{
    private sealed record Figure(string File, string Sentence);

    private sealed record Lesson(string Name, string Title, Func<string, TextWriter, List<Figure>> Run);

    private static readonly Lesson[] s_lessons =
    [
        new("parabola", "Descent down a parabola", Parabola),
        new("paraboloid", "Descent down a paraboloid", Paraboloid),
        new("learning-rates", "Learning rates over orders of magnitude", LearningRates),
        new("stopping", "When to stop", Stopping),
        new("linear-regression", "Linear regression", LinearRegressionDemo),
        new("logistic-regression", "Logistic regression", LogisticRegressionDemo),
        new("saddle", "A saddle point", Saddle),
        new("autodiff-limits", "Where autodiff needs care", AutodiffLimits),
        new("gradient-free", "Gradient-free baselines", GradientFree),
    ];

    /// <summary>The lesson names.</summary>
    public static IEnumerable<string> Names => s_lessons.Select(l => l.Name);

    /// <summary>Builds the command.</summary>
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "parabola | paraboloid | learning-rates | stopping | linear-regression | logistic-regression | saddle | autodiff-limits | gradient-free | all" };
        var output = Options.Text("--out", "Folder for the figures (default: ./descent-demo).");
        var command = new Command("demo", "Reproduce a lesson end to end with its figures; 'all --out DIR' writes every figure and an index.html.") { name, output };
        command.SetAction(p =>
        {
            string which = p.GetValue(name)!.ToLowerInvariant();
            string folder = p.GetValue(output) ?? "descent-demo";
            var lessons = which == "all" ? s_lessons : s_lessons.Where(l => l.Name == which).ToArray();
            if (lessons.Length == 0) throw new UsageException($"demo '{which}': unknown lesson; use one of {string.Join(", ", Names)} or all.");
            OutputFiles.WritableFolder("--out", folder);
            Directory.CreateDirectory(folder);
            bool json = p.GetValue(Root.Json);
            var text = json ? TextWriter.Null : context.Output;
            var done = new List<(Lesson Lesson, List<Figure> Figures)>();
            foreach (var lesson in lessons)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                text.WriteLine($"== {lesson.Title} ({lesson.Name})");
                var figures = lesson.Run(folder, text);
                foreach (var f in figures) text.WriteLine($"   figure: {Path.Combine(folder, f.File)}");
                done.Add((lesson, figures));
            }
            string? index = null;
            if (which == "all")
            {
                index = Path.Combine(folder, "index.html");
                AtomicFile.WriteAllText(index, Index(done));
                text.WriteLine($"index: {index}");
            }
            if (json)
            {
                Json.Write(context.Output, new JsonObject
                {
                    ["demos"] = new JsonArray(done.Select(d => (JsonNode)new JsonObject
                    {
                        ["name"] = d.Lesson.Name,
                        ["figures"] = new JsonArray(d.Figures.Select(f => (JsonNode)new JsonObject { ["path"] = Path.Combine(folder, f.File), ["caption"] = f.Sentence }).ToArray()),
                    }).ToArray()),
                    ["index"] = index,
                });
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Index(List<(Lesson Lesson, List<Figure> Figures)> done)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Descent lessons</title>\n");
        html.Append("<style>body{font-family:sans-serif;max-width:900px;margin:auto}img{max-width:100%;border:1px solid #ddd}</style></head><body>\n<h1>Descent lessons</h1>\n");
        foreach (var (lesson, figures) in done)
        {
            html.Append($"<h2>{WebUtility.HtmlEncode(lesson.Title)}</h2>\n");
            foreach (var f in figures)
                html.Append($"<figure><img src=\"{WebUtility.HtmlEncode(f.File)}\" alt=\"{WebUtility.HtmlEncode(f.Sentence)}\"><figcaption>{WebUtility.HtmlEncode(f.Sentence)}</figcaption></figure>\n");
        }
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static double[] Xs(MinimizeResult r, int i = 0) => r.Trajectory.Select(t => t.Point[i]).ToArray();

    private static MinimizeResult Gd(Func<Tensor<double>, Tensor<double>> f, double[] start, double lr, long steps)
        => Minimizer.Minimize(f, start, Optimizers.GradientDescent<double>(lr), new MaxSteps(steps));

    private static List<Figure> Parabola(string folder, TextWriter w)
    {
        var r = Gd(x => x.Square().Sum(), [10.0], 0.3, 5);
        w.WriteLine($"   f(w) = w², w₀ = 10, learning rate 0.3: w = {string.Join(", ", Xs(r).Select(Points.Show))}");
        w.WriteLine("   each step multiplies w by 1 − 2·0.3 = 0.4.");
        Figures.Save(Figures.FunctionWithDescent(x => x * x, Xs(r), "Gradient descent on f(w) = w², learning rate 0.3", "w", "f(w)"), Path.Combine(folder, "parabola.png"));
        return [new("parabola.png", "Five steps of gradient descent on w² from w = 10 with learning rate 0.3: each step shrinks w by the factor 0.4.")];
    }

    private static List<Figure> Paraboloid(string folder, TextWriter w)
    {
        Func<Tensor<double>, Tensor<double>> f = v => (v * Tensor.FromArray([1.0, 10.0])).Multiply(v).Sum();
        var r = Gd(f, [2.0, 4.0], 0.09, 40);
        w.WriteLine($"   f(w) = w1² + 10·w2² from (2, 4), learning rate 0.09: after 40 steps ({Points.Show(r.Point[0])}, {Points.Show(r.Point[1])}), f = {Points.Show(r.Value)}");
        Figures.Save(Figures.ContourWithTrajectory((x, y) => x * x + 10 * y * y, r.Trajectory.Select(t => (t.Point[0], t.Point[1])).ToArray(),
            "Gradient descent on w1² + 10·w2², learning rate 0.09", "w1", "w2"), Path.Combine(folder, "paraboloid.png"));
        var d = r.Trajectory.Select(t => Math.Sqrt(t.Point[0] * t.Point[0] + t.Point[1] * t.Point[1])).ToArray();
        Figures.Save(Figures.DistanceFromMinimum([("learning rate 0.09", d)], "Distance from the minimum on a log scale"), Path.Combine(folder, "paraboloid-distance.png"));
        return
        [
            new("paraboloid.png", "On an elongated bowl the steep direction (w2) zig-zags while the shallow one (w1) creeps: the learning rate is limited by the steepest curvature."),
            new("paraboloid-distance.png", "On a log scale the distance to the minimum falls on a straight line: gradient descent converges linearly, at the rate of the slowest direction."),
        ];
    }

    private static List<Figure> LearningRates(string folder, TextWriter w)
    {
        var series = new List<(string, double[])>();
        foreach (double lr in new[] { 0.001, 0.01, 0.1, 1.0, 1.01 })
        {
            var r = Gd(x => x.Square().Sum(), [10.0], lr, 100);
            series.Add(($"η = {Points.Show(lr)}", r.Trajectory.Select(t => t.Value).ToArray()));
            w.WriteLine($"   learning rate {Points.Show(lr),-6}: f after 100 steps = {Points.Show(r.Trajectory[^1].Value),-12} ({r.Behaviour.ToString().ToLowerInvariant()})");
        }
        Figures.Save(Figures.LossCurves(series, title: "Loss of w² for learning rates over orders of magnitude"), Path.Combine(folder, "learning-rates.png"));
        return [new("learning-rates.png", "Learning rates 0.001 to 1.01 on w²: too small crawls, 0.1 converges fast, 1.0 oscillates forever and 1.01 diverges.")];
    }

    private static List<Figure> Stopping(string folder, TextWriter w)
    {
        var rules = new (string Label, IStoppingRule Rule)[]
        {
            ("max-steps:1000", new MaxSteps(1000)),
            ("grad-below:1e-6", new AnyOf(new GradientNormBelow(1e-6), new MaxSteps(1000))),
            ("plateau:window=20,slope=1e-9", new AnyOf(new Plateau(1e-9, 20), new MaxSteps(1000))),
            ("loss-below:1e-4", new AnyOf(new LossBelow(1e-4), new MaxSteps(1000))),
        };
        var series = new List<(string, double[])>();
        foreach (var (label, rule) in rules)
        {
            var r = Minimizer.Minimize(x => x.Square().Sum(), [10.0], Optimizers.GradientDescent<double>(0.01), rule);
            w.WriteLine($"   {label,-30} stopped at step {r.StopReason.Step,4}: {r.StopReason.Message}");
            series.Add(($"{label} (step {r.StopReason.Step})", r.Trajectory.Select(t => t.Value).ToArray()));
        }
        Figures.Save(Figures.LossCurves(series, title: "The same descent under four stopping rules"), Path.Combine(folder, "stopping.png"));
        return [new("stopping.png", "One descent of w² (learning rate 0.01) under four stopping rules: a step budget, a small gradient, a flat loss, and a loss threshold stop it at different steps.")];
    }

    private static List<Figure> LinearRegressionDemo(string folder, TextWriter w)
    {
        var data = Datasets.SeedLinear();
        var model = new LinearRegression<double>(1, 1, 0);
        var trainer = new Trainer<double>(model, (p, y) => Loss.HalfMeanSquaredError(p, y), Optimizers.GradientDescent<double>(8e-3), new TrainerOptions { Epochs = 5000 });
        var history = trainer.Fit(DataLoader<double>.FullBatch(data));
        w.WriteLine($"   reference data y = 0.5·x + 5, half-MSE, learning rate 8e-3, 5000 epochs: weight {Points.Show(model.Weight.Data[0])}, bias {Points.Show(model.Bias.Data[0])}");
        Figures.Save(Figures.TrainValidation(history.Epochs.Select(e => e.TrainLoss).ToArray(), null, "Linear regression on the reference data (half-MSE)", logScale: true), Path.Combine(folder, "linear-regression.png"));
        return [new("linear-regression.png", "Training loss of the reference linear regression on a log scale: a fast drop while the slope fits, then a slow straight line while the intercept catches up.")];
    }

    private static List<Figure> LogisticRegressionDemo(string folder, TextWriter w)
    {
        var (train, validation) = Split.TrainTest(Datasets.Blobs(300, 2, 1.5, seed: 1), 0.3, seed: 1);
        var model = new LogisticRegression<double>(2, 0);
        var trainer = new Trainer<double>(model, (p, y) => Loss.BinaryCrossEntropy(p, y), Optimizers.GradientDescent<double>(0.1),
            new TrainerOptions { Epochs = 200, Metrics = new Dictionary<string, Func<Tensor<double>, Tensor<double>, double>> { ["accuracy"] = Descent.Learning.Metrics.Metric.Accuracy } });
        var history = trainer.Fit(DataLoader<double>.FullBatch(train), validation);
        double accuracy = history.Epochs[^1].Metrics.GetValueOrDefault("val_accuracy", double.NaN);
        w.WriteLine($"   two Gaussian blobs, binary cross-entropy, 200 epochs: validation accuracy {Points.Show(accuracy)}");
        Figures.Save(Figures.TrainValidation(history.Epochs.Select(e => e.TrainLoss).ToArray(), history.Epochs.Select(e => e.ValidationLoss ?? double.NaN).ToArray(),
            "Logistic regression on two blobs (binary cross-entropy)"), Path.Combine(folder, "logistic-regression.png"));
        return [new("logistic-regression.png", "Training and validation cross-entropy of a logistic regression on two blobs: the curves stay together, so the model is not overfitting.")];
    }

    private static List<Figure> Saddle(string folder, TextWriter w)
    {
        Func<Tensor<double>, Tensor<double>> f = v => (v * Tensor.FromArray([1.0, -1.0])).Multiply(v).Sum() + v.Pow(4.0).Sum() * 0.25;
        var c = CriticalPoints.Classify(f, [0.0, 0.0]);
        w.WriteLine($"   f = x² − y² + (x⁴ + y⁴)/4 at (0, 0): eigenvalues {string.Join(", ", c.Eigenvalues.Select(Points.Show))} → {c.Kind.ToString().ToLowerInvariant()}");
        var r = Gd(f, [1.5, 1e-3], 0.05, 120);
        w.WriteLine($"   gradient descent from (1.5, 0.001) stalls near the saddle, then escapes to ({Points.Show(r.Point[0])}, {Points.Show(r.Point[1])})");
        Figures.Save(Figures.ContourWithTrajectory((x, y) => x * x - y * y + (Math.Pow(x, 4) + Math.Pow(y, 4)) / 4, r.Trajectory.Select(t => (t.Point[0], t.Point[1])).ToArray(),
            "Escaping the saddle of x² − y² + (x⁴ + y⁴)/4", "x", "y"), Path.Combine(folder, "saddle.png"));
        return [new("saddle.png", "Started almost exactly on the ridge, gradient descent slides to the saddle at the origin, lingers where the gradient is tiny, and only then escapes downhill along y.")];
    }

    private static List<Figure> AutodiffLimits(string folder, TextWriter w)
    {
        var x0 = Tensor.FromArray([0.0]).WithGrad();
        var naive = (x0.Sin() / x0).Sum();
        naive.Backward();
        double naiveGrad = x0.Grad!.Data[0];
        var x1 = Tensor.FromArray([0.0]).WithGrad();
        x1.Sinc().Sum().Backward();
        w.WriteLine($"   d/dx sin(x)/x at 0: naive composition gives {Points.Show(naiveGrad)}, the fused sinc gives {Points.Show(x1.Grad!.Data[0])} (exact: 0)");
        var x2 = Tensor.FromArray([0.0]).WithGrad();
        x2.Abs().Sum().Backward();
        w.WriteLine($"   d/dx |x| at 0: autodiff returns the subgradient {Points.Show(x2.Grad!.Data[0])}");
        var steps = Enumerable.Range(1, 15).Select(k => Math.Pow(10, -k)).ToArray();
        var errors = steps.Select(h => Math.Abs((Math.Sin(1 + h) - Math.Sin(1)) / h - Math.Cos(1))).ToArray();
        Figures.Save(Figures.DistanceFromMinimum([("forward difference, step 10^-k", errors)], "Finite differences: error of d/dx sin(x) at 1 against k (step 10^-k)", "k", "absolute error"),
            Path.Combine(folder, "autodiff-limits.png"));
        return [new("autodiff-limits.png", "The error of a forward finite difference first falls with the step and then rises again from rounding; autodiff has no step and no such trade-off, but it can return NaN where a formula divides 0 by 0.")];
    }

    private static List<Figure> GradientFree(string folder, TextWriter w)
    {
        Func<Tensor<double>, Tensor<double>> rosen = v =>
        {
            var x = v.IndexSelect(0, 0);
            var y = v.IndexSelect(0, 1);
            return ((1.0 - x).Square() + (y - x.Square()).Square() * 100.0).Sum();
        };
        double[] start = [-1.2, 1.0];
        var runs = new (string Label, MinimizeResult Result)[]
        {
            ("random search", RandomSearch.Minimize(rosen, start, new EvaluationBudget(2000), radius: 0.5, seed: 1)),
            ("genetic", GeneticAlgorithm.Minimize(rosen, start, new EvaluationBudget(2000), settings: new GeneticAlgorithmSettings { Seed = 1 })),
            ("Nelder-Mead", NelderMead.Minimize(rosen, start, new EvaluationBudget(2000))),
            ("L-BFGS", Lbfgs.Minimize(rosen, start, new AnyOf(new EvaluationBudget(2000), new GradientNormBelow(1e-9)))),
        };
        foreach (var (label, r) in runs)
            w.WriteLine($"   {label,-14} f = {Points.Show(r.Value),-12} after {r.FunctionEvaluations} function evaluations");
        var series = runs.Select(r => ($"{r.Label}", r.Result.Trajectory.Select(t => Math.Max(Math.Sqrt(Math.Pow(t.Point[0] - 1, 2) + Math.Pow(t.Point[1] - 1, 2)), 1e-16)).ToArray())).ToList();
        Figures.Save(Figures.DistanceFromMinimum(series, "Rosenbrock from (−1.2, 1) under a 2000-evaluation budget", "step", "distance from (1, 1)"), Path.Combine(folder, "gradient-free.png"));
        return [new("gradient-free.png", "On Rosenbrock's valley with the same budget, L-BFGS reaches the minimum in a few dozen evaluations, Nelder-Mead needs hundreds, and random search and the genetic algorithm spend the whole budget and still stop short of it.")];
    }
}
