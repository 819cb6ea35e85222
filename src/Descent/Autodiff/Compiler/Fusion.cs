using System.Linq.Expressions;
using System.Numerics;
using System.Numerics.Tensors;
using System.Reflection;
using Descent.Kernels;
using Descent.Ops;

namespace Descent.Autodiff;

internal static partial class GraphCompiler<T>
{
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

    private sealed partial class Emitter
    {
        /// <summary>
        /// Fuses consecutive loops of the same length where that cannot change a result, and keeps in a local (a register)
        /// each temporary array that only one fused loop touches, always at the loop index; returns the statements.
        /// </summary>
        private List<Expression> Fuse()
        {
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
                        _dropped.Add(a);
                    }
                EmitLoop(loop, body, scalars);
            }
            return body;
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
    }
}
