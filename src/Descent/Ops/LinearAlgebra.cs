using Descent.Kernels;

namespace Descent;

// Linear algebra. MatMul on matrices (and stacks of them) is the primitive; vector cases, dot, outer and norms are
// compositions, so their gradients come for free.
public sealed partial class Tensor<T>
{
    /// <summary>
    /// Matrix product with NumPy's <c>matmul</c> (<c>@</c>) rules: 2-D × 2-D is the matrix product; a 1-D operand is
    /// treated as a row (left) or column (right) vector and that axis removed; higher ranks are stacks of matrices whose
    /// leading (batch) dimensions broadcast. ∂/∂A = G·Bᵀ, ∂/∂B = Aᵀ·G (batch broadcasting undone by the engine).
    /// </summary>
    /// <exception cref="ShapeException">Inner dimensions differ, or batch dimensions cannot broadcast.</exception>
    public static Tensor<T> MatMul(Tensor<T> a, Tensor<T> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank == 0 || b.Rank == 0)
            throw new ShapeException($"MatMul: operands must have at least one dimension (shapes {Shapes.Format(a.Shape)} and {Shapes.Format(b.Shape)}); use * to scale by a scalar.");
        if (a.Rank == 1 && b.Rank == 1) return Dot(a, b);
        if (a.Rank == 1) return MatMul(a.Unsqueeze(0), b).Squeeze(-2);
        if (b.Rank == 1) return MatMul(a, b.Unsqueeze(-1)).Squeeze(-1);

