namespace Descent.Optimization.Minimization;

/// <summary>Cholesky factorization A = L·Lᵀ of a small dense symmetric matrix, and the solve that uses it.</summary>
internal static class Cholesky
{
    /// <summary>Factors A + shift·I; false when it is not (numerically) positive definite.</summary>
    public static bool TryFactor(double[,] a, double shift, out double[,] lower)
    {
        int n = a.GetLength(0);
        lower = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            double d = a[j, j] + shift;
            for (int k = 0; k < j; k++) d -= lower[j, k] * lower[j, k];
            if (!(d > 0) || !double.IsFinite(d)) return false;
            double root = Math.Sqrt(d);
            lower[j, j] = root;
            for (int i = j + 1; i < n; i++)
            {
                double s = a[i, j];
                for (int k = 0; k < j; k++) s -= lower[i, k] * lower[j, k];
                lower[i, j] = s / root;
            }
        }
        return true;
    }

    /// <summary>Solves L·Lᵀ·x = b.</summary>
    public static double[] Solve(double[,] lower, double[] b)
    {
        int n = b.Length;
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= lower[i, k] * y[k];
            y[i] = s / lower[i, i];
        }
        var x = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double s = y[i];
            for (int k = i + 1; k < n; k++) s -= lower[k, i] * x[k];
            x[i] = s / lower[i, i];
        }
        return x;
    }
}
