using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Autodiff;

/// <summary>
/// The backward pass: orders the graph once (reverse topological order, iteratively so deep graphs cannot overflow
/// the stack), then sends each tensor's gradient through the node that made it. Gradients that arrive with a
/// broadcast shape are summed back to the input's shape here, centrally, so no operation handles broadcasting.
/// </summary>
internal sealed class Engine<T> : GradientSink<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private static int s_stamp;
    [ThreadStatic] private static Engine<T>? t_cached;

    private readonly List<Tensor<T>> _order = [];
    private readonly Stack<(Tensor<T> Tensor, int Next)> _stack = new();
    private bool _anomaly;
    private bool _running;
    private bool _leafDirect;
    private bool _createGraph;
    private Tensor<T>? _one;

    public static Tensor<T>?[]? Run(Tensor<T> root, Tensor<T>? upstream, bool createGraph, bool retainGraph,
        bool accumulateIntoLeaves, IReadOnlyList<Tensor<T>>? capture)
    {
        if (!root.RequiresGrad)
            throw new GradientException("Backward() was called on a tensor that does not require a gradient: no input of the computation had WithGrad(), or it was computed inside Autograd.NoGrad().");
        if (upstream is null && accumulateIntoLeaves && !createGraph && capture is null && root.BinaryOp is { } op
            && !root.InputA.IsComputed && !root.InputB.IsComputed && root.Size == 1 && !Autograd.IsDetectingAnomalies)
        {
            // A scalar step (w·w, one operation on one-element leaves): its gradients are numbers added straight into
            // the leaves' Grad, exactly as the engine's one-node path below would, without an engine, seed or ordering.
            if (root.BinaryFreed) throw Freed(op.Name);
            if (op.TryScalarBackward(root.InputA, root.InputB, T.One, root, LeafSink.Instance))
            {
                if (!retainGraph) root.ReleaseBinary();
                return null;
            }
        }
        // One thread-local read per pass: the cached engine, unless a pass is already running on this thread (a
        // backward pass started from inside another one's hook gets its own).
        var cached = t_cached;
        Engine<T> engine;
        if (cached is not null && !cached._running) engine = cached;
        else
        {
            engine = new Engine<T>();
            if (cached is null) t_cached = engine;
        }
        if (upstream is null)
        {
            if (root.Size != 1)
                throw new GradientException($"Backward() without an upstream gradient needs a scalar (one-element) result, but this one has shape {Shapes.Format(root.Shape)}. Reduce it (for example with Sum() or Mean()) or pass Backward(upstream) with a gradient of that shape.");
            upstream = createGraph || capture is not null ? new Tensor<T>(root.ShapeRef, [T.One]) : engine.One(root);
        }
        else if (!Shapes.Equal(upstream.Shape, root.Shape))
            throw new GradientException($"The upstream gradient has shape {Shapes.Format(upstream.Shape)} but the result has shape {Shapes.Format(root.Shape)}; they must match.");

        engine._running = true;
        try
        {
            engine._anomaly = Autograd.IsDetectingAnomalies;
            return engine.Execute(root, upstream, createGraph, retainGraph, accumulateIntoLeaves, capture);
        }
        finally
        {
            engine._order.Clear();
            if (engine._stack.Count > 0) engine._stack.Clear(); // Stack<T>.Clear clears its array even when empty
            engine._running = false;
        }
    }

    private Tensor<T>?[]? Execute(Tensor<T> root, Tensor<T> upstream, bool createGraph, bool retainGraph,
        bool accumulateIntoLeaves, IReadOnlyList<Tensor<T>>? capture)
    {
        // Plain backward (no higher order, nothing captured): a leaf's gradients go straight into its Grad as they arrive,
        // instead of being summed into a fresh tensor first and added when the pass reaches the leaf.
        _leafDirect = accumulateIntoLeaves && !createGraph && capture is null;
        _createGraph = createGraph;
        if (_leafDirect && !_anomaly && root.BinaryOp is { } op && !root.InputA.IsComputed && !root.InputB.IsComputed)
        {
            // The same for a binary operation whose node was never made (w·w): numbers straight from the tensor's record.
            if (root.BinaryFreed) throw Freed(op.Name);
            if (op.TryScalarBackward(root.InputA, root.InputB, upstream, root, this))
            {
                if (!retainGraph) root.ReleaseBinary();
                return null;
            }
        }
        if (_leafDirect && !_anomaly && root.Node is { } only && only.InputsAreLeaves)
        {
            // One operation on leaves (a scalar step such as w·w): its gradients go straight into the leaves' Grad,
            // so there is nothing to order and nothing pending.
            if (only.Freed) throw Freed(only.Name);
            // Numbers in, numbers out (w·w on one-element leaves) create no tensor, so they need no recording scope.
            if (!only.Op.TryScalarBackward(only, upstream, root, this))
                using (Autograd.NoGrad()) only.Backward(upstream, root, this);
            if (!retainGraph) only.Release();
            return null;
        }
        int stamp = Interlocked.Increment(ref s_stamp);
        Sort(root, stamp);

        // Captured tensors are found by reference; their gradient is read when the pass reaches them.
        Tensor<T>?[]? captured = capture is null ? null : new Tensor<T>?[capture.Count];

        using var scope = createGraph ? Autograd.EnableGrad() : Autograd.NoGrad();
        root.PendingGrad = upstream;
        for (int i = _order.Count - 1; i >= 0; i--)
        {
            var t = _order[i];
            var g = t.PendingGrad;
            t.PendingGrad = null;
            if (g is null) continue;

            if (captured is not null)
                for (int c = 0; c < captured.Length; c++)
                    if (ReferenceEquals(capture![c], t)) captured[c] = g;

            var node = t.Node;
            if (node is null)
            {
                if (accumulateIntoLeaves) AccumulateLeaf(t, g, createGraph);
                continue;
            }
            if (node.Freed) throw Freed(node.Name);
            node.Backward(g, t, this);
            if (!retainGraph) node.Release();
        }
        return captured;
    }

    /// <summary>
    /// The sink of a plain backward pass through one operation on leaves (no higher order, nothing captured, no anomaly
    /// checks): what the engine does with a leaf's gradient in that case (<see cref="SendScalar"/>, <see cref="Send"/>).
    /// </summary>
    private sealed class LeafSink : GradientSink<T>
    {
        public static readonly LeafSink Instance = new();

        public override bool AcceptsScalars => true;

        public override void SendScalar(Tensor<T> input, T value)
        {
            if (!input.RequiresGrad) return;
            if (input.Grad is { } existing && !existing.IsComputed && existing.Size == 1 && Shapes.Equal(existing.ShapeRef, input.ShapeRef))
            {
                existing.Buffer[0] += value;
                return;
            }
            Send(input, new Tensor<T>(input.ShapeRef, [value]));
        }

        public override void Send(Tensor<T> input, Tensor<T> grad)
        {
            if (!input.RequiresGrad) return;
            if (!Shapes.Equal(grad.ShapeRef, input.ShapeRef)) grad = grad.SumTo(input.ShapeRef);
            AccumulateLeaf(input, grad, createGraph: false);
        }
    }

    private static GradientException Freed(string operation) =>
        new($"Backward() reached the '{operation}' operation whose graph was already freed by an earlier backward pass. Pass retainGraph: true to the first Backward() to go through the same graph twice, or recompute the result.");

    /// <summary>Reverse topological order by an iterative depth-first search from the root.</summary>
    private void Sort(Tensor<T> root, int stamp)
    {
        root.VisitStamp = stamp;
        _stack.Push((root, 0));
        while (_stack.Count > 0)
        {
            var (t, next) = _stack.Pop();
            var node = t.Node;
            if (node is not null && next < node.InputCount)
            {
                _stack.Push((t, next + 1));
                var input = node.Input(next);
                if (input.RequiresGrad && input.VisitStamp != stamp)
                {
                    input.VisitStamp = stamp;
                    _stack.Push((input, 0));
                }
                continue;
            }
            _order.Add(t);
        }
    }

    /// <summary>
    /// The seed gradient 1 of a one-element root, reused across plain passes (no higher order, nothing captured): every
    /// path that keeps a gradient copies or adds it (a leaf's Grad is a clone or a sum; interior sums are fresh
    /// tensors), so no caller can hold it. Reset to 1 each time.
    /// </summary>
    private Tensor<T> One(Tensor<T> root)
    {
        var one = _one;
        if (one is null || !Shapes.Equal(one.ShapeRef, root.ShapeRef)) _one = one = new Tensor<T>(root.ShapeArray, [T.One]).Unscoped();
        one.Buffer[0] = T.One;
        return one;
    }

    public override bool AcceptsScalars => !_createGraph;

    public override void SendScalar(Tensor<T> input, T value)
    {
        if (!input.RequiresGrad) return;
        if (_leafDirect && !_anomaly && !input.IsComputed && input.Grad is { } existing && !existing.IsComputed
            && existing.Size == 1 && Shapes.Equal(existing.ShapeRef, input.ShapeRef))
        {
            // What AccumulateLeaf does with a one-element gradient tensor, without the tensor.
            existing.Buffer[0] += value;
            return;
        }
        Send(input, new Tensor<T>(input.ShapeRef, [value]));
    }

    public override void Send(Tensor<T> input, Tensor<T> grad)
    {
        if (!input.RequiresGrad) return;
        if (!Shapes.Equal(grad.Shape, input.Shape))
        {
            if (!Shapes.CanBroadcastTo(input.Shape, grad.Shape))
                throw new GradientException($"Internal error: a gradient of shape {Shapes.Format(grad.Shape)} cannot be reduced to its input's shape {Shapes.Format(input.Shape)}.");
            grad = grad.SumTo(input.ShapeRef);
        }
        if (_anomaly) Anomaly.Check(grad, "backward of the operation that consumed " + (input.Name ?? input.Operation ?? "a leaf"), "backward");
        if (_leafDirect && !input.IsComputed)
        {
            AccumulateLeaf(input, grad, createGraph: false);
            return;
        }
        input.PendingGrad = input.PendingGrad is null ? grad : input.PendingGrad + grad;
    }

    public override Tensor<T>? DirectTarget(Tensor<T> input)
    {
        if (!_leafDirect || _anomaly || input.IsComputed || !input.RequiresGrad) return null;
        var existing = input.Grad;
        if (existing is null)
            return input.Grad = new Tensor<T>(input.ShapeRef);
        return !existing.IsComputed && Shapes.Equal(existing.Shape, input.Shape) ? existing : null;
    }

    private static void AccumulateLeaf(Tensor<T> leaf, Tensor<T> g, bool createGraph)
    {
        var existing = leaf.Grad;
        if (createGraph || existing is null || existing.IsComputed || !Shapes.Equal(existing.Shape, leaf.Shape))
        {
            // Keep our own buffer, so later in-place accumulation never writes into a tensor of the graph.
            leaf.Grad = existing is null || !Shapes.Equal(existing.Shape, leaf.Shape)
                ? (createGraph ? g : new Tensor<T>(leaf.ShapeRef, (T[])g.Buffer.Clone())) // the leaf's shape array: later checks compare references
                : existing + g;
            return;
        }
        TensorPrimitives.Add(existing.Buffer, g.Buffer, existing.Buffer);
    }
}

/// <summary>Checks for NaN and infinity in anomaly-detection mode.</summary>
internal static class Anomaly
{
    public static void Check<T>(Tensor<T> t, string operation, string phase) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        foreach (var v in t.Buffer)
            if (!T.IsFinite(v))
                throw new AnomalyException(operation, phase,
                    $"Anomaly detected: the {phase} pass of '{operation}' produced {(T.IsNaN(v) ? "NaN" : "an infinity")} (shape {Shapes.Format(t.Shape)}). Check the inputs of that operation for values outside its domain.");
    }
}
