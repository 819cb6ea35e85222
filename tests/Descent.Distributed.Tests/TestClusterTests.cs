using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Descent.Distributed.Tests;

/// <summary>The in-process four-silo test cluster of Microsoft.Orleans.TestingHost, deployed once for the tests that leave it whole.</summary>
public sealed class FourSilos : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    private sealed class Workers : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddDescentWorkers();
    }

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(4);
        builder.AddSiloBuilderConfigurator<Workers>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>A silo killed mid-run: on a cluster of its own.</summary>
public sealed class KilledSiloTests : IAsyncLifetime
{
    private readonly FourSilos _silos = new();

    public Task InitializeAsync() => _silos.InitializeAsync();

    public Task DisposeAsync() => _silos.DisposeAsync();

    [Fact]
    public void ASiloKilledMidRunChangesNothing()
    {
        var cluster = _silos.Cluster;
        var single = TestClusterTests.Train(null, 0, epochs: 3);
        var victim = cluster.SecondarySilos[^1];
        var parallel = TestClusterTests.Train(cluster.GrainFactory, 4, epochs: 3, (trainer, _) =>
            trainer.BatchEnded += b =>
            {
                if (b.Epoch == 1 && b.Batch == 2) cluster.KillSiloAsync(victim).GetAwaiter().GetResult();
            });

        Assert.True(TestClusterTests.MaxDifference(single.Parameters, parallel.Parameters) <= 1e-12, $"max difference {TestClusterTests.MaxDifference(single.Parameters, parallel.Parameters)}");
        Assert.Equal(12, parallel.Stats!.Steps); // no step lost, none repeated
        // The dead silo's worker moved to a survivor: either the call failed and was retried (a recorded fault) or
        // Orleans re-sent it itself once membership declared the silo dead; both give the same parameters.
        Assert.Equal(3, cluster.Silos.Count);
    }
}

/// <summary>Data-parallel training on the four-silo test cluster.</summary>
public sealed class TestClusterTests(FourSilos silos) : IClassFixture<FourSilos>
{
    private readonly TestCluster _cluster = silos.Cluster;

    /// <summary>Trains an MLP on spirals (float64, batch 64, Adam) for <paramref name="epochs"/> epochs; with <paramref name="workers"/>, on the cluster.</summary>
    internal static (double[][] Parameters, History History, DataParallelStats? Stats) Train(IGrainFactory? grains, int workers, int epochs, Action<Trainer<double>, DataParallel<double>?>? hook = null)
    {
        var data = SyntheticData.Spirals(200, noise: 0.1, seed: 3);
        var model = new Mlp<double>(2, [16, 16], 2, seed: 4);
        var trainer = new Trainer<double>(model, Loss.FromName<double>("cross-entropy"), Optimizers.Adam<double>(0.01), new TrainerOptions { Epochs = epochs });
        DataParallel<double>? parallel = null;
        if (grains is not null)
        {
            parallel = new DataParallel<double>(grains, model, "cross-entropy", workers) { RetryTimeout = TimeSpan.FromSeconds(30) };
            parallel.Attach(trainer);
        }
        hook?.Invoke(trainer, parallel);
        var history = trainer.Fit(DataLoader<double>.MiniBatches(data, 64, seed: 5));
        return (model.Parameters().Select(p => p.ToDoubleArray()).ToArray(), history, parallel?.Stats);
    }

