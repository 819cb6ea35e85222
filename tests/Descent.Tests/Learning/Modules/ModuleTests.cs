using Descent.Learning;
using Descent.Learning.Losses;
using Descent.Learning.Modules;

namespace Descent.Tests.Learning.Modules;

public class ModuleTests
{
    [Fact]
    public void SequentialNamesParametersByPosition()
    {
        var model = new Sequential<double>(new Linear<double>(3, 4), Activation<double>.Relu(), new Linear<double>(4, 2));
        var names = model.NamedParameters().Select(p => p.Name).ToArray();
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], names);
        Assert.Equal(3 * 4 + 4 + 4 * 2 + 2, model.ParameterCount);
        Assert.All(model.Parameters(), p => Assert.True(p.RequiresGrad));
    }

    [Fact]
    public void LinearComputesXWPlusB()
    {
        var layer = new Linear<double>(2, 1);
        layer.Weight.CopyFrom(Tensor.FromArray([2.0, 3.0], 2, 1));
        layer.Bias!.CopyFrom(Tensor.FromArray([1.0]));
        var y = layer.Forward(Tensor.FromArray(new double[,] { { 1, 1 }, { 2, -1 } }));
        Assert.Equal([6.0, 2.0], y.ToArray());
        var ex = Assert.Throws<ShapeException>(() => layer.Forward(Tensor.Zeros<double>(2, 3)));
        Assert.Contains("2 features", ex.Message);
    }

    [Fact]
    public void StateDictRoundTripsAndRejectsMismatches()
    {
        var a = new Mlp<double>(3, [5], 2, seed: 1);
        var b = new Mlp<double>(3, [5], 2, seed: 2);
        Assert.NotEqual(a.Parameters()[0].ToArray(), b.Parameters()[0].ToArray());
        b.LoadStateDict(a.StateDict());
        Assert.Equal(a.Parameters()[0].ToArray(), b.Parameters()[0].ToArray());
        var other = new Mlp<double>(3, [6], 2);
        var before = other.Parameters()[0].ToArray();
        Assert.Throws<ArgumentException>(() => other.LoadStateDict(a.StateDict()));
        Assert.Equal(before, other.Parameters()[0].ToArray());
    }

    [Fact]
    public void SameSeedSameParameters()
    {
        var a = new Mlp<float>(4, [8, 8], 3, "tanh", seed: 7);
        var b = new Mlp<float>(4, [8, 8], 3, "tanh", seed: 7);
        for (int i = 0; i < a.Parameters().Count; i++) Assert.Equal(a.Parameters()[i].ToArray(), b.Parameters()[i].ToArray());
    }

    [Fact]
    public void DropoutScalesInTrainingAndIsIdentityInEval()
    {
        var d = new Dropout<double>(0.5, seed: 1);
        var x = Tensor.Ones<double>(1000);
        var y = d.Forward(x);
        Assert.All(y.ToArray(), v => Assert.True(v == 0 || v == 2));
        Assert.InRange(y.Mean().Item(), 0.85, 1.15);
        d.Eval();
        Assert.Equal(x.ToArray(), d.Forward(x).ToArray());
    }

    [Fact]
    public void LogisticRegressionGradientMatchesHandDerivedFormulas()
    {
        var x = Tensor.FromArray(new double[,] { { 1, 2 }, { -1, 0.5 }, { 0.3, -2 } });
        var y = Tensor.FromArray([1.0, 0.0, 1.0], 3, 1);
        var model = new LogisticRegression<double>(2, seed: 3);
        var w = model.Parameters()[0].ToArray();
        double b = model.Parameters()[1].Item();

        // Cross-entropy (sum): ∂L/∂wⱼ = Σ (pᵢ − yᵢ) xᵢⱼ.
        Loss.BinaryCrossEntropyWithLogits(model.Logits(x), y, Reduction.Sum).Backward();
        var gradCe = model.Parameters()[0].Grad!.ToArray();
        // Squared loss Σ(yᵢ − σ(dᵢ))²: ∂L/∂wⱼ = −2 Σ δᵢ σ(dᵢ)(1 − σ(dᵢ)) xᵢⱼ with δᵢ = yᵢ − σ(dᵢ).
        model.ZeroGrad();
        (y - model.Forward(x)).Square().Sum().Backward();
        var gradSq = model.Parameters()[0].Grad!.ToArray();

        for (int j = 0; j < 2; j++)
        {
            double ce = 0, sq = 0;
            for (int i = 0; i < 3; i++)
            {
                double d = x.GetValue(i, 0) * w[0] + x.GetValue(i, 1) * w[1] + b;
                double p = 1 / (1 + Math.Exp(-d));
                double delta = y.GetValue(i, 0) - p;
                ce += (p - y.GetValue(i, 0)) * x.GetValue(i, j);
                sq += -2 * delta * p * (1 - p) * x.GetValue(i, j);
            }
            Assert.Equal(ce, gradCe[j], 1e-12);
            Assert.Equal(sq, gradSq[j], 1e-12);
        }
    }
}

