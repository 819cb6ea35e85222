using System.Linq.Expressions;
using System.Numerics;
using System.Numerics.Tensors;
using System.Reflection;
using Descent.Kernels;
using Descent.Ops;

namespace Descent.Autodiff;

internal static partial class GraphCompiler<T>
{
    private sealed partial class Emitter
    {
        private void Forward(Instruction op)
        {
            var o = op.Output;
            var outVar = ValVar(o);
            switch (op.Op)
            {
                case MatMul<T>:
                {
                    var (left, right) = (op.Inputs[0], op.Inputs[1]);
                    _steps.Add(new Line(Call(nameof(K.MatMul), ValVar(left), ValVar(right), outVar,
                        Expression.Constant(left.Shape[0]), Expression.Constant(left.Shape[1]), Expression.Constant(right.Shape[1]))));
                    return;
                }
                case Sum<T> sum when o.Size != 1:
                {
                    // Over axes: out[kept index of i] += x[i], in index order.
                    var x = op.Inputs[0];
                    var sumLoop = new Loop(x.Size);
                    sumLoop.Pre.Add(Call(nameof(K.Clear), outVar));
                    var slot = Expression.ArrayAccess(outVar, Expression.ArrayIndex(Map(sum.KeptShape(x.Shape), x.Shape), _i));
                    sumLoop.Body.Add(Expression.Assign(slot, Expression.Add(slot, At(x, x.Shape, sumLoop))));
                    sumLoop.Touch(outVar, Access.ReadAny | Access.WriteAny);
                    _steps.Add(sumLoop);
                    return;
                }
                case Sum<T>:
                {
                    var x = op.Inputs[0];
                    _steps.Add(new Line(Expression.Assign(outVar, x.IsScalar ? ValVar(x) : Call(nameof(K.Sum), ValVar(x)))));
                    return;
                }
            }
            var form = (IElementWise)op.Op;
            Loop? loop = o.IsScalar ? null : new Loop(o.Size);
            var a = At(op.Inputs[0], o.Shape, loop);
            var b = op.Inputs.Length > 1 ? At(op.Inputs[1], o.Shape, loop) : null;
            var value = form.Forward(a, b);
            if (loop is null)
            {
                _steps.Add(new Line(Expression.Assign(outVar, value)));
                return;
            }
            loop.Body.Add(Expression.Assign(Expression.ArrayAccess(outVar, _i), value));
            loop.Touch(outVar, Access.WriteAt);
            _steps.Add(loop);
        }

        private void Backward(Instruction op)
        {
            var o = op.Output;
            switch (op.Op)
            {
                case MatMul<T>:
                {
                    var (left, right) = (op.Inputs[0], op.Inputs[1]);
                    Expression m = Expression.Constant(left.Shape[0]), k = Expression.Constant(left.Shape[1]), n = Expression.Constant(right.Shape[1]);
                    var gOut = GradVar(o);
                    if (left.RequiresGrad) AccumulateWhole(left, target => Call(nameof(K.MatMulGradA), gOut, ValVar(right), target, m, k, n));
                    if (right.RequiresGrad) AccumulateWhole(right, target => Call(nameof(K.MatMulGradB), ValVar(left), gOut, target, m, k, n));
                    return;
                }
                case Sum<T> sum when o.Size != 1:
                {
                    // The gradient broadcasts back: gx[i] += g[kept index of i].
                    var x = op.Inputs[0];
                    if (!x.RequiresGrad) return;
                    var sumLoop = new Loop(x.Size);
                    var gOut = GradVar(o);
                    sumLoop.Touch(gOut, Access.ReadAny);
                    Accumulate(x, x.Shape, Expression.ArrayAccess(gOut, Expression.ArrayIndex(Map(sum.KeptShape(x.Shape), x.Shape), _i)), sumLoop);
                    _steps.Add(sumLoop);
                    return;
                }
                case Sum<T>:
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
            }
            var form = (IElementWise)op.Op;
            Loop? loop = o.IsScalar ? null : new Loop(o.Size);
            var g = At(o, o.Shape, loop, grad: true);
            var a = At(op.Inputs[0], o.Shape, loop);
            var b = op.Inputs.Length > 1 ? At(op.Inputs[1], o.Shape, loop) : null;
            Expression Y() => At(o, o.Shape, loop);
            for (int k = 0; k < op.Inputs.Length; k++)
            {
                var input = op.Inputs[k];
                if (!input.RequiresGrad) continue;
                Accumulate(input, o.Shape, form.Vjp(k, g, a, b, Y), loop);
            }
            if (loop is not null) _steps.Add(loop);
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
