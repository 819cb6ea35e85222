using System.Numerics;

namespace Descent.Learning;

/// <summary>
/// Fills a new parameter tensor of a given shape. Initializers are seeded through the <see cref="Random"/> they are given,
/// so a model built twice from the same seed has the same parameters.
/// </summary>
public delegate Tensor<T> Initializer<T>(int[] shape, Random random) where T : unmanaged, IBinaryFloatingPointIeee754<T>;

/// <summary>
/// The standard parameter initializers. Fan-in and fan-out follow the <c>[in, out]</c> weight layout of
/// <see cref="Modules.Linear{T}"/>: for a 2-D shape fanIn = shape[0], fanOut = shape[1]; for higher ranks the trailing
/// dimensions multiply into a receptive field; a 1-D shape has fanIn = fanOut = its length.
/// </summary>
public static class Initializers
{
    /// <summary>Every element equal to <paramref name="value"/>.</summary>
    public static Initializer<T> Constant<T>(double value) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => (shape, _) => Tensor.Full(T.CreateTruncating(value), shape);

    /// <summary>Zeros (the usual bias initializer).</summary>
    public static Initializer<T> Zeros<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T> => Constant<T>(0);

    /// <summary>Uniform on [low, high).</summary>
    public static Initializer<T> Uniform<T>(double low = -0.05, double high = 0.05) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => (shape, random) => Tensor.RandomUniform<T>(shape, random, low, high);

    /// <summary>Normal with the given mean and standard deviation.</summary>
    public static Initializer<T> Normal<T>(double mean = 0, double std = 0.05) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => (shape, random) => Tensor.RandomNormal<T>(shape, random, mean, std);

    /// <summary>Normal truncated to mean ± 2·std (values outside are redrawn).</summary>
    public static Initializer<T> TruncatedNormal<T>(double mean = 0, double std = 0.05) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => (shape, random) =>
        {
            var t = Tensor.Zeros<T>(shape);
            var d = t.Data;
            for (int i = 0; i < d.Length; i++)
            {
                double z;
                do z = StandardNormal(random); while (Math.Abs(z) > 2);
                d[i] = T.CreateTruncating(mean + std * z);
            }
            return t;
        };

    /// <summary>Glorot/Xavier uniform: U(−a, a) with a = √(6/(fanIn+fanOut)).</summary>
    public static Initializer<T> GlorotUniform<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => (shape, random) => { var (i, o) = Fans(shape); double a = Math.Sqrt(6.0 / (i + o)); return Tensor.RandomUniform<T>(shape, random, -a, a); };

    /// <summary>Glorot/Xavier normal: N(0, 2/(fanIn+fanOut)).</summary>
    public static Initializer<T> GlorotNormal<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => (shape, random) => { var (i, o) = Fans(shape); return Tensor.RandomNormal<T>(shape, random, 0, Math.Sqrt(2.0 / (i + o))); };

    /// <summary>He/Kaiming uniform (for ReLU): U(−a, a) with a = √(6/fanIn).</summary>
    public static Initializer<T> HeUniform<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => (shape, random) => { var (i, _) = Fans(shape); double a = Math.Sqrt(6.0 / i); return Tensor.RandomUniform<T>(shape, random, -a, a); };

    /// <summary>He/Kaiming normal (for ReLU): N(0, 2/fanIn).</summary>
    public static Initializer<T> HeNormal<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => (shape, random) => { var (i, _) = Fans(shape); return Tensor.RandomNormal<T>(shape, random, 0, Math.Sqrt(2.0 / i)); };

    /// <summary>LeCun normal (for tanh/SELU): N(0, 1/fanIn).</summary>
    public static Initializer<T> LecunNormal<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => (shape, random) => { var (i, _) = Fans(shape); return Tensor.RandomNormal<T>(shape, random, 0, Math.Sqrt(1.0 / i)); };

    /// <summary>
    /// A (semi-)orthogonal matrix times <paramref name="gain"/>: the Q of a Gram–Schmidt QR of a Gaussian matrix, with
    /// signs fixed so the distribution is uniform. For shape [r, c], rows are orthonormal when r ≤ c, columns when r &gt; c.
    /// </summary>
    public static Initializer<T> Orthogonal<T>(double gain = 1) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => (shape, random) =>
        {
            if (shape.Length < 2) throw new ArgumentException($"Orthogonal initialization needs at least 2 dimensions; got shape {Shapes.Format(shape)}.", nameof(shape));
            int rows = shape[0], cols = Shapes.Size(shape) / rows;
            bool transpose = rows < cols;
            int n = transpose ? cols : rows, m = transpose ? rows : cols; // n ≥ m: orthonormalise m columns of length n
            var q = new double[n, m];
            for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) q[i, j] = StandardNormal(random);
            for (int j = 0; j < m; j++)
            {
                for (int pass = 0; pass < 2; pass++)
                    for (int p = 0; p < j; p++)
                    {
                        double dot = 0;
                        for (int i = 0; i < n; i++) dot += q[i, j] * q[i, p];
                        for (int i = 0; i < n; i++) q[i, j] -= dot * q[i, p];
                    }
                double norm = 0;
                for (int i = 0; i < n; i++) norm += q[i, j] * q[i, j];
                norm = Math.Sqrt(norm);
                for (int i = 0; i < n; i++) q[i, j] /= norm;
            }
            var t = Tensor.Zeros<T>(shape);
            var d = t.Data;
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    d[r * cols + c] = T.CreateTruncating(gain * (transpose ? q[c, r] : q[r, c]));
            return t;
        };

    /// <summary>Fan-in and fan-out of a weight shape (see the class remarks).</summary>
    public static (int FanIn, int FanOut) Fans(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0) return (1, 1);
        if (shape.Length == 1) return (shape[0], shape[0]);
        int receptive = 1;
        for (int i = 2; i < shape.Length; i++) receptive *= shape[i];
        return (Math.Max(1, shape[0] * receptive), Math.Max(1, shape[1] * receptive));
    }

    private static double StandardNormal(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