        int m = a.ShapeRef[^2], k = a.ShapeRef[^1], k2 = b.ShapeRef[^2], n = b.ShapeRef[^1];
        if (k != k2)
            throw new ShapeException($"MatMul: shapes {Shapes.Format(a.Shape)} and {Shapes.Format(b.Shape)} do not fit: the first has {k} columns but the second has {k2} rows.");
        Shapes.Broadcast(a.ShapeRef[..^2], b.ShapeRef[..^2], "MatMul (batch dimensions)");
        return Ops.MatMul<T>.Instance.Apply(a, b);
    }

    /// <summary>
    /// The products of MatMul's backward pass, G·Bᵀ (<paramref name="transposeB"/>) or Aᵀ·G: for plain matrices outside
    /// a recorded computation the GEMM reads the operand transposed in place; otherwise (batched, or recording for
    /// higher-order derivatives) it is the composition of Transpose and MatMul, so it stays differentiable.
    /// </summary>
    internal static Tensor<T> MatMulTransposed(Tensor<T> x, Tensor<T> y, bool transposeB)
    {
        if (x.Rank != 2 || y.Rank != 2 || ShouldRecord(x, y))
            return transposeB ? MatMul(x, y.Transpose()) : MatMul(x.Transpose(), y);
        int m, k, n;
        if (transposeB) { m = x.ShapeRef[0]; k = x.ShapeRef[1]; n = y.ShapeRef[0]; }
        else { m = x.ShapeRef[1]; k = x.ShapeRef[0]; n = y.ShapeRef[1]; }
        var result = Tensor<T>.Uninitialized([m, n]);   // overwritten by the GEMM
        Gemm.Multiply(x.Buffer, 0, !transposeB, y.Buffer, 0, transposeB, result.Buffer, 0, m, k, n);
        return result;
    }

    /// <summary>
    /// A fully connected layer, <c>input·weight + bias</c>, with an optional ReLU: one node instead of two or three,
    /// the bias added (and the ReLU applied) in place on the product while its rows are in cache, and on the way back
    /// the weight and bias gradients added straight into their leaves' <see cref="Grad"/>. Equal to the composition
    /// <c>(input.MatMul(weight) + bias).Relu()</c>, which it falls back to for anything but a matrix input, a matrix
    /// weight and a vector bias — and which its backward pass uses when the gradient is itself recorded.
    /// <see cref="Autograd.Compile{T}"/> lowers it to that composition.
    /// </summary>
    /// <param name="input">[batch, inputs].</param>
    /// <param name="weight">[inputs, outputs] (the transpose of PyTorch's layout).</param>
    /// <param name="bias">[outputs], or null for none.</param>
    /// <param name="relu">Apply max(·, 0) to the result.</param>
    public static Tensor<T> Linear(Tensor<T> input, Tensor<T> weight, Tensor<T>? bias = null, bool relu = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.Rank != 2 || weight.Rank != 2 || (bias is not null && (bias.Rank != 1 || bias.Size != weight.ShapeRef[1])) || input.ShapeRef[1] != weight.ShapeRef[0])
        {
            var composed = MatMul(input, weight);
            if (bias is not null) composed += bias;
            return relu ? composed.Relu() : composed;
        }
        var op = relu ? Ops.Linear<T>.WithRelu : Ops.Linear<T>.Plain;
        return op.Apply(bias is null ? [input, weight] : [input, weight, bias]);
    }

    /// <summary>C[m×n] += op(A)·op(B) inside the GEMM (row-major; the transposes as in <see cref="Gemm"/>).</summary>
    internal static void MultiplyAdd(T[] a, bool transA, T[] b, bool transB, T[] c, int m, int k, int n)
        => Gemm.Multiply(a, 0, transA, b, 0, transB, c, 0, m, k, n, accumulate: true);

    /// <summary>Matrix product with <paramref name="other"/> (see <see cref="MatMul(Tensor{T}, Tensor{T})"/>).</summary>
    public Tensor<T> MatMul(Tensor<T> other) => MatMul(this, other);

    /// <summary>
    /// The matrix product <c>this · other</c> of two matrices written into <paramref name="destination"/> (m×n) instead
    /// of a new tensor, as NumPy's <c>matmul(out=)</c> (named apart from <c>MatMul</c>, whose static two-tensor form
    /// takes the same parameter types): a loop of large products reuses one result. A fresh result of a
    /// few megabytes is new memory each time — about a thousand page faults for a 1024×1024 float product, 10–20% of its
    /// time (see docs/performance.md). Not recorded for gradients (refused when an operand or the destination requires
    /// one while recording); the destination must not share storage with an operand (the product reads them while it
    /// writes).
    /// </summary>
    /// <returns><paramref name="destination"/>.</returns>
    /// <exception cref="ShapeException">An operand is not a matrix, the inner dimensions differ, or the destination is not m×n.</exception>
    /// <exception cref="ArgumentException">The destination shares storage with an operand.</exception>
    /// <exception cref="InvalidOperationException">Called on tensors that require a gradient while recording.</exception>
    public Tensor<T> MatMulInto(Tensor<T> other, Tensor<T> destination)
    {
        ArgumentNullException.ThrowIfNull(other);
        ArgumentNullException.ThrowIfNull(destination);
        TensorKernels.RefuseRecording(this, other, destination, "MatMul");
        if (Rank != 2 || other.Rank != 2)
            throw new ShapeException($"MatMul into a destination: needs two matrices; got shapes {Shapes.Format(Shape)} and {Shapes.Format(other.Shape)}. Use MatMul(other) for vectors and stacks of matrices.");
        int m = ShapeRef[0], k = ShapeRef[1], n = other.ShapeRef[1];
        if (other.ShapeRef[0] != k)
            throw new ShapeException($"MatMul: shapes {Shapes.Format(Shape)} and {Shapes.Format(other.Shape)} do not fit: the first has {k} columns but the second has {other.ShapeRef[0]} rows.");
        if (destination.Rank != 2 || destination.ShapeRef[0] != m || destination.ShapeRef[1] != n)
            throw new ShapeException($"MatMul: the destination has shape {Shapes.Format(destination.Shape)}, the result [{m}, {n}]; pass a destination of the result's shape.");
        var c = destination.Buffer;
        if (ReferenceEquals(c, Buffer) || ReferenceEquals(c, other.Buffer))
            throw new ArgumentException("MatMul: the destination shares storage with an operand (the same tensor or a reshaped view of it); the product reads its operands while it writes, so pass a separate destination.", nameof(destination));
        Gemm.Multiply(Buffer, 0, false, other.Buffer, 0, false, c, 0, m, k, n);
        return destination;
    }

    /// <summary>Inner product Σ aᵢbᵢ of two 1-D tensors of equal length.</summary>
    public static Tensor<T> Dot(Tensor<T> a, Tensor<T> b)
    {
        if (a.Rank != 1 || b.Rank != 1 || a.Size != b.Size)
            throw new ShapeException($"Dot: needs two 1-D tensors of equal length; got {Shapes.Format(a.Shape)} and {Shapes.Format(b.Shape)}.");
        return (a * b).Sum();
    }

    /// <summary>Outer product: the matrix aᵢbⱼ of two 1-D tensors.</summary>
    public static Tensor<T> Outer(Tensor<T> a, Tensor<T> b)
    {
        if (a.Rank != 1 || b.Rank != 1)
            throw new ShapeException($"Outer: needs two 1-D tensors; got {Shapes.Format(a.Shape)} and {Shapes.Format(b.Shape)}.");
        return a.Unsqueeze(1) * b.Unsqueeze(0);
    }

    /// <summary>
    /// The vector p-norm (Σ|xᵢ|ᵖ)^(1/p) over <paramref name="axes"/> (all elements when null). p = 2 (default) is the
    /// Euclidean norm, p = 1 the sum of magnitudes, p = ∞ the largest magnitude. The 2-norm's gradient x/‖x‖ is NaN at
    /// x = 0, where the norm has no derivative.
    /// </summary>
    public Tensor<T> Norm(double p = 2, int[]? axes = null, bool keepDims = false)
    {
        if (!(p >= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "The norm order p must be at least 1 (or +∞).");
        if (double.IsPositiveInfinity(p)) return Abs().Max(axes, keepDims);
        if (p == 1) return Abs().Sum(axes, keepDims);
        if (p == 2) return Square().Sum(axes, keepDims).Sqrt();
        return Abs().Pow(Cv(p)).Sum(axes, keepDims).Pow(Cv(1 / p));
    }

    /// <summary>
    /// A matrix norm of a 2-D tensor: "fro" (Frobenius, √Σx²), "1" (largest column sum of magnitudes) or "inf"
    /// (largest row sum of magnitudes).
    /// </summary>
    public Tensor<T> MatrixNorm(string kind = "fro")
    {
        if (Rank != 2) throw new ShapeException($"MatrixNorm: needs a 2-D tensor; got shape {Shapes.Format(Shape)}.");
        return kind switch
        {
            "fro" => Square().Sum().Sqrt(),
            "1" => Abs().Sum(0).Max(),
            "inf" => Abs().Sum(1).Max(),
            _ => throw new ArgumentException($"MatrixNorm: unknown kind '{kind}'; use \"fro\", \"1\" or \"inf\".", nameof(kind)),
        };
    }
}
