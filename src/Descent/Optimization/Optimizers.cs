using System.Numerics;
using Descent.Optimization.Transforms;

namespace Descent.Optimization;

/// <summary>
/// The named optimizers, each a one-line <see cref="Chain{T}"/> of gradient transforms. Every factory takes the
/// learning rate as a constant or as a <see cref="Schedule"/>; hyper-parameter defaults are PyTorch's.
/// </summary>
public static class Optimizers
{
    /// <summary>Vanilla gradient descent: <c>p ← p − η·g</c> (bit-exact with the formula).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="learningRate">η.</param>
    /// <returns>The chain <c>[scale by −η]</c>.</returns>
    public static IGradientTransform<T> GradientDescent<T>(Schedule learningRate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => Transform.Chain(new ScaleByLearningRate<T>(learningRate));

    /// <inheritdoc cref="GradientDescent{T}(Schedule)" />
    public static IGradientTransform<T> GradientDescent<T>(double learningRate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => GradientDescent<T>(Schedules.Constant(learningRate));

    /// <summary>
    /// SGD with PyTorch semantics: <c>g ← g + λ·p</c>; momentum <c>b ← μ·b + (1 − τ)·g</c> (b₁ = g);
    /// <c>d = b</c> or, Nesterov, <c>d = g + μ·b</c>; <c>p ← p − η·d</c>.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="learningRate">η.</param>
    /// <param name="momentum">μ in [0, 1); 0 for plain SGD.</param>
    /// <param name="nesterov">Nesterov momentum (needs μ &gt; 0, τ = 0).</param>
    /// <param name="weightDecay">λ, the L2 penalty added to the gradient.</param>
    /// <param name="dampening">τ in [0, 1].</param>
    /// <returns>The chain <c>[L2 decay, momentum, scale by −η]</c>.</returns>
    public static IGradientTransform<T> Sgd<T>(Schedule learningRate, double momentum = 0, bool nesterov = false, double weightDecay = 0, double dampening = 0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        momentum == 0 && !nesterov
            ? Transform.Chain(new AddWeightDecay<T>(weightDecay), new ScaleByLearningRate<T>(learningRate))
            : Transform.Chain(new AddWeightDecay<T>(weightDecay), new Momentum<T>(momentum, dampening, nesterov), new ScaleByLearningRate<T>(learningRate));

    /// <inheritdoc cref="Sgd{T}(Schedule, double, bool, double, double)" />
    public static IGradientTransform<T> Sgd<T>(double learningRate, double momentum = 0, bool nesterov = false, double weightDecay = 0, double dampening = 0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => Sgd<T>(Schedules.Constant(learningRate), momentum, nesterov, weightDecay, dampening);

    /// <summary>AdaGrad (PyTorch): <c>g ← g + λ·p</c>, <c>s ← s + g²</c>, <c>p ← p − η·g / (√s + ε)</c>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="learningRate">η (PyTorch default 0.01).</param>
    /// <param name="epsilon">ε.</param>
    /// <param name="weightDecay">λ, L2 penalty.</param>
    /// <param name="initialAccumulatorValue">s₀.</param>
    /// <returns>The chain <c>[L2 decay, AdaGrad, scale by −η]</c>.</returns>
    public static IGradientTransform<T> AdaGrad<T>(Schedule learningRate, double epsilon = 1e-10, double weightDecay = 0, double initialAccumulatorValue = 0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Transform.Chain(new AddWeightDecay<T>(weightDecay), new ScaleByAdaGrad<T>(epsilon, initialAccumulatorValue), new ScaleByLearningRate<T>(learningRate));

    /// <inheritdoc cref="AdaGrad{T}(Schedule, double, double, double)" />
    public static IGradientTransform<T> AdaGrad<T>(double learningRate, double epsilon = 1e-10, double weightDecay = 0, double initialAccumulatorValue = 0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => AdaGrad<T>(Schedules.Constant(learningRate), epsilon, weightDecay, initialAccumulatorValue);

    /// <summary>RMSProp (PyTorch semantics); see <see cref="ScaleByRms{T}"/> for the formulas.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="learningRate">η (PyTorch default 0.01).</param>
    /// <param name="alpha">α, the smoothing of the squared gradient.</param>
    /// <param name="epsilon">ε.</param>
    /// <param name="weightDecay">λ, L2 penalty.</param>
    /// <param name="momentum">μ.</param>
    /// <param name="centered">Whether to center the second moment.</param>
    /// <returns>The chain <c>[L2 decay, RMS, scale by −η]</c>.</returns>
    public static IGradientTransform<T> RmsProp<T>(Schedule learningRate, double alpha = 0.99, double epsilon = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Transform.Chain(new AddWeightDecay<T>(weightDecay), new ScaleByRms<T>(alpha, epsilon, centered, momentum), new ScaleByLearningRate<T>(learningRate));

    /// <inheritdoc cref="RmsProp{T}(Schedule, double, double, double, double, bool)" />
    public static IGradientTransform<T> RmsProp<T>(double learningRate, double alpha = 0.99, double epsilon = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => RmsProp<T>(Schedules.Constant(learningRate), alpha, epsilon, weightDecay, momentum, centered);

    /// <summary>Adam (PyTorch): L2 decay on the gradient, then <see cref="ScaleByAdam{T}"/>, then <c>−η</c>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="learningRate">η (PyTorch default 1e-3).</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="epsilon">ε, outside the square root.</param>
    /// <param name="amsgrad">AMSGrad variant.</param>
    /// <param name="weightDecay">λ, L2 penalty added to the gradient (not decoupled; see <see cref="AdamW{T}(Schedule, double, double, double, double, bool)"/>).</param>
    /// <returns>The chain <c>[L2 decay, Adam, scale by −η]</c>.</returns>
    public static IGradientTransform<T> Adam<T>(Schedule learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, bool amsgrad = false, double weightDecay = 0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Transform.Chain(new AddWeightDecay<T>(weightDecay), new ScaleByAdam<T>(beta1, beta2, epsilon, amsgrad), new ScaleByLearningRate<T>(learningRate));

    /// <inheritdoc cref="Adam{T}(Schedule, double, double, double, bool, double)" />
    public static IGradientTransform<T> Adam<T>(double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, bool amsgrad = false, double weightDecay = 0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => Adam<T>(Schedules.Constant(learningRate), beta1, beta2, epsilon, amsgrad, weightDecay);

    /// <summary>AdamW: decoupled weight decay, <c>p ← p − η·(adam + λ·p)</c>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="learningRate">η.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="epsilon">ε.</param>
    /// <param name="weightDecay">λ (PyTorch default 0.01).</param>
    /// <param name="amsgrad">AMSGrad variant.</param>
    /// <returns>The chain <c>[Adam, decoupled decay, scale by −η]</c>.</returns>
    public static IGradientTransform<T> AdamW<T>(Schedule learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0.01, bool amsgrad = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Transform.Chain(new ScaleByAdam<T>(beta1, beta2, epsilon, amsgrad), new AddWeightDecay<T>(weightDecay), new ScaleByLearningRate<T>(learningRate));

    /// <inheritdoc cref="AdamW{T}(Schedule, double, double, double, double, bool)" />
    public static IGradientTransform<T> AdamW<T>(double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0.01, bool amsgrad = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => AdamW<T>(Schedules.Constant(learningRate), beta1, beta2, epsilon, weightDecay, amsgrad);

    /// <summary>Lion: <c>p ← p − η·(sign(β₁·m + (1 − β₁)·g) + λ·p)</c>, <c>m ← β₂·m + (1 − β₂)·g</c>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="learningRate">η (typically 3–10× smaller than Adam's).</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="weightDecay">λ, decoupled.</param>
    /// <returns>The chain <c>[Lion, decoupled decay, scale by −η]</c>.</returns>
    public static IGradientTransform<T> Lion<T>(Schedule learningRate, double beta1 = 0.9, double beta2 = 0.99, double weightDecay = 0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Transform.Chain(new ScaleByLion<T>(beta1, beta2), new AddWeightDecay<T>(weightDecay), new ScaleByLearningRate<T>(learningRate));

    /// <inheritdoc cref="Lion{T}(Schedule, double, double, double)" />
    public static IGradientTransform<T> Lion<T>(double learningRate, double beta1 = 0.9, double beta2 = 0.99, double weightDecay = 0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => Lion<T>(Schedules.Constant(learningRate), beta1, beta2, weightDecay);
}
