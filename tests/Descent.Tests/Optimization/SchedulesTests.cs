using System.Text.Json;
using Descent.Optimization;

namespace Descent.Tests.Optimization;

public class SchedulesTests
{
    private static readonly JsonElement Torch = Fixture.Load("lr_schedules.json");

    private static void AssertTable(Schedule schedule, params double[] expected)
    {
        for (int t = 0; t < expected.Length; t++)
        {
            Assert.True(Math.Abs(schedule(t) - expected[t]) <= 1e-12, $"step {t}: {schedule(t):R} but expected {expected[t]:R}");
        }
    }

    [Fact]
    public void Constant() => AssertTable(Schedules.Constant(0.3), 0.3, 0.3, 0.3);

    [Fact]
    public void StepDecay() => AssertTable(Schedules.StepDecay(1, 2, 0.5), 1, 1, 0.5, 0.5, 0.25, 0.25, 0.125);

    [Fact]
    public void MultiStep() => AssertTable(Schedules.MultiStep(1, [3, 1], 0.1), 1, 0.1, 0.1, 0.01, 0.01);

    [Fact]
    public void Exponential() => AssertTable(Schedules.Exponential(2, 0.5), 2, 1, 0.5, 0.25);

    [Fact]
    public void Polynomial()
    {
        AssertTable(Schedules.Polynomial(1, 0, 4), 1, 0.75, 0.5, 0.25, 0, 0);
        AssertTable(Schedules.Polynomial(1, 0.2, 2, power: 2), 1, 0.4, 0.2, 0.2);
    }

    [Fact]
    public void Cosine() => AssertTable(Schedules.Cosine(1, 4, 0.2), 1, 0.2 + (0.8 * (1 + Math.Sqrt(0.5)) / 2), 0.6, 0.2 + (0.8 * (1 - Math.Sqrt(0.5)) / 2), 0.2, 0.2);

    [Fact]
    public void CosineWarmRestarts() =>
        // periods 2, 4: restarts at 0, 2, 6.
        AssertTable(Schedules.CosineWarmRestarts(1, 2, 2), 1, 0.5, 1, (1 + Math.Sqrt(0.5)) / 2, 0.5, (1 - Math.Sqrt(0.5)) / 2, 1);

    [Fact]
    public void LinearWarmupJoinsAnySchedule() =>
        AssertTable(Schedules.LinearWarmup(4, Schedules.Exponential(1, 0.5), start: 0.2), 0.2, 0.4, 0.6, 0.8, 1, 0.5, 0.25);

    [Fact]
    public void OneCycleHandTable()
    {
        // max 1, T = 10, p = 0.3, d = 4, f = 2: start 0.25, end 0.125; rise over steps 0..2, fall over 2..9.
        var s = Schedules.OneCycle(1, 10, 0.3, 4, 2);
        Assert.Equal(0.25, s(0), 12);
        Assert.Equal(0.625, s(1), 12);
        Assert.Equal(1, s(2), 12);
        Assert.Equal(0.125 + (0.875 * (1 + Math.Cos(Math.PI / 7)) / 2), s(3), 12);
        Assert.Equal(0.125, s(9), 12);
    }

    public static TheoryData<string> TorchNames() => [.. Torch.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).Where(n => n != "reduce_on_plateau")];

    [Theory]
    [MemberData(nameof(TorchNames))]
    public void MatchesTorchScheduler(string name)
    {
        double[] expected = Fixture.Doubles(Torch.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).GetProperty("rates"));
        Schedule schedule = name switch
        {
            "step_decay" => Schedules.StepDecay(0.1, 3, 0.5),
            "multi_step" => Schedules.MultiStep(0.1, [2, 5, 9], 0.3),
            "exponential" => Schedules.Exponential(0.1, 0.9),
            "cosine" => Schedules.Cosine(0.1, 10, 0.01),
            "cosine_warm_restarts" => Schedules.CosineWarmRestarts(0.1, 3, 2, 0.001),
            "one_cycle" => Schedules.OneCycle(0.1, 20),
            "one_cycle_three_phase" => Schedules.OneCycle(0.1, 20, threePhase: true),
            _ => throw new ArgumentException(name, nameof(name)),
        };
        for (int t = 0; t < expected.Length; t++)
        {
            Assert.True(Math.Abs(schedule(t) - expected[t]) <= 1e-10, $"{name} step {t}: {schedule(t):R} vs torch {expected[t]:R}");
        }
    }

    [Fact]
    public void InvalidArgumentsNameTheValueAndTheRule()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.StepDecay(0.1, 3, gamma: 1.5));
        Assert.Equal("gamma", e.ParamName);
        Assert.Contains("gamma must be in", e.Message, StringComparison.Ordinal);
        Assert.Contains("1.5", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.Constant(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.Cosine(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.OneCycle(1, 10, percentStart: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.Constant(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.Exponential(1, 0.5)(-1));
    }
}
