using System.Diagnostics;
using Descent.Kernels;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Optimization;

namespace Descent.Benchmarks;

/// <summary>
/// Per-operation timings of one training step of the default CNN (<c>descent fit --model cnn</c>, batch 64, float32):
/// <c>Descent.Benchmarks cnn-parts</c>. Each part prints its median wall time and its process CPU time (both cores
/// together) per call, so a part that leaves a core idle shows CPU ≈ wall, one that uses both CPU ≈ 2 × wall.
/// The last lines are a whole step (forward, backward, Adam) and the sum of the parts.
/// </summary>
public static class CnnParts
{
    /// <summary>Prints the parts.</summary>
    public static int Run()
    {
        const int n = 64;
        var rng = new Random(1);
        float[] R(int size) { var a = new float[size]; for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.NextDouble() * 2 - 1); return a; }
        var g1 = Tensor<float>.Geometry([n, 1, 28, 28], [32, 1, 3, 3], [32], (1, 1), 1, (1, 1), 1);
        var g2 = Tensor<float>.Geometry([n, 32, 14, 14], [64, 32, 3, 3], [64], (1, 1), 1, (1, 1), 1);
        float[] x1 = R(n * 784), w1 = R(32 * 9), b1 = R(32), y1 = new float[n * 32 * 784], gy1 = R(n * 32 * 784), gw1 = new float[32 * 9], gb1 = new float[32];
        float[] x2 = R(n * 32 * 196), w2 = R(64 * 32 * 9), b2 = R(64), y2 = new float[n * 64 * 196], gy2 = R(n * 64 * 196), gx2 = new float[n * 32 * 196], gw2 = new float[64 * 32 * 9], gb2 = new float[64];
        float[] cols2 = new float[32 * 9 * n * 196];
        var pool1 = PoolWindows.Sliding(28, 28, (2, 2), (2, 2), (0, 0));
        var pool2 = PoolWindows.Sliding(14, 14, (2, 2), (2, 2), (0, 0));
        float[] p1 = new float[n * 32 * 196], p2 = new float[n * 64 * 49];
        int[] i1 = new int[p1.Length], i2 = new int[p2.Length];
        var results = new List<(string Name, double Wall, double Cpu)>();

