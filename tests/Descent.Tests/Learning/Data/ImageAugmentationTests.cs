using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;
using Descent.Optimization.Stopping;
using Descent.Tests.Learning.Training;

namespace Descent.Tests.Learning.Data;

/// <summary>
/// Random shifts and flips of training images: the transforms on small images against hand-derived results, the draws'
/// distribution, their dependence on (seed, epoch, batch) only, and a run stopped at any batch and resumed that ends
/// bit for bit where the uninterrupted one ends.
/// </summary>
public sealed class ImageAugmentationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("descent-augment-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A 3×4 image with the values 1..12, row by row.</summary>
    private static readonly double[] Image = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

    private static double[] Transformed(double[] image, int channels, int height, int width, AugmentationDraw draw)
    {
        var result = new double[image.Length];
        ImageAugmentation.Transform<double>(image, result, channels, height, width, draw);
        return result;
    }

    [Fact]
    public void AShiftMovesTheContentByTheDrawnOffsetsAndFillsWithZeros()
    {
        // 1  2  3  4          content one row down and one column left:   0  0  0  0
        // 5  6  7  8                                                       2  3  4  0
        // 9 10 11 12                                                       6  7  8  0
        Assert.Equal([0, 0, 0, 0, 2, 3, 4, 0, 6, 7, 8, 0], Transformed(Image, 1, 3, 4, new AugmentationDraw(1, -1, false)));
        // Two rows up and two columns right: only 9 10 survive, at the top right.
        Assert.Equal([0, 0, 9, 10, 0, 0, 0, 0, 0, 0, 0, 0], Transformed(Image, 1, 3, 4, new AugmentationDraw(-2, 2, false)));
        Assert.Equal(Image, Transformed(Image, 1, 3, 4, new AugmentationDraw(0, 0, false)));
        // Further than the image: nothing is left.
        Assert.Equal(new double[12], Transformed(Image, 1, 3, 4, new AugmentationDraw(0, 4, false)));
    }

    [Fact]
    public void AFlipMirrorsEachRowAfterTheShift()
    {
        Assert.Equal([4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9], Transformed(Image, 1, 3, 4, new AugmentationDraw(0, 0, true)));
        // Shift first (one row down, one column left: rows 0000 / 2340 / 6780), then mirror: 0000 / 0432 / 0876.
        Assert.Equal([0, 0, 0, 0, 0, 4, 3, 2, 0, 8, 7, 6], Transformed(Image, 1, 3, 4, new AugmentationDraw(1, -1, true)));
    }

    [Fact]
    public void EveryChannelMovesTogether()
    {
        // Two channels of 2×2: [1 2; 3 4] and [5 6; 7 8], content one column right, then mirrored.
        double[] image = [1, 2, 3, 4, 5, 6, 7, 8];
        Assert.Equal([0, 1, 0, 3, 0, 5, 0, 7], Transformed(image, 2, 2, 2, new AugmentationDraw(0, 1, false)));
        Assert.Equal([1, 0, 3, 0, 5, 0, 7, 0], Transformed(image, 2, 2, 2, new AugmentationDraw(0, 1, true)));
        // float32 gives the same values.
        var single = new float[8];
        ImageAugmentation.Transform<float>(image.Select(v => (float)v).ToArray(), single, 2, 2, 2, new AugmentationDraw(0, 1, true));
        Assert.Equal([1f, 0, 3, 0, 5, 0, 7, 0], single);
    }

    [Fact]
    public void EveryOffsetAndBothFlipsAppearAboutEquallyOften()
    {
        var augmentation = new ImageAugmentation(1, 28, 28, maxShift: 2, horizontalFlip: true, seed: 5);
        var draws = Enumerable.Range(0, 20).SelectMany(b => augmentation.Draws(epoch: 1, batch: b, count: 100)).ToArray(); // 2000 images
        // Each of the 5 offsets per axis: expected 400 (binomial sd ≈ 18); each of the 25 pairs: expected 80 (sd ≈ 9).
        foreach (int d in new[] { -2, -1, 0, 1, 2 })
        {
            Assert.InRange(draws.Count(x => x.ShiftY == d), 320, 480);
            Assert.InRange(draws.Count(x => x.ShiftX == d), 320, 480);
            foreach (int e in new[] { -2, -1, 0, 1, 2 }) Assert.InRange(draws.Count(x => x.ShiftY == d && x.ShiftX == e), 40, 130);
        }
        Assert.DoesNotContain(draws, x => Math.Abs(x.ShiftY) > 2 || Math.Abs(x.ShiftX) > 2);
        Assert.InRange(draws.Count(x => x.Flip), 900, 1100); // expected 1000, sd ≈ 22
        // A flip is independent of the shift: about half of the unshifted images are flipped too.
        var unshifted = draws.Where(x => x.ShiftX == 0).ToArray();
        Assert.InRange(unshifted.Count(x => x.Flip) / (double)unshifted.Length, 0.4, 0.6);
    }

    [Fact]
    public void TheDrawsDependOnlyOnSeedEpochAndBatch()
    {
        var a = new ImageAugmentation(1, 8, 8, 2, true, seed: 3);
        var b = new ImageAugmentation(1, 8, 8, 2, true, seed: 3);
        Assert.Equal(a.Draws(2, 7, 64), b.Draws(2, 7, 64));
        Assert.Equal(a.Draws(2, 7, 64), a.Draws(2, 7, 64)); // no state: asking again gives the same
        Assert.NotEqual(a.Draws(2, 7, 64), a.Draws(2, 8, 64));
        Assert.NotEqual(a.Draws(2, 7, 64), a.Draws(3, 7, 64));
        Assert.NotEqual(a.Draws(2, 7, 64), new ImageAugmentation(1, 8, 8, 2, true, seed: 4).Draws(2, 7, 64));
        // Only shifts, or only flips: the other part stays still.
        Assert.All(new ImageAugmentation(1, 8, 8, 2, false).Draws(0, 0, 50), d => Assert.False(d.Flip));
        Assert.All(new ImageAugmentation(1, 8, 8, 0, true).Draws(0, 0, 50), d => Assert.Equal((0, 0), (d.ShiftY, d.ShiftX)));
    }

    [Fact]
    public void ApplyTransformsEachImageOfABatchWithItsDrawAndLeavesTheInputAlone()
    {
        var augmentation = new ImageAugmentation(2, 3, 4, maxShift: 1, horizontalFlip: true, seed: 1);
        var rows = Tensor.RandomNormal<double>([5, 24], new Random(2));
        var before = rows.ToArray();
        var result = augmentation.Apply(rows, epoch: 4, batch: 2);
        Assert.Equal(before, rows.ToArray());
        Assert.Equal([5, 24], result.ShapeArray);
        var draws = augmentation.Draws(4, 2, 5);
        for (int i = 0; i < 5; i++)
            Assert.Equal(Transformed(before[(i * 24)..((i + 1) * 24)], 2, 3, 4, draws[i]), result.ToArray()[(i * 24)..((i + 1) * 24)]);
        // [N, C, H, W] gives the same values in that shape.
        var nchw = augmentation.Apply(rows.Reshape(5, 2, 3, 4), 4, 2);
        Assert.Equal([5, 2, 3, 4], nchw.ShapeArray);
        Assert.Equal(result.ToArray(), nchw.ToArray());
        var error = Assert.Throws<ShapeException>(() => augmentation.Apply(Tensor.Zeros<double>(5, 23), 0, 0));
        Assert.Contains("2×3×4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTextFormParsesAndBadValuesSayWhatIsAccepted()
    {
        var a = ImageAugmentation.Parse("shift=2,hflip", 1, 28, 28, seed: 9);
        Assert.Equal((2, true, 9), (a.MaxShift, a.HorizontalFlip, a.Seed));
        Assert.Equal("shift=2,hflip", a.ToString());
        Assert.Equal("hflip", ImageAugmentation.Parse(" HFLIP ", 1, 28, 28).ToString());
        Assert.Equal("shift=3", ImageAugmentation.Parse("shift=3", 1, 28, 28).ToString());
        Assert.True(ImageAugmentation.Parse("none", 1, 28, 28).IsIdentity);
        foreach (var (text, expected) in new[]
        {
            ("", "empty"),
            ("shift", "shift needs a number of pixels, e.g. shift=2"),
            ("shift=", "shift needs a number of pixels"),
            ("shift=-1", "shift=-1: give a whole number of pixels from 0 to 27"),
            ("shift=1.5", "shift=1.5: give a whole number"),
            ("shift=28", "shift=28: give a whole number of pixels from 0 to 27 for 28×28 images"),
            ("shift=2,shift=3", "shift is given twice"),
            ("hflip,hflip", "hflip is given twice"),
            ("hflip=1", "hflip takes no value"),
            ("rotate=10", "unknown item 'rotate=10'; use comma-separated shift=N"),
            ("shift=2,", "an empty item"),
            ("none,hflip", "none cannot be combined"),
        })
        {
            var error = Assert.Throws<FormatException>(() => ImageAugmentation.Parse(text, 1, 28, 28));
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }
        ImageAugmentation.Validate("shift=500,hflip"); // the text alone: the size is checked once the images are known
        Assert.Contains("unknown item", Assert.Throws<FormatException>(() => ImageAugmentation.Validate("crop=2")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmentation(1, 4, 4, maxShift: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmentation(0, 4, 4));
    }

    private const string Stack = "conv(3,3,padding=1) batchnorm relu maxpool(2) dropout2d(0.2) flatten linear";
    private const int Epochs = 3, BatchSize = 8; // 22 images: batches of 8, 8 and 6

    /// <summary>1×6×6 images: class 0 bright at the top left, class 1 at the bottom right, with noise.</summary>
    private static Dataset<double> Images(int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, 36];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % 2;
            for (int p = 0; p < 36; p++) x[i, p] = ((p % 6 < 3 && p / 6 < 3) == (c == 0) ? 1 : 0) + 0.3 * random.NextDouble();
            y[i] = c;
        }
        return new Dataset<double>(Tensor.FromArray(x), Tensor.FromArray(y), classCount: 2);
    }

    private static readonly Dataset<double> Train = Images(22, 1), Validation = Images(10, 2);

    private static Trainer<double> MakeTrainer(Module<double> model, string? path = null, CancellationToken cancel = default) =>
        new(model, (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Adam<double>(0.01), new TrainerOptions { Epochs = Epochs, CheckpointPath = path, Cancellation = cancel });

    private static IBatchSource<double> Augmented(bool loader, int seed = 6)
    {
        var augmentation = new ImageAugmentation(1, 6, 6, maxShift: 1, horizontalFlip: true, seed: seed);
        return augmentation.Wrap(loader ? DataLoader<double>.MiniBatches(Train, BatchSize, seed: 4) : (IBatchSource<double>)new TestBatches<double>(Train, BatchSize, 4));
    }

    private static List<string> Bits(Module<double> m, Trainer<double> trainer) =>
    [
        .. m.NamedState().Select(s => s.Name + "=" + string.Join(",", s.Tensor.ToArray().Select(BitConverter.DoubleToInt64Bits))),
        .. trainer.History.Epochs.Select(e => $"{BitConverter.DoubleToInt64Bits(e.TrainLoss)} {BitConverter.DoubleToInt64Bits(e.ValidationLoss ?? 0)}"),
    ];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AnAugmentedRunStoppedAfterAnyBatchAndResumedEqualsTheUninterruptedRunBitForBit(bool loader)
    {
        // A CNN with batch norm and Dropout2d, so the augmentation's draws, the dropout generator and the running statistics all have to line up.
        var straightModel = new Cnn<double>([1, 6, 6], 2, Stack, seed: 1);
        var straight = MakeTrainer(straightModel);
        straight.Fit(Augmented(loader), Validation);
        var expected = Bits(straightModel, straight);

        int points = 0;
        for (int epoch = 1; epoch <= Epochs; epoch++)
            for (int batch = 1; batch <= 3; batch++)
            {
                if (epoch == Epochs && batch == 3) continue; // the end of the run: nothing left to resume
                var path = Path.Combine(_folder, $"run-{loader}-{epoch}-{batch}.ckpt");
                using var stop = new CancellationTokenSource();
                var first = MakeTrainer(new Cnn<double>([1, 6, 6], 2, Stack, seed: 1), path, stop.Token);
                int e = epoch, b = batch;
                first.BatchEnded += r => { if (r.Epoch == e && r.Batch == b) stop.Cancel(); };
                Assert.Equal(StopKind.Cancelled, first.Fit(Augmented(loader), Validation).StopReason!.Kind);

                var resumedModel = new Cnn<double>([1, 6, 6], 2, Stack, seed: 9);
                var resumed = MakeTrainer(resumedModel);
                resumed.LoadCheckpoint(path);
                resumed.Fit(Augmented(loader), Validation); // a fresh source: nothing carries over but the checkpoint
                Assert.Equal(expected, Bits(resumedModel, resumed));
                points++;
            }
        Assert.Equal(Epochs * 3 - 1, points);
    }

    [Fact]
    public void TheAugmentationChangesTrainingSoTheResumeTestCanFail()
    {
        // With other draws (another seed) or none, the same run ends elsewhere: the property above compares something that matters.
        List<string> Run(IBatchSource<double> source)
        {
            var model = new Cnn<double>([1, 6, 6], 2, Stack, seed: 1);
            var trainer = MakeTrainer(model);
            trainer.Fit(source, Validation);
            return Bits(model, trainer);
        }
        var reference = Run(Augmented(true));
        Assert.Equal(reference, Run(Augmented(true)));
        Assert.NotEqual(reference, Run(Augmented(true, seed: 7)));
        Assert.NotEqual(reference, Run(DataLoader<double>.MiniBatches(Train, BatchSize, seed: 4)));
    }

    [Fact]
    public void OnlyTrainingBatchesAreAugmentedNeverTheValidationData()
    {
        var model = new Cnn<double>([1, 6, 6], 2, Stack, seed: 1);
        var trainer = new Trainer<double>(model, (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Adam<double>(0.01), new TrainerOptions { Epochs = 1 });
        var history = trainer.Fit(Augmented(true), Validation);
        // The recorded validation loss is the model's loss on the images as they are.
        model.Eval();
        double plain;
        using (Autograd.NoGrad()) plain = Loss.SoftmaxCrossEntropy(model.Forward(Validation.X), Validation.Y).Item();
        Assert.Equal(plain, history.Epochs[0].ValidationLoss);
        // And the training batches the trainer saw were the augmented ones: their images differ from the loader's.
        var loader = DataLoader<double>.MiniBatches(Train, BatchSize, seed: 4);
        var raw = ((IBatchSource<double>)loader).Batches(0).Select(b => b.Features.ToArray()).ToList();
        var seen = Augmented(true).Batches(0).Select(b => b.Features.ToArray()).ToList();
        Assert.Equal(raw.Select(r => r.Length), seen.Select(s => s.Length));
        Assert.All(raw.Zip(seen), pair => Assert.NotEqual(pair.First, pair.Second));
    }
}
