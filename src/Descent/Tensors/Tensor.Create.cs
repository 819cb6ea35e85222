using System.Numerics;

namespace Descent;

/// <summary>
/// Creation of tensors: from arrays and scalars, ranges, constant fills, identity matrices and seeded random values.
/// The element type is inferred from the data (<c>Tensor.FromArray(new[] { 1.0, 2.0 })</c> is a float64 tensor) or given
/// explicitly (<c>Tensor.Zeros&lt;float&gt;(2, 3)</c>).
/// </summary>
public static class Tensor
{
    /// <summary>A 0-dimensional tensor holding one value.</summary>
    public static Tensor<T> Scalar<T>(T value) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => new(Shapes.Scalar, [value]);

    /// <summary>A tensor over a copy of <paramref name="data"/>; with no shape it is 1-D. The shape may contain one -1, inferred.</summary>
    /// <exception cref="ShapeException">The shape does not hold exactly <c>data.Length</c> elements.</exception>
    public static Tensor<T> FromArray<T>(T[] data, params int[] shape) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        int[] s = shape.Length == 0 ? [data.Length] : ResolveShape(shape, data.Length, "FromArray");
        return new Tensor<T>(s, (T[])data.Clone());
    }

    /// <summary>A 2-D tensor from a rectangular array.</summary>
    public static Tensor<T> FromArray<T>(T[,] data) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        int r = data.GetLength(0), c = data.GetLength(1);
        var flat = new T[r * c];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++) flat[i * c + j] = data[i, j];
        return new Tensor<T>([r, c], flat);
    }

    /// <summary>A 3-D tensor from a rectangular array.</summary>
    public static Tensor<T> FromArray<T>(T[,,] data) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        int a = data.GetLength(0), b = data.GetLength(1), c = data.GetLength(2);
        var flat = new T[a * b * c];
        int k = 0;
        for (int i = 0; i < a; i++)
            for (int j = 0; j < b; j++)
                for (int l = 0; l < c; l++) flat[k++] = data[i, j, l];
        return new Tensor<T>([a, b, c], flat);
    }

    /// <summary>A tensor filled with zeros.</summary>
    public static Tensor<T> Zeros<T>(params int[] shape) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => new((int[])shape.Clone());

    /// <summary>A tensor filled with ones.</summary>
    public static Tensor<T> Ones<T>(params int[] shape) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Full(T.One, shape);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor<T> Full<T>(T value, params int[] shape) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var t = new Tensor<T>((int[])shape.Clone());
        t.Data.Fill(value);
        return t;
    }

    /// <summary>A tensor of zeros with the shape of <paramref name="like"/>.</summary>
    public static Tensor<T> ZerosLike<T>(Tensor<T> like) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => new(like.ShapeArray);

    /// <summary>A tensor of ones with the shape of <paramref name="like"/>.</summary>
    public static Tensor<T> OnesLike<T>(Tensor<T> like) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Full(T.One, like.ShapeArray);

    /// <summary>The n×n identity matrix (or n×m with ones on the main diagonal).</summary>
    public static Tensor<T> Eye<T>(int n, int? m = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int cols = m ?? n;
        var t = new Tensor<T>([n, cols]);
        for (int i = 0; i < Math.Min(n, cols); i++) t.Data[i * cols + i] = T.One;
        return t;
    }

    /// <summary>Values start, start+step, … up to but excluding <paramref name="stop"/> (1-D).</summary>
    /// <exception cref="ArgumentException">The step is zero, or not finite.</exception>
    public static Tensor<T> Arange<T>(T start, T stop, T step) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (step == T.Zero || !T.IsFinite(step)) throw new ArgumentException($"Arange step must be finite and non-zero; got {step}.", nameof(step));
        double n = Math.Ceiling(double.CreateTruncating((stop - start) / step));
        int count = n > 0 ? checked((int)n) : 0;
        var t = new Tensor<T>([count]);
        for (int i = 0; i < count; i++) t.Data[i] = start + T.CreateTruncating(i) * step;
        return t;
    }

    /// <summary>Values 0, 1, …, stop−1 (1-D).</summary>
    public static Tensor<T> Arange<T>(T stop) where T : unmanaged, IBinaryFloatingPointIeee754<T> => Arange(T.Zero, stop, T.One);

    /// <summary><paramref name="count"/> evenly spaced values from start to stop inclusive (1-D).</summary>
    public static Tensor<T> Linspace<T>(T start, T stop, int count) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var t = new Tensor<T>([count]);
        if (count == 1) { t.Data[0] = start; return t; }
        double a = double.CreateTruncating(start), b = double.CreateTruncating(stop);
        for (int i = 0; i < count; i++) t.Data[i] = T.CreateTruncating(i == count - 1 ? b : a + (b - a) * i / (count - 1));
        return t;
    }

    /// <summary>Normally distributed values (Box–Muller over <paramref name="random"/>), reproducible for a seeded generator.</summary>
    public static Tensor<T> RandomNormal<T>(int[] shape, Random random, double mean = 0, double std = 1) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(std >= 0)) throw new ArgumentOutOfRangeException(nameof(std), std, "The standard deviation must be 0 or more.");
        var t = new Tensor<T>((int[])shape.Clone());
        var d = t.Data;
        for (int i = 0; i < d.Length; i += 2)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            d[i] = T.CreateTruncating(mean + std * r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < d.Length) d[i + 1] = T.CreateTruncating(mean + std * r * Math.Sin(2 * Math.PI * u2));
        }
        return t;
    }

    /// <summary>Normally distributed values from a seed.</summary>
    public static Tensor<T> RandomNormal<T>(int[] shape, int seed, double mean = 0, double std = 1) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => RandomNormal<T>(shape, new Random(seed), mean, std);

    /// <summary>Uniformly distributed values in [low, high), reproducible for a seeded generator.</summary>
    public static Tensor<T> RandomUniform<T>(int[] shape, Random random, double low = 0, double high = 1) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(high >= low)) throw new ArgumentOutOfRangeException(nameof(high), high, $"The upper bound must be at least the lower bound {low}.");
        var t = new Tensor<T>((int[])shape.Clone());
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = T.CreateTruncating(low + (high - low) * random.NextDouble());
        return t;
    }

    /// <summary>Uniformly distributed values in [low, high) from a seed.</summary>
    public static Tensor<T> RandomUniform<T>(int[] shape, int seed, double low = 0, double high = 1) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => RandomUniform<T>(shape, new Random(seed), low, high);

    internal static int[] ResolveShape(int[] shape, int size, string operation)
    {
        int inferred = -1, known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (inferred >= 0) throw new ShapeException($"{operation}: shape {Shapes.Format(shape)} has more than one -1; only one dimension can be inferred.");
                inferred = i;
            }
            else if (shape[i] < 0) throw new ShapeException($"{operation}: shape {Shapes.Format(shape)} has a negative dimension.");
            else known *= shape[i];
        }
        var result = (int[])shape.Clone();
        if (inferred >= 0)
        {
            if (known == 0 || size % known != 0)
                throw new ShapeException($"{operation}: cannot infer the -1 in {Shapes.Format(shape)} for {size} elements.");
            result[inferred] = size / known;
        }
        else if (known != size)
            throw new ShapeException($"{operation}: shape {Shapes.Format(shape)} holds {known} elements, but there are {size}; the element count must not change.");
        return result;
    }
}
