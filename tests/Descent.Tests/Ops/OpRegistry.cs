using CsCheck;
using static Descent.Tests.Ops.OpHarness;
using T = Descent.Tensor<double>;

namespace Descent.Tests.Ops;

/// <summary>
/// The single source of truth for op tests: one line per differentiable public op of <see cref="Tensor{T}"/>, with its
/// input domain and how its cases are drawn. The family test classes run these lines; the convention test fails when a
/// public op has none.
/// </summary>
public static class OpRegistry
{
    public static readonly OpSpec[] All =
    [
        // ---- Arithmetic ----------------------------------------------------------------------------------------
        Binary("Arithmetic", "add", ["op_Addition", "Add"], (a, b) => a + b, (x, y) => x + y),
        Binary("Arithmetic", "subtract", ["op_Subtraction", "Subtract"], (a, b) => a - b, (x, y) => x - y),
        Binary("Arithmetic", "multiply", ["op_Multiply", "Multiply"], (a, b) => a * b, (x, y) => x * y),
        Binary("Arithmetic", "divide", ["op_Division", "Divide"], (a, b) => a / b, (x, y) => x / y, bLow: 0.3, bHigh: 2, negateB: true),
        Unary("Arithmetic", "negate", ["op_UnaryNegation", "Negate"], x => -x, x => -x),
        Unary("Arithmetic", "scalar operators", [], x => (2.5 + x) * 1.5 - 0.5 / (x + 4) - (1 - x) / 2.0 - x * 0.25 + (x - 1),
            x => (2.5 + x) * 1.5 - 0.5 / (x + 4) - (1 - x) / 2.0 - x * 0.25 + (x - 1)),

        // ---- Exponential ---------------------------------------------------------------------------------------
        Unary("Exponential", "exp", ["Exp"], x => x.Exp(), Math.Exp, -3, 3),
        Unary("Exponential", "log", ["Log"], x => x.Log(), Math.Log, 0.1, 5),
        Unary("Exponential", "log1p", ["Log1P"], x => x.Log1P(), x => Math.Log(1 + x), -0.9, 3),
        Unary("Exponential", "expm1", ["ExpM1"], x => x.ExpM1(), x => Math.Exp(x) - 1, -2, 2),
        Unary("Exponential", "sqrt", ["Sqrt"], x => x.Sqrt(), Math.Sqrt, 0.1, 5),
        Unary("Exponential", "square", ["Square"], x => x.Square(), x => x * x),
        Custom("Exponential", "pow (constant exponent)", ["Pow"], true,
            from s in Shape
            from p in Gen.OneOfConst(-1.5, 0.5, 1.0, 2.0, 2.5, 3.0)
            from x in Values(s, 0.1, 3)
            select new OpCase($"x{Format(s)} ^ {p}", [x], xs => xs[0].Pow(p), xs => Reference.Map(xs[0], v => Math.Pow(v, p)))),
        Binary("Exponential", "pow (tensor exponent)", ["Pow"], (a, b) => a.Pow(b), Math.Pow, aLow: 0.1, aHigh: 3, bLow: -2, bHigh: 2),
        Unary("Exponential", "abs", ["Abs"], x => x.Abs(), Math.Abs, avoid: NearZero, smooth: false),

        // ---- Trigonometric -------------------------------------------------------------------------------------
        Unary("Trigonometric", "sin", ["Sin"], x => x.Sin(), Math.Sin, -4, 4),
        Unary("Trigonometric", "cos", ["Cos"], x => x.Cos(), Math.Cos, -4, 4),
        Unary("Trigonometric", "tan", ["Tan"], x => x.Tan(), Math.Tan, -1.2, 1.2),
        Unary("Trigonometric", "asin", ["Asin"], x => x.Asin(), Math.Asin, -0.9, 0.9),
        Unary("Trigonometric", "acos", ["Acos"], x => x.Acos(), Math.Acos, -0.9, 0.9),
        Unary("Trigonometric", "atan", ["Atan"], x => x.Atan(), Math.Atan, -4, 4),
        Unary("Trigonometric", "sinh", ["Sinh"], x => x.Sinh(), Math.Sinh, -3, 3),
        Unary("Trigonometric", "cosh", ["Cosh"], x => x.Cosh(), Math.Cosh, -3, 3),
        Unary("Trigonometric", "tanh", ["Tanh"], x => x.Tanh(), Math.Tanh, -3, 3),
        // Sinc is drawn with exact zeros and tiny values mixed in, where the stable branch takes over.
        Custom("Trigonometric", "sinc", ["Sinc"], true,
            from s in Shape
            from v in Gen.Frequency((3, Gen.Double[-6, 6]), (1, Gen.Const(0.0)), (1, Gen.Double[-1e-5, 1e-5])).Array[Size(s)]
            select new OpCase($"x{Format(s)}", [Make(v, s)], xs => xs[0].Sinc(), xs => Reference.Map(xs[0], Reference.Sinc))),

        // ---- Activations ---------------------------------------------------------------------------------------
        Unary("Activations", "sigmoid", ["Sigmoid"], x => x.Sigmoid(), Reference.Sigmoid, -6, 6),
        Unary("Activations", "softplus", ["Softplus"], x => x.Softplus(), x => Math.Log(1 + Math.Exp(x)), -6, 6),
        Unary("Activations", "relu", ["Relu"], x => x.Relu(), x => Math.Max(x, 0), avoid: NearZero, smooth: false),
        Unary("Activations", "leaky relu (default slope)", ["LeakyRelu"], x => x.LeakyRelu(), x => x > 0 ? x : 0.01 * x, avoid: NearZero, smooth: false),
        Custom("Activations", "leaky relu", ["LeakyRelu"], false,
            from s in Shape
            from slope in Gen.Double[0, 0.5]
            from x in Values(s, -3, 3, NearZero)
            select new OpCase($"x{Format(s)} slope {slope}", [x], xs => xs[0].LeakyRelu(slope), xs => Reference.Map(xs[0], v => v > 0 ? v : slope * v))),

        // ---- Comparison ----------------------------------------------------------------------------------------
        Binary("Comparison", "maximum", ["Maximum"], T.Maximum, Math.Max, avoidPair: Tie, smooth: false),
        Binary("Comparison", "minimum", ["Minimum"], (a, b) => a.Minimum(b), Math.Min, avoidPair: Tie, smooth: false),
        Custom("Comparison", "clip", ["Clip"], false,
            from s in Shape
            from lo in Gen.Double[-2, 0]
            from width in Gen.Double[0.5, 2]
            from x in Values(s, -3, 3, v => Math.Abs(v - lo) < 1e-3 || Math.Abs(v - lo - width) < 1e-3)
            select new OpCase($"x{Format(s)} in [{lo}, {lo + width}]", [x], xs => xs[0].Clip(lo, lo + width),
                xs => Reference.Map(xs[0], v => Math.Clamp(v, lo, lo + width)))),
        Custom("Comparison", "where", ["Where"], true,
            from p in BroadcastPair
            from cs in Gen.OneOf(Gen.Const(p.A), Gen.Const(p.B), Gen.Const(Array.Empty<int>()))
            from c in Gen.Int[0, 1].Array[Size(cs)]
            from a in Values(p.A, -2, 2)
            from b in Values(p.B, -2, 2)
            let cond = Make(c.Select(v => (double)v).ToArray(), cs)
            select new OpCase($"c{Format(cs)} a{Format(p.A)} b{Format(p.B)}", [a, b], xs => T.Where(cond, xs[0], xs[1]),
                xs => Reference.Zip3(cond, xs[0], xs[1], (k, x, y) => k != 0 ? x : y))),

        // ---- Reductions ----------------------------------------------------------------------------------------
        Reduction("sum", ["Sum"], (x, ax, k) => x.Sum(ax, k), v => v.Sum(), true),
        Custom("Reductions", "sum (one axis)", ["Sum"], true,
            from s in ShapeWithAxis
            from axis in Gen.Int[-s.Length, s.Length - 1]
            from k in Gen.Bool
            from x in Values(s, -2, 2)
            select new OpCase($"x{Format(s)} axis {axis} keepDims {k}", [x], xs => xs[0].Sum(axis, k),
                xs => Reference.Reduce(xs[0], [axis < 0 ? axis + s.Length : axis], k, v => v.Sum()))),
        Reduction("mean", ["Mean"], (x, ax, k) => x.Mean(ax, k), v => v.Average(), true),
        Custom("Reductions", "mean (one axis)", ["Mean"], true,
            from s in ShapeWithAxis
            from axis in Gen.Int[0, s.Length - 1]
            from x in Values(s, -2, 2)
            select new OpCase($"x{Format(s)} axis {axis}", [x], xs => xs[0].Mean(axis), xs => Reference.Reduce(xs[0], [axis], false, v => v.Average()))),
        Reduction("max", ["Max"], (x, ax, k) => x.Max(ax, k), v => v.Max(), false),
        Reduction("min", ["Min"], (x, ax, k) => x.Min(ax, k), v => v.Min(), false),
        Custom("Reductions", "max/min (one axis)", ["Max", "Min"], false,
            from s in ShapeWithAxis
            from axis in Gen.Int[0, s.Length - 1]
            from x in Values(s, -2, 2)
            select new OpCase($"x{Format(s)} axis {axis}", [x], xs => xs[0].Max(axis) - xs[0].Min(axis, keepDims: true).Squeeze(axis),
                xs => Reference.Reduce(xs[0], [axis], false, v => v.Max() - v.Min()))),
        Reduction("prod", ["Prod"], (x, ax, k) => x.Prod(ax, k), v => v.Aggregate(1.0, (p, e) => p * e), true, low: 0.5, high: 1.5),
        // A product with an exact zero in it: the gradient is the product of the others, not NaN.
        Custom("Reductions", "prod with a zero", ["Prod"], false,
            from s in ShapeWithAxis
            from ax in Axes(s.Length)
            from x in Values(s, -1.5, 1.5)
            from zero in Gen.Int[0, Size(s) - 1]
            let z = WithZero(x, zero)
            select new OpCase($"x{Format(s)} zero at {zero} {ax}", [z], xs => xs[0].Prod(ax.Axes, ax.KeepDims),
                xs => Reference.Reduce(xs[0], ax.Normalised, ax.KeepDims, v => v.Aggregate(1.0, (p, e) => p * e)))),
        Custom("Reductions", "variance", ["Variance"], true,
            from s in ShapeWithAxis
            from ax in Axes(s.Length)
            from correction in Gen.Int[0, 1]
            from x in Values(s, -2, 2)
            where ReducedCount(s, ax) > correction
            select new OpCase($"x{Format(s)} {ax} correction {correction}", [x], xs => xs[0].Variance(ax.Axes, ax.KeepDims, correction),
                xs => Reference.Reduce(xs[0], ax.Normalised, ax.KeepDims, v => Reference.Variance(v, correction)))),
        Custom("Reductions", "std", ["Std"], true,
            from s in ShapeWithAxis
            from ax in Axes(s.Length)
            from correction in Gen.Int[0, 1]
            from x in Values(s, -2, 2)
            where ReducedCount(s, ax) > 1   // the standard deviation of one value is 0, where √ has no derivative
            select new OpCase($"x{Format(s)} {ax} correction {correction}", [x], xs => xs[0].Std(ax.Axes, ax.KeepDims, correction),
                xs => Reference.Reduce(xs[0], ax.Normalised, ax.KeepDims, v => Math.Sqrt(Reference.Variance(v, correction))))),
        Reduction("logsumexp", ["LogSumExp"], (x, ax, k) => x.LogSumExp(ax, k), Reference.LogSumExp, true, low: -5, high: 5),
        Custom("Reductions", "logsumexp (one axis)", ["LogSumExp"], true,
            from s in ShapeWithAxis
            from axis in Gen.Int[0, s.Length - 1]
            from x in Values(s, -5, 5)
            select new OpCase($"x{Format(s)} axis {axis}", [x], xs => xs[0].LogSumExp(axis), xs => Reference.Reduce(xs[0], [axis], false, Reference.LogSumExp))),
        AlongAxis("softmax", ["Softmax"], (x, a) => x.Softmax(a), v => v.Select(e => Math.Exp(e - Reference.LogSumExp(v))).ToArray()),
        AlongAxis("log-softmax", ["LogSoftmax"], (x, a) => x.LogSoftmax(a), v => v.Select(e => e - Reference.LogSumExp(v)).ToArray()),

        // ---- ShapeOps ------------------------------------------------------------------------------------------
        Custom("ShapeOps", "reshape", ["Reshape", "Flatten"], true,
            from s in Shape
            from kind in Gen.Int[0, 2]
            from x in Values(s, -2, 2)
            let target = kind == 0 ? s.Reverse().ToArray() : kind == 1 ? [-1] : [Size(s), 1]
            select new OpCase($"x{Format(s)} to {Format(target)}", [x], xs => kind == 1 ? xs[0].Flatten() : xs[0].Reshape(target),
                xs => Make(xs[0].ToArray(), target))),
        Custom("ShapeOps", "permute", ["Permute"], true,
            from s in Shape
            from perm in Gen.Shuffle(Enumerable.Range(0, s.Length).ToArray())
            from x in Values(s, -2, 2)
            select new OpCase($"x{Format(s)} perm {Format(perm)}", [x], xs => xs[0].Permute(perm), xs => PermuteReference(xs[0], perm))),
        Custom("ShapeOps", "transpose", ["Transpose"], true,
            from s in ShapeWithAxis
            from a0 in Gen.Int[-s.Length, s.Length - 1]
            from a1 in Gen.Int[-s.Length, s.Length - 1]
            from x in Values(s, -2, 2)
            select new OpCase($"x{Format(s)} swap {a0},{a1}", [x], xs => xs[0].Transpose(a0, a1), xs => PermuteReference(xs[0], Swap(s.Length, a0, a1)))),
        Custom("ShapeOps", "squeeze/unsqueeze", ["Squeeze", "Unsqueeze"], true,
            from s in Shape
            from at in Gen.Int[0, s.Length]
            from x in Values(s, -2, 2)
            select new OpCase($"x{Format(s)} unsqueeze {at}", [x], xs => xs[0].Unsqueeze(at).Square().Squeeze(at) + xs[0].Unsqueeze(-1).Squeeze().Reshape(s),
                xs => Reference.Map(xs[0], v => v * v + v))),
        Custom("ShapeOps", "broadcastTo", ["BroadcastTo"], true,
            from p in BroadcastPair
            let full = Reference.BroadcastShape(p.A, p.B)
            from x in Values(p.A, -2, 2)
            select new OpCase($"x{Format(p.A)} to {Format(full)}", [x], xs => xs[0].BroadcastTo(full),
                xs => Reference.Zip(xs[0], Tensor.Zeros<double>(full), (a, _) => a))),
        Custom("ShapeOps", "sumTo", ["SumTo"], true,
            from p in BroadcastPair
            let full = Reference.BroadcastShape(p.A, p.B)
            from x in Values(full, -2, 2)
            select new OpCase($"x{Format(full)} to {Format(p.A)}", [x], xs => xs[0].SumTo(p.A), xs => SumToReference(xs[0], p.A))),

        // ---- Indexing ------------------------------------------------------------------------------------------
        Custom("Indexing", "slice", ["get_Slice"], true,
            from s in ShapeWithAxis
            from parts in Gen.Int[0, 99].Array[3 * s.Length]
            from count in Gen.Int[1, s.Length]
            from x in Values(s, -2, 2)
            let index = SliceIndex(s, parts, count)
            select new OpCase($"x{Format(s)}[{index.Text}]", [x], xs => xs[0][index.Index], xs => SliceReference(xs[0], index.Index))),
        Custom("Indexing", "index select (repeats)", ["IndexSelect"], true,
            from s in ShapeWithAxis
            from axis in Gen.Int[0, s.Length - 1]
            from picks in Gen.Int[-s[axis], s[axis] - 1].Array[1, 6]
            from x in Values(s, -2, 2)
            select new OpCase($"x{Format(s)} axis {axis} at {Format(picks)}", [x], xs => xs[0].IndexSelect(axis, picks),
                xs => T.Concat(axis, picks.Select(i => xs[0].Detach()[Prefix(axis, i < 0 ? i + s[axis] : i)]).ToArray()))),
        Custom("Indexing", "masked select", ["MaskedSelect"], true,
            from s in Shape
            from m in Gen.Bool.Array[Size(s)]
            from asTensor in Gen.Bool
            from x in Values(s, -2, 2)
            let mask = Make(m.Select(b => b ? 1.0 : 0.0).ToArray(), s)
            select new OpCase($"x{Format(s)} mask {string.Concat(m.Select(b => b ? '1' : '0'))}", [x],
                xs => asTensor ? xs[0].MaskedSelect(mask) : xs[0].MaskedSelect(m),
                xs => Tensor.FromArray(xs[0].ToArray().Where((_, i) => m[i]).ToArray()))),
        Custom("Indexing", "concat", ["Concat"], true,
            from s in ShapeWithAxis
            from axis in Gen.Int[-s.Length, s.Length - 1]
            from n2 in Gen.Int[1, 3]
            let s2 = s.Select((d, i) => i == (axis + s.Length) % s.Length ? n2 : d).ToArray()
            from a in Values(s, -2, 2)
            from b in Values(s2, -2, 2)
            select new OpCase($"{Format(s)} ++ {Format(s2)} axis {axis}", [a, b], xs => T.Concat(axis, xs[0], xs[1], xs[0]),
                xs => ConcatReference((axis + s.Length) % s.Length, xs[0], xs[1], xs[0]))),
        Custom("Indexing", "stack", ["Stack"], true,
            from s in Shape
            from axis in Gen.Int[0, s.Length]
            from a in Values(s, -2, 2)
            from b in Values(s, -2, 2)
            select new OpCase($"{Format(s)} stacked at {axis}", [a, b], xs => T.Stack(axis, xs[0], xs[1]),
                xs => ConcatReference(axis, xs[0].Detach().Unsqueeze(axis), xs[1].Detach().Unsqueeze(axis)))),

        Custom("Indexing", "gather", ["Gather"], true,
            from s in ShapeWithAxis
            from axis in Gen.Int[0, s.Length - 1]
            from sizes in Gen.Int[1, 4].Array[s.Length]
            let shape = sizes.Select((n, d) => d == axis ? n : Math.Min(n, s[d])).ToArray()
            from picks in Gen.Int[0, s[axis] - 1].Array[Size(shape)]
            from x in Values(s, -2, 2)
            let index = Make(picks.Select(i => (double)i).ToArray(), shape)
            select new OpCase($"x{Format(s)} axis {axis} at {Format(shape)}", [x], xs => xs[0].Gather(axis, index), xs => GatherReference.Gather(xs[0], axis, index))),
        Custom("Indexing", "take along axis (broadcast)", ["TakeAlongAxis"], true,
            from s in ShapeWithAxis
            from axis in Gen.Int[0, s.Length - 1]
            from k in Gen.Int[1, 3]
            from ones in Gen.Bool.Array[s.Length]
            let shape = s.Select((n, d) => d == axis ? k : ones[d] ? 1 : n).ToArray()
            from picks in Gen.Int[0, s[axis] - 1].Array[Size(shape)]
            from x in Values(s, -2, 2)
            let index = Make(picks.Select(i => (double)i).ToArray(), shape)
            select new OpCase($"x{Format(s)} axis {axis} along {Format(shape)}", [x], xs => xs[0].TakeAlongAxis(index, axis),
                xs => GatherReference.Gather(xs[0], axis, index.BroadcastTo(s.Select((n, d) => d == axis ? k : n).ToArray())))),
        Custom("Indexing", "scatter add", ["ScatterAdd"], true,
            from s in ShapeWithAxis
            from axis in Gen.Int[0, s.Length - 1]
            from sizes in Gen.Int[1, 4].Array[s.Length]
            let shape = sizes.Select((n, d) => d == axis ? n : Math.Min(n, s[d])).ToArray()
            from extra in Gen.Int[0, 1].Array[s.Length]
            let sourceShape = shape.Select((n, d) => n + extra[d]).ToArray()
            from picks in Gen.Int[0, s[axis] - 1].Array[Size(shape)]
            from x in Values(s, -2, 2)
            from source in Values(sourceShape, -2, 2)
            let index = Make(picks.Select(i => (double)i).ToArray(), shape)
            select new OpCase($"x{Format(s)} axis {axis} at {Format(shape)} from {Format(sourceShape)}", [x, source], xs => xs[0].ScatterAdd(axis, index, xs[1]),
                xs => GatherReference.ScatterAdd(xs[0], axis, index, xs[1]))),

        // ---- LinearAlgebra -------------------------------------------------------------------------------------
        Custom("LinearAlgebra", "matmul", ["MatMul"], true,
            from m in Gen.Int[1, 4]
            from k in Gen.Int[1, 4]
            from n in Gen.Int[1, 4]
            from batch in BroadcastPair
            from kinds in Gen.Int[0, 3]   // 0: batched, 1: vector @ matrix, 2: matrix @ vector, 3: vector @ vector
            let sa = kinds is 1 or 3 ? new[] { k } : [.. batch.A.TakeLast(2), m, k]
            let sb = kinds is 2 or 3 ? new[] { k } : [.. batch.B.TakeLast(2), k, n]
            from a in Values(sa, -2, 2)
            from b in Values(sb, -2, 2)
            select new OpCase($"{Format(sa)} @ {Format(sb)}", [a, b], xs => xs[0].MatMul(xs[1]), xs => Reference.MatMul(xs[0], xs[1]))),
        Custom("LinearAlgebra", "linear", ["Linear"], true,
            from m in Gen.Int[1, 5]
            from k in Gen.Int[1, 5]
            from n in Gen.Int[1, 5]
            from x in Values([m, k], -2, 2)
            from w in Values([k, n], -2, 2)
            from b in Values([n], -2, 2)
            select new OpCase($"[{m},{k}]·[{k},{n}] + [{n}]", [x, w, b], xs => T.Linear(xs[0], xs[1], xs[2]),
                xs => Reference.Zip(Reference.MatMul(xs[0], xs[1]), xs[2], (p, q) => p + q))),
        // Not smooth at the ReLU's kink: inputs keep the pre-activations away from 0.
        Custom("LinearAlgebra", "linear+relu", ["Linear"], false,
            from m in Gen.Int[1, 5]
            from k in Gen.Int[1, 5]
            from n in Gen.Int[1, 5]
            from x in Values([m, k], -2, 2)
            from w in Values([k, n], -2, 2)
            from b in Values([n], -2, 2)
            where Reference.Zip(Reference.MatMul(x, w), b, (p, q) => p + q).ToArray().All(v => Math.Abs(v) > 1e-3)
            select new OpCase($"relu([{m},{k}]·[{k},{n}] + [{n}])", [x, w, b], xs => T.Linear(xs[0], xs[1], xs[2], relu: true),
                xs => Reference.Zip(Reference.MatMul(xs[0], xs[1]), xs[2], (p, q) => Math.Max(p + q, 0)))),
        Custom("LinearAlgebra", "dot/outer", ["Dot", "Outer"], true,
            from n in Gen.Int[1, 5]
            from a in Values([n], -2, 2)
            from b in Values([n], -2, 2)
            select new OpCase($"[{n}]", [a, b], xs => T.Outer(xs[0], xs[1]) * T.Dot(xs[0], xs[1]),
                xs => Reference.Zip(xs[0].Detach().Unsqueeze(1), xs[1].Detach().Unsqueeze(0), (x, y) => x * y * xs[0].ToArray().Zip(xs[1].ToArray()).Sum(t => t.First * t.Second)))),
        Custom("LinearAlgebra", "norm", ["Norm"], false,
            from s in ShapeWithAxis
            from ax in Axes(s.Length)
            from p in Gen.OneOfConst(1.0, 2.0, 3.0, double.PositiveInfinity)
            from x in Values(s, -2, 2, NearZero)
            where !double.IsPositiveInfinity(p) || !HasNearTies(x)
            select new OpCase($"x{Format(s)} p={p} {ax}", [x], xs => xs[0].Norm(p, ax.Axes, ax.KeepDims),
                xs => Reference.Reduce(xs[0], ax.Normalised, ax.KeepDims,
                    v => double.IsPositiveInfinity(p) ? v.Max(Math.Abs) : Math.Pow(v.Sum(e => Math.Pow(Math.Abs(e), p)), 1 / p)))),
        Custom("LinearAlgebra", "matrix norm", ["MatrixNorm"], false,
            from r in Gen.Int[1, 4]
            from c in Gen.Int[1, 4]
            from kind in Gen.OneOfConst("fro", "1", "inf")
            from x in Values([r, c], -2, 2, NearZero)
            where kind == "fro" || !HasNearTies(Reference.Reduce(x.Abs(), [kind == "1" ? 0 : 1], false, v => v.Sum()))
            select new OpCase($"x[{r},{c}] {kind}", [x], xs => xs[0].MatrixNorm(kind),
                xs => Tensor.Scalar(kind == "fro" ? Math.Sqrt(xs[0].ToArray().Sum(v => v * v))
                    : Reference.Reduce(xs[0], [kind == "1" ? 0 : 1], false, v => v.Sum(Math.Abs)).ToArray().Max()))),
        Custom("LinearAlgebra", "logistic regression loss", [], true,
            from n in Gen.Int[1, 5]
            from d in Gen.Int[1, 3]
            from w in Values([d], -1, 1)
            from x in Values([n, d], -2, 2)
            from y in Gen.Int[0, 1].Array[n]
            let labels = Tensor.FromArray(y.Select(v => (double)v).ToArray())
            select new OpCase($"X[{n},{d}]", [w, x], xs => ((xs[1].MatMul(xs[0])).Softplus() - labels * xs[1].MatMul(xs[0])).Mean(), null)),

        // ---- Convolution, Pooling, Normalization (their lines live in ConvolutionOps.cs) ------------------------
        .. ConvolutionOps.Specs,
    ];

