using Descent.Optimization.Stopping;

namespace Descent.Tests.Optimization.Stopping;

/// <summary>AnyOf and AllOf.</summary>
public class CombinatorsTests
{
    [Fact]
    public void AnyOfReturnsTheFirstFiringRuleAndFeedsThemAll()
    {
        var plateau = new Plateau(1, window: 3);
        var sut = new AnyOf(new MaxSteps(2), plateau);
        Assert.Null(sut.Observe(new StepRecord(0, 10)));
        Assert.Null(sut.Observe(new StepRecord(1, 5)));
        var reason = sut.Observe(new StepRecord(2, 0));
        Assert.Equal(StopKind.MaxSteps, reason!.Kind);
        Assert.Equal(-5, plateau.LastSlope, 12);
        sut.Reset();
        Assert.True(double.IsNaN(plateau.LastSlope));
    }

    [Fact]
    public void AllOfNeedsEveryRuleOnTheSameStep()
    {
        var sut = new AllOf(new GradientNormBelow(1e-3), new StepBelow(1e-3));
        Assert.Null(sut.Observe(new StepRecord(0, 1) { GradientNorm = 1e-4, StepNorm = 1 }));
        var reason = sut.Observe(new StepRecord(1, 1) { GradientNorm = 1e-4, StepNorm = 1e-4 });
        Assert.Equal(StopKind.Converged, reason!.Kind);
        Assert.Equal(
            "converged: gradient norm below tolerance: |grad| 1e-04 at step 1 is below 0.001; and step below tolerance: |step| 1e-04 at step 1 is below 0.001",
            reason.Message);
    }
}
