using System.Numerics;
using CsCheck;
using Descent.Kernels;

namespace Descent.Tests.Kernels;

/// <summary>
/// The element-wise and reduction kernels against naive scalar loops, over random shapes whose sizes straddle the
/// thresholds where work is split across cores (<see cref="Descent.Kernels.Split.Threshold"/>, 4× that for reductions) and every vector width's tail, with random
/// broadcasting patterns. Element-wise results must be bit-identical to the scalar loop however the work is split;
/// sums and products only differ by the association of the floating-point additions (tolerance below); max and min are exact.
/// </summary>
public class SplitKernelTests
{
    /// <summary>Element counts around the interesting boundaries: vector tails, the split threshold, several chunks.</summary>
    private static int RandomSize(Random r)
    {
        int t = Descent.Kernels.Split.Threshold;
        return r.Next(6) switch
        {
            0 => r.Next(0, 300),
            1 => t + r.Next(-130, 130),
            2 => 2 * t + r.Next(-70, 70),
            3 => r.Next(t / 2, 5 * t),
            4 => 64 * r.Next(1, 40) + r.Next(-1, 2),
            _ => r.Next(300, t),
        };
    }

    /// <summary>A random shape of rank 1 to 4 with about <paramref name="size"/> elements.</summary>
    private static int[] RandomShape(Random r, int size)
    {
        int rank = r.Next(1, 5);
        var shape = new int[rank];
        int rest = Math.Max(size, 0);
        for (int k = rank - 1; k > 0; k--)
        {
            int d = new[] { 1, 2, 3, 7, 16, 17, 33, 64, 255 }[r.Next(9)];
            shape[k] = d;
            rest = Math.Max(1, rest / d);
        }
        shape[0] = size == 0 ? 0 : rest;
        return shape;
    }

    /// <summary>A shape that broadcasts to <paramref name="shape"/>: leading axes dropped, some axes set to 1.</summary>
    private static int[] BroadcastingShape(Random r, int[] shape)
    {
        int drop = r.Next(shape.Length + 1) == 0 ? r.Next(shape.Length + 1) : 0;
        var s = shape[drop..];
        for (int k = 0; k < s.Length; k++) if (r.Next(3) == 0) s[k] = 1;
        return s;
    }

