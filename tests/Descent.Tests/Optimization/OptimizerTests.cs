using Descent.Optimization;
using Descent.Optimization.Transforms;

namespace Descent.Tests.Optimization;

public class OptimizerTests
{
    private static (ArrayParameter<double>[] Parameters, Optimizer<double> Optimizer) Quadratic(Func<IGradientTransform<double>> make)
    {
        ArrayParameter<double>[] ps = [new(2.0, 1.0, -1.0), new(1.0, 0.0, -1.0, 3.0)];
        return (ps, new Optimizer<double>(ps, make()));
    }

    public static TheoryData<string> Chains() => ["sgd", "adam", "adam (fused)", "rms", "adagrad", "lion", "accumulate", "skip"];

    private static IGradientTransform<double> Make(string name) => name switch
    {
        "sgd" => Optimizers.Sgd<double>(0.01, momentum: 0.9, nesterov: true),
        "adam" => Optimizers.Adam<double>(Schedules.Cosine(0.05, 20), amsgrad: true),
        "adam (fused)" => Optimizers.Adam<double>(Schedules.Cosine(0.05, 20)),
        "rms" => Optimizers.RmsProp<double>(0.01, centered: true, momentum: 0.5),
        "adagrad" => Optimizers.AdaGrad<double>(0.1),
        "lion" => Optimizers.Lion<double>(0.01, weightDecay: 0.1),
        "accumulate" => new AccumulateGradients<double>(3, Optimizers.Adam<double>(0.01)),
        _ => new SkipNonFinite<double>(Optimizers.AdamW<double>(0.01)),
    };

    [Theory]
    [MemberData(nameof(Chains))]
    public void SavedStateResumesBitExactly(string name)
    {
        var (a, first) = Quadratic(() => Make(name));
        for (int i = 0; i < 7; i++)
        {
            TestProblems.QuadraticGradient(a[0], a[1]);
            first.Step();
        }

        TransformState saved = first.GetState();
        var (b, second) = Quadratic(() => Make(name));
        for (int p = 0; p < 2; p++)
        {
            a[p].Data.CopyTo(b[p].Data, 0);
        }

        second.LoadState(saved);
        Assert.Equal(7, second.StepCount);
        for (int i = 0; i < 10; i++)
        {
            TestProblems.QuadraticGradient(a[0], a[1]);
            TestProblems.QuadraticGradient(b[0], b[1]);
            first.Step();
            second.Step();
            Assert.Equal(a[0].Data, b[0].Data);
            Assert.Equal(a[1].Data, b[1].Data);
        }
    }

    [Fact]
    public void ReportsLearningRateStepCountAndUpdateNorm()
    {
        var w = new ArrayParameter<double>(3.0, 4.0);
        var sut = new Optimizer<double>([w], Optimizers.Sgd<double>(Schedules.StepDecay(1, 1, 0.5)));
        Assert.Equal(1.0, sut.LearningRate);
        w.Grad[0] = 3;
        w.Grad[1] = 4;
        sut.Step();
        Assert.Equal(1, sut.StepCount);
        Assert.Equal(0.5, sut.LearningRate);
        Assert.Equal(5.0, sut.LastUpdateNorm, 12);
        Assert.Equal([0.0, 0.0], w.Data);
        Assert.Equal(-3.0, sut.LastUpdate(0)[0]);
        Assert.Null(new Optimizer<double>([w], new ClipByValue<double>(1)).LearningRate);
    }

    [Theory]
    [MemberData(nameof(Chains))]
    public void OneChainGivenToTwoOptimizersSharesNothing(string name)
    {
        // The chain is configuration only: each optimizer owns the state its Init made, so interleaved steps of two
        // optimizers on the same chain give each exactly what it gives alone.
        var chain = Make(name);
        var (alone, soloOptimizer) = Quadratic(() => Make(name));
        var (a, first) = Quadratic(() => chain);
        var (b, second) = Quadratic(() => chain);
        Assert.NotSame(first.State, second.State);
        for (int i = 0; i < 12; i++)
        {
            TestProblems.QuadraticGradient(alone[0], alone[1]);
            soloOptimizer.Step();
            TestProblems.QuadraticGradient(a[0], a[1]);
            first.Step();
            if (i % 2 == 0)
            {
                TestProblems.QuadraticGradient(b[0], b[1]); // the second runs at half the pace
                second.Step();
            }

            Assert.Equal(alone[0].Data, a[0].Data);
            Assert.Equal(alone[1].Data, a[1].Data);
        }

        Assert.Equal(6, second.StepCount);
        Assert.Equal(soloOptimizer.GetState().Scalars, first.GetState().Scalars);
    }

