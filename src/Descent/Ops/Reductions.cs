using Descent.Kernels;

namespace Descent;

// Reductions over all elements or chosen axes, with keep-dims. Sum, max, min and product are primitives;
// mean, variance, standard deviation and log-sum-exp are compositions of them.
public sealed partial class Tensor<T>
{
    /// <summary>Sum over <paramref name="axes"/> (all when null). ∂/∂x = 1, broadcast back.</summary>
    public Tensor<T> Sum(int[]? axes = null, bool keepDims = false)
        => new Ops.Sum<T>(Shapes.Axes(axes, Rank, "Sum"), keepDims).Apply(this);

    /// <summary>Sum over one axis.</summary>
    public Tensor<T> Sum(int axis, bool keepDims = false) => Sum([axis], keepDims);

    /// <summary>Mean over <paramref name="axes"/> (all when null): the sum divided by the number of elements reduced.</summary>
    public Tensor<T> Mean(int[]? axes = null, bool keepDims = false)
    {
        int count = ReducedCount(axes);
        return Sum(axes, keepDims) / Cv(count);
    }

    /// <summary>Mean over one axis.</summary>
    public Tensor<T> Mean(int axis, bool keepDims = false) => Mean([axis], keepDims);

    /// <summary>
    /// Maximum over <paramref name="axes"/> (all when null). The gradient goes to the arg-maximum; on ties it is shared
    /// evenly among the tied elements (a valid subgradient, as PyTorch's amax).
    /// </summary>
    public Tensor<T> Max(int[]? axes = null, bool keepDims = false) => Extreme(axes, keepDims, isMax: true);

    /// <summary>Maximum over one axis.</summary>
    public Tensor<T> Max(int axis, bool keepDims = false) => Max([axis], keepDims);

    /// <summary>Minimum over <paramref name="axes"/> (all when null); gradient as for <see cref="Max(int[], bool)"/>.</summary>
    public Tensor<T> Min(int[]? axes = null, bool keepDims = false) => Extreme(axes, keepDims, isMax: false);

    /// <summary>Minimum over one axis.</summary>
    public Tensor<T> Min(int axis, bool keepDims = false) => Min([axis], keepDims);

    private Tensor<T> Extreme(int[]? axes, bool keepDims, bool isMax)
    {
        string name = isMax ? "max" : "min";
        if (Size == 0) throw new ShapeException($"{name}: the tensor is empty; a maximum or minimum needs at least one element.");
        return new Ops.Extreme<T>(Shapes.Axes(axes, Rank, name), keepDims, isMax).Apply(this);
    }

    /// <summary>
    /// Product over <paramref name="axes"/> (all when null). ∂/∂xᵢ = Π_{j≠i} xⱼ, computed as y/xᵢ when no element is
    /// zero and by explicit products of the others when one is (so a zero does not give NaN).
    /// </summary>
    public Tensor<T> Prod(int[]? axes = null, bool keepDims = false)
        => new Ops.Prod<T>(Shapes.Axes(axes, Rank, "Prod"), keepDims).Apply(this);

    /// <summary>Π_{j≠i} xⱼ along the reduced axes, for every i: the gradient of a product when zeros are present (constant).</summary>
    internal Tensor<T> ProductOfOthers(int[] axes)
    {
        var result = new Tensor<T>(ShapeArray);
        var strides = Shapes.Strides(Shape);
        var reducedShape = new int[axes.Length];
        for (int k = 0; k < axes.Length; k++) reducedShape[k] = ShapeRef[axes[k]];
        int groupSize = Shapes.Size(reducedShape);
        var keptShape = KeptShape(ShapeRef, axes);
        int groups = Shapes.Size(keptShape);
        var offsets = new int[groupSize];
        // Offsets of the elements of one group relative to its first element.
        for (int e = 0; e < groupSize; e++)
        {
            int rem = e, off = 0;
            for (int k = axes.Length - 1; k >= 0; k--) { off += rem % reducedShape[k] * strides[axes[k]]; rem /= reducedShape[k]; }
            offsets[e] = off;
        }
        for (int gIdx = 0; gIdx < groups; gIdx++)
        {
            int rem = gIdx, baseOff = 0;
            for (int d = Rank - 1; d >= 0; d--) { int i = rem % keptShape[d]; rem /= keptShape[d]; baseOff += i * strides[d]; }
            for (int e = 0; e < groupSize; e++)
            {
                T p = T.One;
                for (int f = 0; f < groupSize; f++) if (f != e) p *= Buffer[baseOff + offsets[f]];
                result.Buffer[baseOff + offsets[e]] = p;
            }
        }
        return result;
    }