    /// <summary>The lines of one family, for <c>[MemberData]</c>.</summary>
    public static TheoryData<string> Family(string family)
    {
        var data = new TheoryData<string>();
        foreach (var spec in All.Where(s => s.Family == family)) data.Add(spec.Name);
        return data;
    }

    public static OpSpec Get(string name) => All.Single(s => s.Name == name);

    // ---- Builders: one per shape of op -------------------------------------------------------------------------

    private static OpSpec Unary(string family, string name, string[] covers, Func<T, T> op, Func<double, double> reference,
        double low = -3, double high = 3, Func<double, bool>? avoid = null, bool smooth = true)
        => Custom(family, name, covers, smooth,
            from s in Shape
            from x in Values(s, low, high, avoid)
            select new OpCase($"x{Format(s)}", [x], xs => op(xs[0]), xs => Reference.Map(xs[0], reference)));

    private static OpSpec Binary(string family, string name, string[] covers, Func<T, T, T> op, Func<double, double, double> reference,
        double aLow = -3, double aHigh = 3, double bLow = -3, double bHigh = 3, bool negateB = false,
        Func<double, double, bool>? avoidPair = null, bool smooth = true)
        => Custom(family, name, covers, smooth,
            from p in BroadcastPair
            from a in Values(p.A, aLow, aHigh)
            from b in Values(p.B, bLow, bHigh)
            from flip in Gen.Bool.Array[Size(p.B)]
            let b2 = negateB ? Make(b.ToArray().Select((v, i) => flip[i] ? -v : v).ToArray(), p.B) : b
            where avoidPair is null || !Reference.Zip(a, b2, (x, y) => avoidPair(x, y) ? 1 : 0).ToArray().Contains(1)
            select new OpCase($"a{Format(p.A)} b{Format(p.B)}", [a, b2], xs => op(xs[0], xs[1]), xs => Reference.Zip(xs[0], xs[1], reference)));

