using Descent.Learning.Losses;

namespace Descent.Tests.Learning.Losses;

public class LossTests
{
    private static readonly Tensor<double> Pred = Tensor.FromArray([1.0, 2.0, 4.0], 3, 1);
    private static readonly Tensor<double> Target = Tensor.FromArray([1.5, 2.0, 3.0], 3, 1);

    [Fact]
    public void SquaredErrorFamilyMatchesHandValues()
    {
        // residuals −0.5, 0, 1 → squares 0.25, 0, 1
        Assert.Equal(1.25 / 3, Loss.MeanSquaredError(Pred, Target).Item(), 1e-15);
        Assert.Equal(1.25 / 6, Loss.HalfMeanSquaredError(Pred, Target).Item(), 1e-15);
        Assert.Equal(1.25, Loss.SumSquaredError(Pred, Target).Item(), 1e-15);
        Assert.Equal(1.5 / 3, Loss.MeanAbsoluteError(Pred, Target).Item(), 1e-15);
        Assert.Equal(1.25, Loss.MeanSquaredError(Pred, Target, Reduction.Sum).Item(), 1e-15);
        Assert.Equal([0.25, 0, 1], Loss.MeanSquaredError(Pred, Target, Reduction.None).ToArray());
    }

    [Fact]
    public void HuberIsQuadraticInsideAndLinearOutside()
    {
        var p = Tensor.FromArray([0.5, 3.0]);
        var y = Tensor.FromArray([0.0, 0.0]);
        // 0.5·0.25 = 0.125 ; 1·(3 − 0.5) = 2.5
        Assert.Equal((0.125 + 2.5) / 2, Loss.Huber(p, y, 1.0).Item(), 1e-15);
    }

    [Fact]
    public void BinaryCrossEntropyOnLogitsEqualsOnProbabilitiesAndIsStable()
    {
        var z = Tensor.FromArray([-2.0, 0.3, 4.0]);
        var y = Tensor.FromArray([0.0, 1.0, 1.0]);
        var viaProb = Loss.BinaryCrossEntropy(z.Sigmoid(), y).Item();
        var viaLogits = Loss.BinaryCrossEntropyWithLogits(z, y).Item();
        Assert.Equal(viaProb, viaLogits, 1e-12);
        var extreme = Loss.BinaryCrossEntropyWithLogits(Tensor.FromArray([1000.0, -1000.0]), Tensor.FromArray([0.0, 1.0])).Item();
        Assert.Equal(1000.0, extreme, 1e-9);
    }

    [Fact]
    public void BinaryCrossEntropyGradientIsSigmoidMinusTarget()
    {
        var z = Tensor.FromArray([-2.0, 0.3, 4.0]).WithGrad();
        var y = Tensor.FromArray([0.0, 1.0, 1.0]);
        Loss.BinaryCrossEntropyWithLogits(z, y, Reduction.Sum).Backward();
        for (int i = 0; i < 3; i++)
            Assert.Equal(1 / (1 + Math.Exp(-z.GetValue(i))) - y.GetValue(i), z.Grad!.GetValue(i), 1e-12);
    }

    [Fact]
    public void FusedSoftmaxCrossEntropyEqualsComposition()
    {
        var logits = Tensor.RandomNormal<double>([5, 4], seed: 3, std: 3);
        var labels = Tensor.FromArray([0.0, 3, 1, 1, 2]);
        var oneHot = Tensor.Zeros<double>(5, 4);
        for (int i = 0; i < 5; i++) oneHot.SetValue(1.0, i, (int)labels.GetValue(i));

        var a = logits.Clone().WithGrad();
        var fused = Loss.SoftmaxCrossEntropy(a, labels);
        fused.Backward();
        var b = logits.Clone().WithGrad();
        var composed = (-(b.LogSoftmax(-1) * oneHot).Sum(-1)).Mean();
        composed.Backward();

        Assert.Equal(composed.Item(), fused.Item(), 1e-12);
        for (int i = 0; i < 20; i++) Assert.Equal(b.Grad!.Data[i], a.Grad!.Data[i], 1e-12);
        Assert.Equal(composed.Item(), Loss.NegativeLogLikelihood(logits.LogSoftmax(-1), labels).Item(), 1e-12);
    }

    [Fact]
    public void FusedSoftmaxCrossEntropyKeepsItsLabelsWhenTheBufferIsReused()
    {
        // A data loader refills the same label tensor for the next batch; the backward pass of this batch must still use
        // the labels it was computed with: ∂ℓ/∂z = (softmax(z) − onehot(y)) / n.
        var logits = Tensor.FromArray([1.0, 2, 3, 0, 0, 0], 2, 3).WithGrad();
        var labels = Tensor.FromArray([2.0, 0]);
        var loss = Loss.SoftmaxCrossEntropy(logits, labels);
        labels.Data[0] = 1;
        labels.Data[1] = 1;
        loss.Backward();
        double e = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        double[] expected = [Math.Exp(1) / e / 2, Math.Exp(2) / e / 2, (Math.Exp(3) / e - 1) / 2, (1.0 / 3 - 1) / 2, 1.0 / 6, 1.0 / 6];
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], logits.Grad!.Data[i], 1e-12);
    }

    [Fact]
    public void FusedSoftmaxCrossEntropyPassesGradCheckAndSecondOrder()
    {
        var logits = Tensor.RandomNormal<double>([3, 4], seed: 5);
        var labels = Tensor.FromArray([2.0, 0, 3]);
        Assert.True(GradCheck.Check(z => Loss.SoftmaxCrossEntropy(z, labels), logits).Passed);
        Assert.True(GradCheck.CheckSecondOrder(zs => Loss.SoftmaxCrossEntropy(zs[0], labels), [logits]).Passed);
    }

    [Fact]
    public void EveryLossPassesGradCheck()
    {
        var p = Tensor.FromArray([0.2, 0.7, 0.4, 0.9], 4, 1);
        var y = Tensor.FromArray([0.0, 1, 1, 0], 4, 1);
        foreach (var name in new[] { "mse", "half-mse", "sse", "mae", "huber", "bce", "bce-logits", "hinge" })
        {
            var loss = Loss.FromName<double>(name);
            var result = GradCheck.Check(x => loss(x, y), p);
            Assert.True(result.Passed, name + ": " + result.Report);
        }
    }

    [Fact]
    public void HingeMapsZeroOneLabels()
    {
        var s = Tensor.FromArray([0.5, -2.0]);
        // y=1: max(0, 1−0.5)=0.5 ; y=0→−1: max(0, 1−2)=0
        Assert.Equal(0.25, Loss.Hinge(s, Tensor.FromArray([1.0, 0.0])).Item(), 1e-15);
    }

    [Fact]
    public void ShapeMismatchAndBadLabelsAreClearErrors()
    {
        var ex = Assert.Throws<ShapeException>(() => Loss.MeanSquaredError(Tensor.Zeros<double>(3, 1), Tensor.Zeros<double>(4, 1)));
        Assert.Contains("[3, 1]", ex.Message);
        Assert.Contains("[4, 1]", ex.Message);
        var bad = Assert.Throws<ShapeException>(() => Loss.SoftmaxCrossEntropy(Tensor.Zeros<double>(2, 3), Tensor.FromArray([0.0, 3.0])));
        Assert.Contains("not a class index", bad.Message);
        Assert.Throws<ArgumentException>(() => Loss.FromName<double>("msee"));
    }
}
