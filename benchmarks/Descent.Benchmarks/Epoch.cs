using System.Diagnostics;
using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;

namespace Descent.Benchmarks;

/// <summary>One epoch of Fashion-MNIST (<c>-- epoch</c>): the trainer's time against a bare loop and the data alone.</summary>
public static class Epoch
{
    /// <summary>Prints timings.</summary>
    public static int Run(string[] args)
    {
        var (train, _) = Mnist.LoadFashionMnist<float>();
        string[] models = args.Length > 1 ? [args[1]] : ["mlp", "softmax"];
        int reps = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
        foreach (var model in models)
        {
            for (int rep = 0; rep < reps; rep++)
            {
                var loader = DataLoader<float>.MiniBatches(train, 64, seed: 1);
                var sw = Stopwatch.StartNew();
                int n = 0;
                foreach (var (x, y) in ((IBatchSource<float>)loader).Batches(0)) n += x.Shape[0];
                double data = sw.Elapsed.TotalSeconds;

                Module<float> m = model == "mlp" ? new Mlp<float>(784, [128], 10, seed: 1) : new SoftmaxRegression<float>(784, 10, seed: 1);
                var ps = m.Parameters();
                sw.Restart();
                long tf = 0, tb = 0, tu = 0, t0;
                int gc0 = GC.CollectionCount(0), gc2 = GC.CollectionCount(2); var pause0 = GC.GetTotalPauseDuration(); long alloc0 = GC.GetTotalAllocatedBytes();
                bool sync = Environment.GetEnvironmentVariable("EPOCH_SYNC") == "1";
                IEnumerable<(Tensor<float>, Tensor<float>)> batches = sync
                    ? Enumerable.Range(0, loader.BatchCount).Select(i => { var b = loader.GetBatch(0, i); return (b.X, b.Y); })
                    : ((IBatchSource<float>)loader).Batches(0);
                foreach (var (x, y) in batches)
                {
                    t0 = Stopwatch.GetTimestamp();
                    var loss = Loss.SoftmaxCrossEntropy(m.Forward(x), y);
                    tf += Stopwatch.GetTimestamp() - t0; t0 = Stopwatch.GetTimestamp();
                    loss.Backward();
                    tb += Stopwatch.GetTimestamp() - t0; t0 = Stopwatch.GetTimestamp();
                    foreach (var p in ps) { p.SubtractInPlace(p.Grad!, 0.1f); p.ZeroGrad(); }
                    tu += Stopwatch.GetTimestamp() - t0;
                }
                double bare = sw.Elapsed.TotalSeconds;
                Console.WriteLine($"  forward {tf / (double)Stopwatch.Frequency:F3} backward {tb / (double)Stopwatch.Frequency:F3} update {tu / (double)Stopwatch.Frequency:F3} gc0 {GC.CollectionCount(0) - gc0} gc2 {GC.CollectionCount(2) - gc2} pause {(GC.GetTotalPauseDuration() - pause0).TotalSeconds:F3} s alloc {(GC.GetTotalAllocatedBytes() - alloc0) / 1e6:F0} MB");

                m = model == "mlp" ? new Mlp<float>(784, [128], 10, seed: 1) : new SoftmaxRegression<float>(784, 10, seed: 1);
                var trainer = new Trainer<float>(m, (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.GradientDescent<float>(0.1), new TrainerOptions { Epochs = 1 });
                sw.Restart();
                trainer.Fit(loader);
                double fit = sw.Elapsed.TotalSeconds;
                Console.WriteLine($"{model}: data {data:F3} s, bare loop {bare:F3} s, Trainer.Fit {fit:F3} s ({n} rows)");
            }
        }
        return 0;
    }
}