    private static OpSpec Reduction(string name, string[] covers, Func<T, int[]?, bool, T> op, Func<double[], double> reference, bool smooth,
        double low = -2, double high = 2)
        => Custom("Reductions", name, covers, smooth,
            from s in Shape
            from ax in Axes(s.Length)
            from x in Values(s, low, high)
            select new OpCase($"x{Format(s)} {ax}", [x], xs => op(xs[0], ax.Axes, ax.KeepDims),
                xs => Reference.Reduce(xs[0], ax.Normalised, ax.KeepDims, reference)));

    private static OpSpec AlongAxis(string name, string[] covers, Func<T, int, T> op, Func<double[], double[]> reference)
        => Custom("Reductions", name, covers, true,
            from s in ShapeWithAxis
            from axis in Gen.Int[-s.Length, s.Length - 1]
            from x in Values(s, -4, 4)
            select new OpCase($"x{Format(s)} axis {axis}", [x], xs => op(xs[0], axis),
                xs => Reference.AlongAxis(xs[0], axis < 0 ? axis + s.Length : axis, reference)));

    private static OpSpec Custom(string family, string name, string[] covers, bool smooth, Gen<OpCase> cases)
        => new(family, name, covers, cases, smooth);

    // ---- Domains and parameters ------------------------------------------------------------------------------

