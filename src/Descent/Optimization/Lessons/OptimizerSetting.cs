using System.Globalization;

namespace Descent.Optimization.Lessons;

/// <summary>
/// One contestant of a race: an optimizer by name with its settings. Names: <c>gd</c>, <c>momentum</c>,
/// <c>nesterov</c>, <c>adagrad</c>, <c>rmsprop</c>, <c>adam</c>, <c>lion</c>.
/// </summary>
/// <param name="Kind">The optimizer's name.</param>
/// <param name="LearningRate">η, positive.</param>
/// <param name="Beta1">Momentum μ for momentum/Nesterov, β₁ for Adam and Lion, α for RMSProp.</param>
/// <param name="Beta2">β₂ for Adam and Lion (unused by the others).</param>
public sealed record OptimizerSetting(string Kind, double LearningRate, double Beta1 = double.NaN, double Beta2 = double.NaN)
{
    /// <summary>The optimizer names, in display order.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "lion"];

    /// <summary>The first β with NaN replaced by the optimizer's default (0.9; RMSProp's α 0.99).</summary>
    public double EffectiveBeta1 => double.IsNaN(Beta1) ? Kind == "rmsprop" ? 0.99 : 0.9 : Beta1;

    /// <summary>The second β with NaN replaced by the default (Adam 0.999, Lion 0.99).</summary>
    public double EffectiveBeta2 => double.IsNaN(Beta2) ? Kind == "lion" ? 0.99 : 0.999 : Beta2;

    /// <summary>A short label, e.g. <c>adam η=0.1 β₁=0.9 β₂=0.999</c>.</summary>
    public string Label => Kind switch
    {
        "gd" or "adagrad" => $"{Kind} η={F(LearningRate)}",
        "momentum" or "nesterov" => $"{Kind} η={F(LearningRate)} μ={F(EffectiveBeta1)}",
        "rmsprop" => $"{Kind} η={F(LearningRate)} α={F(EffectiveBeta1)}",
        _ => $"{Kind} η={F(LearningRate)} β₁={F(EffectiveBeta1)} β₂={F(EffectiveBeta2)}",
    };

    private static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>Checks the settings and builds the optimizer.</summary>
    /// <exception cref="ArgumentException">An unknown name or a setting out of range (the message names it).</exception>
    public IGradientTransform<double> Build()
    {
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
            throw new ArgumentException($"{Kind}: the learning rate must be positive and finite, not {LearningRate}.");
        double b1 = EffectiveBeta1, b2 = EffectiveBeta2;
        if (!(b1 >= 0 && b1 < 1)) throw new ArgumentException($"{Kind}: β₁ (momentum) must be in [0, 1), not {b1}.");
        if (!(b2 >= 0 && b2 < 1)) throw new ArgumentException($"{Kind}: β₂ must be in [0, 1), not {b2}.");
        return Kind switch
        {
            "gd" => Optimizers.GradientDescent<double>(LearningRate),
            "momentum" => Optimizers.Sgd<double>(LearningRate, momentum: b1),
            "nesterov" => b1 > 0 ? Optimizers.Sgd<double>(LearningRate, momentum: b1, nesterov: true) : Optimizers.GradientDescent<double>(LearningRate),
            "adagrad" => Optimizers.AdaGrad<double>(LearningRate),
            "rmsprop" => Optimizers.RmsProp<double>(LearningRate, alpha: b1),
            "adam" => Optimizers.Adam<double>(LearningRate, b1, b2),
            "lion" => Optimizers.Lion<double>(LearningRate, b1, b2),
            _ => throw new ArgumentException($"There is no optimizer called '{Kind}'; use one of {string.Join(", ", Kinds)}."),
        };
    }
}