        void T(string name, Action a, int reps = 30)
        {
            for (int i = 0; i < 5; i++) a();
            var walls = new double[reps];
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (int r = 0; r < reps; r++)
            {
                long t0 = Stopwatch.GetTimestamp();
                a();
                walls[r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
            double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / reps;
            double mean = walls.Average();
            Array.Sort(walls);
            results.Add((name, walls[reps / 2], cpuMs));
            Console.WriteLine($"{name,-34} {walls[reps / 2],8:F2} ms wall {cpuMs,8:F2} ms cpu {mean,8:F2} ms mean wall");
        }

        if (Environment.GetEnvironmentVariable("STEP_ONLY") == "1") goto step;
        // What the network runs: conv → ReLU → max pool fused, image by image (no conv output stored).
        float[] gp1 = R(p1.Length), gp2 = R(p2.Length);
        T("conv1+relu+pool1 fused forward", () => Convolution.ForwardReluMaxPool(x1, w1, b1, p1, i1, g1, pool1));
        T("conv2+relu+pool2 fused forward", () => Convolution.ForwardReluMaxPool(x2, w2, b2, p2, i2, g2, pool2));
        T("conv2+relu+pool2 fused backward", () => Convolution.BackwardReluMaxPool(x2, w2, gp2, p2, i2, pool2, gx2, gw2, false, gb2, false, g2));
        T("conv1+relu+pool1 fused backward", () => Convolution.BackwardReluMaxPool(x1, w1, gp1, p1, i1, pool1, null, gw1, false, gb1, false, g1));
        // The unfused parts (the composition's passes, for comparison).
        T("conv1 forward (+bias)", () => Convolution.Forward(x1, w1, b1, y1, g1));
        T("relu1 forward", () => System.Numerics.Tensors.TensorPrimitives.Max(y1, 0f, y1));
        T("pool1 forward", () => Pooling.MaxForward(y1, p1, i1, n * 32, pool1));
        T("conv2 forward (+bias)", () => Convolution.Forward(x2, w2, b2, y2, g2));
        T("  conv2 im2col", () => Convolution.Im2Col(x2, 0, cols2, g2));
        T("relu2 forward", () => System.Numerics.Tensors.TensorPrimitives.Max(y2, 0f, y2));
        T("pool2 forward", () => Pooling.MaxForward(y2, p2, i2, n * 64, pool2));
        T("pool2 backward (scatter)", () => Pooling.Scatter(R0(p2.Length), gy2, i2, n * 64, 196, 49));
        T("relu2 backward", () => ReluBackward(gy2, y2));
        T("conv2 backward (x, w, b)", () => Convolution.Backward(x2, w2, gy2, gx2, gw2, false, gb2, false, g2));
        T("  conv2 weight grad", () => Convolution.WeightGrad(x2, gy2, gw2, g2));
        T("  conv2 input grad", () => Convolution.InputGrad(w2, gy2, gx2, g2));
        T("  conv2 col2im", () => Convolution.Col2Im(cols2, gx2, 0, g2));
        T("pool1 backward (scatter)", () => Pooling.Scatter(gx2, gy1, i1, n * 32, 784, 196));
        T("relu1 backward", () => ReluBackward(gy1, y1));
        T("conv1 backward (w, b)", () => Convolution.Backward(x1, w1, gy1, null, gw1, false, gb1, false, g1));

        var xl = Tensor.RandomUniform<float>([n, 3136], 1);
        var wl = Tensor.RandomNormal<float>([3136, 128], 3);
        var hl = Tensor.RandomUniform<float>([n, 128], 1);
        var wo = Tensor.RandomNormal<float>([128, 10], 3);
        using (Autograd.NoGrad())
        {
            T("linear 3136→128 forward", () => xl.MatMul(wl));
            T("linear 3136→128 weight grad", () => xl.Transpose().MatMul(hl));
            T("linear 3136→128 input grad", () => hl.MatMul(wl.Transpose()));
            T("linear 128→10 forward", () => hl.MatMul(wo));
        }

    // The whole step, as the trainer runs it.
    step:
        var model = new Cnn<float>([1, 28, 28], 10, seed: 1);
        var optimizer = new Optimizer<float>(model.Parameters(), Optimizers.Adam<float>(1e-3));
        var xb = Tensor.FromArray(R(n * 784), n, 784);
        var yb = Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)(i % 10)).ToArray(), n);
        Loss.SoftmaxCrossEntropy(model.Forward(xb), yb).Backward();
        T("Adam step (all parameters)", () => optimizer.Step());
        model.ZeroGrad();
        var pause0 = GC.GetTotalPauseDuration();
        int stepReps = int.TryParse(Environment.GetEnvironmentVariable("STEPS"), out int steps) ? steps : 40;
        T("whole step (forward, backward, Adam)", () =>
        {
            var loss = Loss.SoftmaxCrossEntropy(model.Forward(xb), yb);
            loss.Backward();
            optimizer.Step();
            model.ZeroGrad();
        }, stepReps);
        Console.WriteLine($"{"  of which GC pauses",-34} {(GC.GetTotalPauseDuration() - pause0).TotalMilliseconds / (stepReps + 5),8:F2} ms");
        double sum = results.Where(r => !r.Name.StartsWith(' ') && !r.Name.StartsWith("whole", StringComparison.Ordinal)).Sum(r => r.Wall);
        Console.WriteLine($"{"sum of the parts",-34} {sum,8:F2} ms wall");
        Console.WriteLine($"GC: gen0 {GC.CollectionCount(0)}, gen1 {GC.CollectionCount(1)}, gen2 {GC.CollectionCount(2)}; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MB");
        return 0;

        static float[] R0(int size) => new float[size];
    }

    private static void ReluBackward(float[] g, float[] y)
    {
        for (int i = 0; i < g.Length; i++) g[i] = y[i] > 0 ? g[i] : 0;
    }
}
