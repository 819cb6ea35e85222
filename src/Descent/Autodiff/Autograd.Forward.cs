using System.Numerics;
using Descent.Autodiff;

namespace Descent;

/// <summary>How <see cref="Autograd.Jacobian{T}(Func{Tensor{T}, Tensor{T}}, Tensor{T}, JacobianMode)"/> builds the Jacobian.</summary>
public enum JacobianMode
{
    /// <summary>Forward mode when the input has fewer elements than the output, reverse mode otherwise.</summary>
    Auto,

    /// <summary>One Jacobian–vector product per input element (a column each).</summary>
    Forward,

    /// <summary>One vector–Jacobian product per output element (a row each).</summary>
    Reverse,
}

// Forward mode on tensors: Jacobian–vector products through the primitives' JVPs, and Jacobians either way.
public static partial class Autograd
{
    /// <summary>
    /// Forward mode: f(x) and the Jacobian–vector product J·v (the directional derivative of f at x along v), in one
    /// recording of f and one forward sweep of the primitives' JVPs — no backward pass.
    /// </summary>
    /// <param name="f">The function, written with tensor operations.</param>
    /// <param name="x">The point (not modified; f sees a copy that records).</param>
    /// <param name="v">The tangent, x's shape.</param>
    /// <exception cref="ShapeException">v's shape differs from x's.</exception>
    /// <example><code>var (y, dy) = Autograd.Jvp(x => x.Sin() * x, x, Tensor.OnesLike(x)); // dy = cos(x)·x + sin(x)</code></example>
    public static (Tensor<T> Value, Tensor<T> Tangent) Jvp<T>(Func<Tensor<T>, Tensor<T>> f, Tensor<T> x, Tensor<T> v) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(f);
        return Jvp(xs => f(xs[0]), [x], [v]);
    }

    /// <summary>Forward mode for a function of several tensors: f(x₁, …) and Σᵢ ∂f/∂xᵢ · vᵢ.</summary>
    /// <exception cref="ShapeException">A tangent's shape differs from its input's, or the counts differ.</exception>
    public static (Tensor<T> Value, Tensor<T> Tangent) Jvp<T>(Func<Tensor<T>[], Tensor<T>> f, Tensor<T>[] xs, Tensor<T>[] vs) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(xs);
        ArgumentNullException.ThrowIfNull(vs);
        if (xs.Length != vs.Length) throw new ShapeException($"Jvp: {xs.Length} inputs but {vs.Length} tangents; give one tangent per input.");
        for (int i = 0; i < xs.Length; i++)
            if (!Shapes.Equal(xs[i].ShapeRef, vs[i].ShapeRef))
                throw new ShapeException($"Jvp: tangent {i} has shape {Shapes.Format(vs[i].ShapeRef)} but its input has {Shapes.Format(xs[i].ShapeRef)}; they must match.");
        var sweep = Record(f, xs, out _);
        var tangent = sweep.Tangent(vs.Select(v => v.Detach()).ToArray());
        return (sweep.Output.Detach(), tangent);
    }

    /// <summary>
    /// The Jacobian of f at x, shape [..f(x).Shape, ..x.Shape]: J[i, j] = ∂f(x)ᵢ/∂xⱼ. f is recorded once; then one
    /// forward sweep per input element (<see cref="JacobianMode.Forward"/>) or one backward pass per output element
    /// (<see cref="JacobianMode.Reverse"/>); <see cref="JacobianMode.Auto"/> picks forward when x has fewer elements
    /// than f(x), as PyTorch's and JAX's jacfwd/jacrev advice goes.
    /// </summary>
    public static Tensor<T> Jacobian<T>(Func<Tensor<T>, Tensor<T>> f, Tensor<T> x, JacobianMode mode = JacobianMode.Auto) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        var sweep = Record(xs => f(xs[0]), [x], out var leaves);
        var y = sweep.Output;
        int n = x.Size, m = y.Size;
        var result = new Tensor<T>([.. y.ShapeArray, .. x.ShapeArray]);
        if (mode == JacobianMode.Forward || (mode == JacobianMode.Auto && n < m))
        {
            for (int j = 0; j < n; j++)
            {
                var e = new Tensor<T>(x.ShapeArray);
                e.Buffer[j] = T.One;
                var column = sweep.Tangent([e]).Buffer;
                for (int i = 0; i < m; i++) result.Buffer[i * n + j] = column[i];
            }
        }
        else if (y.RequiresGrad)
        {
            for (int i = 0; i < m; i++)
            {
                var e = new Tensor<T>(y.ShapeArray);
                e.Buffer[i] = T.One;
                Grad(y, leaves, e, retainGraph: true)[0].Buffer.AsSpan().CopyTo(result.Buffer.AsSpan(i * n, n));
            }
        }
        return result;
    }

    /// <summary>Runs f on recording copies of the inputs; the sweep holds the graph.</summary>
    private static Forward<T> Record<T>(Func<Tensor<T>[], Tensor<T>> f, Tensor<T>[] xs, out Tensor<T>[] leaves) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        leaves = xs.Select(x => x.Detach().Clone().WithGrad()).ToArray();
        Tensor<T> y;
        using (EnableGrad()) y = f(leaves) ?? throw new InvalidOperationException("The function returned null.");
        return new Forward<T>(y, leaves);
    }

    /// <summary>The JVP sweep's counts of declared and transposed JVPs, for tests.</summary>
    internal static (Tensor<T> Tangent, int Declared, int Transposed) JvpWithCounts<T>(Func<Tensor<T>[], Tensor<T>> f, Tensor<T>[] xs, Tensor<T>[] vs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var sweep = Record(f, xs, out _);
        var tangent = sweep.Tangent(vs);
        return (tangent, sweep.Counts.Declared, sweep.Counts.Transposed);
    }
}
