using Descent.Plotting;
using ScottPlot;

namespace Descent.Plotting.Tests;

/// <summary>Each figure built from small, deterministic data: a descent on x², on an elongated bowl, a sweep.</summary>
internal static class Samples
{
    public static double[] DescentOnParabola(double learningRate, double x0, int steps)
    {
        var xs = new double[steps + 1];
        xs[0] = x0;
        for (int k = 0; k < steps; k++)
            xs[k + 1] = xs[k] - learningRate * 2 * xs[k];
        return xs;
    }

    public static (double x, double y)[] DescentOnBowl(double learningRate, int steps)
    {
        var path = new (double x, double y)[steps + 1];
        path[0] = (-1.5, 1.8);
        for (int k = 0; k < steps; k++)
        {
            var (x, y) = path[k];
            path[k + 1] = (x - learningRate * 2 * x, y - learningRate * 20 * y);
        }
        return path;
    }

    public static double Bowl(double x, double y) => x * x + 10 * y * y;

    /// <summary>Loss of gradient descent on x² from x₀ = 1: (1 − 2η)^(2k); diverges (to +∞) for η > 1.</summary>
    public static double[] LossOnParabola(double learningRate, int steps)
    {
        var losses = new double[steps];
        double x = 1;
        for (int k = 0; k < steps; k++)
        {
            losses[k] = x * x;
            x -= learningRate * 2 * x;
        }
        return losses;
    }

    /// <summary>Gradient descent with momentum (heavy ball) on the bowl from (−1.5, 1.8).</summary>
    public static (double x, double y)[] MomentumOnBowl(double learningRate, double beta, int steps)
    {
        var path = new (double x, double y)[steps + 1];
        path[0] = (-1.5, 1.8);
        double vx = 0, vy = 0;
        for (int k = 0; k < steps; k++)
        {
            var (x, y) = path[k];
            vx = beta * vx + 2 * x;
            vy = beta * vy + 20 * y;
            path[k + 1] = (x - learningRate * vx, y - learningRate * vy);
        }
        return path;
    }

