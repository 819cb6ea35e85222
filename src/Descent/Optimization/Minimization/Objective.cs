using Descent.Optimization.Stopping;

namespace Descent.Optimization.Minimization;

/// <summary>
/// The function a minimizer works on, seen as plain arrays: f(x), ∇f(x) and ∇²f(x) through autodiff, with the sign
/// flipped when maximizing (every value and derivative here is of the minimized function, sign·f) and every call
/// counted. A Hessian costs one gradient plus one backward pass per row; each pass is counted as a gradient
/// evaluation, so Newton's method reports n + 1 gradient evaluations per Hessian of an n-parameter function.
/// </summary>
internal sealed class Objective
{
    private readonly Func<Tensor<double>, Tensor<double>> _function;

    public Objective(Func<Tensor<double>, Tensor<double>> function, bool maximize, long? functionLimit = null)
    {
        _function = function;
        Sign = maximize ? -1 : 1;
        FunctionLimit = functionLimit;
    }

    /// <summary>+1 when minimizing, −1 when maximizing: the minimized function is Sign·f.</summary>
    public double Sign { get; }

    /// <summary>The most function evaluations the stopping rule allows (null: no such budget); gradient-free methods never exceed it.</summary>
    public long? FunctionLimit { get; }

    public long FunctionEvaluations { get; private set; }

    public long GradientEvaluations { get; private set; }

    /// <summary>True when the function-evaluation budget is used up.</summary>
    public bool Exhausted => FunctionEvaluations >= FunctionLimit;

    /// <summary>Checks the arguments every minimizer shares: a function, and a non-empty, finite start.</summary>
    public static void Validate(Func<Tensor<double>, Tensor<double>> function, double[] start, MinimizeOptions? options)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(start);
        if (start.Length == 0)
            throw new ArgumentException("The start point is empty; give at least one parameter.", nameof(start));
        for (int i = 0; i < start.Length; i++)
            if (!double.IsFinite(start[i]))
                throw new ArgumentException($"The start point must be finite, but parameter {i} is {start[i]}.", nameof(start));
        if (options is not null && options.LogEvery < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.LogEvery, "LogEvery must be at least 1.");
        if (options is not null && options.MaxTrajectoryPoints < 2)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxTrajectoryPoints, "MaxTrajectoryPoints must be at least 2.");
    }

    /// <summary>sign·f(x), without recording a graph.</summary>
    public double Value(double[] x)
    {
        using var scope = Autograd.NoGrad();
        FunctionEvaluations++;
        return Sign * Scalar(_function(Tensor.FromArray((double[])x.Clone()))).Item();
    }

    /// <summary>sign·f(x), writing ∇(sign·f)(x) into <paramref name="gradient"/>.</summary>
    public double ValueAndGradient(double[] x, double[] gradient)
    {
        var w = Tensor.FromArray((double[])x.Clone()).WithGrad();
        var value = Scalar(_function(w));
        FunctionEvaluations++;
        GradientEvaluations++;
        var loss = Sign == 1 ? value : -value;
        if (!loss.RequiresGrad)
        {
            Array.Clear(gradient);
            return loss.Item();
        }
        Autograd.Grad(loss, w).ToArray().CopyTo(gradient, 0);
        return loss.Item();
    }

    /// <summary>sign·f(x), its gradient, and its Hessian, built by differentiating the recorded gradient once per row.</summary>
    public double ValueGradientHessian(double[] x, double[] gradient, double[,] hessian)
    {
        int n = x.Length;
        var w = Tensor.FromArray((double[])x.Clone()).WithGrad();
        var value = Scalar(_function(w));
        FunctionEvaluations++;
        GradientEvaluations++;
        var loss = Sign == 1 ? value : -value;
        Array.Clear(hessian);
        if (!loss.RequiresGrad)
        {
            Array.Clear(gradient);
            return loss.Item();
        }
        var g = Autograd.Grad(loss, w, createGraph: true);
        g.ToArray().CopyTo(gradient, 0);
        if (!g.RequiresGrad) return loss.Item(); // f is affine: the Hessian is zero.
        for (int i = 0; i < n; i++)
        {
            var unit = new double[n];
            unit[i] = 1;
            var row = Autograd.Grad(g, [w], Tensor.FromArray(unit), createGraph: false, retainGraph: i < n - 1)[0].ToArray();
            GradientEvaluations++;
            for (int j = 0; j < n; j++) hessian[i, j] = row[j];
        }
        // Rows are exact derivatives, but rounding in the backward pass can leave tiny asymmetries.
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                hessian[i, j] = hessian[j, i] = 0.5 * (hessian[i, j] + hessian[j, i]);
        return loss.Item();
    }

    private static Tensor<double> Scalar(Tensor<double> value)
    {
        if (value is null)
            throw new ArgumentException("The function returned null; it must return a scalar tensor.", "function");
        if (value.Size != 1)
            throw new ArgumentException($"The function must return a scalar, but it returned shape {Shapes.Format(value.Shape)}; reduce it with Sum() or Mean().", "function");
        return value;
    }
}

/// <summary>Reads a function-evaluation budget out of a stopping rule, so gradient-free methods can stop exactly on it.</summary>
internal static class Budgets
{
    /// <summary>The smallest <see cref="EvaluationBudget.MaxFunctionEvaluations"/> in the rule or any <see cref="AnyOf"/> it nests; null when none.</summary>
    public static long? FunctionLimit(IStoppingRule rule) => rule switch
    {
        EvaluationBudget b => b.MaxFunctionEvaluations,
        AnyOf any => any.Rules.Select(FunctionLimit).Where(l => l is not null).Min(),
        _ => null,
    };
}
