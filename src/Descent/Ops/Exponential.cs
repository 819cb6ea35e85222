using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent;

// Exponentials, logarithms, powers and roots.
public sealed partial class Tensor<T>
{
    private static Tensor<T> Map(Tensor<T> x, ElementWise.SpanAction<T> kernel) => ElementWise.Unary(x, kernel);

    /// <summary>eˣ element-wise. ∂/∂x = eˣ = y.</summary>
    public Tensor<T> Exp() => Record(Map(this, static (s, d) => TensorPrimitives.Exp(s, d)), "exp", this,
        static (g, _, y) => g * y, diagonal: true);

    /// <summary>Natural logarithm element-wise (NaN below 0, −∞ at 0). ∂/∂x = 1/x.</summary>
    public Tensor<T> Log() => Record(Map(this, static (s, d) => TensorPrimitives.Log(s, d)), "log", this,
        static (g, x, _) => g / x, diagonal: true);

    /// <summary>ln(1+x), accurate near 0. ∂/∂x = 1/(1+x).</summary>
    public Tensor<T> Log1P() => Record(Map(this, static (s, d) => TensorPrimitives.LogP1(s, d)), "log1p", this,
        static (g, x, _) => g / (x + T.One), diagonal: true);

    /// <summary>eˣ−1, accurate near 0. ∂/∂x = eˣ = y+1.</summary>
    public Tensor<T> ExpM1() => Record(Map(this, static (s, d) => TensorPrimitives.ExpM1(s, d)), "expm1", this,
        static (g, _, y) => g * (y + T.One), diagonal: true);

    /// <summary>√x element-wise. ∂/∂x = 1/(2√x) (infinite at 0).</summary>
    public Tensor<T> Sqrt() => Record(Map(this, static (s, d) => TensorPrimitives.Sqrt(s, d)), "sqrt", this,
        static (g, _, y) => g / (y * Cv(2)), diagonal: true);

    /// <summary>x² element-wise. ∂/∂x = 2x.</summary>
    public Tensor<T> Square() => Record(Map(this, static (s, d) => TensorPrimitives.Multiply(s, s, d)), "square", this,
        static (g, x, _) => g * x * Cv(2), diagonal: true);

    /// <summary>xᵖ for a constant exponent. ∂/∂x = p·xᵖ⁻¹.</summary>
    public Tensor<T> Pow(T exponent)
    {
        if (exponent == Cv(2)) return Square();
        if (exponent == T.One) return this * T.One;
        var result = new Tensor<T>(ShapeRef);
        TensorPrimitives.Pow(Buffer, exponent, result.Buffer);
        if (!ShouldRecord(this)) return result;
        Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>> vjp = (g, x, _) => g * x.Pow(exponent - T.One) * exponent;
        return result.Attach(new Autodiff.UnaryNode<T>("pow", this, vjp, jvp: vjp)); // diagonal: the JVP is the VJP
    }

    /// <summary>
    /// aᵇ element-wise with broadcasting. ∂/∂a = b·aᵇ⁻¹, ∂/∂b = aᵇ·ln a (NaN for a &lt; 0, as the real power is undefined there).
    /// </summary>
    public Tensor<T> Pow(Tensor<T> exponent)
        => Record(ElementWise.Binary<T, PowOp<T>>(this, exponent, "pow"), "pow", this, exponent,
            static (g, a, b, _) => g * b * a.Pow(b - T.One),
            static (g, a, _, y) => g * y * a.Log(), diagonal: true);

    /// <summary>|x| element-wise. ∂/∂x = sign(x), taken as 0 at the kink x = 0.</summary>
    public Tensor<T> Abs() => Record(Map(this, static (s, d) => TensorPrimitives.Abs(s, d)), "abs", this,
        static (g, x, _) => g * x.Sign(), diagonal: true);

    /// <summary>The sign (−1, 0 or 1) element-wise; a constant (its derivative is 0 almost everywhere).</summary>
    public Tensor<T> Sign() => Map(this, static (s, d) =>
    {
        for (int i = 0; i < d.Length; i++) d[i] = s[i] > T.Zero ? T.One : s[i] < T.Zero ? -T.One : s[i];
    });
}
