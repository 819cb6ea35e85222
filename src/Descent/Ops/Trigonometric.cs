using System.Numerics.Tensors;

namespace Descent;

// Trigonometric and hyperbolic functions.
public sealed partial class Tensor<T>
{
    /// <summary>sin x. ∂/∂x = cos x.</summary>
    public Tensor<T> Sin() => Ops.Sin<T>.Instance.Apply(this);

    /// <summary>cos x. ∂/∂x = −sin x.</summary>
    public Tensor<T> Cos() => Ops.Cos<T>.Instance.Apply(this);

    /// <summary>tan x. ∂/∂x = 1 + tan²x.</summary>
    public Tensor<T> Tan() => Ops.Tan<T>.Instance.Apply(this);

    /// <summary>arcsin x on [−1, 1]. ∂/∂x = 1/√(1−x²).</summary>
    public Tensor<T> Asin() => Ops.Asin<T>.Instance.Apply(this);

    /// <summary>arccos x on [−1, 1]. ∂/∂x = −1/√(1−x²).</summary>
    public Tensor<T> Acos() => Ops.Acos<T>.Instance.Apply(this);

    /// <summary>arctan x. ∂/∂x = 1/(1+x²).</summary>
    public Tensor<T> Atan() => Ops.Atan<T>.Instance.Apply(this);

    /// <summary>sinh x. ∂/∂x = cosh x.</summary>
    public Tensor<T> Sinh() => Ops.Sinh<T>.Instance.Apply(this);

    /// <summary>cosh x. ∂/∂x = sinh x.</summary>
    public Tensor<T> Cosh() => Ops.Cosh<T>.Instance.Apply(this);

    /// <summary>tanh x. ∂/∂x = 1 − tanh²x.</summary>
    public Tensor<T> Tanh() => Ops.Tanh<T>.Instance.Apply(this);

    /// <summary>
    /// sinc x = sin(x)/x with sinc 0 = 1: the stable form of <c>x.Sin() / x</c>, whose autodiff gradient at 0 is NaN.
    /// ∂/∂x = (x cos x − sin x)/x², which is 0 at x = 0 (and ≈ −x/3 near it, used for |x| &lt; 1e-4).
    /// </summary>
    public Tensor<T> Sinc() => Ops.Sinc<T>.Instance.Apply(this);

    /// <summary>sinc′ x, differentiable (the derivative of <see cref="Sinc"/>).</summary>
    internal Tensor<T> SincDerivative() => Ops.SincDerivative<T>.Instance.Apply(this);
}
