using Descent.Differentiation.Expressions;

namespace Descent.Optimization.Lessons;

/// <summary>What a descent on a line did.</summary>
public enum LineVerdict
{
    /// <summary>Each step went the same way and the steps shrank: a smooth slide to the minimum.</summary>
    Converging,
    /// <summary>The steps jumped across the minimum but shrank: it converges while oscillating.</summary>
    OscillatingConverging,
    /// <summary>The steps jumped back and forth with the same size: it neither converges nor diverges.</summary>
    Oscillating,
    /// <summary>The steps grew (or the value left every finite range).</summary>
    Diverging,
}

/// <summary>The points of a descent on a curve and what it did.</summary>
/// <param name="W">The positions w₀, w₁, …</param>
/// <param name="Loss">L(wₖ).</param>
/// <param name="Slope">L′(wₖ).</param>
/// <param name="Verdict">Converging, oscillating or diverging.</param>
/// <param name="Message">The verdict as a sentence.</param>
public sealed record LineDescent(double[] W, double[] Loss, double[] Slope, LineVerdict Verdict, string Message);

/// <summary>
/// The one-dimensional lesson: gradient descent wₖ₊₁ = wₖ − η·L′(wₖ) on a function of one variable, and a verdict read
/// off the steps. On L(w) = w² each step multiplies w by 1 − 2η: η &lt; 0.5 slides, 0.5 &lt; η &lt; 1 oscillates
/// inward, η = 1 jumps between w₀ and −w₀ forever, η &gt; 1 diverges.
/// </summary>
public static class LineLesson
{
    /// <summary>Runs the descent.</summary>
    /// <param name="function">A function of one variable, e.g. <c>w^2</c>.</param>
    /// <param name="learningRate">η, positive.</param>
    /// <param name="start">w₀.</param>
    /// <param name="steps">The number of steps (1 to 10,000).</param>
    /// <exception cref="ExpressionException">The text does not parse.</exception>
    /// <exception cref="SurfaceException">It has more than one variable.</exception>
    /// <exception cref="ArgumentException">η, w₀ or the step count is out of range.</exception>
    public static LineDescent Run(string function, double learningRate, double start, int steps = 20)
    {
        ArgumentNullException.ThrowIfNull(function);
        var expression = Expr.Parse(function);
        if (expression.Variables.Count > 1)
            throw new SurfaceException($"The line lesson needs a function of one variable, but '{function}' has {expression.Variables.Count}: {string.Join(", ", expression.Variables)}.");
        if (!(learningRate > 0) || !double.IsFinite(learningRate)) throw new ArgumentException($"The learning rate must be positive and finite, not {learningRate}.", nameof(learningRate));
        if (!double.IsFinite(start)) throw new ArgumentException("The start must be finite.", nameof(start));
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(steps, 10_000);
        string name = expression.Variables.Count == 1 ? expression.Variables[0] : "w";
        var value = CompiledExpression.Compile(expression, [name]);
        var slope = CompiledExpression.Compile(expression.Differentiate(name), [name]);
        var w = new List<double> { start };
        var loss = new List<double> { value([start]) };
        var slopes = new List<double> { slope([start]) };
        bool escaped = false;
        for (int k = 0; k < steps; k++)
        {
            double next = w[^1] - learningRate * slopes[^1];
            double l = value([next]);
            if (!double.IsFinite(next) || Math.Abs(next) > 1e12 || !double.IsFinite(l))
            {
                escaped = true;
                break;
            }
            w.Add(next);
            loss.Add(l);
            slopes.Add(slope([next]));
        }
        var (verdict, message) = Judge(w, escaped, learningRate);
        return new LineDescent([.. w], [.. loss], [.. slopes], verdict, message);
    }

    /// <summary>The function at <paramref name="count"/> evenly spaced points of [<paramref name="from"/>, <paramref name="to"/>] (non-finite values as NaN), to draw it.</summary>
    /// <exception cref="ExpressionException">The text does not parse.</exception>
    /// <exception cref="SurfaceException">It has more than one variable.</exception>
    public static (double[] W, double[] Loss) Sample(string function, double from, double to, int count = 200)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        var expression = Expr.Parse(function);
        if (expression.Variables.Count > 1)
            throw new SurfaceException($"The line lesson needs a function of one variable, but '{function}' has {expression.Variables.Count}: {string.Join(", ", expression.Variables)}.");
        var value = CompiledExpression.Compile(expression, [expression.Variables.Count == 1 ? expression.Variables[0] : "w"]);
        var w = new double[count];
        var l = new double[count];
        for (int i = 0; i < count; i++)
        {
            w[i] = from + (to - from) * i / (count - 1);
            double v = value([w[i]]);
            l[i] = double.IsFinite(v) ? v : double.NaN;
        }
        return (w, l);
    }

    private static (LineVerdict, string) Judge(List<double> w, bool escaped, double learningRate)
    {
        if (escaped) return (LineVerdict.Diverging, $"diverging: with η = {learningRate:G3} the steps grow until w leaves every finite range");
        if (w.Count < 3) return (LineVerdict.Converging, "too few steps to tell");
        // Judge by the later half of the steps, where the behaviour has settled.
        int from = Math.Max(1, (w.Count - 1) / 2);
        int flips = 0, growing = 0, shrinking = 0, count = 0;
        for (int k = from; k < w.Count - 1; k++)
        {
            double before = w[k] - w[k - 1], after = w[k + 1] - w[k];
            if (before == 0 && after == 0) continue;
            count++;
            if (Math.Sign(before) != Math.Sign(after)) flips++;
            double ratio = Math.Abs(after) / Math.Abs(before);
            if (ratio > 1 + 1e-9) growing++;
            else if (ratio < 1 - 1e-9) shrinking++;
        }
        if (count == 0) return (LineVerdict.Converging, "converged: the steps are zero");
        bool oscillating = flips * 2 > count;
        if (growing * 2 > count) return (LineVerdict.Diverging, $"diverging: with η = {learningRate:G3} each step overshoots by more than the last");
        if (shrinking * 2 > count || (w[^1] - w[^2]) == 0)
            return oscillating
                ? (LineVerdict.OscillatingConverging, $"converging while oscillating: η = {learningRate:G3} jumps across the minimum, by less each time")
                : (LineVerdict.Converging, $"converging: η = {learningRate:G3} slides to the minimum");
        return (LineVerdict.Oscillating, $"oscillating: with η = {learningRate:G3} the steps keep the same size — neither converging nor diverging");
    }
}
