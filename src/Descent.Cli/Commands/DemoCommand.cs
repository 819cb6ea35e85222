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
        new("optimizers", "Four optimizers on one valley", OptimizersDemo),
        new("learning-rates", "Learning rates over orders of magnitude", LearningRates),
        new("stopping", "When to stop", Stopping),
        new("linear-regression", "Linear regression", LinearRegressionDemo),
        new("logistic-regression", "Logistic regression", LogisticRegressionDemo),
        new("saddle", "A saddle point", Saddle),
        new("autodiff-limits", "Where autodiff needs care", AutodiffLimits),
        new("gradient-free", "Gradient-free baselines", GradientFree),
        new("cnn", "What a convolutional network sees", CnnDemo),
    ];

    /// <summary>The lesson names.</summary>
    public static IEnumerable<string> Names => s_lessons.Select(l => l.Name);

    /// <summary>Builds the command.</summary>
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "parabola | paraboloid | optimizers | learning-rates | stopping | linear-regression | logistic-regression | saddle | autodiff-limits | gradient-free | cnn | all" };
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
            var skipped = new JsonArray();
            foreach (var lesson in lessons)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                text.WriteLine($"== {lesson.Title} ({lesson.Name})");
                List<Figure> figures;
                try { figures = lesson.Run(folder, text); }
                catch (DatasetNotInstalledException e) when (which == "all")
                {
                    // 'demo all' draws what it can; 'demo cnn' alone says what to install (exit 3).
                    context.Error.WriteLine($"note: skipped the {lesson.Name} lesson: {e.Message}");
                    text.WriteLine("   skipped: its data set is not installed");
                    skipped.Add((JsonNode)new JsonObject { ["name"] = lesson.Name, ["reason"] = e.Message });
                    continue;
                }
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
                    ["skipped"] = skipped,
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
        // The reference paraboloid: 2·w1² + 3·w2² from (2, 4) with learning rate 0.1 reaches (0.15552, 0.04096) in 5 steps.
        Func<Tensor<double>, Tensor<double>> f = v => (v * Tensor.FromArray([2.0, 3.0])).Multiply(v).Sum();
        var five = Gd(f, [2.0, 4.0], 0.1, 5);
        w.WriteLine($"   f(w) = 2·w1² + 3·w2² from (2, 4), learning rate 0.1: after 5 steps ({Points.Show(five.Point[0])}, {Points.Show(five.Point[1])})");
        w.WriteLine("   each step multiplies w1 by 1 − 4·0.1 = 0.6 and w2 by 1 − 6·0.1 = 0.4: the steeper direction shrinks faster.");
        var r = Gd(f, [2.0, 4.0], 0.1, 20);
        var path = r.Trajectory.Select(t => (t.Point[0], t.Point[1])).ToArray();
        var contour = Figures.ContourWithTrajectory((x, y) => 2 * x * x + 3 * y * y, path, "Gradient descent on 2·w1² + 3·w2², learning rate 0.1", "w1", "w2");
        Figures.Save(contour, Path.Combine(folder, "paraboloid.png"));
        Figures.SaveAnimatedDescent(contour, path, Path.Combine(folder, "paraboloid-descent.svg"));
        var d = r.Trajectory.Select(t => Math.Sqrt(t.Point[0] * t.Point[0] + t.Point[1] * t.Point[1])).ToArray();
        var d1 = r.Trajectory.Select(t => Math.Abs(t.Point[0])).ToArray();
        var d2 = r.Trajectory.Select(t => Math.Abs(t.Point[1])).ToArray();
        Figures.Save(Figures.DistanceFromMinimum([("distance ‖w‖", d), ("|w1| (factor 0.6 a step)", d1), ("|w2| (factor 0.4 a step)", d2)],
            "Distance from the minimum of 2·w1² + 3·w2² on a log scale"), Path.Combine(folder, "paraboloid-distance.png"));
        return
        [
            new("paraboloid.png", "Twenty steps of gradient descent on 2·w1² + 3·w2² from (2, 4) with learning rate 0.1: w2, on the steeper side, shrinks by 0.4 a step and w1 by 0.6, so the path bends towards the w1 axis and then runs along it (after 5 steps: (0.15552, 0.04096))."),
            new("paraboloid-descent.svg", "The same descent played step by step (an animated SVG: open it in a browser): the big first steps, then the slow slide along the w1 axis."),
            new("paraboloid-distance.png", "On a log scale each coordinate falls on a straight line, with slopes log 0.6 and log 0.4: gradient descent converges linearly, and the distance ends up following the slower direction."),
        ];
    }

    private static List<Figure> OptimizersDemo(string folder, TextWriter w)
    {
        // An elongated valley, w1² + 10·w2²: the curvatures differ tenfold, which is what separates the optimizers.
        Func<Tensor<double>, Tensor<double>> f = v => (v * Tensor.FromArray([1.0, 10.0])).Multiply(v).Sum();
        double[] start = [-4.0, 1.5];
        var runs = new (string Label, IGradientTransform<double> Optimizer)[]
        {
            ("gradient descent, lr 0.09", Optimizers.GradientDescent<double>(0.09)),
            ("momentum 0.8, lr 0.03", Optimizers.Sgd<double>(0.03, momentum: 0.8)),
            ("Nesterov 0.8, lr 0.03", Optimizers.Sgd<double>(0.03, momentum: 0.8, nesterov: true)),
            ("Adam, lr 0.3", Optimizers.Adam<double>(0.3)),
        };
        var paths = new List<(string?, (double x, double y)[])>();
        foreach (var (label, optimizer) in runs)
        {
            var r = Minimizer.Minimize(f, start, optimizer, new MaxSteps(40));
            w.WriteLine($"   {label,-26} after 40 steps: ({Points.Show(r.Point[0])}, {Points.Show(r.Point[1])}), f = {Points.Show(r.Value)}");
            paths.Add((label, r.Trajectory.Select(t => (t.Point[0], t.Point[1])).ToArray()));
        }
        Figures.Save(Figures.ContourWithTrajectories((x, y) => x * x + 10 * y * y, paths, "Four optimizers on w1² + 10·w2², 40 steps from (−4, 1.5)", "w1", "w2"),
            Path.Combine(folder, "optimizers.png"));
        return [new("optimizers.png", "Forty steps of four optimizers from (−4, 1.5) on a valley ten times steeper across than along: gradient descent zig-zags across it, momentum builds up speed and swings past the minimum, Nesterov's look-ahead damps that swing, and Adam, whose first steps are about the learning rate in each coordinate whatever the slope, heads off diagonally, overshoots and circles back.")];
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
        var data = SyntheticData.SeedLinear();
        var model = new LinearRegression<double>(1, 1, 0);
        var trainer = new Trainer<double>(model, (p, y) => Loss.HalfMeanSquaredError(p, y), Optimizers.GradientDescent<double>(8e-3), new TrainerOptions { Epochs = 5000 });
        // The line after epochs 1, 2, 5, 10, 20, 50, … and the last: it swings into place, fast for the slope and slowly for the intercept.
        var lines = new List<(int, double, double)>();
        trainer.EpochEnded += e =>
        {
            int scale = 1;
            while (scale * 10 <= e.Epoch) scale *= 10;
            if (e.Epoch / scale is 1 or 2 or 5 && e.Epoch % scale == 0 || e.Epoch == 5000) lines.Add((e.Epoch, model.Weight.Data[0], model.Bias.Data[0]));
        };
        var history = trainer.Fit(DataLoader<double>.FullBatch(data));
        w.WriteLine($"   reference data y = 0.5·x + 5, half-MSE, learning rate 8e-3, 5000 epochs: weight {Points.Show(model.Weight.Data[0])}, bias {Points.Show(model.Bias.Data[0])}");
        double[] x = data.X.ToDoubleArray(), y = data.Y.ToDoubleArray();
        Figures.Save(Figures.RegressionFit(x, y, lines, "Linear regression on the reference data: the line over 5000 epochs"), Path.Combine(folder, "linear-regression-fit.png"));
        Figures.Save(Figures.TrainValidation(history.Epochs.Select(e => e.TrainLoss).ToArray(), null, "Linear regression on the reference data (half-MSE)", logScale: true), Path.Combine(folder, "linear-regression.png"));
        return
        [
            new("linear-regression-fit.png", "The seven reference points and the fitted line y = 0.5·x + 5 in bold; the faint lines are the model after epochs 1, 2, 5, 10, … 2000: the slope is right within a few dozen epochs, then the line slowly slides up to the right intercept."),
            new("linear-regression.png", "Training loss of the reference linear regression on a log scale: a fast drop while the slope fits, then a slow straight line while the intercept catches up."),
        ];
    }

    private static List<Figure> LogisticRegressionDemo(string folder, TextWriter w)
    {
        var (train, validation) = Split.TrainTest(SyntheticData.Blobs(300, 2, 1.5, seed: 1), 0.3, seed: 1);
        var model = new LogisticRegression<double>(2, 0);
        var trainer = new Trainer<double>(model, (p, y) => Loss.BinaryCrossEntropy(p, y), Optimizers.GradientDescent<double>(0.1),
            new TrainerOptions { Epochs = 200, Metrics = new Dictionary<string, Func<Tensor<double>, Tensor<double>, double>> { ["accuracy"] = Descent.Learning.Metrics.Metric.Accuracy } });
        var history = trainer.Fit(DataLoader<double>.FullBatch(train), validation);
        double accuracy = history.Epochs[^1].Metrics.GetValueOrDefault("val_accuracy", double.NaN);
        w.WriteLine($"   two Gaussian blobs, binary cross-entropy, 200 epochs: validation accuracy {Points.Show(accuracy)}");
        var weights = model.NamedParameters().First(p => p.Parameter.Size == 2).Parameter.ToDoubleArray();
        double bias = model.NamedParameters().First(p => p.Parameter.Size == 1).Parameter.ToDoubleArray()[0];
        w.WriteLine($"   decision boundary: {Points.Show(weights[0])}·x1 {(weights[1] < 0 ? "−" : "+")} {Points.Show(Math.Abs(weights[1]))}·x2 {(bias < 0 ? "−" : "+")} {Points.Show(Math.Abs(bias))} = 0");
        var xs = train.X.ToDoubleArray();
        var labels = train.Y.ToDoubleArray();
        var points = Enumerable.Range(0, labels.Length).Select(i => (xs[2 * i], xs[2 * i + 1], (int)labels[i])).ToList();
        Figures.Save(Figures.DecisionBoundary(points, (a, b) => 1 / (1 + Math.Exp(-(weights[0] * a + weights[1] * b + bias))),
            "Logistic regression on two blobs: the training points and the boundary", "x1", "x2"), Path.Combine(folder, "logistic-regression-boundary.png"));
        Figures.Save(Figures.LossAndAccuracy(history.Epochs.Select(e => e.TrainLoss).ToArray(), history.Epochs.Select(e => e.ValidationLoss ?? double.NaN).ToArray(),
            history.Epochs.Select(e => e.Metrics.GetValueOrDefault("val_accuracy", double.NaN)).ToArray(),
            "Logistic regression on two blobs (binary cross-entropy)"), Path.Combine(folder, "logistic-regression.png"));
        return
        [
            new("logistic-regression-boundary.png", "The training points of the two blobs and the learned decision boundary, where the predicted probability is ½; the shading is the probability of the second class, and the ringed points are on the wrong side."),
            new("logistic-regression.png", "Training and validation cross-entropy of a logistic regression on two blobs, with the validation accuracy on the right axis: the loss curves stay together, so the model is not overfitting, and the accuracy settles within a few dozen epochs."),
        ];
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
        Figures.Save(Figures.DistanceFromMinimum([("forward difference, step 10^-k", errors)], "Finite differences: error of d/dx sin(x) at 1 against k (step 10^-k)", "k", "absolute error", firstStep: 1),
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
        // Every evaluation is counted: after evaluation k, the distance from (1, 1) of the best point found so far.
        Func<Tensor<double>, Tensor<double>> Counted(List<double> best)
        {
            double bestValue = double.PositiveInfinity, bestDistance = double.NaN;
            return v =>
            {
                var value = rosen(v);
                double f = value.Item(), a = v.Data[0], b = v.Data[1];
                if (f < bestValue) (bestValue, bestDistance) = (f, Math.Sqrt((a - 1) * (a - 1) + (b - 1) * (b - 1)));
                best.Add(Math.Max(bestDistance, 1e-16));
                return value;
            };
        }
        double[] start = [-1.2, 1.0];
        var runs = new (string Label, Func<Func<Tensor<double>, Tensor<double>>, MinimizeResult> Run)[]
        {
            ("random search", f => RandomSearch.Minimize(f, start, new EvaluationBudget(2000), radius: 0.5, seed: 1)),
            ("genetic", f => GeneticAlgorithm.Minimize(f, start, new EvaluationBudget(2000), settings: new GeneticAlgorithmSettings { Seed = 1 })),
            ("Nelder-Mead", f => NelderMead.Minimize(f, start, new EvaluationBudget(2000))),
            ("L-BFGS", f => Lbfgs.Minimize(f, start, new AnyOf(new EvaluationBudget(2000), new GradientNormBelow(1e-9)))),
        };
        var series = new List<(string, double[])>();
        foreach (var (label, run) in runs)
        {
            var best = new List<double>();
            var r = run(Counted(best));
            w.WriteLine($"   {label,-14} f = {Points.Show(r.Value),-12} after {r.FunctionEvaluations} function evaluations");
            series.Add(($"{label} ({best.Count} evaluations)", best.ToArray()));
        }
        Figures.Save(Figures.DistanceFromMinimum(series, "Rosenbrock from (−1.2, 1) under a 2000-evaluation budget", "function evaluations", "distance of the best point so far from (1, 1)", firstStep: 1),
            Path.Combine(folder, "gradient-free.png"));
        return [new("gradient-free.png", "On Rosenbrock's valley with the same budget, counted in function evaluations: L-BFGS reaches the minimum in a few dozen, Nelder-Mead needs hundreds, and random search and the genetic algorithm spend the whole budget and still stop short of it.")];
    }

    /// <summary>
    /// How the CNN lesson trains: <see cref="Steps"/> Adam steps of 64 images (100: a ninth of an epoch), accuracy on the
    /// first <see cref="TestImages"/> test images, Fashion-MNIST from <see cref="Folder"/>.
    /// </summary>
    internal sealed record CnnLessonSettings(int Steps = 100, int TestImages = 2000, string Folder = Mnist.FashionMnistDefaultFolder);

    /// <summary>
    /// Tests shrink the CNN lesson for their own call only (an unoptimised Debug build trains about 15× slower): an
    /// <see cref="AsyncLocal{T}"/> flows with the test's call and is invisible to tests running beside it.
    /// </summary>
    internal static readonly AsyncLocal<CnnLessonSettings?> CnnLesson = new();

    private static List<Figure> CnnDemo(string folder, TextWriter w)
    {
        var settings = CnnLesson.Value ?? new CnnLessonSettings();
        int steps = settings.Steps;
        var (train, test) = Mnist.LoadFashionMnist<float>(settings.Folder);
        var model = new Cnn<float>([1, 28, 28], 10, seed: 0);
        var trainer = new Trainer<float>(model, (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Adam<float>(1e-3), new TrainerOptions
        {
            Epochs = 1,
            Metrics = new Dictionary<string, Func<Tensor<double>, Tensor<double>, double>> { ["accuracy"] = Descent.Learning.Metrics.Metric.Accuracy },
        });
        var conv1 = (Conv2d<float>)model.Layers.Layers[0];
        var before = conv1.Weight.ToDoubleArray();
        var history = trainer.Fit(DataLoader<float>.MiniBatches(train, 64, seed: 0, rows: [.. Enumerable.Range(0, Math.Min(steps * 64, train.Count))]));
        int[] testRows = [.. Enumerable.Range(0, Math.Min(settings.TestImages, test.Count))];
        var (_, metrics) = trainer.Evaluate(test, "test_", testRows);
        w.WriteLine($"   the default CNN (conv 32 → pool → conv 64 → pool → linear 128 → 10), Adam 1e-3, {steps} steps of 64 Fashion-MNIST images ({Points.Show(Math.Round(steps * 64.0 / train.Count, 3))} of an epoch): "
            + $"training loss {Points.Show(history.Epochs[^1].TrainLoss)}, accuracy on {testRows.Length} test images {Points.Show(metrics["test_accuracy"])}");

        // The first layer's 32 filters (3×3 weights on the grey pixels), on one scale.
        var weights = conv1.Weight.ToDoubleArray();
        double moved = Math.Sqrt(weights.Zip(before, (a, b) => (a - b) * (a - b)).Sum() / weights.Sum(v => v * v));
        w.WriteLine($"   conv1's filters moved by {Points.Show(moved)} of their size from the random start");
        var filters = Enumerable.Range(0, 32).Select(k => Grid(weights, k * 9, 3, 3)).ToArray();
        var filterRows = new[]
        {
            new ImageRow("conv1: 32 filters of 3×3 weights", filters) { Scale = ImageScale.SharedSigned, Columns = 8, Captions = [.. Enumerable.Range(0, 32).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture))] },
        };
        var (fw, fh) = Figures.ImageGridSize(filterRows, 90);
        Figures.Save(Figures.ImageGrid(filterRows, $"The first convolution's filters after {steps} Adam steps on Fashion-MNIST"), Path.Combine(folder, "cnn-filters.png"), fw, fh);

        // One test image through the network: the maps after conv1 → ReLU and after pool → conv2 → ReLU, the 8 strongest of each.
        model.Eval();
        const int Example = 0;
        var image = Tensor.FromArray(test.X.Data.Slice(Example * 784, 784).ToArray(), 1, 1, 28, 28);
        string label = test.ClassNames?[(int)test.Y.Data[Example]] ?? test.Y.Data[Example].ToString(System.Globalization.CultureInfo.InvariantCulture);
        Tensor<float> afterConv1, afterConv2;
        using (Autograd.NoGrad())
        {
            var layers = model.Layers.Layers;
            afterConv1 = layers[1].Forward(layers[0].Forward(image));                       // conv1 → ReLU: [1, 32, 28, 28]
            afterConv2 = layers[4].Forward(layers[3].Forward(layers[2].Forward(afterConv1))); // max-pool → conv2 → ReLU: [1, 64, 14, 14]
        }
        var (maps1, names1) = Strongest(afterConv1, 8);
        var (maps2, names2) = Strongest(afterConv2, 8);
        var mapRows = new[]
        {
            new ImageRow($"input: test image {Example} ({label}), 28×28", [Grid(image.ToDoubleArray(), 0, 28, 28)]),
            new ImageRow("after conv1 → ReLU: the 8 most active of 32 maps, 28×28", maps1) { Captions = names1 },
            new ImageRow("after max-pool → conv2 → ReLU: the 8 most active of 64 maps, 14×14", maps2) { Captions = names2 },
        };
        var (mw, mh) = Figures.ImageGridSize(mapRows, 90);
        Figures.Save(Figures.ImageGrid(mapRows, "Feature maps of one Fashion-MNIST image (white: strongest response)"), Path.Combine(folder, "cnn-feature-maps.png"), mw, mh);
        return
        [
            new("cnn-filters.png", $"The 32 filters of the first convolution after {steps} Adam steps, each a 3×3 window of weights laid on every pixel's neighbourhood (red raises the response, blue lowers it; one scale for all). "
                + $"After a fraction of an epoch they have moved {Points.Show(Math.Round(100 * moved))} % of their size from the random start: the training has only begun to shape them, yet the feature maps show that they already pick out outlines, edges of one direction and the background."),
            new("cnn-feature-maps.png", $"One test image ({label}) through the network: after conv1 and ReLU each map is the image seen through one filter — blurred copies, outlines, edges of one direction, the background; after max-pooling, conv2 and ReLU the maps are coarser (14×14) and respond to larger parts of the shape."),
        ];
    }

    /// <summary>Values [offset, offset + rows·cols) of <paramref name="values"/> as a [rows, cols] grid.</summary>
    private static double[,] Grid(double[] values, int offset, int rows, int cols)
    {
        var grid = new double[rows, cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) grid[r, c] = values[offset + r * cols + c];
        return grid;
    }

    /// <summary>The <paramref name="count"/> channels of a [1, C, H, W] activation with the largest mean, strongest first, with their names.</summary>
    private static (double[][,] Maps, string[] Names) Strongest(Tensor<float> activation, int count)
    {
        int channels = activation.Shape[1], h = activation.Shape[2], wd = activation.Shape[3];
        var values = activation.ToDoubleArray();
        var order = Enumerable.Range(0, channels).OrderByDescending(c => values.AsSpan(c * h * wd, h * wd).ToArray().Average()).ThenBy(c => c).Take(count).ToArray();
        return ([.. order.Select(c => Grid(values, c * h * wd, h, wd))], [.. order.Select(c => $"map {c}")]);
    }
}
