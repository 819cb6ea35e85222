using Descent.Autodiff;
using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Metrics;
using Descent.Learning.Modules;
using Descent.Optimization;
using Descent.Optimization.Lessons;
using Descent.Optimization.Transforms;

namespace Descent.Learning.Lessons;

/// <summary>Settings of a <see cref="Playground"/>: the data, the network and the optimizer.</summary>
public sealed record PlaygroundSettings
{
    /// <summary>The dataset names: two classes in the plane each.</summary>
    public static IReadOnlyList<string> DatasetNames { get; } = ["moons", "blobs", "circles", "spirals", "xor"];

    /// <summary>One of <see cref="DatasetNames"/> (default moons).</summary>
    public string Dataset { get; init; } = "moons";

    /// <summary>The number of points, train and test together (default 200; 10 to 5,000).</summary>
    public int Points { get; init; } = 200;

    /// <summary>The noise: standard deviation of the jitter (default 0.15; 0 to 2).</summary>
    public double Noise { get; init; } = 0.15;

    /// <summary>The share of points held out as the test set (default 0.3; 0.05 to 0.9).</summary>
    public double TestFraction { get; init; } = 0.3;

    /// <summary>Hidden layer sizes (default 8, 8; up to 6 layers of 1 to 64).</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [8, 8];

    /// <summary>The hidden activation: tanh, relu, sigmoid, leaky_relu, softplus (default tanh).</summary>
    public string Activation { get; init; } = "tanh";

    /// <summary>The optimizer and its learning rate (default Adam, 0.03).</summary>
    public OptimizerSetting Optimizer { get; init; } = new("adam", 0.03);

    /// <summary>Examples per batch (default 16; at least 1, larger than the train set means full batch).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>The L2 penalty λ added to the gradient as λ·w (default 0; 0 to 1).</summary>
    public double L2 { get; init; }

    /// <summary>The seed of the data, the split, the initial weights and the batch order.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (!DatasetNames.Contains(Dataset)) throw new ArgumentException($"dataset: there is no dataset '{Dataset}'; use one of {string.Join(", ", DatasetNames)}.");
        if (Points is < 10 or > 5000) throw new ArgumentException($"points: use 10 to 5000, not {Points}.");
        if (!(Noise is >= 0 and <= 2)) throw new ArgumentException($"noise: use 0 to 2, not {Noise}.");
        if (!(TestFraction is >= 0.05 and <= 0.9)) throw new ArgumentException($"test fraction: use 0.05 to 0.9, not {TestFraction}.");
        if (Hidden.Count > 6 || Hidden.Any(h => h is < 1 or > 64)) throw new ArgumentException("hidden layers: up to 6 layers of 1 to 64 units.");
        if (Activation is not ("tanh" or "relu" or "sigmoid" or "leaky_relu" or "softplus")) throw new ArgumentException($"activation: use tanh, relu, sigmoid, leaky_relu or softplus, not '{Activation}'.");
        if (BatchSize < 1) throw new ArgumentException($"batch size: at least 1, not {BatchSize}.");
        if (!(L2 is >= 0 and <= 1)) throw new ArgumentException($"L2: use 0 to 1, not {L2}.");
        Optimizer.Build();
    }
}

/// <summary>
/// The playground: a small MLP learning to separate two classes in the plane, one epoch at a time, with train and
/// test loss after each epoch and the decision boundary (the probability of class 1 on a grid) on demand.
/// Deterministic: the same settings give the same data, weights and losses.
/// </summary>
public sealed class Playground
{
    private readonly Mlp<double> _model;
    private readonly Optimizer<double> _optimizer;
    private readonly Random _order;
    private readonly List<double> _train = [], _test = [];

