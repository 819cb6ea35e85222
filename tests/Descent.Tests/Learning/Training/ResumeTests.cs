using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Metrics;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;
using Descent.Optimization.Stopping;
using Descent.Optimization.Transforms;

namespace Descent.Tests.Learning.Training;

/// <summary>
/// Resume is exact from any moment: a run stopped after any batch, checkpointed, and loaded into a fresh model and
/// optimizer ends bit for bit where the uninterrupted run ends (parameters, optimizer state, dropout random state,
/// history). And every damaged checkpoint gives the one clear error.
/// </summary>
public sealed class ResumeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("descent-resume-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Dataset<double> Blobs(int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, 2];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % 2;
            x[i, 0] = (c == 0 ? -2 : 2) + random.NextDouble() - 0.5;
            x[i, 1] = (c == 0 ? -1 : 1) + random.NextDouble() - 0.5;
            y[i] = c;
        }
        return new Dataset<double>(Tensor.FromArray(x), Tensor.FromArray(y), classCount: 2);
    }

    /// <summary>A small network with a dropout layer (its mask draws depend on the generator's state).</summary>
    private static Sequential<double> Net(int seed) => new(
        new Linear<double>(2, 8, random: new Random(seed)), Activation<double>.Tanh(), new Dropout<double>(0.3, seed: 7), new Linear<double>(8, 2, random: new Random(seed + 1)));

    private const int Epochs = 5, BatchSize = 10, Examples = 44; // 5 batches per epoch, the last one of 4

    private static readonly Dataset<double> Train = Blobs(Examples, 1), Validation = Blobs(12, 2);

    private static Trainer<double> MakeTrainer(Module<double> model, string? path = null, CancellationToken cancel = default) =>
        new(model, (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Adam<double>(Schedules.StepDecay(0.05, 7, 0.5)), new TrainerOptions
        {
            Epochs = Epochs,
            CheckpointPath = path,
            Cancellation = cancel,
            Metrics = new Dictionary<string, Func<Tensor<double>, Tensor<double>, double>> { ["accuracy"] = Metric.Accuracy },
        });

    private static IBatchSource<double> Source(bool loader) =>
        loader ? DataLoader<double>.MiniBatches(Train, BatchSize, seed: 3) : new TestBatches<double>(Train, BatchSize, 3);

    /// <summary>Everything a run ends with, as exact bits (doubles compared with == on their bit patterns).</summary>
    private static List<string> Snapshot(Sequential<double> model, Trainer<double> trainer, bool metrics = true)
    {
        static string Bits(double v) => BitConverter.DoubleToInt64Bits(v).ToString("X16");
        var s = new List<string>();
        foreach (var (name, p) in model.NamedParameters()) s.Add(name + "=" + string.Join(",", p.ToArray().Select(Bits)));
        var state = trainer.Optimizer.GetState();
        foreach (var (name, a) in state.Arrays.OrderBy(a => a.Key, StringComparer.Ordinal)) s.Add("opt." + name + "=" + string.Join(",", a.Select(Bits)));
        foreach (var (name, v) in state.Scalars.OrderBy(a => a.Key, StringComparer.Ordinal)) s.Add("opt." + name + "=" + Bits(v));
        s.Add("dropout=" + ((Dropout<double>)model.Layers[2]).RandomState);
        foreach (var e in trainer.History.Epochs)
            s.Add($"epoch {e.Epoch}: {Bits(e.TrainLoss)} {Bits(e.ValidationLoss!.Value)} {Bits(e.LearningRate!.Value)} {Bits(e.GradientNorm)} {(metrics ? Bits(e.Metrics["val_accuracy"]) : "")}");
        return s;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void StoppedAfterAnyBatchAndResumedEqualsUninterruptedBitForBit(bool loader)
    {
        var straightModel = Net(3);
        var straight = MakeTrainer(straightModel);
        straight.Fit(Source(loader), Validation);
        var expected = Snapshot(straightModel, straight);
        Assert.Equal(Epochs, straight.History.Epochs.Count);

        // Every interruption point: after batch k (1..5) of epoch e (1..5).
        int points = 0;
        for (int epoch = 1; epoch <= Epochs; epoch++)
            for (int batch = 1; batch <= 5; batch++)
            {
                var path = Path.Combine(_folder, $"run-{loader}-{epoch}-{batch}.ckpt");
                using var stop = new CancellationTokenSource();
                var firstModel = Net(3);
                var first = MakeTrainer(firstModel, path, stop.Token);
                int e = epoch, b = batch;
                first.BatchEnded += r => { if (r.Epoch == e && r.Batch == b) stop.Cancel(); };
                var stopped = first.Fit(Source(loader), Validation);
                if (epoch == Epochs && batch == 5)
                {
                    Assert.Equal(StopKind.MaxSteps, stopped.StopReason!.Kind); // the last batch of the run: nothing left to stop
                    continue;
                }
                Assert.Equal(StopKind.Cancelled, stopped.StopReason!.Kind);
                if (batch < 5)
                {
                    // Stopped inside the epoch: the epoch is not recorded as complete; its position is kept.
                    Assert.Equal(epoch - 1, stopped.Epochs.Count);
                    Assert.Equal(new PartialEpoch(epoch, batch, batch * BatchSize, stopped.Partial!.LossSum, stopped.Partial.GradientNormSum, stopped.Partial.Seconds), stopped.Partial);
                    Assert.Contains($"after batch {batch}", stopped.StopReason.Message, StringComparison.Ordinal);
                }
                else
                {
                    Assert.Equal(epoch, stopped.Epochs.Count);
                    Assert.Null(stopped.Partial);
                }

                // A fresh model (other initial weights, other dropout state) and optimizer.
                var resumedModel = Net(99);
                ((Dropout<double>)resumedModel.Layers[2]).RandomState = 12345;
                var resumed = MakeTrainer(resumedModel);
                resumed.LoadCheckpoint(path);
                Assert.Equal(stopped.Partial, resumed.History.Partial);
                resumed.Fit(Source(loader), Validation);
                Assert.Equal(expected, Snapshot(resumedModel, resumed));
                Assert.Null(resumed.History.Partial);
                points++;
            }
        Assert.Equal(Epochs * 5 - 1, points);
    }

    [Fact]
    public void AdamWithReduceOnPlateauResumesBitForBit()
    {
        // The plateau rule's state (rate, best, bad count) lives in the optimizer's state, so a checkpoint holds it.
        const int epochs = 8;
        Trainer<double> Make(Module<double> model, string? path = null, CancellationToken cancel = default) =>
            new(model, (p, y) => Loss.SoftmaxCrossEntropy(p, y),
                Transform.Chain(new ScaleByAdam<double>(), new ScaleByPlateau<double>(0.05, factor: 0.5, patience: 0, threshold: 0.7)),
                new TrainerOptions { Epochs = epochs, CheckpointPath = path, Cancellation = cancel });
        var straightModel = Net(3);
        var straight = Make(straightModel);
        straight.Fit(Source(true), Validation);
        var rates = straight.History.Epochs.Select(e => e.LearningRate!.Value).ToList();
        Assert.True(rates[0] == 0.05 && rates[^1] < 0.05 && rates.Distinct().Count() >= 3, "the rate must drop during the run, more than once: " + string.Join(" ", rates) + " for " + string.Join(" ", straight.History.Epochs.Select(e => e.ValidationLoss)));
        var expected = Snapshot(straightModel, straight, metrics: false);

        foreach (var (epoch, batch) in new[] { (2, 5), (3, 2), (5, 5), (6, 3) })
        {
            var path = Path.Combine(_folder, $"plateau-{epoch}-{batch}.ckpt");
            using var stop = new CancellationTokenSource();
            var first = Make(Net(3), path, stop.Token);
            first.BatchEnded += r => { if (r.Epoch == epoch && r.Batch == batch) stop.Cancel(); };
            first.Fit(Source(true), Validation);
            var resumedModel = Net(99);
            var resumed = Make(resumedModel);
            resumed.LoadCheckpoint(path);
            resumed.Fit(Source(true), Validation);
            Assert.Equal(expected, Snapshot(resumedModel, resumed, metrics: false));
        }
    }

    private const double LearningRate = 0.05;

    [Fact]
    public void StoppingRulesContinueAcrossAResume()
    {
        // Patience counts epochs without improvement: a resume in the middle of a count must not start it again, and the
        // best epoch's parameters (restored at the stop) may be from before the resume.
        var train = Blobs(40, 6);
        // Validation labels that disagree with training on a third of the rows: its loss falls, then rises as the fit sharpens.
        var held = Blobs(40, 7);
        var flipped = held.Y.ToArray().Select((v, i) => i % 3 == 0 ? 1 - v : v).ToArray();
        var validation = new Dataset<double>(held.X, Tensor.FromArray(flipped), classCount: 2);
        Trainer<double> Make(Mlp<double> model, string? path = null, CancellationToken cancel = default) =>
            new(model, (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Sgd<double>(LearningRate),
                new TrainerOptions { Epochs = 400, Stopping = new Patience(3, MetricMode.Min, 1e-3), CheckpointPath = path, CheckpointEvery = 1000, Cancellation = cancel });
        var straightModel = new Mlp<double>(2, [16], 2, seed: 2);
        var straight = Make(straightModel).Fit(new TestBatches<double>(train, 40, 0), validation);
        Assert.Equal(StopKind.Patience, straight.StopReason!.Kind);
        int stopAt = straight.Epochs.Count;
        int bestEpoch = straight.Epochs.MinBy(e => e.ValidationLoss!.Value)!.Epoch;
        // The best epoch lies well before the stop, so a resume after it must bring its parameters along.
        Assert.True(stopAt > 4 && bestEpoch < stopAt - 1, $"stop {stopAt}, best {bestEpoch}: " + string.Join(" ", straight.Epochs.Select(e => e.ValidationLoss!.Value.ToString("G4"))));

        // Stopped after every epoch before the stop in turn (only the stop writes a checkpoint).
        for (int at = 1; at < stopAt; at++)
        {
            var path = Path.Combine(_folder, $"patience-{at}.ckpt");
            using var stop = new CancellationTokenSource();
            var first = Make(new Mlp<double>(2, [16], 2, seed: 2), path, stop.Token);
            int k = at;
            first.EpochEnded += e => { if (e.Epoch == k) stop.Cancel(); };
            first.Fit(new TestBatches<double>(train, 40, 0), validation);
            Assert.Equal(at, first.History.Epochs.Count);

            var resumedModel = new Mlp<double>(2, [16], 2, seed: 9);
            var resumed = Make(resumedModel);
            resumed.LoadCheckpoint(path);
            var history = resumed.Fit(new TestBatches<double>(train, 40, 0), validation);
            Assert.Equal(StopKind.Patience, history.StopReason!.Kind);
            Assert.Equal(stopAt, history.Epochs.Count);
            Assert.Equal(straightModel.Parameters().Select(p => p.ToArray()), resumedModel.Parameters().Select(p => p.ToArray()));
        }
    }

    [Fact]
    public void TheDropoutStateMattersSoTheResumeTestCanFail()
    {
        // Without its random state restored, the resumed run differs: the property test above would catch a regression.
        var path = Path.Combine(_folder, "dropout.ckpt");
        using var stop = new CancellationTokenSource();
        var straightModel = Net(3);
        var straight = MakeTrainer(straightModel);
        straight.Fit(Source(true), Validation);
        var firstModel = Net(3);
        var first = MakeTrainer(firstModel, path, stop.Token);
        first.BatchEnded += r => { if (r.Epoch == 2 && r.Batch == 2) stop.Cancel(); };
        first.Fit(Source(true), Validation);
        var resumedModel = Net(3);
        var resumed = MakeTrainer(resumedModel);
        resumed.LoadCheckpoint(path);
        ((Dropout<double>)resumedModel.Layers[2]).RandomState = 1; // what a checkpoint without it would leave
        resumed.Fit(Source(true), Validation);
        Assert.NotEqual(Snapshot(straightModel, straight), Snapshot(resumedModel, resumed));
    }

    [Fact]
    public void AnAdamCheckpointIsRefusedByPlainGradientDescent()
    {
        var path = Path.Combine(_folder, "adam.ckpt");
        var trainer = MakeTrainer(Net(3), path);
        trainer.Fit(Source(true));
        var gd = new Trainer<double>(Net(3), (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.GradientDescent<double>(0.1));
        var error = Assert.Throws<CheckpointException>(() => gd.LoadCheckpoint(path));
        Assert.Contains("different optimizer", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsCorrupted);
        Assert.Empty(gd.History.Epochs);
    }

    [Fact]
    public void NonFiniteMetricsAreCheckpointedAndReadBack()
    {
        // A constant target makes R² = −∞ (and a 0/0 metric NaN): training and checkpointing must go on.
        var x = Tensor.FromArray([1.0, 2, 3, 4], 4, 1);
        var y = Tensor.FromArray([2.0, 2, 2, 2], 4, 1);
        var data = new Dataset<double>(x, y);
        var path = Path.Combine(_folder, "nan.ckpt");
        var trainer = new Trainer<double>(new LinearRegression<double>(), (p, t) => Loss.MeanSquaredError(p, t), Optimizers.GradientDescent<double>(0.01), new TrainerOptions
        {
            Epochs = 3,
            CheckpointPath = path,
            Metrics = new Dictionary<string, Func<Tensor<double>, Tensor<double>, double>>
            {
                ["r2"] = Metric.RSquared,
                ["nan"] = (_, _) => double.NaN,
                ["inf"] = (_, _) => double.PositiveInfinity,
            },
        });
        var history = trainer.Fit(new TestBatches<double>(data, 4, 0), data);
        Assert.Equal(3, history.Epochs.Count);
        Assert.Equal(double.NegativeInfinity, history.Epochs[0].Metrics["val_r2"]);
        var again = new Trainer<double>(new LinearRegression<double>(), (p, t) => Loss.MeanSquaredError(p, t), Optimizers.GradientDescent<double>(0.01));
        again.LoadCheckpoint(path);
        Assert.Equal(3, again.History.Epochs.Count);
        Assert.All(again.History.Epochs, e =>
        {
            Assert.Equal(double.NegativeInfinity, e.Metrics["val_r2"]);
            Assert.True(double.IsNaN(e.Metrics["val_nan"]));
            Assert.Equal(double.PositiveInfinity, e.Metrics["val_inf"]);
        });
    }

    [Fact]
    public void TheCheckpointDoesNotGrowWithTheRunAndTheHistoryIsAppended()
    {
        var data = new Dataset<double>(Tensor.FromArray([1.0, 2, 3, 4, 5, 6, 8], 7, 1), Tensor.FromArray([5.5, 6, 6.5, 7, 7.5, 8, 9], 7, 1));
        var path = Path.Combine(_folder, "long.ckpt");
        long SizeAfter(int epochs)
        {
            var t = new Trainer<double>(new LinearRegression<double>(), (p, y) => Loss.HalfMeanSquaredError(p, y), Optimizers.GradientDescent<double>(8e-3),
                new TrainerOptions { Epochs = epochs, CheckpointPath = path, CheckpointEvery = 400 }); // a few appends, not 2,000 fsyncs
            t.Fit(DataLoader<double>.FullBatch(data));
            Assert.Equal(epochs, File.ReadLines(path + ".history.jsonl").Count());
            return new FileInfo(path).Length;
        }
        long small = SizeAfter(10), large = SizeAfter(2000);
        Assert.True(large <= small + 64, $"the checkpoint grew from {small} to {large} bytes");

        // A history line appended for a checkpoint that was never written (killed in between) is dropped.
        File.AppendAllText(path + ".history.jsonl", "{\"epoch\":2001,\"train_lo");
        var resumed = new Trainer<double>(new LinearRegression<double>(), (p, y) => Loss.HalfMeanSquaredError(p, y), Optimizers.GradientDescent<double>(8e-3),
            new TrainerOptions { Epochs = 2005, CheckpointPath = path });
        resumed.LoadCheckpoint(path);
        Assert.Equal(2000, resumed.History.Epochs.Count);
        resumed.Fit(DataLoader<double>.FullBatch(data));
        var lines = File.ReadAllLines(path + ".history.jsonl");
        Assert.Equal(2005, lines.Length);
        Assert.Equal(Enumerable.Range(1, 2005), lines.Select(l => JsonNode.Parse(l)!["epoch"]!.GetValue<int>()));

        // A missing history file is named in the one clear error.
        File.Delete(path + ".history.jsonl");
        var error = Assert.Throws<CheckpointException>(() => resumed.LoadCheckpoint(path));
        Assert.True(error.IsCorrupted);
        Assert.Contains("history.jsonl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TemporaryFilesOfKilledWritesAreRemovedAtTheNextSaveOrWhenStaleAtLoad()
    {
        var path = Path.Combine(_folder, "m.ckpt");
        var stale = Path.Combine(_folder, ".m.ckpt.0123abcd.tmp");
        var unrelated = new[] { Path.Combine(_folder, ".other.ckpt.0123abcd.tmp"), Path.Combine(_folder, ".m.ckpt.notmine.tmp"), Path.Combine(_folder, "m.ckpt.tmp") };
        foreach (var f in unrelated.Append(stale)) File.WriteAllText(f, "half a checkpoint");
        var trainer = MakeTrainer(Net(3), path);
        trainer.SaveCheckpoint(path);
        Assert.False(File.Exists(stale));
        Assert.All(unrelated, f => Assert.True(File.Exists(f)));
        // A reader leaves a fresh one alone (it may be a write in progress in another process) and removes an old one.
        File.WriteAllText(stale, "half a checkpoint");
        MakeTrainer(Net(3)).LoadCheckpoint(path);
        Assert.True(File.Exists(stale));
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - Checkpoint.StaleAfter - TimeSpan.FromSeconds(1));
        MakeTrainer(Net(3)).LoadCheckpoint(path);
        Assert.False(File.Exists(stale));
        Assert.All(unrelated, f => Assert.True(File.Exists(f)));
        Assert.DoesNotContain(Directory.EnumerateFiles(_folder, ".m.ckpt.*.tmp"), f => !unrelated.Contains(f));
    }

    private string WriteSample()
    {
        var path = Path.Combine(_folder, "sample.ckpt");
        using var stop = new CancellationTokenSource();
        var trainer = MakeTrainer(Net(3), path, stop.Token);
        trainer.BatchEnded += r => { if (r.Epoch == 2 && r.Batch == 3) stop.Cancel(); };
        trainer.Fit(Source(true), Validation);
        return path;
    }

    /// <summary>Loads <paramref name="path"/> into a fresh trainer: the exact state of the original, or the one clear error.</summary>
    private static void LoadsIdenticallyOrFailsClearly(string path, List<string> expected, string what)
    {
        var model = Net(3);
        var trainer = MakeTrainer(model);
        try
        {
            trainer.LoadCheckpoint(path);
        }
        catch (CheckpointException e)
        {
            Assert.True(e.IsCorrupted, $"{what}: {e.Message}");
            Assert.StartsWith("corrupted or unreadable checkpoint " + path + ": ", e.Message, StringComparison.Ordinal);
            Assert.EndsWith("— retrain, or resume from an earlier checkpoint.", e.Message, StringComparison.Ordinal);
            return;
        }
        Assert.Equal(expected, Snapshot(model, trainer));
    }

    [Fact]
    public void BitFlipsAnywhereInTheFileGiveTheOneClearError()
    {
        var path = WriteSample();
        var original = File.ReadAllBytes(path);
        var referenceModel = Net(3);
        var reference = MakeTrainer(referenceModel);
        reference.LoadCheckpoint(path);
        var expected = Snapshot(referenceModel, reference);

        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(original);
        var flipped = Path.Combine(_folder, "flipped.ckpt");
        File.Copy(path + ".history.jsonl", flipped + ".history.jsonl");
        // Every bit of the length field, 2,500 random bits of the header (of about 15,000) and 500 of the data.
        var bits = Enumerable.Range(0, 64).ToList();
        var random = new Random(5);
        for (int i = 0; i < 2500; i++) bits.Add(64 + random.Next((headerEnd - 8) * 8));
        for (int i = 0; i < 500; i++) bits.Add(headerEnd * 8 + random.Next((original.Length - headerEnd) * 8));
        int refused = 0;
        foreach (int bit in bits)
        {
            var bytes = (byte[])original.Clone();
            bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            File.WriteAllBytes(flipped, bytes);
            var model = Net(3);
            var trainer = MakeTrainer(model);
            try
            {
                trainer.LoadCheckpoint(flipped);
                Assert.Equal(expected, Snapshot(model, trainer));
            }
            catch (CheckpointException e)
            {
                Assert.True(e.IsCorrupted, $"bit {bit}: {e.Message}");
                Assert.StartsWith("corrupted or unreadable checkpoint ", e.Message, StringComparison.Ordinal);
                refused++;
            }
        }
        // The digest covers every byte, so in fact every flip is caught.
        Assert.Equal(bits.Count, refused);
    }

    [Fact]
    public void MalformedFilesAllGiveTheOneClearErrorWithBoundedReads()
    {
        var path = WriteSample();
        var original = File.ReadAllBytes(path);
        var expected = new List<string>();
        var bad = Path.Combine(_folder, "bad.ckpt");
        File.Copy(path + ".history.jsonl", bad + ".history.jsonl");
        void Check(byte[] bytes, string what)
        {
            File.WriteAllBytes(bad, bytes);
            LoadsIdenticallyOrFailsClearly(bad, expected, what);
        }
        Check([], "empty");
        Check([1, 2, 3], "three bytes");
        for (int cut = 8; cut < original.Length; cut += 97) Check(original[..cut], $"truncated at {cut}");
        var huge = (byte[])original.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(huge, ulong.MaxValue);
        Check(huge, "header length 2^64-1");
        BinaryPrimitives.WriteUInt64LittleEndian(huge, 1UL << 40);
        Check(huge, "header length 2^40");
        Check(Encoding.UTF8.GetBytes("x,y\n1,2\n3,4\n"), "a CSV file");
        Check(Safetensors("{\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]), "a foreign safetensors file");
        Check(Safetensors("[1,2]", []), "a JSON array header");
        // Files whose digest is right (recomputed here from the documented scheme) but whose content is wrong.
        Check(Signed("{\"model.w\":{\"dtype\":\"F64\",\"shape\":[4],\"data_offsets\":[0,8]},\"__metadata__\":{\"format\":\"descent-checkpoint-2\",\"descent\":\"{}\",\"sha256\":\"DIGEST\"}}", new byte[8]), "offsets shorter than the shape");
        Check(Signed("{\"model.w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},\"__metadata__\":{\"format\":\"descent-checkpoint-2\",\"descent\":\"{}\",\"sha256\":\"DIGEST\"}}", new byte[8]), "offsets past the data");
        Check(Signed("{\"model.w\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},\"__metadata__\":{\"format\":\"descent-checkpoint-2\",\"descent\":\"{}\",\"sha256\":\"DIGEST\"}}", new byte[8]), "an integer tensor");
        Check(Signed("{\"model.w\":{\"dtype\":\"F64\",\"shape\":[-1],\"data_offsets\":[0,8]},\"__metadata__\":{\"format\":\"descent-checkpoint-2\",\"descent\":\"{}\",\"sha256\":\"DIGEST\"}}", new byte[8]), "a negative shape");
        Check(Signed("{\"__metadata__\":{\"format\":\"descent-checkpoint-2\",\"descent\":\"{\\\"epoch\\\":\\\"x\\\"}\",\"sha256\":\"DIGEST\"}}", []), "a malformed training document");
        Check(Signed("{\"__metadata__\":{\"format\":\"descent-checkpoint-2\",\"descent\":\"[]\",\"sha256\":\"DIGEST\"}}", []), "a document that is not an object");

        // Bounded: a device that never ends is not read without limit.
        if (File.Exists("/dev/zero")) LoadsIdenticallyOrFailsClearly("/dev/zero", expected, "/dev/zero");
    }

    [Fact]
    public void TheDigestFollowsTheDocumentedScheme()
    {
        // Independent check of the documentation: SHA-256 of the file with the digest's 64 hex digits replaced by '0'.
        var bytes = File.ReadAllBytes(WriteSample());
        var header = Encoding.UTF8.GetString(bytes, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        string digest = JsonNode.Parse(header)!["__metadata__"]!["sha256"]!.GetValue<string>();
        int at = Encoding.UTF8.GetBytes(header[..header.IndexOf(digest, StringComparison.Ordinal)]).Length + 8;
        var zeroed = (byte[])bytes.Clone();
        for (int i = 0; i < 64; i++) zeroed[at + i] = (byte)'0';
        Assert.Equal(digest, Convert.ToHexString(SHA256.HashData(zeroed)));
        Assert.Equal(0, (header.Length) % 8); // the data section starts 8-byte aligned, as safetensors readers like
    }

    private static byte[] Safetensors(string header, byte[] data)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)h.Length);
        h.CopyTo(file, 8);
        data.CopyTo(file, 8 + h.Length);
        return file;
    }

    private static byte[] Signed(string header, byte[] data)
    {
        var file = Safetensors(header.Replace("DIGEST", new string('0', 64), StringComparison.Ordinal), data);
        string digest = Convert.ToHexString(SHA256.HashData(file));
        return Safetensors(header.Replace("DIGEST", digest, StringComparison.Ordinal), data);
    }

    [Fact]
    public void ReferenceLinearRegressionFromZeroIsPyTorchsFloat64ResultExactly()
    {
        // x = [1,2,3,4,5,6,8], y = [5.5,…,9], half-MSE, plain gradient descent lr 8e-3, 5000 full-batch epochs from w = 0.
        var data = new Dataset<double>(Tensor.FromArray([1.0, 2, 3, 4, 5, 6, 8], 7, 1), Tensor.FromArray([5.5, 6, 6.5, 7, 7.5, 8, 9], 7, 1));
        var model = new LinearRegression<double>(1, 1, 0, Descent.Learning.Initializers.Zeros<double>());
        var trainer = new Trainer<double>(model, (p, y) => Loss.HalfMeanSquaredError(p, y), Optimizers.GradientDescent<double>(8e-3), new TrainerOptions { Epochs = 5000 });
        trainer.Fit(DataLoader<double>.FullBatch(data));
        Assert.Equal(4.999207659943997, model.Bias.Item());
        Assert.Equal(0.5001497128481164, model.Weight.Item());
    }
}