    /// <summary>
    /// Variance over <paramref name="axes"/> (all when null): mean of squared deviations, divided by N − correction
    /// (correction 0: population variance, the default; 1: the unbiased sample variance).
    /// </summary>
    public Tensor<T> Variance(int[]? axes = null, bool keepDims = false, int correction = 0)
    {
        int n = ReducedCount(axes);
        if (n - correction <= 0) throw new ArgumentException($"Variance: {n} elements with correction {correction} leaves no degrees of freedom.", nameof(correction));
        var deviation = this - Mean(axes, keepDims: true);
        return deviation.Square().Sum(axes, keepDims) / Cv(n - correction);
    }

    /// <summary>Standard deviation: √<see cref="Variance"/>.</summary>
    public Tensor<T> Std(int[]? axes = null, bool keepDims = false, int correction = 0) => Variance(axes, keepDims, correction).Sqrt();

    /// <summary>
    /// log Σ exp(x) over <paramref name="axes"/>, computed stably as m + log Σ exp(x − m) with m the (constant) maximum,
    /// so large inputs do not overflow. Its gradient is the softmax.
    /// </summary>
    public Tensor<T> LogSumExp(int[]? axes = null, bool keepDims = false)
    {
        var m = Detach().Max(axes, keepDims: true);
        var finiteM = Where(m.Abs().LessThan(T.PositiveInfinity), m, Tensor.Scalar(T.Zero));
        var lse = (this - finiteM).Exp().Sum(axes, keepDims: true).Log() + finiteM;
        return keepDims ? lse : lse.Reshape(DropAxes(ShapeRef, Shapes.Axes(axes, Rank, "LogSumExp")));
    }

    /// <summary>log Σ exp over one axis.</summary>
    public Tensor<T> LogSumExp(int axis, bool keepDims = false) => LogSumExp([axis], keepDims);

    /// <summary>softmax along <paramref name="axis"/>: exp(x − logsumexp(x)), every slice sums to 1.</summary>
    public Tensor<T> Softmax(int axis = -1) => Fused(axis) ? TensorKernels.Softmax(this, Shapes.Axis(axis, Rank, "Softmax"), log: false) : LogSoftmax(axis).Exp();

    /// <summary>log-softmax along <paramref name="axis"/>: x − logsumexp(x), computed stably.</summary>
    public Tensor<T> LogSoftmax(int axis = -1) => Fused(axis) ? TensorKernels.Softmax(this, Shapes.Axis(axis, Rank, "LogSoftmax"), log: true) : this - LogSumExp([axis], keepDims: true);

    // Unrecorded softmax over an axis with inner size 1 runs fused (one read, one write); recorded, the composition keeps its gradient.
    private bool Fused(int axis) => !ShouldRecord(this) && Rank > 0 && Kernels.Softmax.Applies(ShapeRef, Shapes.Axis(axis, Rank, "Softmax"));

    /// <summary>Index of the maximum along an axis (first on ties), as a constant tensor of indices; all elements when null (flat index).</summary>
    public Tensor<T> ArgMax(int? axis = null, bool keepDims = false) => ArgExtreme(axis, keepDims, max: true);

    /// <summary>Index of the minimum along an axis (first on ties); all elements when null (flat index).</summary>
    public Tensor<T> ArgMin(int? axis = null, bool keepDims = false) => ArgExtreme(axis, keepDims, max: false);

    private Tensor<T> ArgExtreme(int? axis, bool keepDims, bool max)
    {
        if (Size == 0) throw new ShapeException("ArgMax/ArgMin: the tensor is empty.");
        if (axis is null) return Tensor.Scalar(Cv(max ? System.Numerics.Tensors.TensorPrimitives.IndexOfMax<T>(Buffer) : System.Numerics.Tensors.TensorPrimitives.IndexOfMin<T>(Buffer)));
        int a = Shapes.Axis(axis.Value, Rank, "ArgMax");
        var r = TensorKernels.ArgExtreme(this, a, max);
        return keepDims ? r : new Tensor<T>(DropAxes(ShapeRef, [a]), r.Buffer);
    }

    private int ReducedCount(int[]? axes)
    {
        int count = 1;
        foreach (int a in Shapes.Axes(axes, Rank, "reduce")) count *= ShapeRef[a];
        return count;
    }

    internal static int[] Ones(int rank)
    {
        var s = new int[rank];
        Array.Fill(s, 1);
        return s;
    }

    internal static int[] KeptShape(int[] shape, int[] axes)
    {
        var s = (int[])shape.Clone();
        foreach (int a in axes) s[a] = 1;
        return s;
    }

    internal static int[] DropAxes(int[] shape, int[] axes)
    {
        var s = new int[shape.Length - axes.Length];
        int j = 0;
        for (int i = 0; i < shape.Length; i++)
            if (Array.IndexOf(axes, i) < 0) s[j++] = shape[i];
        return s;
    }
}
