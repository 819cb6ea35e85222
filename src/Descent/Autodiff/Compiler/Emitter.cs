using System.Linq.Expressions;
using System.Numerics;
using System.Numerics.Tensors;
using System.Reflection;
using Descent.Kernels;
using Descent.Ops;

namespace Descent.Autodiff;

internal static partial class GraphCompiler<T>
{
    /// <summary>Whole-array kernels the generated code calls (the same the eager engine runs).</summary>
    internal static class K
    {
        public static T Sum(T[] x) => Kernels.Reduce.All<T>(x, Kernels.Reduction.Sum);
        public static void AddInto(T[] destination, T[] source) => TensorPrimitives.Add<T>(destination, source, destination);
        public static void Clear(T[] x) => Array.Clear(x);

        // The eager matmul and its backward products (Tensor.MatMul, MatMulTransposed), on the same GEMM kernel.
        public static void MatMul(T[] a, T[] b, T[] c, int m, int k, int n) => Gemm.Multiply(a, 0, b, 0, c, 0, m, k, n);
        public static void MatMulGradA(T[] g, T[] b, T[] c, int m, int k, int n) => Gemm.Multiply(g, 0, false, b, 0, true, c, 0, m, n, k);
        public static void MatMulGradB(T[] a, T[] g, T[] c, int m, int k, int n) => Gemm.Multiply(a, 0, true, g, 0, false, c, 0, k, m, n);
    }

    private sealed partial class Emitter(Program program, bool update)
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
        private readonly HashSet<ParameterExpression> _dropped = [];
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
            var byOutput = new Dictionary<Value, Instruction>();
            foreach (var op in program.Ops) byOutput[op.Output] = op;
            for (int k = program.Order.Count - 1; k >= 0; k--)
            {
                var v = program.Order[k];
                if (!_gradAssigned.Contains(v) || !byOutput.TryGetValue(v, out var op)) continue;
                Backward(op);
            }

            for (int p = 0; p < program.ParameterValues.Length; p++) Finish(program.ParameterValues[p], program.GradSlots[p]);

            var body = Fuse();
            body.Add(_val[root]);
            // Temporaries and index maps that no statement reads any more need not be loaded.
            var referenced = new Collector();
            foreach (var e in body) referenced.Visit(e);
            var block = new List<Expression>();
            foreach (var (target, init) in _prologue) if (target is null || referenced.Found.Contains(target)) block.Add(init);
            block.AddRange(body);
            var locals = _locals.Where(l => !_dropped.Contains(l));
            var lambda = Expression.Lambda<Func<T[][], T, T>>(Expression.Block(Ty, locals, block), "compiled_gradient", [_buffers, _lr]);
            return lambda.Compile();
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
    }
}