    internal static double MaxDifference(double[][] a, double[][] b)
        => a.Zip(b).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));

    [Fact]
    public void FourWorkersEqualOneProcessAndUseEverySilo()
    {
        var single = Train(null, 0, epochs: 4);
        var parallel = Train(_cluster.GrainFactory, 4, epochs: 4);
        var again = Train(_cluster.GrainFactory, 4, epochs: 4);

        Assert.True(MaxDifference(single.Parameters, parallel.Parameters) <= 1e-12, $"max difference {MaxDifference(single.Parameters, parallel.Parameters)}");
        // The reduction order is fixed: two distributed runs agree bit for bit.
        Assert.Equal(0, MaxDifference(parallel.Parameters, again.Parameters));
        Assert.Equal(16, parallel.Stats!.Steps); // 200 rows / 64 = 4 batches × 4 epochs
        Assert.Equal(4, parallel.Stats.Silos.Count);
        Assert.Empty(parallel.Stats.Faults);
        for (int e = 0; e < single.History.Epochs.Count; e++)
            Assert.Equal(single.History.Epochs[e].TrainLoss, parallel.History.Epochs[e].TrainLoss, 12);
    }

    [Fact]
    public void ShardsAreContiguousAndTheLossIsTheBatchMean()
    {
        // More workers than rows: the empty shards are skipped and the result is still the batch's.
        var data = SyntheticData.Spirals(6, seed: 1);
        var model = new Mlp<double>(2, [4], 2, seed: 2);
        var loss = Loss.FromName<double>("cross-entropy");
        double expected = loss(model.Forward(data.X), data.Y).Item();
        var parallel = new DataParallel<double>(_cluster.GrainFactory, model, "cross-entropy", 8);
        double got = parallel.Gradient(data.X, data.Y);
        Assert.Equal(expected, got, 14);
        // Shard i holds rows ⌊6i/8⌋ … ⌊6(i+1)/8⌋ − 1: shards 0 and 4 are empty; 1, 2, 3, 5, 6, 7 go to silos 1, 2, 3, 1, 2, 3.
        Assert.Equal(3, parallel.Stats.Silos.Count);
        Assert.All(model.Parameters(), p => Assert.NotNull(p.Grad));
    }

    [Fact]
    public void ACoordinatorResumedFromItsCheckpointEndsWhereAnUninterruptedRunDoes()
    {
        var single = Train(null, 0, epochs: 4);
        string dir = Directory.CreateTempSubdirectory("descent-dist-").FullName;
        try
        {
            string checkpoint = Path.Combine(dir, "run.ckpt");
            var data = SyntheticData.Spirals(200, noise: 0.1, seed: 3);
            Trainer<double> NewTrainer(Mlp<double> model, int epochs)
            {
                var trainer = new Trainer<double>(model, Loss.FromName<double>("cross-entropy"), Optimizers.Adam<double>(0.01), new TrainerOptions { Epochs = epochs, CheckpointPath = checkpoint });
                new DataParallel<double>(_cluster.GrainFactory, model, "cross-entropy", 4).Attach(trainer);
                return trainer;
            }
            // The coordinator stops after two epochs (as if it crashed after its checkpoint); a new one resumes.
            NewTrainer(new Mlp<double>(2, [16, 16], 2, seed: 4), 2).Fit(DataLoader<double>.MiniBatches(data, 64, seed: 5));
            var model = new Mlp<double>(2, [16, 16], 2, seed: 99);
            var resumed = NewTrainer(model, 4);
            resumed.LoadCheckpoint(checkpoint);
            resumed.Fit(DataLoader<double>.MiniBatches(data, 64, seed: 5));
            var parameters = model.Parameters().Select(p => p.ToDoubleArray()).ToArray();
            Assert.True(MaxDifference(single.Parameters, parameters) <= 1e-12, $"max difference {MaxDifference(single.Parameters, parameters)}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Float32GradientsMatchOneProcess()
    {
        var data = SyntheticData.Spirals(64, seed: 1);
        var x = data.X.Cast<float>();
        var y = data.Y.Cast<float>();
        var model = new Mlp<float>(2, [8], 2, seed: 2);
        var loss = Loss.FromName<float>("cross-entropy");
        var local = loss(model.Forward(x), y);
        local.Backward();
        var expected = model.Parameters().Select(p => p.Grad!.ToDoubleArray()).ToArray();
        model.ZeroGrad();
        double got = new DataParallel<float>(_cluster.GrainFactory, model, "cross-entropy", 4).Gradient(x, y);
        Assert.Equal(local.Item(), (float)got, 5);
        var parallel = model.Parameters().Select(p => p.Grad!.ToDoubleArray()).ToArray();
        Assert.True(MaxDifference(expected, parallel) <= 1e-5, $"max difference {MaxDifference(expected, parallel)}");
    }
}
