using System.Linq.Expressions;
using System.Numerics;
using System.Numerics.Tensors;
using System.Reflection;
using Descent.Kernels;

namespace Descent.Autodiff;

/// <summary>
/// Turns a recorded graph into a <see cref="System.Linq.Expressions"/> program: forward values into preallocated arrays
/// (or locals for one-element tensors), then the reverse pass in the engine's own order with the engine's own formulas
/// (so results match the eager engine, bit for bit where the same kernels are used), then optionally the update step.
/// Consecutive element-wise loops of the same length are fused into one loop when that cannot change a result.
/// </summary>
internal static class GraphCompiler<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>One tensor of the traced graph.</summary>
    internal sealed class Value(int[] shape, bool requiresGrad)
    {
        public readonly int[] Shape = shape;
        public readonly int Size = Shapes.Size(shape);
        public readonly bool RequiresGrad = requiresGrad;
        public int LeafSlot = -1;      // index in Buffers of a leaf's elements
        public int ParameterIndex = -1;
        public bool IsScalar => Size == 1;
    }

    /// <summary>One recorded operation.</summary>
    internal sealed class Op(string name, Value[] inputs, Value output, T constant, int[]? keptShape = null)
    {
        public readonly string Name = name;
        public readonly Value[] Inputs = inputs;
        public readonly Value Output = output;
        public readonly T Constant = constant;        // the exponent of pow by a constant
        public readonly int[]? KeptShape = keptShape; // a sum over axes: its output's shape with the reduced axes kept as 1
    }

    /// <summary>The traced graph, the bound buffers, and the code generator's entry point.</summary>
    internal sealed class Program
    {
        public required T[][] Buffers;
        public required Tensor<T>[] Leaves;
        public required int[] LeafSlots;
        public required Tensor<T>[] Parameters;
        public required int[] GradSlots;
        public required Value[] ParameterValues;
        public required List<Op> Ops;          // forward order
        public required List<Value> Order;     // values in the engine's topological order (leaves and results)
        public required Value Root;

        public int OperationCount => Ops.Count;

        public Func<T[][], T, T> Compile(bool update) => new Emitter(this, update).Build();
    }

    private static readonly HashSet<string> s_elementWise =
        ["add", "subtract", "multiply", "divide", "negate", "square", "sqrt", "exp", "log", "pow", "abs", "sigmoid", "tanh", "relu", "reshape", "broadcast_to"];

    /// <summary>Reads the graph under <paramref name="root"/> and checks every operation is supported.</summary>
    public static Program Build(Tensor<T> root)
    {
        // The engine's order: post-order over the inputs that require a gradient.
        var order = GraphOrder.PostOrder(root, static t => t.RequiresGrad);

        var values = new Dictionary<Tensor<T>, Value>(ReferenceEqualityComparer.Instance);
        var buffers = new List<T[]>();
        var leaves = new List<Tensor<T>>();
        var leafSlots = new List<int>();
        var parameters = new List<Tensor<T>>();
        var parameterValues = new List<Value>();
        var ops = new List<Op>();
        var orderValues = new List<Value>();

        Value Register(Tensor<T> t)
        {
            if (values.TryGetValue(t, out var v)) return v;
            v = new Value(t.ShapeArray, t.RequiresGrad);
            values.Add(t, v);
            if (t.Node is null)
            {
                v.LeafSlot = buffers.Count;
                buffers.Add(t.Buffer);
                leaves.Add(t);
                leafSlots.Add(v.LeafSlot);
                if (t.RequiresGrad)
                {
                    v.ParameterIndex = parameters.Count;
                    parameters.Add(t);
                    parameterValues.Add(v);
                }
            }
            return v;
        }

        foreach (var t in order)
        {
            var node = t.Node;
            if (node is null)
            {
                orderValues.Add(Register(t));
                continue;
            }
            var inputs = new Value[node.InputCount];
            for (int k = 0; k < inputs.Length; k++) inputs[k] = Register(node.Input(k));
            var output = Register(t);
            orderValues.Add(output);
            ops.Add(Describe(node, t, inputs, output));
        }

        var gradSlots = new int[parameters.Count];
        for (int p = 0; p < gradSlots.Length; p++)
        {
            gradSlots[p] = buffers.Count;
            buffers.Add(new T[parameters[p].Size]);
        }
        return new Program
        {
            Buffers = [.. buffers], Leaves = [.. leaves], LeafSlots = [.. leafSlots], Parameters = [.. parameters],
            GradSlots = gradSlots, ParameterValues = [.. parameterValues], Ops = ops, Order = orderValues, Root = values[root],
        };
    }

    private static NotSupportedException Unsupported(string name, string? detail = null) =>
        new($"Autograd.Compile does not support the '{name}' operation{(detail is null ? "" : " (" + detail + ")")}. " +
            "Compute this loss with the eager engine (loss.Backward()), or write it with supported operations: " +
            "+, −, ×, ÷ (with broadcasting), negation, Square, Sqrt, Exp, Log, Pow, Abs, Sigmoid, Tanh, Relu, Reshape, BroadcastTo, MatMul of two matrices, Sum and Mean (over all elements or axes).");

    private static Op Describe(Node<T> node, Tensor<T> output, Value[] inputs, Value outValue)
    {
        string name = node.Name;
        if (node.Freed)
            throw new GradientException($"Autograd.Compile reached the '{name}' operation whose graph was already freed by a backward pass; the function must compute its loss afresh on each call.");
        if (!s_elementWise.Contains(name) && name is not ("sum" or "matmul")) throw Unsupported(name);
        if (name != "matmul" && node is not (UnaryNode<T> or BinaryNode<T>)) throw Unsupported(name);
        T constant = T.Zero;
        if (name == "matmul")
        {
            if (inputs[0].Shape.Length != 2 || inputs[1].Shape.Length != 2 || outValue.Shape.Length != 2
                || inputs[0].IsScalar || inputs[1].IsScalar || outValue.IsScalar)
                throw Unsupported(name, "only products of two matrices (2-D, more than one element each, and in the result) are compiled; batched products are not");
            return new Op(name, inputs, outValue, constant);
        }
        if (name == "sum")
        {
            if (outValue.Size != 1) return new Op(name, inputs, outValue, constant, KeptShape(node, output));
        }
        else if (name == "reshape")
        {
            if (inputs[0].Size != outValue.Size) throw Unsupported(name, "unexpected sizes");
        }
        else
        {
            foreach (var input in inputs)
                if (!Shapes.CanBroadcastTo(input.Shape, outValue.Shape)) throw Unsupported(name, "unexpected shapes");
            if (inputs.Length == 1 && name != "broadcast_to" && inputs[0].Size != outValue.Size) throw Unsupported(name, "unexpected shapes");
        }
        if (name == "pow" && inputs.Length == 1) constant = PowExponent(node, output);
        return new Op(name, inputs, outValue, constant);
    }

    /// <summary>
    /// The constant exponent of a recorded x.Pow(p), which the node keeps only inside its gradient closure: running
    /// the closure with recording on yields (g·x^(p−1))·p, whose last factor is a recorded scalar constant p. Checked by
    /// recomputing the forward values, so a change in how pow is recorded fails loudly rather than giving a wrong program.
    /// </summary>
    private static T PowExponent(Node<T> node, Tensor<T> output)
    {
        var sink = new CaptureSink();
        using (Autograd.EnableGrad())
        {
            var g = new Tensor<T>(output.ShapeArray);
            g.Data.Fill(T.One);
            g.RequiresGrad = true;
            node.Backward(g, output, sink);
        }
        if (sink.Grad?.Node is BinaryNode<T> { Name: "multiply" } m && m.Input(1) is { Node: null, Size: 1 } c)
        {
            T p = c.Buffer[0];
            var x = node.Input(0);
            var check = new T[x.Size];
            TensorPrimitives.Pow(x.Buffer, p, check);
            if (check.AsSpan().SequenceEqual(output.Buffer)) return p;
        }
        throw Unsupported("pow", "its constant exponent could not be recovered from the graph");
    }

    /// <summary>
    /// The kept-dims shape of a recorded sum over axes (with keepDims false the output shape alone does not say which
    /// axes were reduced): its gradient closure computes g.Reshape(kept).BroadcastTo(x.shape), so running it with
    /// recording on shows the reshape's result shape.
    /// </summary>
    private static int[] KeptShape(Node<T> node, Tensor<T> output)
    {
        var sink = new CaptureSink();
        var g = new Tensor<T>(output.ShapeArray);
        using (Autograd.EnableGrad())
        {
            g.RequiresGrad = true;
            node.Backward(g, output, sink);
        }
        var x = node.Input(0);
        var r = sink.Grad;
        if (r?.Node is { Name: "broadcast_to" } b) r = b.Input(0);
        if (r?.Node is { Name: "reshape" } reshape && ReferenceEquals(reshape.Input(0), g)
            && r.Size == output.Size && r.Rank == x.Rank && Shapes.CanBroadcastTo(r.Shape, x.Shape))
            return r.ShapeArray;
        throw Unsupported("sum", "its reduced axes could not be recovered from the graph");
    }

    private sealed class CaptureSink : GradientSink<T>
    {
        public Tensor<T>? Grad;
        public override void Send(Tensor<T> input, Tensor<T> grad) => Grad = grad;
    }

    /// <summary>How a loop touches a buffer or local: at the loop index, or anywhere (gathers, scatters, reductions).</summary>
    [Flags]
    private enum Access { ReadAt = 1, WriteAt = 2, ReadAny = 4, WriteAny = 8 }

    private abstract class Step;

    private sealed class Line(Expression expression) : Step
    {
        public readonly Expression Expression = expression;
    }

    private sealed class Loop(int n) : Step
    {
        public readonly int N = n;
        public readonly List<Expression> Pre = [], Body = [], Post = [];
        public readonly Dictionary<object, Access> Touched = [];

        public void Touch(object key, Access access) => Touched[key] = Touched.GetValueOrDefault(key) | access;

        /// <summary>True when running <paramref name="next"/>'s body in the same iterations as this one changes nothing.</summary>
        public bool CanFuse(Loop next)
        {
            if (next.N != N) return false;
            foreach (var (key, a) in next.Touched)
            {
                if (!Touched.TryGetValue(key, out var b)) continue;
                var both = a | b;
                if ((both & (Access.WriteAt | Access.WriteAny)) != 0 && (both & (Access.ReadAny | Access.WriteAny)) != 0) return false;
            }
            return true;
        }

        public void Absorb(Loop next)
        {
            Pre.AddRange(next.Pre);
            Body.AddRange(next.Body);
            Post.AddRange(next.Post);
            foreach (var (key, a) in next.Touched) Touch(key, a);
        }
    }

    /// <summary>Scalar kernels the generated code calls (the same functions the eager kernels compute).</summary>
    internal static class K
    {
        public static T Exp(T x) => T.Exp(x);
        public static T Log(T x) => T.Log(x);
        public static T Sqrt(T x) => T.Sqrt(x);
        public static T Pow(T x, T p) => T.Pow(x, p);
        public static T Abs(T x) => T.Abs(x);
        public static T Tanh(T x) => T.Tanh(x);
        public static T Sigmoid(T x) => T.One / (T.One + T.Exp(-x));
        public static T Relu(T x) => T.Max(x, T.Zero);
        public static T Sign(T x) => x > T.Zero ? T.One : x < T.Zero ? -T.One : x;
        public static T Positive(T x) => x > T.Zero ? T.One : T.Zero;
        public static T Sum(T[] x) => TensorPrimitives.Sum<T>(x);
        public static void AddInto(T[] destination, T[] source) => TensorPrimitives.Add<T>(destination, source, destination);
        public static void Clear(T[] x) => Array.Clear(x);

        // The eager matmul and its backward products (Tensor.MatMul, MatMulTransposed), on the same GEMM kernel.
        public static void MatMul(T[] a, T[] b, T[] c, int m, int k, int n) => Gemm.Multiply(a, 0, b, 0, c, 0, m, k, n);
        public static void MatMulGradA(T[] g, T[] b, T[] c, int m, int k, int n) => Gemm.Multiply(g, 0, false, b, 0, true, c, 0, m, n, k);
        public static void MatMulGradB(T[] a, T[] g, T[] c, int m, int k, int n) => Gemm.Multiply(a, 0, true, g, 0, false, c, 0, k, m, n);
    }

    private sealed class Emitter(Program program, bool update)
    {
        private static readonly Type Ty = typeof(T);
        private readonly ParameterExpression _buffers = Expression.Parameter(typeof(T[][]), "buffers");
        private readonly ParameterExpression _lr = Expression.Parameter(Ty, "lr");
        private readonly ParameterExpression _i = Expression.Variable(typeof(int), "i");
        private readonly List<ParameterExpression> _locals = [];
        private readonly List<(ParameterExpression? Target, Expression Init)> _prologue = [];
        private readonly HashSet<ParameterExpression> _tempArrays = [];
        private readonly Dictionary<ParameterExpression, int[]> _mapValues = [];
        private readonly List<Step> _steps = [];
        private readonly Dictionary<Value, ParameterExpression> _val = [], _grad = [];
        private readonly HashSet<Value> _gradAssigned = [];
        private readonly Dictionary<string, ParameterExpression> _maps = [];
        private int _temps;

        public Func<T[][], T, T> Build()
        {
            _locals.Add(_i);
            foreach (var v in program.Order) if (v.LeafSlot >= 0) LoadLeaf(v);
            foreach (var op in program.Ops) foreach (var v in op.Inputs) if (v.LeafSlot >= 0) LoadLeaf(v);

            foreach (var op in program.Ops) Forward(op);

            var root = program.Root;
            _steps.Add(new Line(Expression.Assign(GradVar(root), One)));
            _gradAssigned.Add(root);
            // Reverse topological order, as the engine: an operation's gradient is complete when it is reached.
            var byOutput = new Dictionary<Value, Op>();
            foreach (var op in program.Ops) byOutput[op.Output] = op;
            for (int k = program.Order.Count - 1; k >= 0; k--)
            {
                var v = program.Order[k];
                if (!_gradAssigned.Contains(v) || !byOutput.TryGetValue(v, out var op)) continue;
                Backward(op);
            }

            for (int p = 0; p < program.ParameterValues.Length; p++) Finish(program.ParameterValues[p], program.GradSlots[p]);

            // Fuse consecutive loops of the same length where that cannot change a result.
            var final = new List<Step>();
            foreach (var step in _steps)
            {
                if (step is Loop loop && final.Count > 0 && final[^1] is Loop group && group.CanFuse(loop)) group.Absorb(loop);
                else final.Add(step);
            }

            // A temporary array that only one fused loop touches, always at the loop index, never needs to exist:
            // each iteration's element lives in a local (a register) instead.
            var users = new Dictionary<ParameterExpression, int>();
            foreach (var step in final)
                foreach (var v in Referenced(step)) users[v] = users.GetValueOrDefault(v) + 1;
            var dropped = new HashSet<ParameterExpression>();
            var body = new List<Expression>();
            foreach (var step in final)
            {
                if (step is Line line) { body.Add(line.Expression); continue; }
                var loop = (Loop)step;
                var scalars = new Dictionary<ParameterExpression, ParameterExpression>();
                foreach (var (key, access) in loop.Touched)
                    if (key is ParameterExpression a && _tempArrays.Contains(a) && users[a] == 1 && (access & (Access.ReadAny | Access.WriteAny)) == 0)
                    {
                        var local = Expression.Variable(Ty, a.Name + "_at");
                        _locals.Add(local);
                        scalars[a] = local;
                        dropped.Add(a);
                    }
                EmitLoop(loop, body, scalars);
            }
            body.Add(_val[root]);
            // Temporaries and index maps that no statement reads any more need not be loaded.
            var referenced = new Collector();
            foreach (var e in body) referenced.Visit(e);
            var block = new List<Expression>();
            foreach (var (target, init) in _prologue) if (target is null || referenced.Found.Contains(target)) block.Add(init);
            block.AddRange(body);
            var locals = _locals.Where(l => !dropped.Contains(l));
            var lambda = Expression.Lambda<Func<T[][], T, T>>(Expression.Block(Ty, locals, block), "compiled_gradient", [_buffers, _lr]);
            return lambda.Compile();
        }

        /// <summary>Loops up to this length are unrolled: constant indices, and broadcast index maps folded away.</summary>
        private const int UnrollLimit = 16;

        private static HashSet<ParameterExpression> Referenced(Step step)
        {
            var collector = new Collector();
            if (step is Line line) collector.Visit(line.Expression);
            else
            {
                var loop = (Loop)step;
                foreach (var e in loop.Pre.Concat(loop.Body).Concat(loop.Post)) collector.Visit(e);
            }
            return collector.Found;
        }

        private sealed class Collector : ExpressionVisitor
        {
            public readonly HashSet<ParameterExpression> Found = [];

            protected override Expression VisitParameter(ParameterExpression node)
            {
                Found.Add(node);
                return node;
            }
        }

        /// <summary>Replaces scalar-replaced arrays' elements by locals and, when unrolling, the index by a constant.</summary>
        private sealed class Rewriter(ParameterExpression index, Dictionary<ParameterExpression, ParameterExpression> scalars,
            Dictionary<ParameterExpression, int[]> maps, int? at) : ExpressionVisitor
        {
            protected override Expression VisitIndex(IndexExpression node)
            {
                if (node.Object is ParameterExpression a && scalars.TryGetValue(a, out var local)) return local;
                return base.VisitIndex(node);
            }

            protected override Expression VisitBinary(BinaryExpression node)
            {
                if (at is int k && node.NodeType == ExpressionType.ArrayIndex && node.Left is ParameterExpression m
                    && maps.TryGetValue(m, out var map) && node.Right == index)
                    return Expression.Constant(map[k]);
                return base.VisitBinary(node);
            }

            protected override Expression VisitParameter(ParameterExpression node)
                => at is int k && node == index ? Expression.Constant(k) : node;
        }

        private void EmitLoop(Loop loop, List<Expression> body, Dictionary<ParameterExpression, ParameterExpression> scalars)
        {
            body.AddRange(loop.Pre);
            if (loop.N <= UnrollLimit)
            {
                for (int k = 0; k < loop.N; k++)
                {
                    var rewriter = new Rewriter(_i, scalars, _mapValues, k);
                    foreach (var e in loop.Body) body.Add(rewriter.Visit(e));
                }
            }
            else
            {
                var rewriter = new Rewriter(_i, scalars, _mapValues, null);
                var end = Expression.Label("end");
                body.Add(Expression.Assign(_i, Expression.Constant(0)));
                body.Add(Expression.Loop(
                    Expression.IfThenElse(Expression.LessThan(_i, Expression.Constant(loop.N)),
                        Expression.Block(loop.Body.Select(rewriter.Visit).Append(Expression.PreIncrementAssign(_i))!),
                        Expression.Break(end)),
                    end));
            }
            body.AddRange(loop.Post);
        }

        private static ConstantExpression One => Expression.Constant(T.One, Ty);

        private static ConstantExpression C(T value) => Expression.Constant(value, Ty);

        private static MethodInfo M(string name) => typeof(K).GetMethod(name, BindingFlags.Public | BindingFlags.Static)!;

        private static Expression Call(string name, params Expression[] args) => Expression.Call(M(name), args);

        private void LoadLeaf(Value v)
        {
            if (_val.ContainsKey(v)) return;
            var slot = Expression.ArrayIndex(_buffers, Expression.Constant(v.LeafSlot));
            if (v.IsScalar)
            {
                var s = Expression.Variable(Ty, "leaf" + v.LeafSlot);
                _locals.Add(s);
                _prologue.Add((null, Expression.Assign(s, Expression.ArrayIndex(slot, Expression.Constant(0)))));
                _val[v] = s;
            }
            else
            {
                var a = Expression.Variable(typeof(T[]), "leaf" + v.LeafSlot);
                _locals.Add(a);
                _prologue.Add((null, Expression.Assign(a, slot)));
                _val[v] = a;
            }
        }

        private ParameterExpression Temp(int size, string name)
        {
            if (size == 1)
            {
                var s = Expression.Variable(Ty, name + _temps++);
                _locals.Add(s);
                return s;
            }
            var a = Expression.Variable(typeof(T[]), name + _temps++);
            _locals.Add(a);
            _prologue.Add((a, Expression.Assign(a, Expression.Constant(new T[size]))));
            _tempArrays.Add(a);
            return a;
        }

        private ParameterExpression ValVar(Value v)
        {
            if (!_val.TryGetValue(v, out var e)) _val[v] = e = Temp(v.Size, "v");
            return e;
        }

        private ParameterExpression GradVar(Value v)
        {
            if (_grad.TryGetValue(v, out var e)) return e;
            if (v.ParameterIndex >= 0 && !v.IsScalar)
            {
                e = Expression.Variable(typeof(T[]), "grad" + v.ParameterIndex);
                _locals.Add(e);
                _prologue.Add((null, Expression.Assign(e, Expression.ArrayIndex(_buffers, Expression.Constant(program.GradSlots[v.ParameterIndex])))));
            }
            else e = Temp(v.Size, "g");
            _grad[v] = e;
            return e;
        }

        private ParameterExpression Map(int[] from, int[] to)
        {
            string key = Shapes.Format(from) + "->" + Shapes.Format(to);
            if (_maps.TryGetValue(key, out var m)) return m;
            var map = new int[Shapes.Size(to)];
            var fromStrides = Shapes.Strides(from);
            int lead = to.Length - from.Length;
            for (int flat = 0; flat < map.Length; flat++)
            {
                int rem = flat, offset = 0;
                for (int d = to.Length - 1; d >= 0; d--)
                {
                    int coordinate = rem % to[d];
                    rem /= to[d];
                    int fd = d - lead;
                    if (fd >= 0 && from[fd] != 1) offset += coordinate * fromStrides[fd];
                }
                map[flat] = offset;
            }
            m = Expression.Variable(typeof(int[]), "map" + _maps.Count);
            _locals.Add(m);
            _prologue.Add((m, Expression.Assign(m, Expression.Constant(map))));
            _mapValues[m] = map;
            _maps[key] = m;
            return m;
        }

        /// <summary>The element of <paramref name="v"/> (a value, or a gradient when <paramref name="grad"/>) that meets element i of a result shaped <paramref name="shape"/>.</summary>
        private Expression At(Value v, int[] shape, Loop? loop, bool grad = false)
        {
            var e = grad ? GradVar(v) : ValVar(v);
            if (v.IsScalar)
            {
                loop?.Touch(e, Access.ReadAt);
                return e;
            }
            if (loop is null) throw new InvalidOperationException("Internal error: an array read outside a loop.");
            if (v.Size == loop.N)
            {
                loop.Touch(e, Access.ReadAt);
                return Expression.ArrayAccess(e, _i);
            }
            loop.Touch(e, Access.ReadAny);
            return Expression.ArrayAccess(e, Expression.ArrayIndex(Map(v.Shape, shape), _i));
        }

        private void Forward(Op op)
        {
            var o = op.Output;
            var outVar = ValVar(o);
            if (op.Name == "matmul")
            {
                var (left, right) = (op.Inputs[0], op.Inputs[1]);
                _steps.Add(new Line(Call(nameof(K.MatMul), ValVar(left), ValVar(right), outVar,
                    Expression.Constant(left.Shape[0]), Expression.Constant(left.Shape[1]), Expression.Constant(right.Shape[1]))));
                return;
            }
            if (op.Name == "sum" && op.KeptShape is { } kept)
            {
                // Over axes: out[kept index of i] += x[i], in index order.
                var x = op.Inputs[0];
                var sumLoop = new Loop(x.Size);
                sumLoop.Pre.Add(Call(nameof(K.Clear), outVar));
                var slot = Expression.ArrayAccess(outVar, Expression.ArrayIndex(Map(kept, x.Shape), _i));
                sumLoop.Body.Add(Expression.Assign(slot, Expression.Add(slot, At(x, x.Shape, sumLoop))));
                sumLoop.Touch(outVar, Access.ReadAny | Access.WriteAny);
                _steps.Add(sumLoop);
                return;
            }
            if (op.Name == "sum")
            {
                var x = op.Inputs[0];
                _steps.Add(new Line(Expression.Assign(outVar, x.IsScalar ? ValVar(x) : Call(nameof(K.Sum), ValVar(x)))));
                return;
            }
            Loop? loop = o.IsScalar ? null : new Loop(o.Size);
            var a = At(op.Inputs[0], o.Shape, loop);
            var b = op.Inputs.Length > 1 ? At(op.Inputs[1], o.Shape, loop) : null;
            Expression value = op.Name switch
            {
                "add" => Expression.Add(a, b!),
                "subtract" => Expression.Subtract(a, b!),
                "multiply" => Expression.Multiply(a, b!),
                "divide" => Expression.Divide(a, b!),
                "pow" when b is not null => Call(nameof(K.Pow), a, b),
                "pow" => Call(nameof(K.Pow), a, C(op.Constant)),
                "negate" => Expression.Negate(a),
                "square" => Expression.Multiply(a, a),
                "sqrt" => Call(nameof(K.Sqrt), a),
                "exp" => Call(nameof(K.Exp), a),
                "log" => Call(nameof(K.Log), a),
                "abs" => Call(nameof(K.Abs), a),
                "sigmoid" => Call(nameof(K.Sigmoid), a),
                "tanh" => Call(nameof(K.Tanh), a),
                "relu" => Call(nameof(K.Relu), a),
                "reshape" or "broadcast_to" => a,
                _ => throw Unsupported(op.Name),
            };
            if (loop is null)
            {
                _steps.Add(new Line(Expression.Assign(outVar, value)));
                return;
            }
            loop.Body.Add(Expression.Assign(Expression.ArrayAccess(outVar, _i), value));
            loop.Touch(outVar, Access.WriteAt);
            _steps.Add(loop);
        }

        private void Backward(Op op)
        {
            var o = op.Output;
            if (op.Name == "matmul")
            {
                var (left, right) = (op.Inputs[0], op.Inputs[1]);
                Expression m = Expression.Constant(left.Shape[0]), k = Expression.Constant(left.Shape[1]), n = Expression.Constant(right.Shape[1]);
                var gOut = GradVar(o);
                if (left.RequiresGrad) AccumulateWhole(left, target => Call(nameof(K.MatMulGradA), gOut, ValVar(right), target, m, k, n));
                if (right.RequiresGrad) AccumulateWhole(right, target => Call(nameof(K.MatMulGradB), ValVar(left), gOut, target, m, k, n));
                return;
            }
            if (op.Name == "sum" && op.KeptShape is { } kept)
            {
                // The gradient broadcasts back: gx[i] += g[kept index of i].
                var x = op.Inputs[0];
                if (!x.RequiresGrad) return;
                var sumLoop = new Loop(x.Size);
                var gOut = GradVar(o);
                sumLoop.Touch(gOut, Access.ReadAny);
                Accumulate(x, x.Shape, Expression.ArrayAccess(gOut, Expression.ArrayIndex(Map(kept, x.Shape), _i)), sumLoop);
                _steps.Add(sumLoop);
                return;
            }
            if (op.Name == "sum")
            {
                var x = op.Inputs[0];
                if (!x.RequiresGrad) return;
                if (x.IsScalar) { Accumulate(x, x.Shape, GradVar(o), null); return; }
                var sumLoop = new Loop(x.Size);
                sumLoop.Touch(GradVar(o), Access.ReadAt);
                Accumulate(x, x.Shape, GradVar(o), sumLoop);
                _steps.Add(sumLoop);
                return;
            }
            Loop? loop = o.IsScalar ? null : new Loop(o.Size);
            var g = At(o, o.Shape, loop, grad: true);
            var a = At(op.Inputs[0], o.Shape, loop);
            var b = op.Inputs.Length > 1 ? At(op.Inputs[1], o.Shape, loop) : null;
            Expression Y() => At(o, o.Shape, loop);
            for (int k = 0; k < op.Inputs.Length; k++)
            {
                var input = op.Inputs[k];
                if (!input.RequiresGrad) continue;
                Expression c = (op.Name, k) switch
                {
                    ("add", _) => g,
                    ("subtract", 0) => g,
                    ("subtract", 1) => Expression.Negate(g),
                    ("multiply", 0) => Expression.Multiply(g, b!),
                    ("multiply", 1) => Expression.Multiply(g, a),
                    ("divide", 0) => Expression.Divide(g, b!),
                    ("divide", 1) => Expression.Negate(Expression.Divide(Expression.Multiply(g, Y()), b!)),
                    ("pow", 0) when b is not null => Expression.Multiply(Expression.Multiply(g, b), Call(nameof(K.Pow), a, Expression.Subtract(b, One))),
                    ("pow", 1) => Expression.Multiply(Expression.Multiply(g, Y()), Call(nameof(K.Log), a)),
                    ("pow", 0) => Expression.Multiply(Expression.Multiply(g, PowMinusOne(a, op.Constant)), C(op.Constant)),
                    ("negate", _) => Expression.Negate(g),
                    ("square", _) => Expression.Multiply(Expression.Multiply(g, a), C(T.CreateTruncating(2))),
                    ("sqrt", _) => Expression.Divide(g, Expression.Multiply(Y(), C(T.CreateTruncating(2)))),
                    ("exp", _) => Expression.Multiply(g, Y()),
                    ("log", _) => Expression.Divide(g, a),
                    ("abs", _) => Expression.Multiply(g, Call(nameof(K.Sign), a)),
                    ("sigmoid", _) => Expression.Multiply(Expression.Multiply(g, Y()), Expression.Subtract(One, Y())),
                    ("tanh", _) => Expression.Multiply(g, Expression.Subtract(One, Expression.Multiply(Y(), Y()))),
                    ("relu", _) => Expression.Multiply(g, Call(nameof(K.Positive), a)),
                    ("reshape" or "broadcast_to", _) => g,
                    _ => throw Unsupported(op.Name),
                };
                Accumulate(input, o.Shape, c, loop);
            }
            if (loop is not null) _steps.Add(loop);
        }

        /// <summary>x^(p−1) as the eager gradient computes it: x.Pow(p − 1) is a square for p = 3 and x·1 for p = 2.</summary>
        private static Expression PowMinusOne(Expression x, T p)
        {
            T q = p - T.One;
            if (q == T.CreateTruncating(2)) return Expression.Multiply(x, x);
            if (q == T.One) return Expression.Multiply(x, One);
            return Call(nameof(K.Pow), x, C(q));
        }

        /// <summary>
        /// Adds the contribution <paramref name="c"/> (element i of a result shaped <paramref name="shape"/>) to the
        /// gradient of <paramref name="v"/>, reducing over broadcast axes as the engine does; the first contribution assigns.
        /// </summary>
        private void Accumulate(Value v, int[] shape, Expression c, Loop? loop)
        {
            var g = GradVar(v);
            bool first = _gradAssigned.Add(v);
            if (loop is null)
            {
                _steps.Add(new Line(Expression.Assign(g, first ? c : Expression.Add(g, c))));
                return;
            }
            if (v.IsScalar)
            {
                // The engine sums a broadcast gradient with TensorPrimitives.Sum: store the contributions, then sum them.
                var parts = Temp(loop.N, "parts");
                loop.Body.Add(Expression.Assign(Expression.ArrayAccess(parts, _i), c));
                loop.Touch(parts, Access.WriteAt);
                Expression sum = Call(nameof(K.Sum), parts);
                loop.Post.Add(Expression.Assign(g, first ? sum : Expression.Add(g, sum)));
                loop.Touch(parts, Access.ReadAny);
                loop.Touch(g, Access.WriteAny);
                return;
            }
            if (v.Size == loop.N)
            {
                var at = Expression.ArrayAccess(g, _i);
                loop.Body.Add(Expression.Assign(at, first ? c : Expression.Add(at, c)));
                loop.Touch(g, first ? Access.WriteAt : Access.WriteAt | Access.ReadAt);
                return;
            }
            var target = first ? g : Temp(v.Size, "parts");
            loop.Pre.Add(Call(nameof(K.Clear), target));
            var slot = Expression.ArrayAccess(target, Expression.ArrayIndex(Map(v.Shape, shape), _i));
            loop.Body.Add(Expression.Assign(slot, Expression.Add(slot, c)));
            loop.Touch(target, Access.ReadAny | Access.WriteAny);
            if (!first)
            {
                loop.Post.Add(Call(nameof(K.AddInto), g, target));
                loop.Touch(g, Access.ReadAny | Access.WriteAny);
            }
        }

        /// <summary>A contribution computed whole by a kernel that overwrites its target: into the gradient itself when first, else added.</summary>
        private void AccumulateWhole(Value v, Func<Expression, Expression> compute)
        {
            var g = GradVar(v);
            if (_gradAssigned.Add(v))
            {
                _steps.Add(new Line(compute(g)));
                return;
            }
            var parts = Temp(v.Size, "parts");
            _steps.Add(new Line(compute(parts)));
            _steps.Add(new Line(Call(nameof(K.AddInto), g, parts)));
        }

        /// <summary>Writes a parameter's gradient to its Grad buffer and, for a step, updates it: p ← p − lr·g.</summary>
        private void Finish(Value p, int gradSlot)
        {
            var g = GradVar(p);
            var value = _val[p];
            if (!_gradAssigned.Contains(p))
                _steps.Add(new Line(p.IsScalar ? Expression.Assign(g, C(T.Zero)) : Call(nameof(K.Clear), g)));
            if (p.IsScalar)
            {
                var gradBuffer = Expression.ArrayIndex(_buffers, Expression.Constant(gradSlot));
                _steps.Add(new Line(Expression.Assign(Expression.ArrayAccess(gradBuffer, Expression.Constant(0)), g)));
                if (update)
                {
                    var leafBuffer = Expression.ArrayIndex(_buffers, Expression.Constant(p.LeafSlot));
                    _steps.Add(new Line(Expression.Assign(Expression.ArrayAccess(leafBuffer, Expression.Constant(0)),
                        Expression.Subtract(value, Expression.Multiply(g, _lr)))));
                }
                return;
            }
            if (!update) return;
            var loop = new Loop(p.Size);
            var w = Expression.ArrayAccess(value, _i);
            loop.Body.Add(Expression.Assign(w, Expression.Subtract(w, Expression.Multiply(Expression.ArrayAccess(g, _i), _lr))));
            loop.Touch(value, Access.ReadAt | Access.WriteAt);
            loop.Touch(g, Access.ReadAt);
            _steps.Add(loop);
        }
    }
}