    private static bool NearZero(double x) => Math.Abs(x) < 1e-3;

    private static bool Tie(double x, double y) => Math.Abs(x - y) < 1e-3;

    private static bool HasNearTies(T x)
    {
        var v = x.ToArray().Select(Math.Abs).Order().ToArray();
        for (int i = 1; i < v.Length; i++) if (v[i] - v[i - 1] < 1e-3) return true;
        return false;
    }

    /// <summary>Reduction axes: null (all), or a subset given with random signs; with keepDims.</summary>
    public sealed record AxesChoice(int[]? Axes, int[] Normalised, bool KeepDims)
    {
        public override string ToString() => $"axes {(Axes is null ? "all" : Format(Axes))} keepDims {KeepDims}";
    }

    public static Gen<AxesChoice> Axes(int rank) =>
        from all in Gen.Bool
        from pick in Gen.Bool.Array[rank]
        from negative in Gen.Bool.Array[rank]
        from keep in Gen.Bool
        let chosen = Enumerable.Range(0, rank).Where(d => pick[d]).ToArray()
        select all ? new AxesChoice(null, Enumerable.Range(0, rank).ToArray(), keep)
                   : new AxesChoice(chosen.Select(d => negative[d] ? d - rank : d).Reverse().ToArray(), chosen, keep);

