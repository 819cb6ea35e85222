using Descent.Optimization.Stopping;

namespace Descent.Tests.Optimization.Stopping;

/// <summary>The threshold and budget rules: MaxSteps, LossBelow, GradientNormBelow, StepBelow, TimeBudget, EvaluationBudget, Cancellation.</summary>
public class SimpleRulesTests
{
    [Fact]
    public void MaxStepsFiresAtTheLimit()
    {
        var sut = new MaxSteps(3);
        Assert.Null(sut.Observe(new StepRecord(2, 1)));
        var reason = sut.Observe(new StepRecord(3, 1));
        Assert.Equal(StopKind.MaxSteps, reason!.Kind);
        Assert.Equal("max steps: reached step 3 of 3", reason.Message);
    }

    [Fact]
    public void LossBelowIsStrict()
    {
        var sut = new LossBelow(1e-6);
        Assert.Null(sut.Observe(new StepRecord(0, 1e-6)));
        Assert.Equal("loss below threshold: loss 9.8e-07 at step 1 is below 1e-06", sut.Observe(new StepRecord(1, 9.8e-7))!.Message);
    }

    [Fact]
    public void GradientAndStepNormsFireOnlyWhenRecorded()
    {
        var gradient = new GradientNormBelow(1e-3);
        Assert.Null(gradient.Observe(new StepRecord(0, 1)));
        Assert.Null(gradient.Observe(new StepRecord(1, 1) { GradientNorm = 0.01 }));
        Assert.Equal(StopKind.GradientNormBelow, gradient.Observe(new StepRecord(2, 1) { GradientNorm = 0.0005 })!.Kind);

        var step = new StepBelow(1e-8);
        Assert.Null(step.Observe(new StepRecord(0, 1)));
        var reason = step.Observe(new StepRecord(4, 1) { StepNorm = 1e-9 });
        Assert.Equal("step below tolerance: |step| 1e-09 at step 4 is below 1e-08", reason!.Message);
    }

    [Fact]
    public void Budgets()
    {
        var time = new TimeBudget(TimeSpan.FromSeconds(2));
        Assert.Null(time.Observe(new StepRecord(0, 1) { Elapsed = TimeSpan.FromSeconds(1.5) }));
        Assert.Equal(StopKind.TimeBudget, time.Observe(new StepRecord(1, 1) { Elapsed = TimeSpan.FromSeconds(2) })!.Kind);

        var evaluations = new EvaluationBudget(10, 5);
        Assert.Null(evaluations.Observe(new StepRecord(0, 1) { FunctionEvaluations = 9, GradientEvaluations = 4 }));
        Assert.Equal(
            "evaluation budget: 5 gradient evaluations at step 1 reach the budget of 5",
            evaluations.Observe(new StepRecord(1, 1) { FunctionEvaluations = 9, GradientEvaluations = 5 })!.Message);
        Assert.Throws<ArgumentException>(() => new EvaluationBudget(null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimeBudget(TimeSpan.Zero));
    }

    [Fact]
    public void CancellationFiresAfterCancel()
    {
        using var source = new CancellationTokenSource();
        var sut = new Cancellation(source.Token);
        Assert.Null(sut.Observe(new StepRecord(0, 1)));
        source.Cancel();
        Assert.Equal(StopKind.Cancelled, sut.Observe(new StepRecord(1, 1))!.Kind);
    }
}
