using System.Diagnostics;
using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;

namespace Descent.Benchmarks;

/// <summary>
/// Whole epochs of Fashion-MNIST through the library's <see cref="Trainer{T}"/>, the peer of benchmarks/torch/fashion.py
/// (same protocol: float32 data in [0, 1] loaded once, EPOCHS epochs (default 3) of SGD 0.1 on shuffled batches of 64,
/// softmax cross-entropy; MLP 784-128-10 with ReLU or softmax regression). Named explicitly only (not part of "all"):
/// it needs the dataset, and its peak-memory figure is only meaningful in a process of its own.
/// </summary>
public static class FashionEpochs
{
    /// <summary>Seconds of each epoch (the trainer's own per-epoch clock), test accuracy, and peak resident memory.</summary>
    public static IEnumerable<(string Name, double[] Values)> Run(string workload)
    {
        int epochs = int.TryParse(Environment.GetEnvironmentVariable("EPOCHS"), out var e) ? e : 3;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("SEED"), out var s) ? s : 1;
        var (train, test) = Mnist.LoadFashionMnist<float>();
        Module<float> model = workload == "fashion_mlp_epoch" ? new Mlp<float>(784, [128], 10, seed: seed) : new SoftmaxRegression<float>(784, 10, seed: seed);
        var trainer = new Trainer<float>(model, (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.GradientDescent<float>(0.1),
            new TrainerOptions { Epochs = epochs });
        if (Environment.GetEnvironmentVariable("BATCH_PROFILE") == "1")
        {
            // Time per 100 batches on stderr: shows how long the warm-up (tiered compilation) lasts within the first epoch.
            long last = Stopwatch.GetTimestamp();
            trainer.BatchEnded += b =>
            {
                if (b.Batch % 100 != 0) return;
                Console.Error.Write($"{Stopwatch.GetElapsedTime(last).TotalMilliseconds:F0} ");
                last = Stopwatch.GetTimestamp();
            };
        }
        var history = trainer.Fit(DataLoader<float>.MiniBatches(train, 64, seed: seed));
        double accuracy;
        using (Autograd.NoGrad())
        {
            model.Eval();
            var predicted = model.Forward(test.X).ArgMax(-1).ToArray();
            int correct = 0;
            for (int i = 0; i < predicted.Length; i++) if (predicted[i] == test.Y.Data[i]) correct++;
            accuracy = correct / (double)predicted.Length;
        }
        double peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        return [(workload, history.Epochs.Select(r => r.Seconds).ToArray()), (workload + "_accuracy", [accuracy]), (workload + "_peak_rss_mb", [peakMb])];
    }
}
