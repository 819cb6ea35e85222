using System.Collections.Immutable;
using System.Numerics;
using System.Runtime.InteropServices;
using Descent.Autodiff;

namespace Descent.Ops;

/// <summary>
/// A primitive operation as data: an immutable record of its kind (the record's type) and its parameters (the record's
/// fields, e.g. <c>Sum(Axes, KeepDims)</c>, <c>PowScalar(Exponent)</c>), with its forward computation and its
/// vector–Jacobian product. Every recorded node carries one, so the engine, the graph compiler, the graph drawing and an
/// exporter all read the same declaration — nothing is recovered from closures or strings.
/// </summary>
/// <remarks>
/// Declare a primitive once, as a sealed record deriving from <see cref="UnaryOp{T}"/>, <see cref="BinaryOp{T}"/> or
/// <see cref="NaryOp{T}"/>, and run it with <c>Apply</c>, which computes the forward result and records the node when an
/// input requires a gradient. VJPs are written with tensor operations, so they are differentiable again.
/// See docs/adding-an-op.md.
/// </remarks>
internal abstract record Op<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The operation's name, as in errors and graph drawings (<c>"sum"</c>, <c>"matmul"</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The name with the parameters that matter to a reader (<c>sum(axes=[1])</c>, <c>pow(3)</c>).</summary>
    public virtual string Label => Name;

    /// <summary>Sends the gradient of each input of <paramref name="node"/> to <paramref name="sink"/>.</summary>
    internal abstract void Backward(Node<T> node, Tensor<T> grad, Tensor<T> output, GradientSink<T> sink);

    /// <summary>
    /// The backward step on plain numbers when the op has one (<see cref="BinaryOp{T}.ScalarVjp"/>) and every operand
    /// and the gradient have one element and the sink takes numbers: then it sends them and returns true, creating no
    /// tensor (so the engine needs no recording scope around it); otherwise false, and nothing was sent.
    /// </summary>
    internal virtual bool TryScalarBackward(Node<T> node, Tensor<T> grad, Tensor<T> output, GradientSink<T> sink) => false;

    /// <summary>
    /// Forward mode: the tangent of <paramref name="node"/>'s output given a tangent per input (null: zero, a constant in
    /// this sweep), and whether the op declared its JVP (true) or it was derived from the VJP (<see cref="TransposeJvp"/>).
    /// The arity bases route this to their typed <c>Jvp</c> methods.
    /// </summary>
    internal virtual (Tensor<T> Tangent, bool Declared) Tangent(Node<T> node, Tensor<T>?[] tangents, Tensor<T> output)
        => (TransposeJvp(node, tangents, output), false);

    /// <summary>
    /// The JVP derived from the VJP, which is linear in the upstream gradient u: J·v = ∂/∂u ⟨Jᵀu, v⟩. Runs the VJP once
    /// with a recorded u and differentiates the inner product — exact, but a backward pass of the VJP per forward step,
    /// so primitives declare their own JVP where it matters.
    /// </summary>
    internal Tensor<T> TransposeJvp(Node<T> node, Tensor<T>?[] tangents, Tensor<T> output)
    {
        using var recording = Autograd.EnableGrad();
        var u = new Tensor<T>(output.ShapeArray).WithGrad();
        var sink = new CollectingSink<T>();
        Backward(node, u, output, sink);
        Tensor<T>? product = null;
        var seen = new HashSet<Tensor<T>>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < node.InputCount; i++)
        {
            // An input used twice gets one gradient (the sink sums both uses) and one tangent: count it once.
            if (!seen.Add(node.Input(i)) || tangents[i] is not { } v || sink.Find(node.Input(i)) is not { } g) continue;
            var term = (g * v).Sum();
            product = product is null ? term : product + term;
        }
        if (product is null || !product.RequiresGrad) return new Tensor<T>(output.ShapeArray);
        return Autograd.Grad(product, [u], retainGraph: true)[0].Detach(); // the VJP may reach into the forward graph: keep it
    }

    /// <summary><paramref name="tangent"/> in <paramref name="output"/>'s shape (a broadcast part of a tangent is widened).</summary>
    protected static Tensor<T> Shaped(Tensor<T> tangent, Tensor<T> output)
        => Shapes.Equal(tangent.ShapeRef, output.ShapeRef) ? tangent : tangent.BroadcastTo(output.ShapeArray);

    /// <summary>A parameter array as an immutable one, without copying (the caller gives up the array).</summary>
    protected static ImmutableArray<int> Own(int[] values) => ImmutableCollectionsMarshal.AsImmutableArray(values);

    /// <summary>The array behind an immutable parameter, for kernels that read it (never written).</summary>
    protected static int[] Raw(ImmutableArray<int> values) => ImmutableCollectionsMarshal.AsArray(values)!;

    /// <summary>Formats an integer list as <c>[1, 2]</c>.</summary>
    protected static string Format(ImmutableArray<int> values) => Shapes.Format(Raw(values));

    /// <summary>T of a double (the constants in formulas).</summary>
    protected static T Cv(double value) => T.CreateTruncating(value);
}

