using CsCheck;
using Descent.Optimization.Minimization;

namespace Descent.Tests.Optimization.Minimization;

public class SymmetricEigenTests
{
    [Fact]
    public void TwoByTwo() => Assert.Equal([1.0, 3.0], SymmetricEigen.Eigenvalues(new double[,] { { 2, 1 }, { 1, 2 } }).Select(v => Math.Round(v, 12)));

    [Fact]
    public void DiagonalIsSorted() => Assert.Equal([-2.0, 0.0, 5.0], SymmetricEigen.Eigenvalues(new double[,] { { 5, 0, 0 }, { 0, -2, 0 }, { 0, 0, 0 } }));

    [Fact]
    public void TraceAndFrobeniusNormArePreserved()
    {
        // Σλ = trace A and Σλ² = ‖A‖²_F for every symmetric A.
        Gen.Int[1, 8].SelectMany(n => Gen.Double[-10, 10].Array[n * n].Select(v => (n, v))).Sample(t =>
        {
            var (n, v) = t;
            var a = new double[n, n];
            for (int i = 0; i < n; i++) for (int j = 0; j <= i; j++) a[i, j] = a[j, i] = v[i * n + j];
            var values = SymmetricEigen.Eigenvalues(a);
            double trace = 0, frobenius = 0;
            for (int i = 0; i < n; i++) { trace += a[i, i]; for (int j = 0; j < n; j++) frobenius += a[i, j] * a[i, j]; }
            Assert.Equal(trace, values.Sum(), 1e-9);
            Assert.Equal(frobenius, values.Sum(l => l * l), 1e-7 * Math.Max(1, frobenius));
            for (int i = 1; i < n; i++) Assert.True(values[i] >= values[i - 1]);
        }, iter: 200);
    }

    [Fact]
    public void RejectsNonSquare() => Assert.Throws<ArgumentException>(() => SymmetricEigen.Eigenvalues(new double[2, 3]));
}
