namespace Descent.Benchmarks;

/// <summary>The <c>-- alloc</c> mode: bytes allocated per step on the current thread, measured directly.</summary>
public static class Allocations
{
    /// <summary>Prints allocated bytes per step of the small workloads.</summary>
    public static int Run()
    {
        var p = new Workloads.ParabolaStep();
        Console.WriteLine($"w2_step: {PerCall(() => p.Step())} bytes/step");
        var l = new Workloads.LinearRegressionEpoch();
        Console.WriteLine($"linreg_epoch: {PerCall(() => l.Epoch())} bytes/epoch");
        var m = new Workloads.MlpStep();
        Console.WriteLine($"mlp_step: {PerCall(() => m.Step(), 50)} bytes/step");
        return 0;
    }

    private static double PerCall(Action action, int calls = 10_000)
    {
        for (int i = 0; i < 100; i++) action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++) action();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)calls;
    }
}
