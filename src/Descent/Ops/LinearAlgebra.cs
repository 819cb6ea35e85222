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
        var batchA = a.ShapeRef[..^2];
        var batchB = b.ShapeRef[..^2];
        var batch = Shapes.Broadcast(batchA, batchB, "MatMul (batch dimensions)");
        int batches = Shapes.Size(batch);
        var shape = new int[batch.Length + 2];
        batch.CopyTo(shape, 0);
        shape[^2] = m;
        shape[^1] = n;
        var result = new Tensor<T>(shape);
        if (batches == 1)
        {
            Gemm.Multiply(a.Buffer, 0, b.Buffer, 0, result.Buffer, 0, m, k, n);
            if (a.Rank == 2 && b.Rank == 2)
                return ShouldRecord(a, b) ? result.Attach(new MatMulNode(a, b)) : result;
        }
        else
        {
            var sa = ElementWise.BroadcastStrides(batchA, batch);
            var sb = ElementWise.BroadcastStrides(batchB, batch);
            var index = new int[batch.Length];
            for (int i = 0; i < batches; i++)
            {
                int rem = i, oa = 0, ob = 0;
                for (int d = batch.Length - 1; d >= 0; d--) { int j = rem % batch[d]; rem /= batch[d]; oa += j * sa[d]; ob += j * sb[d]; }
                Gemm.Multiply(a.Buffer, oa * m * k, b.Buffer, ob * k * n, result.Buffer, i * m * n, m, k, n);
            }
        }
        if (!ShouldRecord(a, b)) return result;
        return result.Attach(new Autodiff.BinaryNode<T>("matmul", a, b,
            static (g, _, b, _) => MatMulTransposed(g, b, transposeB: true),
            static (g, a, _, _) => MatMulTransposed(a, g, transposeB: false),
            jvpA: static (t, _, b, _) => t.MatMul(b),
            jvpB: static (t, a, _, _) => a.MatMul(t)));
    }

    /// <summary>
    /// The products of MatMul's backward pass, G·Bᵀ (<paramref name="transposeB"/>) or Aᵀ·G: for plain matrices outside
    /// a recorded computation the GEMM reads the operand transposed in place; otherwise (batched, or recording for
    /// higher-order derivatives) it is the composition of Transpose and MatMul, so it stays differentiable.
    /// </summary>
    private static Tensor<T> MatMulTransposed(Tensor<T> x, Tensor<T> y, bool transposeB)
    {
        if (x.Rank != 2 || y.Rank != 2 || ShouldRecord(x, y))
            return transposeB ? MatMul(x, y.Transpose()) : MatMul(x.Transpose(), y);
        int m, k, n;
        if (transposeB) { m = x.ShapeRef[0]; k = x.ShapeRef[1]; n = y.ShapeRef[0]; }
        else { m = x.ShapeRef[1]; k = x.ShapeRef[0]; n = y.ShapeRef[1]; }
        var result = new Tensor<T>([m, n]);
        Gemm.Multiply(x.Buffer, 0, !transposeB, y.Buffer, 0, transposeB, result.Buffer, 0, m, k, n);
        return result;
    }

    /// <summary>
    /// The node of a plain 2-D product. Unlike the generic binary node it can write a gradient straight into a leaf's
    /// <see cref="Grad"/> (C += Aᵀ·G or G·Bᵀ inside the GEMM) when the engine offers that buffer: a weight gradient then
    /// needs no temporary and no extra pass to add it — for a 784×128 layer that is a 400 KB allocation per step.
    /// </summary>
    private sealed class MatMulNode(Tensor<T> a, Tensor<T> b) : Autodiff.Node<T>("matmul")
    {
        private readonly Tensor<T> _a = a, _b = b;

        public override int InputCount => 2;
        public override Tensor<T> Input(int index) => index == 0 ? _a : _b;

        public override bool DeclaresJvp => true;

        /// <summary>J·v of a·b: ȧ·b + a·ḃ.</summary>
        public override Tensor<T> Jvp(Tensor<T>?[] tangents, Tensor<T> output)
            => tangents switch
            {
                [{ } ta, { } tb] => ta.MatMul(_b) + _a.MatMul(tb),
                [{ } ta, null] => ta.MatMul(_b),
                [null, { } tb] => _a.MatMul(tb),
                _ => new Tensor<T>(output.ShapeArray),
            };

        public override void Backward(Tensor<T> grad, Tensor<T> output, Autodiff.GradientSink<T> sink)
        {
            int m = _a.ShapeRef[0], k = _a.ShapeRef[1], n = _b.ShapeRef[1];
            bool recording = ShouldRecord(grad, _b) || ShouldRecord(_a, grad);
            if (_a.RequiresGrad)
            {
                if (!recording && sink.DirectTarget(_a) is { } target)
                    MultiplyAdd(grad.Buffer, false, _b.Buffer, true, target.Buffer, m, n, k);
                else
                    sink.Send(_a, MatMulTransposed(grad, _b, transposeB: true));
            }
            if (_b.RequiresGrad)
            {
                if (!recording && sink.DirectTarget(_b) is { } target)
                    MultiplyAdd(_a.Buffer, true, grad.Buffer, false, target.Buffer, k, m, n);
                else
                    sink.Send(_b, MatMulTransposed(_a, grad, transposeB: false));
            }
        }
    }

    /// <summary>
    /// A fully connected layer, <c>input·weight + bias</c>, with an optional ReLU: one node instead of two or three,
    /// the bias added (and the ReLU applied) in place on the product while its rows are in cache, and on the way back
    /// the weight and bias gradients added straight into their leaves' <see cref="Grad"/>. Equal to the composition
    /// <c>(input.MatMul(weight) + bias).Relu()</c>, which it falls back to for anything but a matrix input, a matrix
    /// weight and a vector bias — and which its backward pass uses when the gradient is itself recorded. While
    /// <see cref="Autograd.Compile{T}"/> traces a loss it also records the composition, which the compiler translates.
    /// </summary>
    /// <param name="input">[batch, inputs].</param>
    /// <param name="weight">[inputs, outputs] (the transpose of PyTorch's layout).</param>
    /// <param name="bias">[outputs], or null for none.</param>
    /// <param name="relu">Apply max(·, 0) to the result.</param>
    public static Tensor<T> Linear(Tensor<T> input, Tensor<T> weight, Tensor<T>? bias = null, bool relu = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (Autograd.IsTracing || input.Rank != 2 || weight.Rank != 2 || (bias is not null && (bias.Rank != 1 || bias.Size != weight.ShapeRef[1])) || input.ShapeRef[1] != weight.ShapeRef[0])
        {
            var composed = MatMul(input, weight);
            if (bias is not null) composed += bias;
            return relu ? composed.Relu() : composed;
        }
        int m = input.ShapeRef[0], k = input.ShapeRef[1], n = weight.ShapeRef[1];
        var result = new Tensor<T>([m, n]);
        Gemm.Multiply(input.Buffer, 0, weight.Buffer, 0, result.Buffer, 0, m, k, n);
        var y = result.Buffer;
        for (int i = 0; i < m; i++)
        {
            var row = y.AsSpan(i * n, n);
            if (bias is not null) System.Numerics.Tensors.TensorPrimitives.Add(row, bias.Buffer, row);
            if (relu) System.Numerics.Tensors.TensorPrimitives.Max(row, T.Zero, row);
        }
        bool record = Autograd.IsRecording && (input.RequiresGrad || weight.RequiresGrad || (bias?.RequiresGrad ?? false));
        return record ? result.Attach(new LinearNode(input, weight, bias, relu)) : result;
    }

    /// <summary>The node of <see cref="Linear(Tensor{T}, Tensor{T}, Tensor{T}?, bool)"/>.</summary>
    private sealed class LinearNode(Tensor<T> x, Tensor<T> w, Tensor<T>? b, bool relu) : Autodiff.Node<T>(relu ? "linear_relu" : "linear")
    {
        public override int InputCount => b is null ? 2 : 3;
        public override Tensor<T> Input(int index) => index switch { 0 => x, 1 => w, _ => b! };

        public override bool DeclaresJvp => true;

        /// <summary>J·v of x·w + b (then ReLU): ẋ·w + x·ẇ + ḃ, masked where the ReLU is off.</summary>
        public override Tensor<T> Jvp(Tensor<T>?[] tangents, Tensor<T> output)
        {
            var dz = new Tensor<T>(output.ShapeArray);
            if (tangents[0] is { } tx) dz += MatMul(tx, w);
            if (tangents[1] is { } tw) dz += MatMul(x, tw);
            if (tangents.Length > 2 && tangents[2] is { } tb) dz += tb;
            return relu ? dz * output.GreaterThan(T.Zero) : dz;
        }

        public override void Backward(Tensor<T> grad, Tensor<T> output, Autodiff.GradientSink<T> sink)
        {
            int m = x.ShapeRef[0], k = x.ShapeRef[1], n = w.ShapeRef[1];
            if (Autograd.IsRecording)
            {
                // Higher order: the same gradients as differentiable compositions (the ReLU mask is a constant).
                var gz = relu ? grad * output.GreaterThan(T.Zero) : grad;
                if (x.RequiresGrad) sink.Send(x, MatMul(gz, w.Transpose()));
                if (w.RequiresGrad) sink.Send(w, MatMul(x.Transpose(), gz));
                if (b is not null && b.RequiresGrad) sink.Send(b, gz.Sum(0));
                return;
            }
            var g = relu ? FusedGrad<ReluGrad>(grad, output, static (g, y) => g * y.GreaterThan(T.Zero)) : grad;
            if (x.RequiresGrad) sink.Send(x, MatMulTransposed(g, w, transposeB: true));
            if (w.RequiresGrad)
            {
                if (sink.DirectTarget(w) is { } target) MultiplyAdd(x.Buffer, true, g.Buffer, false, target.Buffer, k, m, n);
                else sink.Send(w, MatMulTransposed(x, g, transposeB: false));
            }
            if (b is not null && b.RequiresGrad)
            {
                var target = sink.DirectTarget(b);
                var sum = target is null ? new Tensor<T>([n]) : null;
                var acc = (target ?? sum!).Buffer.AsSpan(0, n);
                for (int i = 0; i < m; i++) System.Numerics.Tensors.TensorPrimitives.Add(acc, g.Buffer.AsSpan(i * n, n), acc);
                if (sum is not null) sink.Send(b, sum);
            }
        }
    }

    /// <summary>C[m×n] += op(A)·op(B) inside the GEMM (row-major; the transposes as in <see cref="Gemm"/>).</summary>
    private static void MultiplyAdd(T[] a, bool transA, T[] b, bool transB, T[] c, int m, int k, int n)
        => Gemm.Multiply(a, 0, transA, b, 0, transB, c, 0, m, k, n, accumulate: true);

    /// <summary>Matrix product with <paramref name="other"/> (see <see cref="MatMul(Tensor{T}, Tensor{T})"/>).</summary>
    public Tensor<T> MatMul(Tensor<T> other) => MatMul(this, other);

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