    private static int ReducedCount(int[] s, AxesChoice ax) => ax.Normalised.Aggregate(1, (p, d) => p * s[d]);

    private static T WithZero(T x, int at)
    {
        var v = x.ToArray();
        v[at] = 0;
        return Make(v, x.ShapeArray);
    }

    // ---- Structural references ---------------------------------------------------------------------------------

    private static int[] Swap(int rank, int a0, int a1)
    {
        var perm = Enumerable.Range(0, rank).ToArray();
        int a = (a0 + rank) % rank, b = (a1 + rank) % rank;
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return perm;
    }

    private static T PermuteReference(T x, int[] perm)
    {
        int[] s = x.ShapeArray, shape = perm.Select(p => s[p]).ToArray();
        var data = x.ToArray();
        return Make(Reference.Indices(shape).Select(i =>
        {
            var src = new int[s.Length];
            for (int k = 0; k < perm.Length; k++) src[perm[k]] = i[k];
            return data[Reference.Offset(s, src)];
        }).ToArray(), shape);
    }

    private static T SumToReference(T x, int[] target)
    {
        int[] s = x.ShapeArray;
        var sums = new double[Size(target)];
        var data = x.ToArray();
        int flat = 0;
        foreach (var i in Reference.Indices(s)) sums[Reference.Offset(target, i)] += data[flat++];
        return Make(sums, target);
    }

