namespace Descent.Tests.Autodiff;

/// <summary>Behaviour of the backward pass: accumulation, constants, recording scopes, errors, graph freeing, anomalies, depth.</summary>
public class EngineTests
{
    [Fact]
    public void GradientsAccumulateAcrossBackwardCallsUntilZeroGrad()
    {
        var w = Tensor.FromArray([1.0, -2.0]).WithGrad();
        (w * w).Sum().Backward();
        (w * w).Sum().Backward();
        Assert.Equal([4.0, -8.0], w.Grad!.ToArray());
        w.ZeroGrad();
        Assert.Equal([0.0, 0.0], w.Grad!.ToArray());
        (w * 3.0).Sum().Backward();
        Assert.Equal([3.0, 3.0], w.Grad!.ToArray());
    }

    [Fact]
    public void ConstantsGetNoGradient()
    {
        var w = Tensor.Scalar(2.0).WithGrad();
        var c = Tensor.Scalar(5.0);
        (w * c).Backward();
        Assert.Null(c.Grad);
        Assert.Equal(5.0, w.Grad!.Item());
    }

    [Fact]
    public void NoGradScopeRecordsNothing()
    {
        var w = Tensor.Scalar(2.0).WithGrad();
        Tensor<double> y;
        using (Autograd.NoGrad()) y = (w * w).Exp();
        Assert.False(y.RequiresGrad);
        Assert.True(y.IsLeaf);
        Assert.Null(y.Operation);
        Assert.True(Autograd.IsRecording);
    }

    [Fact]
    public void BackwardOnNonScalarWithoutUpstreamExplainsTheFix()
    {
        var w = Tensor.FromArray([1.0, 2.0]).WithGrad();
        var e = Assert.Throws<GradientException>(() => (w * 2.0).Backward());
        Assert.Contains("[2]", e.Message);
        Assert.Contains("Sum()", e.Message);
    }

    [Fact]
    public void BackwardWithExplicitUpstream()
    {
        var w = Tensor.FromArray([1.0, 2.0, 3.0]).WithGrad();
        (w * w).Backward(Tensor.FromArray([1.0, 0.5, -1.0]));
        Assert.Equal([2.0, 2.0, -6.0], w.Grad!.ToArray());
        Assert.Throws<GradientException>(() => (w * w).Backward(Tensor.FromArray([1.0, 2.0])));
    }

    [Fact]
    public void SecondBackwardThroughFreedGraphThrowsUnlessRetained()
    {
        var w = Tensor.Scalar(3.0).WithGrad();
        var y = w.Exp() * w;
        y.Backward();
        var e = Assert.Throws<GradientException>(() => y.Backward());
        Assert.Contains("retainGraph", e.Message);

        var z = w.Exp() * w;
        w.ZeroGrad();
        z.Backward(retainGraph: true);
        z.Backward();
        Assert.Equal(2 * Math.Exp(3) * 4, w.Grad!.Item(), 1e-12);
    }

    [Fact]
    public void AnomalyModeNamesTheOperationThatProducedNaN()
    {
        var w = Tensor.FromArray([1.0, -1.0]).WithGrad();
        using var _ = Autograd.DetectAnomaly();
        var e = Assert.Throws<AnomalyException>(() => (w * 2.0).Log());
        Assert.Equal("log", e.Operation);
        Assert.Equal("forward", e.Phase);
        Assert.Contains("NaN", e.Message);
    }

    [Fact]
    public void AnomalyModeCatchesInfiniteGradients()
    {
        var w = Tensor.FromArray([0.0, 1.0]).WithGrad();
        using var _ = Autograd.DetectAnomaly();
        var y = w.Sqrt().Sum();
        var e = Assert.Throws<AnomalyException>(() => y.Backward());
        Assert.Equal("backward", e.Phase);
    }

    [Fact]
    public void AnomalyModeBelongsToTheThreadThatOpenedIt()
    {
        // The scope is counted process-wide (so the common case reads no thread-local), but only its own thread checks.
        var w = Tensor.FromArray([1.0, -1.0]).WithGrad();
        using var opened = new ManualResetEventSlim();
        using var done = new ManualResetEventSlim();
        var other = new Thread(() =>
        {
            using (Autograd.DetectAnomaly())
            {
                opened.Set();
                done.Wait();
            }
        });
        other.Start();
        opened.Wait();
        try
        {
            Assert.False(Autograd.IsDetectingAnomalies);
            _ = (w * 2.0).Log(); // NaN, unchecked here
            using (Autograd.DetectAnomaly())
            {
                using (Autograd.DetectAnomaly()) Assert.True(Autograd.IsDetectingAnomalies);
                Assert.True(Autograd.IsDetectingAnomalies);
                Assert.Throws<AnomalyException>(() => (w * 2.0).Log());
            }
            Assert.False(Autograd.IsDetectingAnomalies);
        }
        finally
        {
            done.Set();
            other.Join();
        }
        Assert.False(Autograd.IsDetectingAnomalies);
    }

    [Fact]
    public void DeepChainDoesNotOverflowTheStack()
    {
        var w = Tensor.Scalar(1.0).WithGrad();
        var y = w;
        for (int i = 0; i < 100_000; i++) y = y * 1.0000001;
        y.Backward();
        Assert.Equal(Math.Pow(1.0000001, 100_000), w.Grad!.Item(), 1e-9);
    }

    [Fact]
    public void GradWithRespectToIntermediateTensors()
    {
        var x = Tensor.FromArray([0.5, 2.0]).WithGrad();
        var h = x.Square();
        var y = (h.Sin()).Sum();
        var grads = Autograd.Grad(y, [h, x]);
        Assert.Equal(Math.Cos(0.25), grads[0].GetValue(0), 1e-15);
        Assert.Equal(Math.Cos(4.0), grads[0].GetValue(1), 1e-15);
        Assert.Equal(Math.Cos(0.25) * 1.0, grads[1].GetValue(0), 1e-15);
        Assert.Equal(Math.Cos(4.0) * 4.0, grads[1].GetValue(1), 1e-15);
        Assert.Null(x.Grad);
    }

    [Fact]
    public void GradOfUnusedInputIsZeroAndConstantInputIsRejected()
    {
        var x = Tensor.Scalar(1.0).WithGrad();
        var unused = Tensor.FromArray([1.0, 2.0]).WithGrad();
        var g = Autograd.Grad(x * 2.0, [x, unused]);
        Assert.Equal([0.0, 0.0], g[1].ToArray());
        Assert.Throws<GradientException>(() => Autograd.Grad(x * 2.0, [Tensor.Scalar(1.0)]));
    }

    [Fact]
    public void BackwardOnConstantThrows()
        => Assert.Throws<GradientException>(() => Tensor.Scalar(1.0).Backward());

    [Fact]
    public void BroadcastGradientsAreSummedBackToInputShape()
    {
        var b = Tensor.FromArray([1.0, 2.0, 3.0], 3, 1).WithGrad();
        var a = Tensor.FromArray([1.0, 1.0, 1.0, 1.0]).WithGrad();
        (a * b).Sum().Backward();
        Assert.Equal([3, 1], b.Grad!.ShapeArray);
        Assert.Equal([4.0, 4.0, 4.0], b.Grad.ToArray());
        Assert.Equal([6.0, 6.0, 6.0, 6.0], a.Grad!.ToArray());
    }

    [Fact]
    public void RequiresGradCannotBeTurnedOffOnARecordedResult()
    {
        var y = Tensor.Scalar(1.0).WithGrad() * 2.0;
        Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
        Assert.False(y.Detach().RequiresGrad);
    }
}
