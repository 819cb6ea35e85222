using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using Descent.Kernels;

namespace Descent;

// Activation functions. Sigmoid, softplus and relu are primitives rather than compositions: the obvious compositions
// overflow (1/(1+e^{-x}) differentiates to ∞/∞ for very negative x) or put the kink's gradient in the wrong place.
public sealed partial class Tensor<T>
{
    /// <summary>σ(x) = 1/(1+e⁻ˣ), computed stably. ∂/∂x = σ(x)(1−σ(x)).</summary>
    public Tensor<T> Sigmoid() => Ops.Sigmoid<T>.Instance.Apply(this);

    /// <summary>softplus(x) = ln(1+eˣ), computed as max(x,0) + ln(1+e^−|x|) so it never overflows. ∂/∂x = σ(x).</summary>
    public Tensor<T> Softplus() => Ops.Softplus<T>.Instance.Apply(this);

    /// <summary>max(x, 0). ∂/∂x = 1 for x &gt; 0, else 0 (0 at the kink, as PyTorch).</summary>
    public Tensor<T> Relu() => Ops.Relu<T>.Instance.Apply(this);

    /// <summary>
    /// max(x, 0) written into <paramref name="destination"/> (same shape; may be this tensor) instead of a new tensor.
    /// Not recorded for gradients.
    /// </summary>
    /// <returns><paramref name="destination"/>.</returns>
    /// <exception cref="ShapeException">The destination's shape differs.</exception>
    /// <exception cref="InvalidOperationException">Called on tensors that require a gradient while recording.</exception>
    public Tensor<T> Relu(Tensor<T> destination)
        => TensorKernels.UnaryInto(this, destination, static (s, d) => TensorPrimitives.Max(s, T.Zero, d), "relu");

    /// <summary>x for x &gt; 0, else slope·x. ∂/∂x = 1 for x &gt; 0, else slope.</summary>
    public Tensor<T> LeakyRelu(T slope) => new Ops.LeakyRelu<T>(slope).Apply(this);

    /// <summary>LeakyRelu with slope 0.01.</summary>
    public Tensor<T> LeakyRelu() => LeakyRelu(Cv(0.01));

    /// <summary>
    /// A unary VJP computed from the upstream gradient and the operation's output element by element, in one SIMD pass
    /// into one new tensor (instead of a chain of temporaries: relu's g·[y &gt; 0] was a mask and a product), split across
    /// cores when large (<see cref="GradFromOutput"/>). When the gradient itself is being recorded (higher-order
    /// derivatives) the differentiable composition runs instead.
    /// </summary>
    internal static Tensor<T> FusedGrad<TOp>(Tensor<T> g, Tensor<T> y, Func<Tensor<T>, Tensor<T>, Tensor<T>> composition)
        where TOp : struct, IGradFromOutput<T>
    {
        if (ShouldRecord(g, y) || !Shapes.Equal(g.Shape, y.Shape)) return composition(g, y);
        var result = Uninitialized(y.ShapeRef);
        GradFromOutput.Run<T, TOp>(g.Buffer, y.Buffer, result.Buffer);
        return result;
    }

    /// <summary>ReLU's derivative from its output: g where y &gt; 0, else 0 (also for NaN y).</summary>
    internal readonly struct ReluGrad : IGradFromOutput<T>
    {
        public static T Apply(T g, T y) => y > T.Zero ? g : T.Zero;
        public static Vector512<T> Apply(Vector512<T> g, Vector512<T> y) => g & Vector512.GreaterThan(y, Vector512<T>.Zero);
        public static Vector256<T> Apply(Vector256<T> g, Vector256<T> y) => g & Vector256.GreaterThan(y, Vector256<T>.Zero);
        public static Vector128<T> Apply(Vector128<T> g, Vector128<T> y) => g & Vector128.GreaterThan(y, Vector128<T>.Zero);
    }

    /// <summary>The logistic sigmoid's derivative from its output: g·y·(1 − y).</summary>
    internal readonly struct SigmoidGrad : IGradFromOutput<T>
    {
        public static T Apply(T g, T y) => g * y * (T.One - y);
        public static Vector512<T> Apply(Vector512<T> g, Vector512<T> y) => g * y * (Vector512<T>.One - y);
        public static Vector256<T> Apply(Vector256<T> g, Vector256<T> y) => g * y * (Vector256<T>.One - y);
        public static Vector128<T> Apply(Vector128<T> g, Vector128<T> y) => g * y * (Vector128<T>.One - y);
    }

    /// <summary>tanh's derivative from its output: g·(1 − y²).</summary>
    internal readonly struct TanhGrad : IGradFromOutput<T>
    {
        public static T Apply(T g, T y) => g * (T.One - y * y);
        public static Vector512<T> Apply(Vector512<T> g, Vector512<T> y) => g * (Vector512<T>.One - y * y);
        public static Vector256<T> Apply(Vector256<T> g, Vector256<T> y) => g * (Vector256<T>.One - y * y);
        public static Vector128<T> Apply(Vector128<T> g, Vector128<T> y) => g * (Vector128<T>.One - y * y);
    }
}