/// <summary>A primitive of one input: y = f(x), with the VJP ḡ ↦ ḡ·∂f/∂x written on (upstream, x, y).</summary>
internal abstract record UnaryOp<T> : Op<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The forward computation (never recorded itself).</summary>
    public abstract Tensor<T> Forward(Tensor<T> x);

    /// <summary>The gradient of the input, given the upstream gradient, the input and the output.</summary>
    public abstract Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y);

    /// <summary>
    /// The Jacobian–vector product: the tangent of the output given the input's tangent <paramref name="t"/>, or null when
    /// the op declares none (the engine then transposes the VJP). An element-wise op (<see cref="IDiagonalJacobian"/>)
    /// has a diagonal, hence symmetric, Jacobian: its JVP is its VJP applied to the tangent, the default here.
    /// </summary>
    public virtual Tensor<T>? Jvp(Tensor<T> t, Tensor<T> x, Tensor<T> y) => this is IDiagonalJacobian ? Vjp(t, x, y) : null;

    internal override (Tensor<T> Tangent, bool Declared) Tangent(Node<T> node, Tensor<T>?[] tangents, Tensor<T> output)
    {
        if (tangents[0] is not { } t) return (new Tensor<T>(output.ShapeArray), true);
        return Jvp(t, node.Input(0), output) is { } tangent ? (Shaped(tangent, output), true) : base.Tangent(node, tangents, output);
    }

    /// <summary>Computes the result and records the node when <paramref name="x"/> requires a gradient.</summary>
    public Tensor<T> Apply(Tensor<T> x) => Record(Forward(x), x);

    /// <summary>Records an already computed <paramref name="result"/> of this operation on <paramref name="x"/> when needed.</summary>
    public Tensor<T> Record(Tensor<T> result, Tensor<T> x)
        => Tensor<T>.ShouldRecord(x) ? result.Attach(new UnaryNode<T>(this, x)) : result;

    internal override void Backward(Node<T> node, Tensor<T> grad, Tensor<T> output, GradientSink<T> sink)
    {
        var x = node.Input(0);
        sink.Send(x, Vjp(grad, x, output));
    }
}

/// <summary>
/// A primitive of two inputs with broadcasting: y = f(a, b). Each input's VJP runs only when that input needs it; the
/// engine sums a broadcast gradient back to the input's shape.
/// </summary>
/// <remarks>
/// A primitive may also give its VJPs on plain numbers (<see cref="ScalarVjp"/>): a plain backward pass through
/// one-element operands then sends numbers, with no tensor per VJP. They must compute exactly what the tensor VJPs do.
/// </remarks>
internal abstract record BinaryOp<T> : Op<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public abstract Tensor<T> Forward(Tensor<T> a, Tensor<T> b);

    public abstract Tensor<T> VjpA(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y);

    public abstract Tensor<T> VjpB(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y);

    /// <summary>
    /// Both VJPs on plain numbers (upstream <paramref name="g"/>, inputs, output): true when the op gives them (one
    /// virtual call for both, the whole backward step of a scalar w·w), false when it has none.
    /// </summary>
    public virtual bool ScalarVjp(T g, T a, T b, T y, out T da, out T db)
    {
        da = db = T.Zero;
        return false;
    }

    /// <summary>
    /// Input a's part of the JVP (its tangent <paramref name="t"/> ↦ its share of the output's tangent), or null when
    /// the op declares none. Element-wise ops (<see cref="IDiagonalJacobian"/>) default to their VJP on the tangent.
    /// </summary>
    public virtual Tensor<T>? JvpA(Tensor<T> t, Tensor<T> a, Tensor<T> b, Tensor<T> y) => this is IDiagonalJacobian ? VjpA(t, a, b, y) : null;

    /// <summary>Input b's part of the JVP; see <see cref="JvpA"/>.</summary>
    public virtual Tensor<T>? JvpB(Tensor<T> t, Tensor<T> a, Tensor<T> b, Tensor<T> y) => this is IDiagonalJacobian ? VjpB(t, a, b, y) : null;

    /// <summary>The sum of both inputs' parts (each widened to the output's shape), or the transposed VJP when one is not declared.</summary>
    internal override (Tensor<T> Tangent, bool Declared) Tangent(Node<T> node, Tensor<T>?[] tangents, Tensor<T> output)
    {
        Tensor<T> a = node.Input(0), b = node.Input(1);
        Tensor<T>? sum = null;
        if (tangents[0] is { } ta)
        {
            if (JvpA(ta, a, b, output) is not { } part) return base.Tangent(node, tangents, output);
            sum = Shaped(part, output);
        }
        if (tangents[1] is { } tb)
        {
            if (JvpB(tb, a, b, output) is not { } part) return base.Tangent(node, tangents, output);
            sum = sum is null ? Shaped(part, output) : sum + Shaped(part, output);
        }
        return (sum ?? new Tensor<T>(output.ShapeArray), true);
    }

    public Tensor<T> Apply(Tensor<T> a, Tensor<T> b) => Record(Forward(a, b), a, b);

    public Tensor<T> Record(Tensor<T> result, Tensor<T> a, Tensor<T> b)
        => Tensor<T>.ShouldRecord(a, b) ? result.AttachBinary(this, a, b) : result;

    /// <summary>The node of this operation on (<paramref name="a"/>, <paramref name="b"/>), made when a result's is asked for.</summary>
    internal Node<T> MakeNode(Tensor<T> a, Tensor<T> b, bool freed)
    {
        var node = new BinaryNode<T>(this, a, b);
        if (freed) node.Release();
        return node;
    }

    internal override void Backward(Node<T> node, Tensor<T> grad, Tensor<T> output, GradientSink<T> sink)
    {
        if (TryScalarBackward(node, grad, output, sink)) return;
        Tensor<T> a = node.Input(0), b = node.Input(1);
        if (a.RequiresGrad) sink.Send(a, VjpA(grad, a, b, output));
        if (b.RequiresGrad) sink.Send(b, VjpB(grad, a, b, output));
    }

    internal override bool TryScalarBackward(Node<T> node, Tensor<T> grad, Tensor<T> output, GradientSink<T> sink)
        => node is BinaryNode<T> binary && TryScalarBackward(binary.A, binary.B, grad, output, sink);

    /// <summary><see cref="Op{T}.TryScalarBackward"/> given the inputs (a result whose node is not made yet).</summary>
    internal bool TryScalarBackward(Tensor<T> a, Tensor<T> b, Tensor<T> grad, Tensor<T> output, GradientSink<T> sink)
    {
        T[] ga = grad.Buffer;
        return ga.Length == 1 && TryScalarBackward(a, b, ga[0], output, sink);
    }

    /// <summary><see cref="Op{T}.TryScalarBackward"/> given the inputs and the one-element upstream gradient <paramref name="gs"/>.</summary>
    internal bool TryScalarBackward(Tensor<T> a, Tensor<T> b, T gs, Tensor<T> output, GradientSink<T> sink)
    {
        T[] aa = a.Buffer, ba = b.Buffer, ya = output.Buffer;
        if (aa.Length != 1 || ba.Length != 1 || ya.Length != 1 || !sink.AcceptsScalars) return false;
        if (!ScalarVjp(gs, aa[0], ba[0], ya[0], out T da, out T db)) return false;
        if (a.RequiresGrad) sink.SendScalar(a, da);
        if (b.RequiresGrad) sink.SendScalar(b, db);
        return true;
    }
}