    private static TensorIndex[] Prefix(int axis, int at)
    {
        var idx = new TensorIndex[axis + 1];
        for (int d = 0; d < axis; d++) idx[d] = TensorIndex.All;
        idx[axis] = at..(at + 1);
        return idx;
    }

    /// <summary>A random index: per axis an int, a ^ index, or a range with start/end from the start or the end.</summary>
    private static (TensorIndex[] Index, string Text) SliceIndex(int[] s, int[] parts, int count)
    {
        var index = new TensorIndex[count];
        var text = new List<string>();
        for (int d = 0; d < count; d++)
        {
            int n = s[d], kind = parts[3 * d] % 4, u = parts[3 * d + 1] % n, v = parts[3 * d + 2] % (n + 1);
            (index[d], string t) = kind switch
            {
                0 => ((TensorIndex)u, u.ToString()),
                1 => ((TensorIndex)(^(u + 1)), $"^{u + 1}"),
                2 => ((TensorIndex)(u..Math.Max(u + 1, v)), $"{u}..{Math.Max(u + 1, v)}"),
                _ => ((TensorIndex)(^(u + 1)..), $"^{u + 1}.."),
            };
            text.Add(t);
        }
        return (index, string.Join(", ", text));
    }

    private static T SliceReference(T x, TensorIndex[] index)
    {
        int[] s = x.ShapeArray;
        var data = x.ToArray();
        var ranges = new List<int[]>();
        var kept = new List<int>();
        for (int d = 0; d < s.Length; d++)
        {
            if (d < index.Length && index[d].Point is { } p) { ranges.Add([p.GetOffset(s[d])]); continue; }
            var r = d < index.Length ? index[d].Span!.Value : Range.All;
            var (start, len) = r.GetOffsetAndLength(s[d]);
            ranges.Add(Enumerable.Range(start, len).ToArray());
            kept.Add(len);
        }
        var values = new List<double>();
        foreach (var i in Reference.Indices(ranges.Select(r => r.Length).ToArray()))
            values.Add(data[Reference.Offset(s, i.Select((k, d) => ranges[d][k]).ToArray())]);
        return Make(values.ToArray(), kept.ToArray());
    }

    private static T ConcatReference(int axis, params T[] parts)
    {
        var shape = parts[0].ShapeArray;
        shape[axis] = parts.Sum(p => p.Shape[axis]);
        var values = new List<double>();
        foreach (var i in Reference.Indices(shape))
        {
            int at = i[axis], k = 0;
            while (at >= parts[k].Shape[axis]) at -= parts[k++].Shape[axis];
            var j = (int[])i.Clone();
            j[axis] = at;
            values.Add(parts[k].ToArray()[Reference.Offset(parts[k].ShapeArray, j)]);
        }
        return Make(values.ToArray(), shape);
    }
}
