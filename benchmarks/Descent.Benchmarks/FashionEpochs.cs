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
/// softmax cross-entropy; MLP 784-128-10 with ReLU or softmax regression; or the default CNN of <c>descent fit --model cnn</c>
/// with Adam 1e-3, EPOCHS default 1 there). Named explicitly only (not part of "all"):
/// it needs the dataset, and its peak-memory figure is only meaningful in a process of its own.
/// </summary>
public static class FashionEpochs
{
    /// <summary>Seconds of each epoch (the trainer's own per-epoch clock), test accuracy, and peak resident memory.</summary>
    public static IEnumerable<(string Name, double[] Values)> Run(string workload)
    {
        bool cnn = workload == "fashion_cnn_epoch";
        int epochs = int.TryParse(Environment.GetEnvironmentVariable("EPOCHS"), out var e) ? e : cnn ? 1 : 3;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("SEED"), out var s) ? s : 1;
        var (train, test) = Mnist.LoadFashionMnist<float>();
        Module<float> model = cnn ? new Cnn<float>([1, 28, 28], 10, seed: seed)
            : workload == "fashion_mlp_epoch" ? new Mlp<float>(784, [128], 10, seed: seed) : new SoftmaxRegression<float>(784, 10, seed: seed);
        var trainer = new Trainer<float>(model, (p, y) => Loss.SoftmaxCrossEntropy(p, y), cnn ? Optimizers.Adam<float>(1e-3) : Optimizers.GradientDescent<float>(0.1),
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
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var history = trainer.Fit(DataLoader<float>.MiniBatches(train, 64, seed: seed));
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds / Math.Max(1, epochs);
        double accuracy;
        using (Autograd.NoGrad())
        {
            model.Eval();
            var predicted = (cnn ? BatchedForward(model, test.X) : model.Forward(test.X)).ArgMax(-1).ToArray();
            int correct = 0;
            for (int i = 0; i < predicted.Length; i++) if (predicted[i] == test.Y.Data[i]) correct++;
            accuracy = correct / (double)predicted.Length;
        }
        double peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        // _cpu: the process's CPU time per epoch, all threads (a measure of work that a loaded machine disturbs less than
        // the wall clock; a spinning thread counts, on both sides).
        return [(workload, history.Epochs.Select(r => r.Seconds).ToArray()), (workload + "_cpu", [cpuSeconds]), (workload + "_accuracy", [accuracy]), (workload + "_peak_rss_mb", [peakMb])];
    }

    /// <summary>The model on 1000 rows at a time (a CNN's activations for all 10000 test images at once would take gigabytes).</summary>
    private static Tensor<float> BatchedForward(Module<float> model, Tensor<float> x)
    {
        int n = x.Shape[0], width = x.Shape[1];
        var parts = new List<Tensor<float>>();
        for (int i = 0; i < n; i += 1000)
        {
            int count = Math.Min(1000, n - i);
            parts.Add(model.Forward(Tensor.FromArray(x.Data.Slice(i * width, count * width).ToArray(), count, width)));
        }
        return Tensor<float>.Concat(0, [.. parts]);
    }
}
