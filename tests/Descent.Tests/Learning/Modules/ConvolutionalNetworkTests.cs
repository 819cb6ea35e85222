using Descent.Learning;
using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;
using Descent.Optimization.Stopping;

namespace Descent.Tests.Learning.Modules;

/// <summary>
/// Convolutional networks as a whole: the layer grammar, the summary, batch-norm buffers in state dicts, model files and
/// checkpoints (a stopped and resumed run ends bit for bit where the uninterrupted one ends), Dropout2d, float32.
/// </summary>
public sealed class ConvolutionalNetworkTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("descent-cnn-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private const string SmallStack = "conv(4,3,padding=1) batchnorm relu maxpool(2) dropout2d(0.2) conv(6,3,padding=same,groups=2) relu globalavgpool flatten linear";

    /// <summary>Images of 1×6×6: class 0 bright on the left, class 1 bright on the right, with noise.</summary>
    private static Dataset<double> Images(int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, 36];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % 2;
            for (int p = 0; p < 36; p++) x[i, p] = ((p % 6 < 3) == (c == 0) ? 1 : 0) + 0.3 * (random.NextDouble() - 0.5);
            y[i] = c;
        }
        return new Dataset<double>(Tensor.FromArray(x), Tensor.FromArray(y), classCount: 2);
    }

    [Fact]
    public void ForwardModeThroughAConvNetUsesTheDeclaredJvpsAndMatchesReverseMode()
    {
        // Conv (with bias), max and average pooling declare their JVPs (none is the transpose of a VJP).
        var random = new Random(5);
        Tensor<double> Draw(params int[] shape) => Tensor.FromArray(Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => random.NextDouble() * 2 - 1).ToArray(), shape);
        var w = Draw(3, 2, 3, 3);
        var b = Draw(3);
        Tensor<double> F(Tensor<double>[] t) => Tensor<double>.Conv2d(t[0], t[1], t[2], padding: 1).MaxPool2d(2).AvgPool2d(2, 1).Sum();
        Tensor<double>[] xs = [Draw(2, 2, 6, 6), w, b], vs = [Draw(2, 2, 6, 6), Draw(3, 2, 3, 3), Draw(3)];
        var (jv, declared, transposed) = Autograd.JvpWithCounts(F, xs, vs);
        Assert.Equal(4, declared);   // conv2d, max_pool2d, avg_pool2d and the sum
        Assert.Equal(0, transposed);
        var leaves = xs.Select(x => x.Clone().WithGrad()).ToArray();
        F(leaves).Backward();
        double reverse = leaves.Zip(vs, (l, v) => l.Grad!.ToArray().Zip(v.ToArray(), (g, d) => g * d).Sum()).Sum();
        Assert.Equal(reverse, jv.ToArray()[0], 10);
    }

    [Fact]
    public void TheDefaultCnnHasTheDocumentedLayersShapesAndParameterCount()
    {
        var cnn = new Cnn<float>([1, 28, 28], 10);
        var summary = cnn.Summary();
        Assert.Equal(["Conv2d", "relu", "MaxPool2d", "Conv2d", "relu", "MaxPool2d", "Flatten", "Linear", "relu", "Linear"], summary.Layers.Select(l => l.Type));
        Assert.Equal([1, 32, 28, 28], summary.Layers[0].OutputShape);
        Assert.Equal([1, 64, 7, 7], summary.Layers[5].OutputShape);
        Assert.Equal([1, 10], summary.Layers[^1].OutputShape);
        // 32·(9+1) + 64·(32·9+1) + 128·(3136+1) + 10·(128+1): by hand.
        long expected = 32 * 10 + 64 * 289 + 128 * 3137 + 10 * 129;
        Assert.Equal(expected, summary.Parameters);
        Assert.Equal(expected, cnn.ParameterCount);
        Assert.Equal(expected * 4, summary.Bytes);
        Assert.Contains("Total parameters: 421,642", summary.ToString(), StringComparison.Ordinal);
        Assert.Equal([7, 10], cnn.Forward(Tensor.Zeros<float>(7, 784)).Shape); // rows of pixels are reshaped to images
    }

    [Theory]
    [InlineData("conv(8", "no closing parenthesis")]
    [InlineData("conv(8,3) wobble", "unknown layer 'wobble'")]
    [InlineData("conv(8)", "needs kernel")]
    [InlineData("conv(8,3,padding=x)", "padding 'x'")]
    [InlineData("flatten maxpool(2)", "needs feature maps")]
    [InlineData("maxpool(9)", "does not fit")]
    [InlineData("conv(6,3,groups=4)", "groups=4 must divide")]
    [InlineData("dropout(1.5)", "probability '1.5'")]
    [InlineData("", "empty")]
    public void BadLayerSpecificationsSayWhatIsWrong(string spec, string message)
    {
        var e = Assert.Throws<FormatException>(() => LayerSpec.Build<double>(spec, [2, 8, 8], 3));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EvaluationOfManyImagesRunsInChunksWithTheValuesOfOneRecordedPass()
    {
        // 300 images (more than Cnn.EvalImages) in evaluation without recording run 256 at a time; the recorded pass
        // (parameters requiring gradients) runs them all at once. Both give the same outputs (the first layer's
        // products differ in size only, so at most in the last bits).
        var model = new Cnn<float>([1, 6, 6], 3, "conv(4,3,padding=1) relu maxpool(2) batchnorm flatten linear(5) relu linear", seed: 2);
        model.Eval();
        var x = Tensor.RandomUniform<float>([300, 36], 3);
        var whole = model.Forward(x).ToArray();
        float[] chunked;
        using (Autograd.NoGrad()) chunked = model.Forward(x).ToArray();
        Assert.Equal(300 * 3, chunked.Length);
        Assert.Equal(whole, chunked, (p, q) => Math.Abs(p - q) <= 1e-5f * Math.Max(1, Math.Abs(p)));
        using (Autograd.NoGrad()) Assert.Equal(chunked, model.Forward(x).ToArray());
    }

    [Fact]
    public void AStackIsCompletedByAFinalLinearLayerToTheOutputs()
    {
        var stack = LayerSpec.Build<double>("conv(3,3) relu", [1, 5, 5], 4);
        Assert.IsType<Flatten<double>>(stack.Layers[^2]);
        Assert.Equal(3 * 3 * 3, ((Linear<double>)stack.Layers[^1]).Inputs);
        Assert.Equal([2, 4], stack.Forward(Tensor.Zeros<double>(2, 1, 5, 5)).Shape);
    }

    [Fact]
    public void BatchNormBuffersAreStateButNotParameters()
    {
        var cnn = new Cnn<double>([1, 6, 6], 2, SmallStack);
        var names = cnn.NamedState().Select(s => s.Name).ToList();
        Assert.Contains("layers.1.running_mean", names);
        Assert.Contains("layers.1.running_var", names);
        Assert.DoesNotContain(cnn.NamedParameters(), p => p.Name.Contains("running", StringComparison.Ordinal));
        cnn.Forward(Images(8, 1).X); // training mode: the running statistics move
        var state = cnn.StateDict();
        Assert.NotEqual(0.0, state["layers.1.running_mean"].ToArray().Sum(Math.Abs));

        var file = Path.Combine(_folder, "cnn.ckpt");
        cnn.Save(file);
        var other = new Cnn<double>([1, 6, 6], 2, SmallStack, seed: 5);
        other.Load(file);
        Assert.Equal(state["layers.1.running_var"].ToArray(), other.NamedBuffers().Single(b => b.Name == "layers.1.running_var").Buffer.ToArray());

        // A model file keeps the architecture, the parameters and the buffers; its predictions are the model's in evaluation mode.
        var model = Model.Create(cnn, ModelTask.Classification, Enumerable.Range(0, 36).Select(i => $"p{i}").ToArray(), ["class"], ["a", "b"], imageShape: [6, 6]);
        var path = Path.Combine(_folder, "cnn.safetensors");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal("cnn", loaded.Architecture.Kind);
        Assert.Equal(SmallStack, loaded.Architecture.Layers);
        cnn.Eval();
        var x = Images(5, 2).X;
        Assert.Equal(cnn.Forward(x).ToArray(), loaded.ToModule<double>().Forward(x).ToArray());
    }

    [Fact]
    public void ARunWithBatchNormStoppedAndResumedEndsBitForBitWhereTheUninterruptedRunEnds()
    {
        var train = Images(24, 3);
        Trainer<double> MakeTrainer(Module<double> model, string? path = null, CancellationToken cancel = default) =>
            new(model, (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Adam<double>(0.01), new TrainerOptions { Epochs = 3, CheckpointPath = path, Cancellation = cancel });
        static List<string> Bits(Module<double> m) => m.NamedState().Select(s => s.Name + "=" + string.Join(",", s.Tensor.ToArray().Select(v => BitConverter.DoubleToInt64Bits(v)))).ToList();

        var straightModel = new Cnn<double>([1, 6, 6], 2, SmallStack, seed: 1);
        MakeTrainer(straightModel).Fit(DataLoader<double>.MiniBatches(train, 8, seed: 4));
        var expected = Bits(straightModel);

        var path = Path.Combine(_folder, "run.ckpt");
        using var stop = new CancellationTokenSource();
        var first = MakeTrainer(new Cnn<double>([1, 6, 6], 2, SmallStack, seed: 1), path, stop.Token);
        first.BatchEnded += r => { if (r.Epoch == 2 && r.Batch == 1) stop.Cancel(); };
        Assert.Equal(StopKind.Cancelled, first.Fit(DataLoader<double>.MiniBatches(train, 8, seed: 4)).StopReason!.Kind);

        var resumedModel = new Cnn<double>([1, 6, 6], 2, SmallStack, seed: 9);
        var resumed = MakeTrainer(resumedModel);
        resumed.LoadCheckpoint(path);
        resumed.Fit(DataLoader<double>.MiniBatches(train, 8, seed: 4));
        Assert.Equal(expected, Bits(resumedModel));
    }

    [Fact]
    public void Dropout2dZeroesWholeFeatureMapsAndScalesTheRest()
    {
        var layer = new Dropout2d<double>(0.5, seed: 3);
        var y = layer.Forward(Tensor.Ones<double>(4, 6, 3, 3)).ToArray();
        int zeroed = 0;
        for (int map = 0; map < 24; map++)
        {
            var values = y.AsSpan(map * 9, 9).ToArray().Distinct().ToArray();
            Assert.Single(values);
            Assert.Contains(values[0], new[] { 0.0, 2.0 });
            if (values[0] == 0) zeroed++;
        }
        Assert.InRange(zeroed, 4, 20);
        layer.Eval();
        Assert.Equal(Enumerable.Repeat(1.0, 4 * 6 * 9), layer.Forward(Tensor.Ones<double>(4, 6, 3, 3)).ToArray());
    }

    [Fact]
    public void Float32ConvolutionAgreesWithFloat64()
    {
        var x = Tensor.RandomNormal<double>([3, 4, 9, 8], new Random(1));
        var w = Tensor.RandomNormal<double>([6, 2, 3, 3], new Random(2));
        var b = Tensor.RandomNormal<double>([6], new Random(3));
        var y64 = Tensor<double>.Conv2d(x, w, b, stride: 2, padding: 1, groups: 2).ToArray();
        var y32 = Tensor<float>.Conv2d(x.Cast<float>(), w.Cast<float>(), b.Cast<float>(), stride: 2, padding: 1, groups: 2).ToArray();
        for (int i = 0; i < y64.Length; i++) Assert.Equal(y64[i], y32[i], 1e-4);
    }

    [Fact]
    public void ABatchTooLargeToUnfoldAtOnceIsDoneInChunksWithTheSameValuesAndGradients()
    {
        // 120 images of 8×32×32 with a 3×3 kernel unfold to 120·72·1024 values, more than one pass takes (8M): two chunks.
        var x = Tensor.RandomNormal<float>([120, 8, 32, 32], new Random(1)).WithGrad();
        var w = Tensor.RandomNormal<float>([4, 8, 3, 3], new Random(2)).WithGrad();
        var b = Tensor.RandomNormal<float>([4], new Random(3)).WithGrad();
        var weights = Tensor.RandomNormal<float>([120, 4, 32, 32], new Random(4));
        var y = Tensor<float>.Conv2d(x, w, b, padding: 1);
        var grads = Autograd.Grad((y * weights).Sum(), [x, w, b]);
        var xs = x.Detach();
        for (int i = 0; i < 120; i += 37)
        {
            var xi = Tensor.FromArray(xs.Data.Slice(i * 8192, 8192).ToArray(), 1, 8, 32, 32).WithGrad();
            var yi = Tensor<float>.Conv2d(xi, w, b, padding: 1);
            Assert.Equal(y.Data.Slice(i * 4096, 4096).ToArray(), yi.ToArray());
            var gi = Autograd.Grad((yi * Tensor.FromArray(weights.Data.Slice(i * 4096, 4096).ToArray(), 1, 4, 32, 32)).Sum(), [xi])[0];
            Assert.Equal(grads[0].Data.Slice(i * 8192, 8192).ToArray(), gi.ToArray());
        }
        // The weight and bias gradients sum over both chunks: against the float64 sum over images.
        var y64 = Tensor<double>.Conv2d(x.Detach().Cast<double>().WithGrad(), w.Detach().Cast<double>().WithGrad(), b.Detach().Cast<double>().WithGrad(), padding: 1);
        var w64 = w.Detach().Cast<double>().WithGrad();
        var b64 = b.Detach().Cast<double>().WithGrad();
        var g64 = Autograd.Grad((Tensor<double>.Conv2d(x.Detach().Cast<double>(), w64, b64, padding: 1) * weights.Cast<double>()).Sum(), [w64, b64]);
        var gw = grads[1].ToArray();
        var gw64 = g64[0].ToArray();
        for (int i = 0; i < gw.Length; i++) Assert.Equal(gw64[i], gw[i], Math.Max(1e-2, Math.Abs(gw64[i]) * 1e-4));
        Assert.Equal(g64[1].ToArray()[0], grads[2].ToArray()[0], 1e-1);
        Assert.Equal(y64.Shape, y.Shape);
    }
}
