using System.Numerics;
using System.Numerics.Tensors;
using Descent.Autodiff;
using Descent.Kernels;

namespace Descent.Ops;

// Linear algebra primitives: the matrix product and the fused fully connected layer.

/// <summary>
/// The matrix product of two operands of rank ≥ 2 (shapes validated; leading batch dimensions broadcast).
/// ∂/∂A = G·Bᵀ, ∂/∂B = Aᵀ·G (batch broadcasting undone by the engine).
/// </summary>
/// <remarks>
/// For plain matrices the backward pass can write a gradient straight into a leaf's <see cref="Tensor{T}.Grad"/>
/// (C += Aᵀ·G or G·Bᵀ inside the GEMM) when the engine offers that buffer: a weight gradient then needs no temporary and
/// no extra pass to add it — for a 784×128 layer that is a 400 KB allocation per step.
/// </remarks>
internal sealed record MatMul<T> : BinaryOp<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly MatMul<T> Instance = new();
    public override string Name => "matmul";

    public override Tensor<T> Forward(Tensor<T> a, Tensor<T> b)
    {
        int m = a.ShapeRef[^2], k = a.ShapeRef[^1], n = b.ShapeRef[^1];
        var batchA = a.ShapeRef[..^2];
        var batchB = b.ShapeRef[..^2];
        var batch = Shapes.Broadcast(batchA, batchB, "MatMul (batch dimensions)");
        int batches = Shapes.Size(batch);
        var shape = new int[batch.Length + 2];
        batch.CopyTo(shape, 0);
        shape[^2] = m;
        shape[^1] = n;
        var result = Tensor<T>.Uninitialized(shape);   // every element is written (k = 0: cleared by the GEMM)
        if (batches == 1)
        {
            Gemm.Multiply(a.Buffer, 0, b.Buffer, 0, result.Buffer, 0, m, k, n);
            return result;
        }
        var sa = ElementWise.BroadcastStrides(batchA, batch);
        var sb = ElementWise.BroadcastStrides(batchB, batch);
        for (int i = 0; i < batches; i++)
        {
            int rem = i, oa = 0, ob = 0;
            for (int d = batch.Length - 1; d >= 0; d--) { int j = rem % batch[d]; rem /= batch[d]; oa += j * sa[d]; ob += j * sb[d]; }
            Gemm.Multiply(a.Buffer, oa * m * k, b.Buffer, ob * k * n, result.Buffer, i * m * n, m, k, n);
        }
        return result;
    }

    public override Tensor<T> VjpA(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y) => Tensor<T>.MatMulTransposed(g, b, transposeB: true);

    public override Tensor<T> VjpB(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y) => Tensor<T>.MatMulTransposed(a, g, transposeB: false);

    /// <summary>Product rule: J·v of a·b is ȧ·b + a·ḃ; this is ȧ·b.</summary>
    public override Tensor<T>? JvpA(Tensor<T> t, Tensor<T> a, Tensor<T> b, Tensor<T> y) => Apply(t, b);

    /// <summary>The a·ḃ part of the product rule.</summary>
    public override Tensor<T>? JvpB(Tensor<T> t, Tensor<T> a, Tensor<T> b, Tensor<T> y) => Apply(a, t);

    internal override void Backward(Node<T> node, Tensor<T> grad, Tensor<T> output, GradientSink<T> sink)
    {
        Tensor<T> a = node.Input(0), b = node.Input(1);
        if (a.Rank != 2 || b.Rank != 2)
        {
            base.Backward(node, grad, output, sink);
            return;
        }
        int m = a.ShapeRef[0], k = a.ShapeRef[1], n = b.ShapeRef[1];
        bool recording = Tensor<T>.ShouldRecord(grad, b) || Tensor<T>.ShouldRecord(a, grad);
        if (a.RequiresGrad)
        {
            if (!recording && sink.DirectTarget(a) is { } target)
                Tensor<T>.MultiplyAdd(grad.Buffer, false, b.Buffer, true, target.Buffer, m, n, k);
            else
                sink.Send(a, VjpA(grad, a, b, output));
        }
        if (b.RequiresGrad)
        {
            if (!recording && sink.DirectTarget(b) is { } target)
                Tensor<T>.MultiplyAdd(a.Buffer, true, grad.Buffer, false, target.Buffer, k, m, n);
            else
                sink.Send(b, VjpB(grad, a, b, output));
        }
    }
}

