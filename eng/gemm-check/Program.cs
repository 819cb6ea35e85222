using System.Numerics;
using System.Runtime.InteropServices;
using Descent;
using Descent.Kernels;

// Every shape class of the matrix multiply (tile edges, the direct small-n path, the packed path with several KC slabs)
// in float and double, plain and with a transposed operand, against a naive triple loop in double precision.
// Prints the kernels' instruction set first; exit code 0 when every product matches, 1 otherwise.
Console.WriteLine($"{RuntimeInformation.ProcessArchitecture}, {KernelInfo.Describe()}");
var rng = new Random(12345);
int[] edge = [1, 3, 4, 5, 6, 7, 8, 9, 12, 13, 15, 16, 17, 24, 31, 32, 33, 47, 48, 49, 65];
var shapes = new List<(int M, int K, int N)>();
for (int t = 0; t < 24; t++) shapes.Add((edge[rng.Next(edge.Length)], edge[rng.Next(edge.Length)], edge[rng.Next(edge.Length)]));
shapes.AddRange([(64, 784, 128), (784, 64, 128), (64, 128, 10), (128, 64, 10), (64, 10, 128), (203, 301, 97), (257, 600, 301)]);
int failures = 0, checks = 0;
foreach (var (m, k, n) in shapes)
    foreach (bool transposeA in new[] { false, true })
    {
        failures += Check<float>(m, k, n, transposeA, 2e-6) ? 0 : 1;
        failures += Check<double>(m, k, n, transposeA, 1e-13) ? 0 : 1;
        checks += 2;
    }
Console.WriteLine(failures == 0 ? $"gemm-check: {checks} products match the naive product" : $"gemm-check: {failures} of {checks} products FAILED");

// Whole-tensor sums (Summation: on 128-bit vectors eight accumulators, vector m into accumulator m mod 8 in blocks of
// eight, the lanes by Vector128.Sum, the rest one by one) bit for bit against that order rebuilt here with scalar adds,
// and max/min against a plain loop, on lengths from 256 (shorter sums take TensorPrimitives) below the split threshold.
int reductionFailures = 0, reductionChecks = 0;
foreach (int length in new[] { 256, 257, 263, 300, 1000, 4097, 65536 + 5 })
{
    reductionFailures += SumCheck<float>(length) ? 0 : 1;
    reductionFailures += SumCheck<double>(length) ? 0 : 1;
    reductionChecks += 2;
}
Console.WriteLine(reductionFailures == 0 ? $"gemm-check: {reductionChecks} sums, maxima and minima match" : $"gemm-check: {reductionFailures} of {reductionChecks} reductions FAILED");
return failures == 0 && reductionFailures == 0 ? 0 : 1;

bool SumCheck<T>(int length) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    T[] x = Cast<T>(Random(length));
    T got = Tensor.FromArray(x, length).Sum().Item();
    T want = System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? Order128(x) : got;
    T max = x[0], min = x[0];
    foreach (var v in x) { max = T.Max(max, v); min = T.Min(min, v); }
    bool ok = got.Equals(want) && Tensor.FromArray(x, length).Max().Item().Equals(max) && Tensor.FromArray(x, length).Min().Item().Equals(min);
    if (!ok) Console.WriteLine($"  {typeof(T).Name} reductions of {length}: sum {got} (the documented order: {want})");
    return ok;
}

static T Order128<T>(T[] x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    int w = System.Runtime.Intrinsics.Vector128<T>.Count, n = x.Length, i = 0;
    var acc = new T[8, w];
    for (; i + 8 * w <= n; i += 8 * w)
        for (int a = 0; a < 8; a++)
            for (int l = 0; l < w; l++) acc[a, l] += x[i + a * w + l];
    for (; i + w <= n; i += w)
        for (int l = 0; l < w; l++) acc[0, l] += x[i + l];
    var lanes = new T[w];
    for (int l = 0; l < w; l++)
        lanes[l] = ((acc[0, l] + acc[1, l]) + (acc[2, l] + acc[3, l])) + ((acc[4, l] + acc[5, l]) + (acc[6, l] + acc[7, l]));
    T sum = System.Runtime.Intrinsics.Vector128.Sum(System.Runtime.Intrinsics.Vector128.Create<T>(lanes));
    for (; i < n; i++) sum += x[i];
    return sum;
}

bool Check<T>(int m, int k, int n, bool transposeA, double tolerance) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    double[] a = Random(m * k), b = Random(k * n);
    // A as stored: m×k, or k×m transposed by the library (the GEMM then reads it transposed).
    var ta = transposeA ? Tensor.FromArray(Cast<T>(TransposeOf(a, m, k)), k, m).Transpose() : Tensor.FromArray(Cast<T>(a), m, k);
    T[] c = Tensor<T>.MatMul(ta, Tensor.FromArray(Cast<T>(b), k, n)).ToArray();
    double worst = 0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double want = 0, scale = 0;
            for (int p = 0; p < k; p++) { want += a[i * k + p] * b[p * n + j]; scale += Math.Abs(a[i * k + p] * b[p * n + j]); }
            worst = Math.Max(worst, Math.Abs(double.CreateChecked(c[i * n + j]) - want) / Math.Max(scale, 1e-30));
        }
    bool ok = worst <= tolerance;
    if (!ok) Console.WriteLine($"  {typeof(T).Name} {m}x{k}x{n}{(transposeA ? " (A transposed)" : "")}: relative error {worst:E2} > {tolerance:E0}");
    return ok;
}

double[] Random(int count)
{
    var v = new double[count];
    for (int i = 0; i < count; i++) v[i] = rng.NextDouble() * 2 - 1;
    return v;
}

static double[] TransposeOf(double[] x, int rows, int cols)
{
    var t = new double[x.Length];
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
    return t;
}

static T[] Cast<T>(double[] x) where T : unmanaged, IBinaryFloatingPointIeee754<T> => [.. x.Select(T.CreateChecked)];
