using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent;

// Activation functions. Sigmoid, softplus and relu are primitives rather than compositions: the obvious compositions
// overflow (1/(1+e^{-x}) differentiates to ∞/∞ for very negative x) or put the kink's gradient in the wrong place.
public sealed partial class Tensor<T>
{
    /// <summary>σ(x) = 1/(1+e⁻ˣ), computed stably. ∂/∂x = σ(x)(1−σ(x)).</summary>
    public Tensor<T> Sigmoid() => Record(Map(this, static (s, d) => TensorPrimitives.Sigmoid(s, d)), "sigmoid", this,
        static (g, _, y) => g * y * (T.One - y));

    /// <summary>softplus(x) = ln(1+eˣ), computed as max(x,0) + ln(1+e^−|x|) so it never overflows. ∂/∂x = σ(x).</summary>
    public Tensor<T> Softplus() => Record(Map(this, static (s, d) =>
        {
            for (int i = 0; i < d.Length; i++)
            {
                T x = s[i];
                d[i] = T.Max(x, T.Zero) + T.LogP1(T.Exp(-T.Abs(x)));
            }
        }), "softplus", this,
        static (g, x, _) => g * x.Sigmoid());

    /// <summary>max(x, 0). ∂/∂x = 1 for x &gt; 0, else 0 (0 at the kink, as PyTorch).</summary>
    public Tensor<T> Relu() => Record(Map(this, static (s, d) => TensorPrimitives.Max(s, T.Zero, d)), "relu", this,
        static (g, x, _) => g * x.GreaterThan(T.Zero));

    /// <summary>x for x &gt; 0, else slope·x. ∂/∂x = 1 for x &gt; 0, else slope.</summary>
    public Tensor<T> LeakyRelu(T slope)
    {
        var result = new Tensor<T>(ShapeRef);
        var s = Buffer;
        var d = result.Buffer;
        for (int i = 0; i < d.Length; i++) d[i] = s[i] > T.Zero ? s[i] : s[i] * slope;
        if (!ShouldRecord(this)) return result;
        return result.Attach(new Autodiff.UnaryNode<T>("leaky_relu", this, (g, x, _) =>
        {
            var mask = x.GreaterThan(T.Zero);
            return g * (mask + (T.One - mask) * slope);
        }));
    }

    /// <summary>LeakyRelu with slope 0.01.</summary>
    public Tensor<T> LeakyRelu() => LeakyRelu(Cv(0.01));
}