    private static Tensor<T> Random<T>(Random r, int[] shape) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var data = new T[Shapes.Size(shape)];
        // A few repeated values make equality and ties occur.
        for (int i = 0; i < data.Length; i++) data[i] = T.CreateTruncating(r.Next(8) == 0 ? 1.0 : r.NextDouble() * 4 - 2);
        return Tensor.FromArray(data, shape);
    }

    /// <summary>Element (flat index <paramref name="i"/> of <paramref name="outShape"/>) of <paramref name="x"/> broadcast: the definition, index by index.</summary>
    private static T At<T>(Tensor<T> x, int[] outShape, int i) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int offset = 0, stride = 1, rank = x.Rank;
        for (int k = outShape.Length - 1; k >= 0; k--)
        {
            int ik = i % outShape[k];
            i /= outShape[k];
            int xk = k - (outShape.Length - rank);
            if (xk < 0) continue;
            if (x.Shape[xk] != 1) offset += ik * stride;
            stride *= x.Shape[xk];
        }
        return x.Data[offset];
    }

    private static void BinaryMatchesScalarLoop<T>(int seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var r = new Random(seed);
        var shape = RandomShape(r, RandomSize(r));
        int pattern = r.Next(4);
        var aShape = pattern == 1 ? [] : pattern == 3 ? BroadcastingShape(r, shape) : shape;
        var bShape = pattern == 2 ? [] : BroadcastingShape(r, shape);
        var a = Random<T>(r, aShape);
        var b = Random<T>(r, bShape);
        var outShape = Shapes.Broadcast(a.Shape, b.Shape, "test");
        (string Name, Func<Tensor<T>, Tensor<T>, Tensor<T>> Op, Func<T, T, T> Scalar)[] ops =
        [
            ("add", (x, y) => x + y, (x, y) => x + y),
            ("subtract", (x, y) => x - y, (x, y) => x - y),
            ("multiply", (x, y) => x * y, (x, y) => x * y),
            ("divide", (x, y) => x / y, (x, y) => x / y),
            ("maximum", Tensor<T>.Maximum, T.Max),
            ("greater", (x, y) => x.GreaterThan(y), (x, y) => x > y ? T.One : T.Zero),
            ("greater_equal", (x, y) => x.GreaterOrEqual(y), (x, y) => x >= y ? T.One : T.Zero),
            ("equal", (x, y) => x.EqualTo(y), (x, y) => x == y ? T.One : T.Zero),
        ];
        foreach (var (name, op, scalar) in ops)
        {
            var result = op(a, b);
            Assert.Equal(outShape, result.Shape.ToArray());
            for (int i = 0; i < result.Size; i++)
            {
                T expected = scalar(At(a, outShape, i), At(b, outShape, i));
                if (!expected.Equals(result.Data[i]))
                    Assert.Fail($"{name} {Shapes.Format(a.Shape)} with {Shapes.Format(b.Shape)}: element {i} is {result.Data[i]}, the scalar loop gives {expected} (seed {seed}).");
            }
        }
    }

    [Fact]
    public void BinaryOpsEqualTheScalarLoopOverRandomShapesAndBroadcasts()
        => Gen.Int[0, int.MaxValue].Sample(seed => { BinaryMatchesScalarLoop<float>(seed); BinaryMatchesScalarLoop<double>(seed); }, iter: 60);

    [Fact]
    public void UnaryOpsAreTheSameHoweverTheWorkIsSplit()
        => Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            var x = Random<float>(r, RandomShape(r, RandomSize(r)));
            var exp = x.Exp().Data.ToArray();
            var relu = x.Relu().Data.ToArray();
            var negated = (-x).Data.ToArray();
            // One SIMD call over the whole array is the unsplit reference; the scalar math is the truth within an ulp.
            var whole = new float[x.Size];
            System.Numerics.Tensors.TensorPrimitives.Exp(x.Data, whole);
            Assert.Equal(whole, exp);
            for (int i = 0; i < x.Size; i++)
            {
                float v = x.Data[i];
                Assert.Equal(MathF.Max(v, 0), relu[i]);
                Assert.Equal(-v, negated[i]);
                Assert.Equal(Math.Exp(v), exp[i], Math.Exp(v) * 3e-7);
            }
        }, iter: 40);

    [Fact]
    public void InPlaceUpdateEqualsTheScalarLoop()
        => Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            var shape = RandomShape(r, RandomSize(r));
            var w = Random<float>(r, shape);
            var g = Random<float>(r, shape);
            var expected = w.Data.ToArray();
            for (int i = 0; i < expected.Length; i++) expected[i] = expected[i] + g.Data[i] * -0.1f;
            w.SubtractInPlace(g, 0.1f);
            Assert.Equal(expected, w.Data.ToArray());
        }, iter: 30);

    [Fact]
    public void ReductionsEqualTheScalarLoopWithinSummationOrderTolerance()
        => Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            // Reductions split from 4× the element-wise threshold: half the cases are scaled up to reach it.
            var shape = RandomShape(r, Math.Max(1, RandomSize(r) * (r.Next(2) == 0 ? 1 : 4)));
            var x = Random<float>(r, shape);
            if (x.Size == 0) return;
            int axis = r.Next(shape.Length);
            var (outer, n, inner) = Shapes.AroundAxis(shape, axis);
            var sum = x.Sum(axis).Data.ToArray();
            var max = x.Max(axis).Data.ToArray();
            var min = x.Min(axis).Data.ToArray();
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < inner; j++)
                {
                    double s = 0, magnitude = 0;
                    float m = float.NegativeInfinity, mn = float.PositiveInfinity;
                    for (int k = 0; k < n; k++)
                    {
                        float v = x.Data[(o * n + k) * inner + j];
                        s += v;
                        magnitude += Math.Abs(v);
                        m = MathF.Max(m, v);
                        mn = MathF.Min(mn, v);
                    }
                    int at = o * inner + j;
                    // float32 sums in any order are within n·ε·Σ|x| of the exact sum (ε = 2⁻²⁴).
                    Assert.Equal(s, sum[at], n * 6e-8 * magnitude + 1e-30);
                    Assert.Equal(m, max[at]);
                    Assert.Equal(mn, min[at]);
                }
            double total = 0, all = 0;
            foreach (float v in x.Data) { total += v; all += Math.Abs(v); }
            Assert.Equal(total, x.Sum().Item(), x.Size * 6e-8 * all);
            Assert.Equal(x.Data.ToArray().Max(), x.Max().Item());
        }, iter: 40);

    [Fact]
    public void ColumnSumsAddTheRowsInOrderBitForBit()
        => Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            // Below the split threshold a column sum adds rows 0, 1, 2, … in order per column (in bands of rows, with
            // vectors across the columns): exactly the sequential float sum, for every width (vector tails included).
            // One column (inner = 1) is a contiguous row sum instead, with vector accumulators whose order depends on
            // the vector width (checked against a tolerance above), so the widths here start at 2.
            var r = new Random(seed);
            int outer = r.Next(1, 4), n = r.Next(1, 40), inner = r.Next(2, 300);
            var x = Random<float>(r, [outer, n, inner]);
            var xd = x.Cast<double>();
            var sum = x.Sum(1).Data.ToArray();
            var sumd = xd.Sum(1).Data.ToArray();
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < inner; j++)
                {
                    float s = 0;
                    double sd = 0;
                    for (int k = 0; k < n; k++)
                    {
                        s += x.Data[(o * n + k) * inner + j];
                        sd += xd.Data[(o * n + k) * inner + j];
                    }
                    Assert.Equal(s, sum[o * inner + j]);
                    Assert.Equal(sd, sumd[o * inner + j]);
                }
        }, iter: 60);

    [Fact]
    public void SoftmaxFusedEqualsTheComposition()
        => Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var r = new Random(seed);
            var shape = RandomShape(r, Math.Max(1, RandomSize(r)));
            var x = Random<double>(r, shape) * 10.0;
            int axis = shape.Length - 1;
            // A recorded input takes the composition (exp(x − logsumexp x)); a constant one the fused kernel.
            var composed = x.Detach().WithGrad();
            var fusedSoftmax = x.Softmax(axis).Data.ToArray();
            var fusedLog = x.LogSoftmax(axis).Data.ToArray();
            var softmax = composed.Softmax(axis).Data.ToArray();
            var log = composed.LogSoftmax(axis).Data.ToArray();
            // The row sum Σ exp(x − m) may be associated differently (a long row's sum is split across cores in the
            // composition): relative error up to n·ε in the sum, so n·ε absolute in the log.
            double sumTolerance = shape[axis] * 2.3e-16;
            for (int i = 0; i < x.Size; i++)
            {
                Assert.Equal(softmax[i], fusedSoftmax[i], 1e-300 + (1e-14 + sumTolerance) * softmax[i]);
                Assert.Equal(log[i], fusedLog[i], 1e-14 * (1 + Math.Abs(log[i])) + sumTolerance);
            }
        }, iter: 30);

    [Fact]
    public void SoftmaxOfNonFiniteRowsMatchesTheComposition()
    {
        var x = Tensor.FromArray(new[] { double.NegativeInfinity, double.NegativeInfinity, 1, double.PositiveInfinity, 0, double.NaN, 2 }, 7);
        foreach (var row in new[] { x[..2], x[2..4], x[4..7], x[2..3] })
        {
            var fused = row.Softmax().Data.ToArray();
            var composed = row.Detach().WithGrad().Softmax().Data.ToArray();
            Assert.Equal(composed, fused);
            Assert.Equal(row.Detach().WithGrad().LogSoftmax().Data.ToArray(), row.LogSoftmax().Data.ToArray());
        }
    }

    [Fact]
    public void EmptyAxisSumsToZeroAndMultipliesToOne()
    {
        var x = Tensor.Zeros<double>(3, 0, 2);
        Assert.Equal(new double[6], x.Sum(1).Data.ToArray());
        Assert.Equal(Enumerable.Repeat(1.0, 6).ToArray(), x.Prod([1]).Data.ToArray());
    }
}
