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
        yield return ("sweep-scores",
            () => Figures.SweepScores([1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1],
                [0.95, 0.81, 0.52, 0.21, 0.08, 0.05, 0.12, 0.6, double.NaN],
                "Learning-rate sweep", "validation loss"),
            ["Learning-rate sweep", "learning rate", "validation loss", "best"]);
    }
}