    /// <summary>Makes the data and the untrained network.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public Playground(PlaygroundSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Settings = settings;
        var all = Make(settings.Dataset, settings.Points, settings.Noise, settings.Seed);
        (Train, Test) = Split.TrainTest(all, settings.TestFraction, settings.Seed, stratified: true);
        var x = all.X.ToArray();
        double xmin = double.MaxValue, xmax = double.MinValue, ymin = double.MaxValue, ymax = double.MinValue;
        for (int i = 0; i < x.Length; i += 2)
        {
            (xmin, xmax) = (Math.Min(xmin, x[i]), Math.Max(xmax, x[i]));
            (ymin, ymax) = (Math.Min(ymin, x[i + 1]), Math.Max(ymax, x[i + 1]));
        }
        double pad = 0.1 * Math.Max(xmax - xmin, ymax - ymin) + 1e-3;
        Bounds = [xmin - pad, xmax + pad, ymin - pad, ymax + pad];
        _model = new Mlp<double>(2, settings.Hidden, 2, settings.Activation, settings.Seed);
        var transform = settings.L2 > 0 ? Transform.Chain(new AddWeightDecay<double>(settings.L2), settings.Optimizer.Build()) : settings.Optimizer.Build();
        _optimizer = new Optimizer<double>(_model.Parameters(), transform);
        _order = new Random(settings.Seed);
        Record();
    }

    /// <summary>The settings.</summary>
    public PlaygroundSettings Settings { get; }

    /// <summary>The training points.</summary>
    public Dataset<double> Train { get; }

    /// <summary>The held-out points.</summary>
    public Dataset<double> Test { get; }

    /// <summary>The window around the data: [xmin, xmax, ymin, ymax].</summary>
    public IReadOnlyList<double> Bounds { get; }

    /// <summary>Epochs trained so far.</summary>
    public int Epoch { get; private set; }

    /// <summary>Mean cross-entropy on the training points, before training (index 0) and after each epoch.</summary>
    public IReadOnlyList<double> TrainLoss => _train;

    /// <summary>Mean cross-entropy on the test points, before training and after each epoch.</summary>
    public IReadOnlyList<double> TestLoss => _test;

    /// <summary>Accuracy on the training points now.</summary>
    public double TrainAccuracy { get; private set; }

    /// <summary>Accuracy on the test points now.</summary>
    public double TestAccuracy { get; private set; }

    /// <summary>Whether the training loss became non-finite or above 1000 (the learning rate is too large); training then stops.</summary>
    public bool Diverged { get; private set; }

    /// <summary>Trains <paramref name="epochs"/> epochs of shuffled mini-batches (nothing once diverged).</summary>
    public void Step(int epochs = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        for (int e = 0; e < epochs && !Diverged; e++)
        {
            var order = Enumerable.Range(0, Train.Count).ToArray();
            _order.Shuffle(order);
            for (int start = 0; start < order.Length; start += Settings.BatchSize)
            {
                var batch = Train.Slice(order[start..Math.Min(order.Length, start + Settings.BatchSize)]);
                var loss = Loss.SoftmaxCrossEntropy(_model.Forward(batch.X), batch.Y);
                loss.Backward();
                _optimizer.Step();
                _model.ZeroGrad();
            }
            Epoch++;
            Record();
        }
    }

    /// <summary>
    /// The probability of class 1 on a <paramref name="resolution"/>² grid over <see cref="Bounds"/>, row-major from the
    /// bottom row up (NaN once diverged).
    /// </summary>
    public double[] Boundary(int resolution = 50)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resolution, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(resolution, 400);
        var grid = new double[resolution * resolution * 2];
        for (int r = 0; r < resolution; r++)
            for (int c = 0; c < resolution; c++)
            {
                int i = r * resolution + c;
                grid[2 * i] = Bounds[0] + (Bounds[1] - Bounds[0]) * c / (resolution - 1);
                grid[2 * i + 1] = Bounds[2] + (Bounds[3] - Bounds[2]) * r / (resolution - 1);
            }
        using (Autograd.NoGrad())
        {
            var p = _model.Forward(Tensor.FromArray(grid, resolution * resolution, 2)).Softmax(-1).ToArray();
            var result = new double[resolution * resolution];
            for (int i = 0; i < result.Length; i++) result[i] = double.IsFinite(p[2 * i + 1]) ? p[2 * i + 1] : double.NaN;
            return result;
        }
    }

    private void Record()
    {
        using (Autograd.NoGrad())
        {
            var trainOut = _model.Forward(Train.X);
            var testOut = _model.Forward(Test.X);
            double train = Loss.SoftmaxCrossEntropy(trainOut, Train.Y).Item(), test = Loss.SoftmaxCrossEntropy(testOut, Test.Y).Item();
            _train.Add(train);
            _test.Add(test);
            TrainAccuracy = Metric.Accuracy(trainOut, Train.Y);
            TestAccuracy = Metric.Accuracy(testOut, Test.Y);
            if (!double.IsFinite(train) || train > 1e3) Diverged = true; // 1000 nats a point: confident and wrong everywhere
        }
    }

    /// <summary>A two-class dataset in the plane by name (see <see cref="PlaygroundSettings.DatasetNames"/>).</summary>
    public static Dataset<double> Make(string name, int n, double noise, int seed) => name switch
    {
        "moons" => SyntheticData.Moons(n, noise, seed),
        "blobs" => SyntheticData.Blobs(n, 2, 0.5 + 3 * noise, seed),
        "spirals" => SyntheticData.Spirals(n, 2, noise, seed),
        "circles" => Circles(n, noise, seed),
        "xor" => Xor(n, noise, seed),
        _ => throw new ArgumentException($"There is no dataset '{name}'; use one of {string.Join(", ", PlaygroundSettings.DatasetNames)}.", nameof(name)),
    };

    // Class 0 on the circle of radius 1, class 1 on radius 0.5, angles evenly spaced, plus Gaussian noise.
    private static Dataset<double> Circles(int n, double noise, int seed)
    {
        var rng = new DataRandom((ulong)seed);
        var x = new double[2 * n];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % 2;
            double t = 2 * Math.PI * (i / 2) / Math.Max(1, (n + 1 - c) / 2), r = c == 0 ? 1 : 0.5;
            x[2 * i] = r * Math.Cos(t) + noise * rng.NextGaussian();
            x[2 * i + 1] = r * Math.Sin(t) + noise * rng.NextGaussian();
            y[i] = c;
        }
        return new(Tensor.FromArray(x, n, 2), Tensor.FromArray(y), null, null, 2);
    }

    // Uniform points in [−1, 1]², class 1 where the signs of the coordinates differ (the class is decided before the noise).
    private static Dataset<double> Xor(int n, double noise, int seed)
    {
        var rng = new DataRandom((ulong)seed);
        var x = new double[2 * n];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double a = 2 * rng.NextDouble() - 1, b = 2 * rng.NextDouble() - 1;
            y[i] = a * b < 0 ? 1 : 0;
            x[2 * i] = a + noise * rng.NextGaussian();
            x[2 * i + 1] = b + noise * rng.NextGaussian();
        }
        return new(Tensor.FromArray(x, n, 2), Tensor.FromArray(y), null, null, 2);
    }
}