public class InitializerTests
{
    [Fact]
    public void VarianceScalingInitializersHaveTheirDocumentedSpread()
    {
        var shape = new[] { 400, 300 };
        var random = new Random(1);
        double Std(Tensor<double> t) => t.Std().Item();
        Assert.Equal(Math.Sqrt(2.0 / 700), Std(Initializers.GlorotNormal<double>()(shape, random)), 0.002);
        Assert.Equal(Math.Sqrt(6.0 / 700) / Math.Sqrt(3), Std(Initializers.GlorotUniform<double>()(shape, random)), 0.002);
        Assert.Equal(Math.Sqrt(2.0 / 400), Std(Initializers.HeNormal<double>()(shape, random)), 0.002);
        Assert.Equal(Math.Sqrt(6.0 / 400) / Math.Sqrt(3), Std(Initializers.HeUniform<double>()(shape, random)), 0.002);
        Assert.Equal(Math.Sqrt(1.0 / 400), Std(Initializers.LecunNormal<double>()(shape, random)), 0.002);
        var tn = Initializers.TruncatedNormal<double>(0, 1)(shape, random);
        Assert.True(tn.Abs().Max().Item() <= 2);
        Assert.All(Initializers.Constant<double>(0.5)([3], random).ToArray(), v => Assert.Equal(0.5, v));
    }

    [Fact]
    public void OrthogonalIsOrthonormal()
    {
        foreach (var shape in new[] { new[] { 6, 4 }, new[] { 4, 6 }, new[] { 5, 5 } })
        {
            var q = Initializers.Orthogonal<double>()(shape, new Random(2));
            var gram = shape[0] >= shape[1] ? q.Transpose().MatMul(q) : q.MatMul(q.Transpose());
            int k = Math.Min(shape[0], shape[1]);
            var eye = Tensor.Eye<double>(k);
            for (int i = 0; i < k * k; i++) Assert.Equal(eye.Data[i], gram.Data[i], 1e-12);
        }
    }

    [Fact]
    public void InitializersAreReproducible()
    {
        var a = Initializers.HeNormal<float>()([3, 3], new Random(5));
        var b = Initializers.HeNormal<float>()([3, 3], new Random(5));
        Assert.Equal(a.ToArray(), b.ToArray());
    }
}

public class ModuleFileTests
{
    [Fact]
    public void SaveAndLoadRoundTripAndRejectAnotherModel()
    {
        var path = Path.Combine(Path.GetTempPath(), $"descent-module-{Guid.NewGuid():N}.safetensors");
        try
        {
            var a = new Mlp<float>(3, [4], 2, seed: 1);
            a.Save(path);
            var b = new Mlp<float>(3, [4], 2, seed: 2);
            b.Load(path);
            for (int i = 0; i < a.Parameters().Count; i++) Assert.Equal(a.Parameters()[i].ToArray(), b.Parameters()[i].ToArray());
            var other = new Mlp<float>(3, [5], 2);
            var ex = Assert.Throws<Descent.Learning.Training.CheckpointException>(() => other.Load(path));
            Assert.Contains("shape", ex.Message);
            Assert.Throws<FileNotFoundException>(() => other.Load(path + ".missing"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
