using System.Collections.Immutable;
using System.Numerics;
using Descent.Autodiff;
using Descent.Kernels;

namespace Descent.Ops;

// Convolution primitives (NCHW, as PyTorch), computed by im2col and the GEMM (Kernels/Convolution.cs). The convolution,
// its input gradient (a transposed convolution) and its weight gradient are closed under differentiation: each one's VJP
// is made of the others, so higher-order derivatives need no further code.

/// <summary>
/// A 2-D convolution of x [N, C, H, W] with w [O, C/G, KH, KW], plus b [O] when given (inputs [x, w] or [x, w, b]);
/// <see cref="Geometry"/> holds the validated sizes, strides, padding, dilation and groups.
/// ∂/∂x = the transposed convolution of g with w, ∂/∂w = the correlation of x with g, ∂/∂b = Σ g over N, OH, OW.
/// </summary>
/// <remarks>
/// A plain backward pass runs one fused kernel that adds the weight and bias gradients straight into the leaves'
/// <see cref="Tensor{T}.Grad"/> when the engine offers them; a recorded one (higher order) uses the VJP's primitives.
/// With <see cref="Relu"/> the op is conv → ReLU in one primitive, equal to the composition <c>Conv2d(x, w, b).Relu()</c>
/// bit for bit: the ReLU is applied to each output plane while it is in cache, and on the way back the ReLU's mask is
/// applied while the gradient is copied for the products — neither the pre-activation nor the masked gradient is a
/// tensor of its own (two 6 MB arrays fewer per step for the first layer of the default CNN).
/// </remarks>
internal sealed record Conv2d<T>(ConvGeometry Geometry, bool Relu = false) : NaryOp<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override string Name => Relu ? "conv2d_relu" : "conv2d";

    public override string Label
        => $"{Name}(k={Geometry.KernelH}x{Geometry.KernelW}, stride={Geometry.StrideH}x{Geometry.StrideW}, pad={Geometry.PadTop}x{Geometry.PadLeft}"
           + (Geometry.DilationH != 1 || Geometry.DilationW != 1 ? $", dilation={Geometry.DilationH}x{Geometry.DilationW}" : "")
           + (Geometry.Groups != 1 ? $", groups={Geometry.Groups}" : "") + ")";

    public override Tensor<T> Forward(Tensor<T>[] inputs)
    {
        var g = Geometry;
        var y = new Tensor<T>([g.Batch, g.OutChannels, g.OutH, g.OutW]);
        Convolution.Forward(inputs[0].Buffer, inputs[1].Buffer, inputs.Length > 2 ? inputs[2].Buffer : null, y.Buffer, g, Relu);
        return y;
    }

    /// <summary>The same convolution without the ReLU (the VJPs and JVPs are those of the plain convolution, masked).</summary>
    private Conv2d<T> Plain => Relu ? this with { Relu = false } : this;

    public override Tensor<T>?[] Vjp(Tensor<T> g, Tensor<T>[] inputs, Tensor<T> y)
    {
        if (Relu) return Plain.Vjp(Tensor<T>.FusedGrad<Tensor<T>.ReluGrad>(g, y, static (g, y) => g * y.GreaterThan(T.Zero)), inputs, y);
        var grads = new Tensor<T>?[inputs.Length];
        if (inputs[0].RequiresGrad) grads[0] = new Conv2dInputGrad<T>(Geometry).Apply(g, inputs[1]);
        if (inputs[1].RequiresGrad) grads[1] = new Conv2dWeightGrad<T>(Geometry).Apply(inputs[0], g);
        if (inputs.Length > 2 && inputs[2].RequiresGrad) grads[2] = g.Sum([0, 2, 3]);
        return grads;
    }

    /// <summary>Bilinear in (x, w), linear in b: conv(ẋ, w) + conv(x, ẇ) + ḃ.</summary>
    public override Tensor<T>? Jvp(Tensor<T>[] tangents, Tensor<T>[] inputs, Tensor<T> y)
    {
        var plain = Plain;
        var t = plain.Apply(tangents[0], inputs[1]) + plain.Apply(inputs[0], tangents[1]);
        if (inputs.Length > 2) t += tangents[2].Reshape(1, Geometry.OutChannels, 1, 1);
        return Relu ? t * y.GreaterThan(T.Zero) : t;
    }

    internal override void Backward(Node<T> node, Tensor<T> grad, Tensor<T> output, GradientSink<T> sink)
    {
        if (Autograd.IsRecording)
        {
            base.Backward(node, grad, output, sink);
            return;
        }
        Tensor<T> x = node.Input(0), w = node.Input(1);
        var b = node.InputCount > 2 ? node.Input(2) : null;
        var gx = x.RequiresGrad ? new Tensor<T>(x.ShapeRef) : null;
        Tensor<T>? gw = null, gb = null, wTarget = null, bTarget = null;
        if (w.RequiresGrad) { wTarget = sink.DirectTarget(w); gw = wTarget ?? new Tensor<T>(w.ShapeRef); }
        if (b is not null && b.RequiresGrad) { bTarget = sink.DirectTarget(b); gb = bTarget ?? new Tensor<T>(b.ShapeRef); }
        Convolution.Backward(x.Buffer, w.Buffer, grad.Buffer, gx?.Buffer, gw?.Buffer, wTarget is not null, gb?.Buffer, bTarget is not null, Geometry,
            Relu ? output.Buffer : null);
        if (gx is not null) sink.Send(x, gx);
        if (gw is not null && wTarget is null) sink.Send(w, gw);
        if (gb is not null && bTarget is null) sink.Send(b!, gb);
    }
}