/// <summary>
/// A fully connected layer, <c>input·weight + bias</c> (inputs [x, w] or [x, w, b]: a matrix, a matrix, a vector),
/// with an optional ReLU — one primitive equal to its composition <c>(x.MatMul(w) + b).Relu()</c>: the bias added (and
/// the ReLU applied) in place on the product while its rows are in cache, and on the way back the weight and bias
/// gradients added straight into their leaves' <see cref="Tensor{T}.Grad"/>. The graph compiler lowers it to that
/// composition.
/// </summary>
internal sealed record Linear<T>(bool Relu) : NaryOp<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Linear<T> Plain = new(false), WithRelu = new(true);

    public override string Name => Relu ? "linear_relu" : "linear";

    public override Tensor<T> Forward(Tensor<T>[] inputs)
    {
        Tensor<T> x = inputs[0], w = inputs[1];
        var bias = inputs.Length > 2 ? inputs[2] : null;
        int m = x.ShapeRef[0], k = x.ShapeRef[1], n = w.ShapeRef[1];
        var result = Tensor<T>.Uninitialized([m, n]);   // overwritten by the GEMM
        Gemm.Multiply(x.Buffer, 0, w.Buffer, 0, result.Buffer, 0, m, k, n);
        var y = result.Buffer;
        for (int i = 0; i < m; i++)
        {
            var row = y.AsSpan(i * n, n);
            if (bias is not null) TensorPrimitives.Add(row, bias.Buffer, row);
            if (Relu) TensorPrimitives.Max(row, T.Zero, row);
        }
        return result;
    }

    /// <summary>The gradients as differentiable compositions (the ReLU mask is a constant): for recorded backward passes.</summary>
    public override Tensor<T>?[] Vjp(Tensor<T> g, Tensor<T>[] inputs, Tensor<T> y)
    {
        var gz = Relu ? g * y.GreaterThan(T.Zero) : g;
        Tensor<T> x = inputs[0], w = inputs[1];
        var grads = new Tensor<T>?[inputs.Length];
        if (x.RequiresGrad) grads[0] = Tensor<T>.MatMul(gz, w.Transpose());
        if (w.RequiresGrad) grads[1] = Tensor<T>.MatMul(x.Transpose(), gz);
        if (inputs.Length > 2 && inputs[2].RequiresGrad) grads[2] = gz.Sum(0);
        return grads;
    }

    /// <summary>J·v of x·w + b (then ReLU): ẋ·w + x·ẇ + ḃ, masked where the ReLU is off.</summary>
    public override Tensor<T>? Jvp(Tensor<T>[] tangents, Tensor<T>[] inputs, Tensor<T> y)
    {
        Tensor<T> x = inputs[0], w = inputs[1];
        var dz = Tensor<T>.MatMul(tangents[0], w) + Tensor<T>.MatMul(x, tangents[1]);
        if (tangents.Length > 2) dz += tangents[2];
        return Relu ? dz * y.GreaterThan(T.Zero) : dz;
    }

    internal override void Backward(Node<T> node, Tensor<T> grad, Tensor<T> output, GradientSink<T> sink)
    {
        if (Autograd.IsRecording)
        {
            base.Backward(node, grad, output, sink);
            return;
        }
        var x = node.Input(0);
        var w = node.Input(1);
        var b = node.InputCount > 2 ? node.Input(2) : null;
        int m = x.ShapeRef[0], k = x.ShapeRef[1], n = w.ShapeRef[1];
        var g = Relu ? Tensor<T>.FusedGrad<Tensor<T>.ReluGrad>(grad, output, static (g, y) => g * y.GreaterThan(T.Zero)) : grad;
        if (x.RequiresGrad) sink.Send(x, Tensor<T>.MatMulTransposed(g, w, transposeB: true));
        if (w.RequiresGrad)
        {
            if (sink.DirectTarget(w) is { } target) Tensor<T>.MultiplyAdd(x.Buffer, true, g.Buffer, false, target.Buffer, k, m, n);
            else sink.Send(w, Tensor<T>.MatMulTransposed(x, g, transposeB: false));
        }
        if (b is not null && b.RequiresGrad)
        {
            var target = sink.DirectTarget(b);
            var sum = target is null ? new Tensor<T>([n]) : null;
            var acc = (target ?? sum!).Buffer.AsSpan(0, n);
            for (int i = 0; i < m; i++) TensorPrimitives.Add(acc, g.Buffer.AsSpan(i * n, n), acc);
            if (sum is not null) sink.Send(b, sum);
        }
    }
}
