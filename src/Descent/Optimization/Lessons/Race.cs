using Descent.Optimization.Stopping;

namespace Descent.Optimization.Lessons;

/// <summary>How one contestant's run ended.</summary>
public enum RaceOutcome
{
    /// <summary>It ran all its steps.</summary>
    Ran,
    /// <summary>The loss fell below the tolerance: it arrived.</summary>
    Converged,
    /// <summary>The loss stopped changing (the <see cref="Plateau"/> rule fired) and <see cref="RaceOptions.StopOnPlateau"/> was set.</summary>
    Plateau,
    /// <summary>The position or the loss became non-finite or left any sensible range (|p| &gt; 1e8).</summary>
    Diverged,
}

/// <summary>Settings of a <see cref="Race"/>.</summary>
public sealed record RaceOptions
{
    /// <summary>The most steps per contestant (default 200, at most 100,000).</summary>
    public int Steps { get; init; } = 200;

    /// <summary>Stop a contestant whose loss falls below this (default 1e-10 above the known minimum, else never).</summary>
    public double Tolerance { get; init; } = 1e-10;

    /// <summary>Stop a contestant when its loss flattens (a <see cref="Stopping.Plateau"/> rule with <see cref="PlateauTolerance"/>, window 20).</summary>
    public bool StopOnPlateau { get; init; }

    /// <summary>The slope per step below which the loss counts as flat (default 1e-6).</summary>
    public double PlateauTolerance { get; init; } = 1e-6;
}

/// <summary>One contestant's path.</summary>
/// <param name="Setting">Who ran.</param>
/// <param name="X">Positions, first coordinate (the start first).</param>
/// <param name="Y">Positions, second coordinate.</param>
/// <param name="Loss">L at each position.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Message">A sentence saying how it ended.</param>
/// <param name="PlateauStep">The first step at which the loss was flat, when it flattened (reported even when not stopping there).</param>
public sealed record RacePath(OptimizerSetting Setting, double[] X, double[] Y, double[] Loss, RaceOutcome Outcome, string Message, int? PlateauStep);

/// <summary>
/// The optimizer race: several optimizers from the library's own transforms, each from the same start on the same
/// <see cref="Surface"/>, their paths recorded step by step. Deterministic: the same inputs give the same paths.
/// </summary>
public static class Race
{
    /// <summary>Runs every contestant.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public static IReadOnlyList<RacePath> Run(Surface surface, double startX, double startY, IReadOnlyList<OptimizerSetting> contestants, RaceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(surface);
        ArgumentNullException.ThrowIfNull(contestants);
        options ??= new RaceOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Steps, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Steps, 100_000, nameof(options));
        if (!double.IsFinite(startX) || !double.IsFinite(startY)) throw new ArgumentException("The start must be finite.");
        var transforms = contestants.Select(c => c.Build()).ToArray(); // every setting checked before anything runs
        return contestants.Select((c, i) => RunOne(surface, startX, startY, c, transforms[i], options)).ToArray();
    }

    private static RacePath RunOne(Surface surface, double x0, double y0, OptimizerSetting setting, IGradientTransform<double> transform, RaceOptions options)
    {
        var p = new ArrayParameter<double>(x0, y0);
        var optimizer = new Optimizer<double>([p], transform);
        var xs = new List<double> { x0 };
        var ys = new List<double> { y0 };
        var losses = new List<double> { surface.Value(x0, y0) };
        double floor = surface.Minimum is { } m ? surface.Value(m[0], m[1]) : double.NegativeInfinity;
        var plateau = new Plateau(options.PlateauTolerance, 20);
        int? plateauStep = null;
        var outcome = RaceOutcome.Ran;
        string message = $"ran {options.Steps} steps";
        for (int step = 1; step <= options.Steps; step++)
        {
            var (gx, gy) = surface.Gradient(p.Data[0], p.Data[1]);
            p.Grad[0] = gx;
            p.Grad[1] = gy;
            optimizer.Step();
            double x = p.Data[0], y = p.Data[1], loss = surface.Value(x, y);
            if (!double.IsFinite(x) || !double.IsFinite(y) || !double.IsFinite(loss) || Math.Abs(x) > 1e8 || Math.Abs(y) > 1e8)
            {
                outcome = RaceOutcome.Diverged;
                message = $"diverged at step {step}: the position left every finite range — lower the learning rate";
                break;
            }
            xs.Add(x);
            ys.Add(y);
            losses.Add(loss);
            if (loss - floor < options.Tolerance)
            {
                outcome = RaceOutcome.Converged;
                message = $"arrived at step {step} (loss within {options.Tolerance:G2} of the minimum)";
                break;
            }
            if (plateauStep is null && plateau.Observe(new StepRecord(step, loss)) is not null)
            {
                plateauStep = step;
                if (options.StopOnPlateau)
                {
                    outcome = RaceOutcome.Plateau;
                    message = $"stopped at step {step}: the loss flattened (slope below {options.PlateauTolerance:G2} per step over 20 steps)";
                    break;
                }
            }
        }
        return new RacePath(setting, [.. xs], [.. ys], [.. losses], outcome, message, plateauStep);
    }
}
