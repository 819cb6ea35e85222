using System.Text.Json;
using Descent.Optimization;
using Descent.Optimization.Transforms;

namespace Descent.Tests.Optimization;

public class OptimizersTests
{
    private static readonly JsonElement Trajectories = Fixture.Load("optimizer_trajectories.json");

    public static TheoryData<string, string> TorchCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var c in Trajectories.GetProperty("cases").EnumerateArray())
        {
            data.Add(c.GetProperty("optimizer").GetString()!, c.GetProperty("problem").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TorchCases))]
    public void MatchesTorchTrajectory(string optimizer, string problem)
    {
        var c = Trajectories.GetProperty("cases").EnumerateArray()
            .Single(e => e.GetProperty("optimizer").GetString() == optimizer && e.GetProperty("problem").GetString() == problem);
        var expected = c.GetProperty("trajectory").EnumerateArray().Select(s => s.EnumerateArray().Select(Fixture.Doubles).ToArray()).ToArray();

        var parameters = expected[0].Select(p => new ArrayParameter<double>((double[])p.Clone())).ToArray();
        var sut = new Optimizer<double>(parameters, Create(optimizer, c.GetProperty("options")));
        Action gradient = problem == "rosenbrock" ? () => TestProblems.RosenbrockGradient(parameters[0]) : () => TestProblems.QuadraticGradient(parameters[0], parameters[1]);

        for (int step = 1; step < expected.Length; step++)
        {
            gradient();
            sut.Step();
            for (int p = 0; p < parameters.Length; p++)
            {
                for (int j = 0; j < parameters[p].Size; j++)
                {
                    Assert.True(
                        Math.Abs(parameters[p].Data[j] - expected[step][p][j]) <= 1e-10,
                        $"{optimizer}/{problem} step {step} parameter {p}[{j}]: {parameters[p].Data[j]:R} vs torch {expected[step][p][j]:R}");
                }
            }
        }
    }

    private static IGradientTransform<double> Create(string name, JsonElement options)
    {
        double Get(string key, double fallback) => options.TryGetProperty(key, out var v) ? v.GetDouble() : fallback;
        bool Flag(string key) => options.TryGetProperty(key, out var v) && v.GetBoolean();
        double lr = Get("lr", double.NaN);
        return name switch
        {
            _ when name.StartsWith("sgd", StringComparison.Ordinal) => Optimizers.Sgd<double>(lr, Get("momentum", 0), Flag("nesterov"), Get("weight_decay", 0), Get("dampening", 0)),
            "adagrad" => Optimizers.AdaGrad<double>(lr),
            _ when name.StartsWith("rmsprop", StringComparison.Ordinal) => Optimizers.RmsProp<double>(lr, momentum: Get("momentum", 0), centered: Flag("centered")),
            _ when name.StartsWith("adamw", StringComparison.Ordinal) => Optimizers.AdamW<double>(lr, weightDecay: Get("weight_decay", 0.01), amsgrad: Flag("amsgrad")),
            _ when name.StartsWith("adam", StringComparison.Ordinal) => Optimizers.Adam<double>(lr, amsgrad: Flag("amsgrad"), weightDecay: Get("weight_decay", 0)),
            _ => throw new ArgumentException($"Unknown fixture optimizer '{name}'.", nameof(name)),
        };
    }

    [Fact]
    public void GradientDescentIsBitExactWithTheFormula()
    {
        var w = new ArrayParameter<double>(1.7, -3.1, 0.0, 1e-300);
        double[] reference = (double[])w.Data.Clone();
        const double lr = 0.0123;
        var sut = new Optimizer<double>([w], Optimizers.GradientDescent<double>(lr));
        Assert.True(sut.UsesOnePassUpdate); // the one-element chain collapses, so Step takes the one-pass branch
        for (int step = 0; step < 100; step++)
        {
            for (int j = 0; j < 4; j++)
            {
                w.Grad[j] = Math.Sin(w.Data[j] * 3) + (2 * w.Data[j]);
            }

            for (int j = 0; j < 4; j++)
            {
                reference[j] = reference[j] - (lr * (Math.Sin(reference[j] * 3) + (2 * reference[j])));
            }

            sut.Step();
            Assert.Equal(reference, w.Data);
        }
    }

    [Fact]
    public void OnePassUpdateEqualsTheGeneralPathBitForBit()
    {
        // A chain of two (a zero decay, then −η) takes the general path: copy, transform, add. The one-pass path must agree.
        var a = new ArrayParameter<double>(1.7, -3.1, 0.3);
        var b = new ArrayParameter<double>(1.7, -3.1, 0.3);
        var onePass = new Optimizer<double>([a], Transform.Chain(Transform.Chain(new ScaleByLearningRate<double>(Schedules.Cosine(0.1, 50)))));
        var general = new Optimizer<double>([b], Transform.Chain(new AddWeightDecay<double>(0), new ScaleByLearningRate<double>(Schedules.Cosine(0.1, 50))));
        Assert.True(onePass.UsesOnePassUpdate);
        Assert.False(general.UsesOnePassUpdate);
        Assert.False(new Optimizer<double>([new ArrayParameter<double>(1.0)], Optimizers.Adam<double>(0.1)).UsesOnePassUpdate);
        for (int step = 0; step < 50; step++)
        {
            for (int j = 0; j < 3; j++)
            {
                a.Grad[j] = Math.Sin(a.Data[j] * 3);
                b.Grad[j] = Math.Sin(b.Data[j] * 3);
            }

            onePass.Step();
            general.Step();
            Assert.Equal(b.Data, a.Data);
            Assert.Equal(general.LearningRate, onePass.LearningRate);
        }
    }

    [Fact]
    public void LionFollowsHandDerivedTrajectory()
    {
        // p₀ = 2, lr 0.1, β₁ 0.9, β₂ 0.99, λ 0.5; gradients 1, −1, 0.0005, 0.
        // c₁ = 0.1 → +1;  p₁ = 2 − 0.1·(1 + 0.5·2) = 1.8;          m₁ = 0.01
        // c₂ = 0.009 − 0.1 = −0.091 → −1; p₂ = 1.8 − 0.1·(−1 + 0.9) = 1.81;  m₂ = 0.0099 − 0.01 = −0.0001
        // c₃ = −0.00009 + 0.00005 < 0 → −1 (momentum outvotes the gradient); p₃ = 1.81 − 0.1·(−1 + 0.905) = 1.8195; m₃ = −0.000094
        // c₄ = 0.9·(−0.000094) < 0 → −1; p₄ = 1.8195 − 0.1·(−1 + 0.90975) = 1.828525
        var p = new ArrayParameter<double>(2.0);
        var sut = new Optimizer<double>([p], Optimizers.Lion<double>(0.1, weightDecay: 0.5));
        double[] gradients = [1, -1, 0.0005, 0];
        double[] expected = [1.8, 1.81, 1.8195, 1.828525];
        for (int i = 0; i < 4; i++)
        {
            p.Grad[0] = gradients[i];
            sut.Step();
            Assert.Equal(expected[i], p.Data[0], 1e-12);
        }
    }

    [Fact]
    public void WorksInSinglePrecision()
    {
        var p = new ArrayParameter<float>(-1.2f, 1f);
        var sut = new Optimizer<float>([p], Optimizers.Adam<float>(0.01));
        var reference = new ArrayParameter<double>(-1.2, 1);
        var referenceOptimizer = new Optimizer<double>([reference], Optimizers.Adam<double>(0.01));
        for (int i = 0; i < 20; i++)
        {
            TestProblems.RosenbrockGradient(reference);
            p.Grad[0] = (float)reference.Grad[0];
            p.Grad[1] = (float)reference.Grad[1];
            sut.Step();
            referenceOptimizer.Step();
        }

        Assert.Equal(reference.Data[0], p.Data[0], 1e-3);
        Assert.Equal(reference.Data[1], p.Data[1], 1e-3);
    }
}
