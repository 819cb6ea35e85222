namespace Descent.Optimization.Minimization;

/// <summary>
/// Eigenvalues of a small dense symmetric matrix by the cyclic Jacobi method: each rotation zeroes one off-diagonal
/// pair (p, q) with the angle tan 2θ = 2·a_pq / (a_qq − a_pp), and sweeps repeat until the off-diagonal mass is
/// negligible. Quadratically convergent, accurate, O(n³) per sweep: meant for Hessians of a few dozen parameters.
/// </summary>
/// <example><code>SymmetricEigen.Eigenvalues(new double[,] { { 2, 1 }, { 1, 2 } }); // [1, 3]</code></example>
public static class SymmetricEigen
{
    /// <summary>The eigenvalues of <paramref name="matrix"/>, ascending. Only the lower triangle is read.</summary>
    /// <param name="matrix">A square symmetric matrix with finite entries.</param>
    /// <param name="maxSweeps">The most sweeps over all off-diagonal pairs; default 100.</param>
    /// <returns>The eigenvalues, ascending.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="matrix"/> is null.</exception>
    /// <exception cref="ArgumentException">The matrix is not square, or has a non-finite entry.</exception>
    public static double[] Eigenvalues(double[,] matrix, int maxSweeps = 100)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.GetLength(0);
        if (matrix.GetLength(1) != n)
            throw new ArgumentException($"The matrix must be square, but it is {n}×{matrix.GetLength(1)}.", nameof(matrix));
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                if (!double.IsFinite(matrix[i, j]))
                    throw new ArgumentException($"The matrix must be finite, but entry ({i}, {j}) is {matrix[i, j]}.", nameof(matrix));
                a[i, j] = a[j, i] = matrix[i, j];
            }

        for (int sweep = 0; sweep < maxSweeps; sweep++)
        {
            double off = 0, diagonal = 0;
            for (int i = 0; i < n; i++)
            {
                diagonal += a[i, i] * a[i, i];
                for (int j = i + 1; j < n; j++) off += a[i, j] * a[i, j];
            }
            if (off <= 1e-32 * diagonal || off == 0) break;
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                    if (a[p, q] != 0) Rotate(a, n, p, q);
        }
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = a[i, i];
        Array.Sort(values);
        return values;
    }

    /// <summary>Applies the Jacobi rotation that zeroes a[p, q] (Golub &amp; Van Loan, Algorithm 8.5.1 in its stable form).</summary>
    private static void Rotate(double[,] a, int n, int p, int q)
    {
        double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
        // t = tan θ, the smaller root of t² + 2t·theta − 1 = 0, so the rotation angle is at most π/4.
        double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
        double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < n; k++)
        {
            double akp = a[k, p], akq = a[k, q];
            a[k, p] = c * akp - s * akq;
            a[k, q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; k++)
        {
            double apk = a[p, k], aqk = a[q, k];
            a[p, k] = c * apk - s * aqk;
            a[q, k] = s * apk + c * aqk;
        }
        a[p, q] = a[q, p] = 0;
    }
}