    /// <summary>The reference points x = 1…6, 8 with y = 0.5·x + 5, and gradient descent's line (half-MSE, lr 8e-3) after some epochs.</summary>
    public static (double[] x, double[] y, List<(int epoch, double weight, double bias)> lines) RegressionLines()
    {
        double[] x = [1, 2, 3, 4, 5, 6, 8];
        double[] y = [.. x.Select(v => 0.5 * v + 5)];
        double w = 0, b = 0;
        var lines = new List<(int, double, double)>();
        int[] keep = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000];
        for (int epoch = 1; epoch <= 5000; epoch++)
        {
            double gw = 0, gb = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double r = w * x[i] + b - y[i];
                gw += r * x[i] / x.Length;
                gb += r / x.Length;
            }
            w -= 8e-3 * gw;
            b -= 8e-3 * gb;
            if (keep.Contains(epoch)) lines.Add((epoch, w, b));
        }
        return (x, y, lines);
    }

    /// <summary>Two overlapping classes around (−1, −1) and (1, 1) on a fixed pseudo-random grid.</summary>
    public static List<(double x, double y, int label)> TwoClasses()
    {
        var random = new Random(7);
        var points = new List<(double, double, int)>();
        for (int i = 0; i < 120; i++)
        {
            int label = i % 2;
            double cx = label == 0 ? -1 : 1;
            points.Add((cx + Gaussian(random) * 0.9, cx + Gaussian(random) * 0.9, label));
        }
        return points;
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Every figure, named, with the texts it must show.</summary>
    public static IEnumerable<(string name, Func<Plot> build, string[] texts)> All()
    {
        yield return ("function-with-descent",
            () => Figures.FunctionWithDescent(x => x * x, DescentOnParabola(0.3, 2.0, 6), "Descent on x squared", "x", "f(x)"),
            ["Descent on x squared", "f(x)"]);
        yield return ("function-with-diverging-descent",
            () => Figures.FunctionWithDescent(x => x * x, [.. DescentOnParabola(1.1, 0.5, 5), double.PositiveInfinity],
                "Learning rate 1.1 on x squared diverges"),
            ["Learning rate 1.1 on x squared diverges", "diverged after iterate 5"]);
        yield return ("contour-with-trajectory",
            () => Figures.ContourWithTrajectory(Bowl, DescentOnBowl(0.04, 40), "Descent on an elongated bowl", "x1", "x2"),
            ["Descent on an elongated bowl", "x1", "x2", "start", "end"]);
        yield return ("distance-from-minimum",
            () => Figures.DistanceFromMinimum(
            [
                ("learning rate 0.05", DescentOnParabola(0.05, 2, 60).Select(Math.Abs).ToArray()),
                ("learning rate 0.2", DescentOnParabola(0.2, 2, 60).Select(Math.Abs).ToArray()),
            ], "Distance from the minimum of x squared"),
            ["Distance from the minimum of x squared", "step", "distance from the minimum", "learning rate 0.05"]);
        yield return ("loss-curves",
            () => Figures.LossCurves(
            [
                ("learning rate 0.001", LossOnParabola(0.001, 80)),
                ("learning rate 0.01", LossOnParabola(0.01, 80)),
                ("learning rate 0.1", LossOnParabola(0.1, 80)),
                ("learning rate 1.5", LossOnParabola(1.5, 80).Select(l => l > 1e12 ? double.PositiveInfinity : l).ToArray()),
            ], logScale: true, "Loss for learning rates over four orders of magnitude"),
            ["Loss for learning rates over four orders of magnitude", "step", "loss", "diverged"]);
        yield return ("train-validation",
            () => Figures.TrainValidation(
                Enumerable.Range(1, 30).Select(e => 1.0 / e + 0.05).ToArray(),
                Enumerable.Range(1, 30).Select(e => 1.0 / e + 0.1 + 0.004 * Math.Max(0, e - 12)).ToArray(),
                "Training and validation loss of a small model"),
            ["Training and validation loss of a small model", "epoch", "loss", "training", "validation"]);
        yield return ("contour-with-trajectories",
            () => Figures.ContourWithTrajectories(Bowl,
            [
                ("gradient descent, lr 0.09", DescentOnBowl(0.09, 30)),
                ("momentum 0.6, lr 0.04", MomentumOnBowl(0.04, 0.6, 30)),
                ("gradient descent, lr 0.02", DescentOnBowl(0.02, 30)),
            ], "Three descents on an elongated bowl", "x1", "x2"),
            ["Three descents on an elongated bowl", "momentum 0.6, lr 0.04", "start"]);
        yield return ("regression-fit", () =>
        {
            var (x, y, lines) = RegressionLines();
            return Figures.RegressionFit(x, y, lines, "Linear regression: the line over 5000 epochs");
        }, ["Linear regression: the line over 5000 epochs", "fit after epoch 5000", "data (7 points)"]);
        yield return ("decision-boundary",
            () => Figures.DecisionBoundary(TwoClasses(), (a, b) => 1 / (1 + Math.Exp(-(2 * a + 2 * b)))),
            ["Decision boundary", "decision boundary (p = ½)", "class 0 (60)", "class 1 (60)"]);
        yield return ("loss-and-accuracy",
            () => Figures.LossAndAccuracy(
                Enumerable.Range(1, 40).Select(e => 0.7 * Math.Exp(-e / 8.0) + 0.08).ToArray(),
                Enumerable.Range(1, 40).Select(e => 0.7 * Math.Exp(-e / 8.0) + 0.11).ToArray(),
                Enumerable.Range(1, 40).Select(e => 0.95 - 0.45 * Math.Exp(-e / 6.0)).ToArray(),
                "Loss and accuracy of a classifier"),
            ["Loss and accuracy of a classifier", "validation accuracy", "training loss"]);
        yield return ("sweep-scores",
            () => Figures.SweepScores([1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1],
                [0.95, 0.81, 0.52, 0.21, 0.08, 0.05, 0.12, 0.6, double.NaN],
                "Learning-rate sweep", "validation loss"),
            ["Learning-rate sweep", "learning rate", "validation loss", "best"]);
    }
}
