using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Descent.Kernels;

namespace Descent.Benchmarks;

/// <summary>(a) One gradient-descent step on L(w) = w² through autodiff against the same step in plain C#.</summary>
[MemoryDiagnoser]
public class StepOverheadBenchmarks
{
    private readonly Workloads.ParabolaStep _autodiff = new();
    private readonly Workloads.ParabolaStepHand _hand = new();

    /// <summary>The step through the autodiff engine.</summary>
    [Benchmark]
    public double Autodiff() => _autodiff.Step();

    /// <summary>w -= lr·2w.</summary>
    [Benchmark(Baseline = true)]
    public double HandWritten() => _hand.Step();
}

/// <summary>(b) One epoch of the reference linear regression through autodiff against hand-derived gradients.</summary>
[MemoryDiagnoser]
public class LinearRegressionBenchmarks
{
    private readonly Workloads.LinearRegressionEpoch _autodiff = new();
    private readonly Workloads.LinearRegressionEpochHand _hand = new();

    /// <summary>The epoch through the autodiff engine.</summary>
    [Benchmark]
    public double Autodiff() => _autodiff.Epoch();

    /// <summary>The epoch with hand-derived gradients.</summary>
    [Benchmark(Baseline = true)]
    public double HandWritten() => _hand.Epoch();
}

/// <summary>(c) Square matrix products through the GEMM kernel, with a GFLOP/s column.</summary>
[Config(typeof(GflopsConfig))]
public class MatMulBenchmarks
{
    private Workloads.Matmul<float> _f = null!;
    private Workloads.Matmul<double> _d = null!;

    /// <summary>Matrix size.</summary>
    [Params(256, 512, 1024, 2048)]
    public int N { get; set; }

    /// <summary>Creates the operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _f = new Workloads.Matmul<float>(N);
        _d = new Workloads.Matmul<double>(N);
    }

    /// <summary>float32 C = A·B.</summary>
    [Benchmark]
    public void Float32() => _f.Run();

    /// <summary>float64 C = A·B.</summary>
    [Benchmark]
    public void Float64() => _d.Run();

    private sealed class GflopsConfig : ManualConfig
    {
        public GflopsConfig() => AddColumn(new GflopsColumn());
    }

    /// <summary>2n³ / mean time.</summary>
    private sealed class GflopsColumn : IColumn
    {
        public string Id => "GFLOPS";
        public string ColumnName => "GFLOP/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "2n³ floating-point operations per mean time";
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is not { } stats) return "-";
            int n = (int)benchmarkCase.Parameters["N"];
            return (2.0 * n * n * n / stats.Mean).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}

/// <summary>(d) Element-wise add and exp, and a full sum, on large float tensors.</summary>
[MemoryDiagnoser]
public class ElementWiseBenchmarks
{
    private Tensor<float> _a = null!, _b = null!;

    /// <summary>Element count.</summary>
    [Params(1 << 20, 1 << 22)]
    public int Size { get; set; }

    /// <summary>Creates the operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _a = Tensor.RandomUniform<float>([Size], 1, -1, 1);
        _b = Tensor.RandomUniform<float>([Size], 2, -1, 1);
    }

    /// <summary>a + b (new tensor).</summary>
    [Benchmark]
    public Tensor<float> Add() => _a + _b;

    /// <summary>exp(a) (new tensor).</summary>
    [Benchmark]
    public Tensor<float> Exp() => _a.Exp();

    /// <summary>Σ a.</summary>
    [Benchmark]
    public float Sum() => _a.Sum().Item();
}

/// <summary>(e) One training step of a 784-128-10 MLP on a batch of 64 (forward, backward, SGD update).</summary>
[MemoryDiagnoser]
public class MlpTrainingBenchmarks
{
    private readonly Workloads.MlpStep _step = new();

    /// <summary>Forward + backward + update.</summary>
    [Benchmark]
    public float TrainingStep() => _step.Step();
}