/// <summary>
/// conv → ReLU → max pool as one primitive (inputs [x, w] or [x, w, b]): y = <c>Conv2d(x, w, b).Relu().MaxPool2d(…)</c>
/// with the same values and winners, computed image by image (Kernels/Convolution.cs): each image's convolution output
/// is rectified and pooled while it is in cache and never stored. <see cref="Index"/> holds the winners' positions in
/// the convolution output's planes, as <see cref="MaxPool2d{T}"/> does.
/// </summary>
/// <remarks>
/// The plain backward pass scatters each image's pooled gradient to its winners (masked by the ReLU: a winner's value
/// is the pooled value) into a scratch plane and runs the per-image weight, bias and input gradients on it — neither the
/// convolution's output nor its gradient is a tensor (6.4 MB each for the first layer of the default CNN, per step).
/// A recorded pass (higher order) and forward mode use the composition's primitives: the scatter, the mask and the
/// plain convolution's VJP / JVP.
/// </remarks>
internal sealed record Conv2dReluMaxPool<T>(ConvGeometry Geometry, PoolWindows Windows, PoolSpec Spec, ImmutableArray<int> Index) : NaryOp<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override string Name => "conv2d_relu_max_pool2d";

    public override string Label
        => $"{new Conv2d<T>(Geometry).Label} → relu → max_pool2d(k={Spec.Kernel.H}x{Spec.Kernel.W}, stride={Spec.Stride.H}x{Spec.Stride.W}, pad={Spec.Padding.H}x{Spec.Padding.W})";

    /// <summary>Runs the fused pass; the record returned holds the winners for the backward pass.</summary>
    public static (Tensor<T> Result, Conv2dReluMaxPool<T> Op) Run(Tensor<T>[] inputs, ConvGeometry g, PoolWindows windows, PoolSpec spec)
    {
        var y = new Tensor<T>([g.Batch, g.OutChannels, windows.OutH, windows.OutW]);
        var index = new int[y.Size];
        Convolution.ForwardReluMaxPool(inputs[0].Buffer, inputs[1].Buffer, inputs.Length > 2 ? inputs[2].Buffer : null, y.Buffer, index, g, windows);
        return (y, new Conv2dReluMaxPool<T>(g, windows, spec, Own(index)));
    }

    public override Tensor<T> Forward(Tensor<T>[] inputs) => Run(inputs, Geometry, Windows, Spec).Result;

    private Conv2d<T> Conv => new(Geometry);

    private int Planes => Geometry.Batch * Geometry.OutChannels;

    /// <summary>The pool's gradient scattered to the winners in the convolution output's shape.</summary>
    private MaxPool2dScatter<T> Scatter
        => new(Index, Own([Geometry.Batch, Geometry.OutChannels, Geometry.OutH, Geometry.OutW]), Planes, Geometry.Positions, Windows.OutH * Windows.OutW);

    public override Tensor<T>?[] Vjp(Tensor<T> g, Tensor<T>[] inputs, Tensor<T> y)
    {
        // The ReLU's mask at a winner is (its value > 0), and its value is the pooled one: mask first, then scatter.
        var masked = Tensor<T>.FusedGrad<Tensor<T>.ReluGrad>(g, y, static (g, y) => g * y.GreaterThan(T.Zero));
        return Conv.Vjp(Scatter.Apply(masked), inputs, y);   // the plain convolution's VJP does not read y
    }

    /// <summary>The convolution's tangent picked at the winners, masked by the ReLU.</summary>
    public override Tensor<T>? Jvp(Tensor<T>[] tangents, Tensor<T>[] inputs, Tensor<T> y)
    {
        var t = Conv.Jvp(tangents, inputs, y)!;   // the plain convolution's JVP does not read y
        var picked = new MaxPool2dGather<T>(Index, Own(y.ShapeArray), Planes, Geometry.Positions, Windows.OutH * Windows.OutW).Apply(t);
        return picked * y.GreaterThan(T.Zero);
    }

    internal override void Backward(Node<T> node, Tensor<T> grad, Tensor<T> output, GradientSink<T> sink)
    {
        if (Autograd.IsRecording)
        {
            base.Backward(node, grad, output, sink);
            return;
        }
        Tensor<T> x = node.Input(0), w = node.Input(1);
        var b = node.InputCount > 2 ? node.Input(2) : null;
        var gx = x.RequiresGrad ? new Tensor<T>(x.ShapeRef) : null;
        Tensor<T>? gw = null, gb = null, wTarget = null, bTarget = null;
        if (w.RequiresGrad) { wTarget = sink.DirectTarget(w); gw = wTarget ?? new Tensor<T>(w.ShapeRef); }
        if (b is not null && b.RequiresGrad) { bTarget = sink.DirectTarget(b); gb = bTarget ?? new Tensor<T>(b.ShapeRef); }
        Convolution.BackwardReluMaxPool(x.Buffer, w.Buffer, grad.Buffer, output.Buffer, Raw(Index), Windows,
            gx?.Buffer, gw?.Buffer, wTarget is not null, gb?.Buffer, bTarget is not null, Geometry);
        if (gx is not null) sink.Send(x, gx);
        if (gw is not null && wTarget is null) sink.Send(w, gw);
        if (gb is not null && bTarget is null) sink.Send(b!, gb);
    }
}

