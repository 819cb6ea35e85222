using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
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

    /// <summary>x for x &gt; 0, else slope·x. ∂/∂x = 1 for x &gt; 0, else slope.</summary>
    public Tensor<T> LeakyRelu(T slope) => new Ops.LeakyRelu<T>(slope).Apply(this);

    /// <summary>LeakyRelu with slope 0.01.</summary>
    public Tensor<T> LeakyRelu() => LeakyRelu(Cv(0.01));

    /// <summary>
    /// A unary VJP computed from the upstream gradient and the operation's output element by element, in one SIMD pass
    /// into one new tensor (instead of a chain of temporaries: relu's g·[y &gt; 0] was a mask and a product). When the
    /// gradient itself is being recorded (higher-order derivatives) the differentiable composition runs instead.
    /// </summary>
    internal static Tensor<T> FusedGrad<TOp>(Tensor<T> g, Tensor<T> y, Func<Tensor<T>, Tensor<T>, Tensor<T>> composition)
        where TOp : struct, IGradFromOutput
    {
        if (ShouldRecord(g, y) || !Shapes.Equal(g.Shape, y.Shape)) return composition(g, y);
        var result = new Tensor<T>(y.ShapeRef);
        var gs = g.Buffer;
        var ys = y.Buffer;
        var d = result.Buffer;
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            ref T g0 = ref MemoryMarshal.GetArrayDataReference(gs);
            ref T y0 = ref MemoryMarshal.GetArrayDataReference(ys);
            ref T d0 = ref MemoryMarshal.GetArrayDataReference(d);
            for (; i <= d.Length - Vector<T>.Count; i += Vector<T>.Count)
                TOp.Apply(Vector.LoadUnsafe(ref g0, (nuint)i), Vector.LoadUnsafe(ref y0, (nuint)i)).StoreUnsafe(ref d0, (nuint)i);
        }
        for (; i < d.Length; i++) d[i] = TOp.Apply(gs[i], ys[i]);
        return result;
    }

    /// <summary>An activation's derivative written with its output y: the VJP is Apply(g, y).</summary>
    internal interface IGradFromOutput
    {
        static abstract T Apply(T g, T y);
        static abstract Vector<T> Apply(Vector<T> g, Vector<T> y);
    }

    internal readonly struct ReluGrad : IGradFromOutput
    {
        public static T Apply(T g, T y) => y > T.Zero ? g : T.Zero;
        public static Vector<T> Apply(Vector<T> g, Vector<T> y) => Vector.ConditionalSelect(Vector.GreaterThan(y, Vector<T>.Zero), g, Vector<T>.Zero);
    }

    internal readonly struct SigmoidGrad : IGradFromOutput
    {
        public static T Apply(T g, T y) => g * y * (T.One - y);
        public static Vector<T> Apply(Vector<T> g, Vector<T> y) => g * y * (Vector<T>.One - y);
    }

    internal readonly struct TanhGrad : IGradFromOutput
    {
        public static T Apply(T g, T y) => g * (T.One - y * y);
        public static Vector<T> Apply(Vector<T> g, Vector<T> y) => g * (Vector<T>.One - y * y);
    }
}
