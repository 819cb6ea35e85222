using CsCheck;
using Descent.Autodiff;

namespace Descent.Tests.Autodiff;

/// <summary>
/// Autograd.Compile against the reference numbers and, property-style, against the eager engine on random
/// compositions of the supported operations over random broadcast shapes.
/// </summary>
public class CompiledGradientTests
{
    [Fact]
    public void ParabolaStepsReproduceTheReferenceTrajectory()
    {
        var w = Tensor.Scalar(10.0).WithGrad();
        var step = Autograd.Compile(() => w * w);
        var trajectory = new List<double> { w.Item() };
        for (int i = 0; i < 5; i++)
        {
            double loss = step.Step(0.3);
            Assert.Equal(trajectory[^1] * trajectory[^1], loss);
            trajectory.Add(w.Item());
        }
        double[] expected = [10, 4, 1.6, 0.64, 0.256, 0.1024];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], trajectory[i], 1e-12);

        // Same bits as the eager loop.
        var e = Tensor.Scalar(10.0).WithGrad();
        for (int i = 0; i < 5; i++)
        {
            (e * e).Backward();
            e.SubtractInPlace(e.Grad!, 0.3);
            e.ZeroGrad();
        }
        Assert.Equal(e.Item(), w.Item());
        Assert.Equal(2 * 0.256, w.Grad!.Item(), 1e-12);   // the gradient at the last point before the update
    }

    [Fact]
    public void ParaboloidDescentMatchesReference()
    {
        var w = Tensor.FromArray([2.0, 4.0]).WithGrad();
        var coefficients = Tensor.FromArray([2.0, 3.0]);
        var step = Autograd.Compile(() => (coefficients * w * w).Sum());
        double[][] expected = [[1.2, 1.6], [0.72, 0.64], [0.432, 0.256], [0.2592, 0.1024], [0.15552, 0.04096]];
        foreach (var point in expected)
        {
            step.Step(0.1);
            Assert.Equal(point[0], w.GetValue(0), 1e-12);
            Assert.Equal(point[1], w.GetValue(1), 1e-12);
        }
    }

    [Fact]
    public void LinearRegressionMatchesTheEagerEngineBitForBit()
    {
        double[] xs = [1, 2, 3, 4, 5, 6, 8], ys = [5.5, 6, 6.5, 7, 7.5, 8, 9];
        var x = Tensor.FromArray((double[])xs.Clone());
        var y = Tensor.FromArray((double[])ys.Clone());
        var w0 = Tensor.Scalar(0.0).WithGrad();
        var w1 = Tensor.Scalar(0.0).WithGrad();
        double m = x.Size;
        var step = Autograd.Compile(() => (w0 + w1 * x - y).Square().Sum() / (2 * m));
        Assert.Equal([w0, w1], step.Parameters);

        var e0 = Tensor.Scalar(0.0).WithGrad();
        var e1 = Tensor.Scalar(0.0).WithGrad();
        for (int epoch = 0; epoch < 5000; epoch++)
        {
            var loss = (e0 + e1 * x - y).Square().Sum() / (2 * m);
            loss.Backward();
            double eagerLoss = loss.Item(), eagerG0 = e0.Grad!.Item(), eagerG1 = e1.Grad!.Item();
            e0.SubtractInPlace(e0.Grad!, 8e-3);
            e1.SubtractInPlace(e1.Grad!, 8e-3);
            e0.ZeroGrad();
            e1.ZeroGrad();

            double compiledLoss = step.Step(8e-3);
            Assert.Equal(eagerLoss, compiledLoss);
            Assert.Equal(eagerG0, w0.Grad!.Item());
            Assert.Equal(eagerG1, w1.Grad!.Item());
            Assert.Equal(e0.Item(), w0.Item());
            Assert.Equal(e1.Item(), w1.Item());
        }
        Assert.Equal(5.0, w0.Item(), 2e-3);
        Assert.Equal(0.5, w1.Item(), 2e-3);
    }

    [Fact]
    public void StepsAllocateNothing()
    {
        var x = Tensor.FromArray([1.0, 2, 3, 4, 5, 6, 8]);
        var y = Tensor.FromArray([5.5, 6, 6.5, 7, 7.5, 8, 9]);
        var w0 = Tensor.Scalar(0.0).WithGrad();
        var w1 = Tensor.Scalar(0.0).WithGrad();
        var big = Tensor.FromArray(Enumerable.Range(0, 100).Select(i => i / 100.0).ToArray()).WithGrad();
        var step = Autograd.Compile(() => (w0 + w1 * x - y).Square().Sum() / 14.0 + (big.Tanh() * big).Mean());
        step.Step(1e-3);
        step.Backward();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) step.Step(1e-3);
        for (int i = 0; i < 1000; i++) step.Backward();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void BackwardOverwritesGradientsAndLeavesParametersAlone()
    {
        var w = Tensor.FromArray([1.0, -2.0, 3.0]).WithGrad();
        var c = Tensor.FromArray([0.5, 0.25, 2.0]);
        var compiled = Autograd.Compile(() => (w * c).Square().Mean());
        double first = compiled.Backward();
        double second = compiled.Backward();
        Assert.Equal(first, second);
        Assert.Equal([1.0, -2.0, 3.0], w.ToArray());
        // ∂/∂w mean((w c)²) = 2 w c² / 3
        Assert.Equal(2 * 1.0 * 0.25 / 3, w.Grad!.GetValue(0), 1e-15);
        Assert.Equal(2 * -2.0 * 0.0625 / 3, w.Grad!.GetValue(1), 1e-15);
        Assert.Equal(2 * 3.0 * 4.0 / 3, w.Grad!.GetValue(2), 1e-15);
    }

    [Fact]
    public void DataIsReadAtEachCallAndCanBeRebound()
    {
        var w = Tensor.Scalar(2.0).WithGrad();
        var x = Tensor.FromArray([1.0, 2.0, 3.0]);
        var compiled = Autograd.Compile(() => (w * x).Sum());
        Assert.Equal(12.0, compiled.Backward());
        Assert.Equal(6.0, w.Grad!.Item());

        x.Data[2] = 10;                     // in place: seen
        Assert.Equal(26.0, compiled.Backward());
        Assert.Equal(13.0, w.Grad!.Item());

        var other = Tensor.FromArray([1.0, 1.0, 1.0]);
        compiled.Bind(x, other);            // new data, same shape: seen
        Assert.Equal(6.0, compiled.Backward());
        Assert.Equal(3.0, w.Grad!.Item());

        w.Data[0] = 5;                      // parameters too
        Assert.Equal(15.0, compiled.Backward());
    }

    [Fact]
    public void BindingAnotherShapeIsAClearError()
    {
        var w = Tensor.Scalar(2.0).WithGrad();
        var x = Tensor.FromArray([1.0, 2.0, 3.0]);
        var compiled = Autograd.Compile(() => (w * x).Sum());
        var e = Assert.Throws<ShapeException>(() => compiled.Bind(x, Tensor.FromArray([1.0, 2.0])));
        Assert.Contains("[3]", e.Message);
        Assert.Contains("[2]", e.Message);
        Assert.Throws<ArgumentException>(() => compiled.Bind(Tensor.FromArray([1.0, 2.0, 3.0]), x));
        Assert.Throws<ArgumentException>(() => compiled.Bind(x, Tensor.FromArray([1.0, 2.0, 3.0]).WithGrad()));
    }

    [Fact]
    public void ReboundParameterGetsItsOwnGradient()
    {
        var w = Tensor.FromArray([1.0, 2.0]).WithGrad();
        var compiled = Autograd.Compile(() => w.Square().Sum());
        var v = Tensor.FromArray([3.0, 4.0]).WithGrad();
        compiled.Bind(w, v);
        Assert.Equal(25.0, compiled.Backward());
        Assert.Equal([6.0, 8.0], v.Grad!.ToArray());
        Assert.Same(v, compiled.Parameters[0]);
    }

    [Fact]
    public void UnsupportedOperationIsNamedInANotSupportedException()
    {
        var w = Tensor.FromArray([1.0, 2.0]).WithGrad();
        var e = Assert.Throws<NotSupportedException>(() => Autograd.Compile(() => w.Sin().Sum()));
        Assert.Contains("'sin'", e.Message);
        Assert.Contains("Backward()", e.Message);
        var m = Tensor.FromArray([1.0, 2.0, 3.0, 4.0], 2, 2).WithGrad();
        var max = Assert.Throws<NotSupportedException>(() => Autograd.Compile(() => m.Max(0).Square().Sum()));
        Assert.Contains("'max'", max.Message);
        var stack = Tensor.FromArray(new double[8], 2, 2, 2).WithGrad();
        var batched = Assert.Throws<NotSupportedException>(() => Autograd.Compile(() => stack.MatMul(stack).Sum()));
        Assert.Contains("'matmul'", batched.Message);
    }

    [Fact]
    public void NonScalarOrConstantLossIsRejected()
    {
        var w = Tensor.FromArray([1.0, 2.0]).WithGrad();
        Assert.Throws<GradientException>(() => Autograd.Compile(() => w * w));
        Assert.Throws<GradientException>(() => Autograd.Compile(() => Tensor.Scalar(1.0) * 2.0));
    }

    [Fact]
    public void CompilesWhileNoGradIsActive()
    {
        var w = Tensor.Scalar(3.0).WithGrad();
        CompiledGradient<double> compiled;
        using (Autograd.NoGrad()) compiled = Autograd.Compile(() => w.Exp());
        Assert.Equal(Math.Exp(3), compiled.Backward(), 1e-12);
        Assert.Equal(Math.Exp(3), w.Grad!.Item(), 1e-12);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(3.0)]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(-1.5)]
    public void PowByAConstantMatchesEager(double p)
    {
        var w = Tensor.FromArray([0.5, 1.5, 2.5]).WithGrad();
        Func<Tensor<double>> f = () => w.Pow(p).Sum();
        var compiled = Autograd.Compile(f);
        double value = compiled.Backward();
        var compiledGrad = w.Grad!.ToArray();
        w.Grad = null;
        var loss = f();
        loss.Backward();
        Assert.Equal(loss.Item(), value, 1e-12);
        for (int i = 0; i < 3; i++) Assert.Equal(w.Grad!.GetValue(i), compiledGrad[i], 1e-12);
    }

    [Fact]
    public void LinearModelWithMatMulMatchesTheEagerEngineBitForBit()
    {
        var rng = new Random(5);
        var x = RandomTensor(rng, [6, 3], -1, 1);
        var y = RandomTensor(rng, [6, 2], -1, 1);
        Tensor<double> W() => RandomTensor(new Random(9), [3, 2], -0.5, 0.5).WithGrad();
        Tensor<double> B() => Tensor.FromArray([0.1, -0.2]).WithGrad();
        var (w, b, ew, eb) = (W(), B(), W(), B());
        var step = Autograd.Compile(() => (x.MatMul(w) + b - y).Square().Mean());
        for (int i = 0; i < 20; i++)
        {
            var loss = (x.MatMul(ew) + eb - y).Square().Mean();
            loss.Backward();
            var (gw, gb) = (ew.Grad!.ToArray(), eb.Grad!.ToArray());
            foreach (var p in new[] { ew, eb }) { p.SubtractInPlace(p.Grad!, 0.1); p.ZeroGrad(); }

            Assert.Equal(loss.Item(), step.Step(0.1));
            Assert.Equal(gw, w.Grad!.ToArray());
            Assert.Equal(gb, b.Grad!.ToArray());
            Assert.Equal(ew.ToArray(), w.ToArray());
            Assert.Equal(eb.ToArray(), b.ToArray());
        }
    }

    [Fact]
    public void MatMulOfAMatrixWithItselfAndInALayerMatchesEager()
    {
        var rng = new Random(3);
        var a = RandomTensor(rng, [3, 3], -1, 1).WithGrad();
        var v = RandomTensor(rng, [3, 4], -1, 1).WithGrad();
        var x = RandomTensor(rng, [5, 3], -1, 1);
        Func<Tensor<double>> f = () => (a.MatMul(a).MatMul(v) * 0.5).Sum() + x.MatMul(a).MatMul(v).Relu().Tanh().Mean();
        var compiled = Autograd.Compile(f);
        double value = compiled.Backward();
        var (ga, gv) = (a.Grad!.ToArray(), v.Grad!.ToArray());
        a.Grad = null;
        v.Grad = null;
        var loss = f();
        loss.Backward();
        AssertClose(loss.Item(), value, 0);
        for (int i = 0; i < ga.Length; i++) AssertClose(a.Grad!.Buffer[i], ga[i], 0);
        for (int i = 0; i < gv.Length; i++) AssertClose(v.Grad!.Buffer[i], gv[i], 0);
    }

    [Fact]
    public void FloatProgramsWork()
    {
        var w = Tensor.FromArray([1f, -2f, 0.5f]).WithGrad();
        var compiled = Autograd.Compile(() => (w.Tanh() * w.Sigmoid() + w.Relu()).Sum());
        float value = compiled.Backward();
        var g = w.Grad!.ToArray();
        w.Grad = null;
        var loss = (w.Tanh() * w.Sigmoid() + w.Relu()).Sum();
        loss.Backward();
        Assert.Equal(loss.Item(), value, 1e-5f);
        for (int i = 0; i < 3; i++) Assert.Equal(w.Grad!.GetValue(i), g[i], 1e-5f);
    }

    // ---- Random compositions against the eager engine ----

    /// <summary>A random shape of rank 0–3 with dimensions 1–4, and a random leaf shape that broadcasts to it.</summary>
    private static int[] Broadcastable(Random rng, int[] target)
    {
        int drop = rng.Next(target.Length + 1);
        if (rng.Next(3) == 0) drop = 0;
        var shape = target[drop..];
        for (int d = 0; d < shape.Length; d++) if (rng.Next(3) == 0) shape[d] = 1;
        return shape;
    }

    private static Tensor<double> RandomTensor(Random rng, int[] shape, double low, double high)
    {
        var data = new double[Shapes.Size(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = low + (high - low) * rng.NextDouble();
        return shape.Length == 0 ? Tensor.Scalar(data[0]) : Tensor.FromArray(data, shape);
    }

    /// <summary>
    /// A random loss over <paramref name="leaves"/>: the same choices on every call, since the random generator is
    /// seeded inside. Domains are kept safe (log and sqrt of positive values, division by 1 + b²).
    /// </summary>
    private static Tensor<double> RandomLoss(int seed, List<Tensor<double>> leaves, int[] target)
    {
        var rng = new Random(seed);
        var pool = new List<Tensor<double>>(leaves);
        int steps = 2 + rng.Next(8);
        for (int s = 0; s < steps; s++)
        {
            var a = pool[rng.Next(pool.Count)];
            var b = pool[rng.Next(pool.Count)];
            Tensor<double> r = rng.Next(24) switch
            {
                0 => a + b,
                1 => a - b,
                2 => a * b,
                3 => a / (b.Square() + 1.0),
                4 => -a,
                5 => a.Square(),
                6 => (a.Square() + 0.25).Sqrt(),
                7 => (a * 0.5).Exp(),
                8 => (a.Abs() + 0.5).Log(),
                9 => (a.Abs() + 0.5).Pow(1.5),
                10 => a.Pow(3.0),
                11 => a.Abs(),
                12 => a.Sigmoid(),
                13 => a.Tanh(),
                14 => a.Relu(),
                15 => a.Mean() * b,
                16 => b - a.Sum() * 0.1,
                17 => 2.0 - a,
                18 => a.BroadcastTo(target) * 0.5,
                19 => b * a.Sum(),
                20 => a.Sum() - a,
                21 when a.Rank > 0 => SumAxis(rng, a) * b,
                22 when a.Rank > 1 => a.Mean([0, a.Rank - 1], keepDims: true) * b,
                _ => (a.Abs() + 1.0).Pow(b.Tanh()),
            };
            if (r.Rank > 0 && rng.Next(6) == 0)
            {
                var shape = r.ShapeArray;
                r = r.Reshape(r.Size).Reshape(shape);
            }
            pool.Add(r);
        }
        // Combine the last result with a random earlier one so more of the graph is used, then reduce.
        var last = pool[^1];
        var loss = rng.Next(2) == 0 ? last.Sum() : last.Mean();
        return loss + (pool[rng.Next(pool.Count)].Tanh().Sum() * 0.3) + leaves[0].Square().Mean() * 0.1;
    }

    /// <summary>A sum over a random axis that still broadcasts with the pool: dropping an axis only when it is the first.</summary>
    private static Tensor<double> SumAxis(Random rng, Tensor<double> a)
    {
        int axis = rng.Next(a.Rank);
        return a.Sum(axis, keepDims: axis != 0 || rng.Next(2) == 0).Exp();
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(1, true)]
    public void SumsOverAxesMatchTheEagerEngine(int axis, bool keepDims)
    {
        // A square matrix: without keepDims the output shape [2] alone does not tell which axis was summed.
        var m = Tensor.FromArray([1.0, 2.0, 3.0, 4.0], 2, 2).WithGrad();
        var c = Tensor.FromArray([1.0, 10.0]);
        Func<Tensor<double>> f = () => (m.Sum(axis, keepDims).Square() * (keepDims ? c.Reshape(2, 1) : c)).Sum();
        var compiled = Autograd.Compile(f);
        double value = compiled.Backward();
        var grad = m.Grad!.ToArray();
        m.Grad = null;
        var loss = f();
        loss.Backward();
        Assert.Equal(loss.Item(), value);
        Assert.Equal(m.Grad!.ToArray(), grad);
    }

    [Fact]
    public void RandomCompositionsMatchTheEagerEngine()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var rng = new Random(seed);
            int rank = rng.Next(4);
            var target = new int[rank];
            for (int d = 0; d < rank; d++) target[d] = 1 + rng.Next(4);
            var leaves = new List<Tensor<double>>();
            int count = 1 + rng.Next(4);
            for (int k = 0; k < count; k++)
            {
                var t = RandomTensor(rng, Broadcastable(rng, target), -1.5, 1.5);
                if (k == 0 || rng.Next(3) != 0) t.WithGrad();
                leaves.Add(t);
            }
            int lossSeed = rng.Next();
            var compiled = Autograd.Compile(() => RandomLoss(lossSeed, leaves, target));
            double value = compiled.Backward();
            var compiledGrads = compiled.Parameters.Select(p => p.Grad!.ToArray()).ToArray();

            foreach (var p in compiled.Parameters) p.Grad = null;
            var loss = RandomLoss(lossSeed, leaves, target);
            loss.Backward();
            AssertClose(loss.Item(), value, seed);
            for (int k = 0; k < compiledGrads.Length; k++)
            {
                var eager = compiled.Parameters[k].Grad!.ToArray();
                for (int i = 0; i < eager.Length; i++) AssertClose(eager[i], compiledGrads[k][i], seed);
            }
        }, iter: 200);
    }

    private static void AssertClose(double expected, double actual, int seed)
    {
        if (double.IsNaN(expected) && double.IsNaN(actual)) return;
        if (double.IsInfinity(expected) && expected == actual) return; // both overflowed the same way (inf − inf is NaN)
        double tolerance = 1e-12 * Math.Max(1, Math.Abs(expected));
        if (!(Math.Abs(expected - actual) <= tolerance))
            Assert.Fail($"seed {seed}: eager {expected:R}, compiled {actual:R}");
    }

    [Fact]
    public void ModulesWithFusedLinearLayersCompileToTheEagerGradients()
    {
        // Linear layers run as one fused op (a primitive); the compiler lowers it to matmul + add (+ relu).
        var mlp = new Descent.Learning.Modules.Mlp<double>(3, [4], 2, seed: 7);
        var x = Tensor.RandomNormal<double>([5, 3], 1);
        var y = Tensor.RandomNormal<double>([5, 2], 2);
        var compiled = Autograd.Compile(() => (mlp.Forward(x) - y).Square().Mean());
        double loss = compiled.Backward();
        var grads = mlp.Parameters().Select(p => p.Grad!.ToArray()).ToArray();
        mlp.ZeroGrad();
        var eager = (mlp.Forward(x) - y).Square().Mean();
        eager.Backward();
        Assert.Equal(eager.Item(), loss, 1e-12);
        var expected = mlp.Parameters().Select(p => p.Grad!.ToArray()).ToArray();
        for (int i = 0; i < expected.Length; i++)
            for (int j = 0; j < expected[i].Length; j++) Assert.Equal(expected[i][j], grads[i][j], 1e-12);
    }
}
