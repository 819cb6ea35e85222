namespace Descent.Learning.Data;

/// <summary>
/// Built-in and synthetic datasets (float64; use <see cref="Dataset{T}.Cast{TOther}"/> for float32). Every generator
/// is deterministic under its seed, on every platform and .NET version. Classification generators interleave the
/// classes (row i has class i mod k), so any prefix is balanced.
/// </summary>
public static class SyntheticData
{
    /// <summary>
    /// The reference data of this project's first descents: x = [1, 2, 3, 4, 5, 6, 8], y = [5.5, 6, 6.5, 7, 7.5, 8, 9]
    /// (exactly y = 0.5·x + 5). X and Y are [7, 1].
    /// </summary>
    public static Dataset<double> SeedLinear()
        => new(Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6, 8 }, 7, 1), Tensor.FromArray(new[] { 5.5, 6, 6.5, 7, 7.5, 8, 9 }, 7, 1), ["x"], ["y"]);

    /// <summary>
    /// Linear regression data: x ~ N(0, 1) per feature, y = x·<paramref name="weights"/> + <paramref name="bias"/> + noise·N(0, 1).
    /// X is [n, weights.Length], Y is [n, 1].
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n or noise is negative, or there are no weights.</exception>
    public static Dataset<double> Linear(int n, double[] weights, double bias = 0, double noise = 0, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfZero(weights.Length, nameof(weights));
        ArgumentOutOfRangeException.ThrowIfNegative(noise);
        var rng = new DataRandom((ulong)seed);
        int f = weights.Length;
        var x = new double[n * f];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = bias;
            for (int j = 0; j < f; j++)
            {
                double v = rng.NextGaussian();
                x[i * f + j] = v;
                s += v * weights[j];
            }
            y[i] = s + noise * rng.NextGaussian();
        }
        return new(Tensor.FromArray(x, n, f), Tensor.FromArray(y, n, 1));
    }

    /// <summary>
    /// Isotropic Gaussian blobs in 2-D, one per class, with centres evenly spaced on a circle of radius 3
    /// (two classes: (3, 0) and (−3, 0)). Labels [n] with <see cref="Dataset{T}.ClassCount"/> = classes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n or std is negative, or classes is less than 1.</exception>
    public static Dataset<double> Blobs(int n, int classes = 2, double std = 1, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        var centers = new double[classes, 2];
        for (int c = 0; c < classes; c++)
        {
            centers[c, 0] = 3 * Math.Cos(2 * Math.PI * c / classes);
            centers[c, 1] = 3 * Math.Sin(2 * Math.PI * c / classes);
        }
        return Blobs(n, centers, std, seed);
    }

    /// <summary>Isotropic Gaussian blobs around the given centres (one row per class, any dimension).</summary>
    /// <exception cref="ArgumentOutOfRangeException">n or std is negative, or there are no centres.</exception>
    public static Dataset<double> Blobs(int n, double[,] centers, double std = 1, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentNullException.ThrowIfNull(centers);
        ArgumentOutOfRangeException.ThrowIfNegative(std);
        int k = centers.GetLength(0), d = centers.GetLength(1);
        ArgumentOutOfRangeException.ThrowIfZero(k, nameof(centers));
        var rng = new DataRandom((ulong)seed);
        var x = new double[n * d];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % k;
            y[i] = c;
            for (int j = 0; j < d; j++) x[i * d + j] = centers[c, j] + std * rng.NextGaussian();
        }
        return new(Tensor.FromArray(x, n, d), Tensor.FromArray(y), null, null, k);
    }

    /// <summary>
    /// Two interleaving half circles (class 0: (cos t, sin t); class 1: (1 − cos t, 0.5 − sin t), t ∈ [0, π] evenly
    /// spaced), plus Gaussian noise of standard deviation <paramref name="noise"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n or noise is negative.</exception>
    public static Dataset<double> Moons(int n, double noise = 0, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(noise);
        var rng = new DataRandom((ulong)seed);
        int perClass0 = (n + 1) / 2, perClass1 = n / 2;
        var x = new double[n * 2];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % 2, j = i / 2, m = c == 0 ? perClass0 : perClass1;
            double t = m == 1 ? 0 : Math.PI * j / (m - 1);
            double a = c == 0 ? Math.Cos(t) : 1 - Math.Cos(t);
            double b = c == 0 ? Math.Sin(t) : 0.5 - Math.Sin(t);
            x[2 * i] = a + noise * rng.NextGaussian();
            x[2 * i + 1] = b + noise * rng.NextGaussian();
            y[i] = c;
        }
        return new(Tensor.FromArray(x, n, 2), Tensor.FromArray(y), null, null, 2);
    }

    /// <summary>
    /// Interleaved spirals, one arm per class: for class c, radius r runs evenly over [0, 1] and the angle is
    /// 4·r + 2π·c/classes + noise·N(0, 1); the point is (r·sin θ, r·cos θ).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n or noise is negative, or classes is less than 1.</exception>
    public static Dataset<double> Spirals(int n, int classes = 2, double noise = 0, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(noise);
        var rng = new DataRandom((ulong)seed);
        var x = new double[n * 2];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % classes, j = i / classes;
            int m = n / classes + (c < n % classes ? 1 : 0);
            double r = m == 1 ? 0 : (double)j / (m - 1);
            double theta = 4 * r + 2 * Math.PI * c / classes + noise * rng.NextGaussian();
            x[2 * i] = r * Math.Sin(theta);
            x[2 * i + 1] = r * Math.Cos(theta);
            y[i] = c;
        }
        return new(Tensor.FromArray(x, n, 2), Tensor.FromArray(y), null, null, classes);
    }
}