    [Fact]
    public void AStateOfAnotherTransformIsRefused()
    {
        IGradientTransform<double> adam = new ScaleByAdam<double>();
        var momentumState = new Momentum<double>(0.9).Init([1]);
        var e = Assert.Throws<ArgumentException>(() => TransformHarnessLite.Apply(adam, momentumState));
        Assert.Contains("ScaleByAdam was given a Momentum.State; pass the state its own Init made", e.Message, StringComparison.Ordinal);
    }

    private static class TransformHarnessLite
    {
        public static void Apply(IGradientTransform<double> transform, ITransformState state)
            => transform.Update(new ParameterBuffers<double>([[1.0]], [new ArrayParameter<double>(0.0)]), state, 0);
    }

    [Fact]
    public void FusedAdamStepEqualsTheChainBitForBit()
    {
        // Optimizers.Adam's chain runs fused, slice by slice on both cores; the same chain without its (zero) decay link
        // runs link by link. Sizes with ragged ends and more than one slice; a parameter reaching zero gradient.
        int[] sizes = [9000, 37, 1, 4096];
        var rng = new Random(3);
        float[] Random(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
        var start = sizes.Select(Random).ToArray();
        var fused = start.Select(v => new ArrayParameter<float>((float[])v.Clone())).ToArray();
        var chain = start.Select(v => new ArrayParameter<float>((float[])v.Clone())).ToArray();
        var a = new Optimizer<float>(fused, Optimizers.Adam<float>(Schedules.Cosine(0.01, 5)));
        var b = new Optimizer<float>(chain, Transform.Chain(new ScaleByAdam<float>(), new ScaleByLearningRate<float>(Schedules.Cosine(0.01, 5))));
        Assert.True(a.UsesFusedAdam);
        Assert.False(b.UsesFusedAdam);
        for (int step = 0; step < 6; step++)
        {
            for (int i = 0; i < sizes.Length; i++)
            {
                var g = step == 3 && i == 2 ? new float[1] : Random(sizes[i]);
                g.CopyTo(fused[i].Grad, 0);
                g.CopyTo(chain[i].Grad, 0);
            }
            a.Step();
            b.Step();
            for (int i = 0; i < sizes.Length; i++)
            {
                Assert.Equal(chain[i].Values.ToArray(), fused[i].Values.ToArray());
                Assert.Equal(b.LastUpdate(i).ToArray(), a.LastUpdate(i).ToArray());
            }
        }
        Assert.Equal(b.LastUpdateNorm, a.LastUpdateNorm);
        var adamA = a.GetState().Scope("transform.1.");   // [decay, Adam, rate]
        var adamB = b.GetState().Scope("transform.0.");   // [Adam, rate]
        Assert.Equal(adamB.Arrays.Keys.Order(), adamA.Arrays.Keys.Order());
        foreach (var key in adamB.Arrays.Keys) Assert.Equal(adamB.Arrays[key], adamA.Arrays[key]);
        Assert.Equal(adamB.Scalars["count"], adamA.Scalars["count"]);
    }

    [Fact]
    public void EmptyGradientCountsAsZero()
    {
        var sut = new Optimizer<double>([new NoGradient()], Optimizers.Sgd<double>(0.1));
        sut.Step();
        Assert.Equal(0.0, sut.LastUpdateNorm);
    }

    private sealed class NoGradient : IOptimizable<double>
    {
        private readonly double[] _values = [1.0, 2.0];

        public int Size => 2;

        public Span<double> Values => _values;

        public ReadOnlySpan<double> Gradient => [];
    }

    [Fact]
    public void LoadingAMismatchedStateSaysWhatIsWrong()
    {
        var sut = new Optimizer<double>([new ArrayParameter<double>(1.0, 2.0)], Optimizers.Adam<double>(0.1));
        var other = new Optimizer<double>([new ArrayParameter<double>(1.0)], Optimizers.Adam<double>(0.1));
        var e = Assert.Throws<ArgumentException>(() => sut.LoadState(other.GetState()));
        Assert.Contains("has length 1 but parameter 0 has size 2", e.Message, StringComparison.Ordinal);
    }
}