/// <summary>A primitive of any number of inputs; its VJP returns one gradient (or null for none) per input.</summary>
internal abstract record NaryOp<T> : Op<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public abstract Tensor<T> Forward(Tensor<T>[] inputs);

    public abstract Tensor<T>?[] Vjp(Tensor<T> g, Tensor<T>[] inputs, Tensor<T> y);

    /// <summary>
    /// The JVP: the output's tangent given a tangent per input (zeros for constants), or null when the op declares none
    /// (the engine then transposes the VJP).
    /// </summary>
    public virtual Tensor<T>? Jvp(Tensor<T>[] tangents, Tensor<T>[] inputs, Tensor<T> y) => null;

    internal override (Tensor<T> Tangent, bool Declared) Tangent(Node<T> node, Tensor<T>?[] tangents, Tensor<T> output)
    {
        var inputs = ((ListNode<T>)node).Inputs;
        var filled = new Tensor<T>[inputs.Length];
        for (int i = 0; i < inputs.Length; i++) filled[i] = tangents[i] ?? new Tensor<T>(inputs[i].ShapeArray);
        return Jvp(filled, inputs, output) is { } tangent ? (Shaped(tangent, output), true) : base.Tangent(node, tangents, output);
    }

    public Tensor<T> Apply(params Tensor<T>[] inputs) => Record(Forward(inputs), inputs);

    public Tensor<T> Record(Tensor<T> result, Tensor<T>[] inputs)
    {
        if (!Autograd.IsRecording) return result;
        foreach (var t in inputs)
            if (t.RequiresGrad) return result.Attach(new ListNode<T>(this, inputs));
        return result;
    }

    internal override void Backward(Node<T> node, Tensor<T> grad, Tensor<T> output, GradientSink<T> sink)
    {
        var inputs = ((ListNode<T>)node).Inputs;
        var grads = Vjp(grad, inputs, output);
        for (int i = 0; i < inputs.Length; i++)
            if (grads[i] is { } g && inputs[i].RequiresGrad) sink.Send(inputs[i], g);
    }
}

/// <summary>
/// Marks an element-wise primitive: its Jacobian is diagonal (after broadcasting), hence symmetric, so its JVP is its VJP
/// applied to the tangent — the default <c>Jvp</c> of <see cref="UnaryOp{T}"/> and <see cref="BinaryOp{T}"/> for it.
/// </summary>
internal interface IDiagonalJacobian;
