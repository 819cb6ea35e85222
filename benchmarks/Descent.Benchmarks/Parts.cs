namespace Descent.Benchmarks;
/// <summary>Per-operation timings of the MLP step (<c>-- parts</c>), for finding where its time goes.</summary>
public static class Parts
{
    /// <summary>Prints the best time of each part.</summary>
    public static int Run()
    {
        var x = Tensor.RandomUniform<float>([64, 784], 1);
        var w1 = Tensor.RandomNormal<float>([784, 128], 3).WithGrad();
        var b1 = Tensor.Zeros<float>(128).WithGrad();
        var w2 = Tensor.RandomNormal<float>([128, 10], 3).WithGrad();
        var oh = Tensor.Zeros<float>(64, 10);
        var h0 = x.MatMul(w1).Detach();
        var g = Tensor.RandomUniform<float>([64, 128], 1);
        var lg = Tensor.RandomUniform<float>([64, 10], 1);
        void T(string name, Action a) { for (int i = 0; i < 20; i++) a(); double best = 1e9; for (int r = 0; r < 200; r++) { long t0 = System.Diagnostics.Stopwatch.GetTimestamp(); a(); best = Math.Min(best, System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMicroseconds); } Console.WriteLine($"{name}: {best:F1} us"); }
        using (Autograd.NoGrad())
        {
            T("x@w1", () => x.MatMul(w1));
            T("xT", () => x.Transpose());
            T("xT@g", () => x.Transpose().MatMul(g));
            T("g@w1T", () => g.MatMul(w1.Transpose()));
            T("+b1", () => _ = h0 + b1);
            T("relu", () => h0.Relu());
            T("h@w2", () => h0.MatMul(w2));
            T("logsoftmax", () => lg.LogSoftmax(-1));
            T("sum0", () => g.Sum(0));
            T("sumTo", () => g.SumTo(b1.ShapeRef));
        }
        var m = new Workloads.MlpStep();
        T("mlp step", () => m.Step());
        return 0;
    }
}