/// <summary>
/// ∂/∂x of Σ conv(x, w)·gy, inputs (gy, w): the transposed convolution. Its VJPs: for gy, conv(h, w); for w, the weight
/// gradient of (h, gy).
/// </summary>
internal sealed record Conv2dInputGrad<T>(ConvGeometry Geometry) : BinaryOp<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override string Name => "conv2d_input_grad";

    public override Tensor<T> Forward(Tensor<T> gy, Tensor<T> w)
    {
        var g = Geometry;
        var gx = new Tensor<T>([g.Batch, g.InChannels, g.Height, g.Width]);
        Convolution.InputGrad(w.Buffer, gy.Buffer, gx.Buffer, g);
        return gx;
    }

    public override Tensor<T> VjpA(Tensor<T> h, Tensor<T> gy, Tensor<T> w, Tensor<T> y) => new Conv2d<T>(Geometry).Apply(h, w);

    public override Tensor<T> VjpB(Tensor<T> h, Tensor<T> gy, Tensor<T> w, Tensor<T> y) => new Conv2dWeightGrad<T>(Geometry).Apply(h, gy);

    public override Tensor<T>? JvpA(Tensor<T> t, Tensor<T> gy, Tensor<T> w, Tensor<T> y) => Apply(t, w);

    public override Tensor<T>? JvpB(Tensor<T> t, Tensor<T> gy, Tensor<T> w, Tensor<T> y) => Apply(gy, t);
}

/// <summary>
/// ∂/∂w of Σ conv(x, w)·gy, inputs (x, gy). Its VJPs: for x, the input gradient of (gy, h); for gy, conv(x, h).
/// </summary>
internal sealed record Conv2dWeightGrad<T>(ConvGeometry Geometry) : BinaryOp<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override string Name => "conv2d_weight_grad";

    public override Tensor<T> Forward(Tensor<T> x, Tensor<T> gy)
    {
        var g = Geometry;
        var gw = new Tensor<T>([g.OutChannels, g.GroupInChannels, g.KernelH, g.KernelW]);
        Convolution.WeightGrad(x.Buffer, gy.Buffer, gw.Buffer, g);
        return gw;
    }

    public override Tensor<T> VjpA(Tensor<T> h, Tensor<T> x, Tensor<T> gy, Tensor<T> y) => new Conv2dInputGrad<T>(Geometry).Apply(gy, h);

    public override Tensor<T> VjpB(Tensor<T> h, Tensor<T> x, Tensor<T> gy, Tensor<T> y) => new Conv2d<T>(Geometry).Apply(x, h);

    public override Tensor<T>? JvpA(Tensor<T> t, Tensor<T> x, Tensor<T> gy, Tensor<T> y) => Apply(t, gy);

    public override Tensor<T>? JvpB(Tensor<T> t, Tensor<T> x, Tensor<T> gy, Tensor<T> y) => Apply(x, t);
}
