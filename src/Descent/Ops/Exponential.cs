using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent;

// Exponentials, logarithms, powers and roots.
public sealed partial class Tensor<T>
{
    /// <summary>eˣ element-wise. ∂/∂x = eˣ = y.</summary>
    public Tensor<T> Exp() => Ops.Exp<T>.Instance.Apply(this);

    /// <summary>Natural logarithm element-wise (NaN below 0, −∞ at 0). ∂/∂x = 1/x.</summary>
    public Tensor<T> Log() => Ops.Log<T>.Instance.Apply(this);

    /// <summary>ln(1+x), accurate near 0. ∂/∂x = 1/(1+x).</summary>
    public Tensor<T> Log1P() => Ops.Log1P<T>.Instance.Apply(this);

    /// <summary>eˣ−1, accurate near 0. ∂/∂x = eˣ = y+1.</summary>
    public Tensor<T> ExpM1() => Ops.ExpM1<T>.Instance.Apply(this);

    /// <summary>√x element-wise. ∂/∂x = 1/(2√x) (infinite at 0).</summary>
    public Tensor<T> Sqrt() => Ops.Sqrt<T>.Instance.Apply(this);

    /// <summary>x² element-wise. ∂/∂x = 2x.</summary>
    public Tensor<T> Square() => Ops.Square<T>.Instance.Apply(this);

    /// <summary>xᵖ for a constant exponent. ∂/∂x = p·xᵖ⁻¹.</summary>
    public Tensor<T> Pow(T exponent)
    {
        if (exponent == Cv(2)) return Square();
        if (exponent == T.One) return this * T.One;
        return new Ops.PowScalar<T>(exponent).Apply(this);
    }

    /// <summary>
    /// aᵇ element-wise with broadcasting. ∂/∂a = b·aᵇ⁻¹, ∂/∂b = aᵇ·ln a (NaN for a &lt; 0, as the real power is undefined there).
    /// </summary>
    public Tensor<T> Pow(Tensor<T> exponent)
        => Ops.Pow<T>.Instance.Apply(this, exponent);

    /// <summary>|x| element-wise. ∂/∂x = sign(x), taken as 0 at the kink x = 0.</summary>
    public Tensor<T> Abs() => Ops.Abs<T>.Instance.Apply(this);

    /// <summary>The sign (−1, 0 or 1) element-wise; a constant (its derivative is 0 almost everywhere).</summary>
    public Tensor<T> Sign() => TensorKernels.Unary(this, static (s, d) =>
    {
        for (int i = 0; i < d.Length; i++) d[i] = s[i] > T.Zero ? T.One : s[i] < T.Zero ? -T.One : s[i];
    });
}
