using System.Numerics.Tensors;

namespace Descent;

// Trigonometric and hyperbolic functions.
public sealed partial class Tensor<T>
{
    /// <summary>sin x. ∂/∂x = cos x.</summary>
    public Tensor<T> Sin() => Record(Map(this, static (s, d) => TensorPrimitives.Sin(s, d)), "sin", this,
        static (g, x, _) => g * x.Cos(), diagonal: true);

    /// <summary>cos x. ∂/∂x = −sin x.</summary>
    public Tensor<T> Cos() => Record(Map(this, static (s, d) => TensorPrimitives.Cos(s, d)), "cos", this,
        static (g, x, _) => -(g * x.Sin()), diagonal: true);

    /// <summary>tan x. ∂/∂x = 1 + tan²x.</summary>
    public Tensor<T> Tan() => Record(Map(this, static (s, d) => TensorPrimitives.Tan(s, d)), "tan", this,
        static (g, _, y) => g * (y.Square() + T.One), diagonal: true);

    /// <summary>arcsin x on [−1, 1]. ∂/∂x = 1/√(1−x²).</summary>
    public Tensor<T> Asin() => Record(Map(this, static (s, d) => TensorPrimitives.Asin(s, d)), "asin", this,
        static (g, x, _) => g / (T.One - x.Square()).Sqrt(), diagonal: true);

    /// <summary>arccos x on [−1, 1]. ∂/∂x = −1/√(1−x²).</summary>
    public Tensor<T> Acos() => Record(Map(this, static (s, d) => TensorPrimitives.Acos(s, d)), "acos", this,
        static (g, x, _) => -(g / (T.One - x.Square()).Sqrt()), diagonal: true);

    /// <summary>arctan x. ∂/∂x = 1/(1+x²).</summary>
    public Tensor<T> Atan() => Record(Map(this, static (s, d) => TensorPrimitives.Atan(s, d)), "atan", this,
        static (g, x, _) => g / (x.Square() + T.One), diagonal: true);

    /// <summary>sinh x. ∂/∂x = cosh x.</summary>
    public Tensor<T> Sinh() => Record(Map(this, static (s, d) => TensorPrimitives.Sinh(s, d)), "sinh", this,
        static (g, x, _) => g * x.Cosh(), diagonal: true);

    /// <summary>cosh x. ∂/∂x = sinh x.</summary>
    public Tensor<T> Cosh() => Record(Map(this, static (s, d) => TensorPrimitives.Cosh(s, d)), "cosh", this,
        static (g, x, _) => g * x.Sinh(), diagonal: true);

    /// <summary>tanh x. ∂/∂x = 1 − tanh²x.</summary>
    public Tensor<T> Tanh() => Record(Map(this, static (s, d) => TensorPrimitives.Tanh(s, d)), "tanh", this,
        static (g, _, y) => FusedGrad<TanhGrad>(g, y, static (g, y) => g * (T.One - y.Square())), diagonal: true);

    /// <summary>
    /// sinc x = sin(x)/x with sinc 0 = 1: the stable form of <c>x.Sin() / x</c>, whose autodiff gradient at 0 is NaN.
    /// ∂/∂x = (x cos x − sin x)/x², which is 0 at x = 0 (and ≈ −x/3 near it, used for |x| &lt; 1e-4).
    /// </summary>
    public Tensor<T> Sinc() => Record(Map(this, static (s, d) =>
        {
            for (int i = 0; i < d.Length; i++)
            {
                T x = s[i];
                d[i] = T.Abs(x) < Cv(1e-4) ? T.One - x * x / Cv(6) : T.Sin(x) / x;
            }
        }), "sinc", this,
        static (g, x, _) => g * x.SincDerivative(), diagonal: true);

    internal Tensor<T> SincDerivative() => Record(Map(this, static (s, d) =>
        {
            for (int i = 0; i < d.Length; i++)
            {
                T x = s[i];
                d[i] = T.Abs(x) < Cv(1e-4) ? -x / Cv(3) : (x * T.Cos(x) - T.Sin(x)) / (x * x);
            }
        }), "sinc'", this,
        static (g, x, _) => g * x.SincSecondDerivative(), diagonal: true);

    private Tensor<T> SincSecondDerivative() => Map(this, static (s, d) =>
    {
        for (int i = 0; i < d.Length; i++)
        {
            T x = s[i];
            d[i] = T.Abs(x) < Cv(1e-3) ? -T.One / Cv(3) + x * x / Cv(10)
                : ((Cv(2) - x * x) * T.Sin(x) - Cv(2) * x * T.Cos(x)) / (x * x * x);
        }
    });
}
