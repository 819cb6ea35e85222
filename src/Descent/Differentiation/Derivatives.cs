namespace Descent.Differentiation;

/// <summary>
/// Functional derivatives of tensor functions by reverse mode: the gradient, the Jacobian, the Hessian (the backward
/// pass differentiated again), Hessian–vector products without forming the Hessian, and directional derivatives.
/// Functions take a 1-D parameter vector.
/// </summary>
public static class Derivatives
{
    /// <summary>∇f(x) of a scalar function.</summary>
    public static double[] Gradient(Func<Tensor<double>, Tensor<double>> f, double[] x)
    {
        var (w, value) = Evaluate(f, x);
        return value.RequiresGrad ? Autograd.Grad(value, w).ToArray() : new double[x.Length];
    }

    /// <summary>The m×n Jacobian J[i, j] = ∂fᵢ/∂xⱼ of a vector function, one backward pass per output.</summary>
    public static double[,] Jacobian(Func<Tensor<double>, Tensor<double>> f, double[] x)
    {
        ArgumentNullException.ThrowIfNull(f);
        var w = Tensor.FromArray((double[])x.Clone()).WithGrad();
        var y = f(w);
        int m = y.Size, n = x.Length;
        var jacobian = new double[m, n];
        if (!y.RequiresGrad) return jacobian;
        for (int i = 0; i < m; i++)
        {
            var unit = Tensor.Zeros<double>(y.ShapeArray);
            unit.Data[i] = 1;
            var row = Autograd.Grad(y, [w], unit, retainGraph: i < m - 1)[0];
            for (int j = 0; j < n; j++) jacobian[i, j] = row.Data[j];
        }
        return jacobian;
    }

    /// <summary>The n×n Hessian ∂²f/∂xᵢ∂xⱼ of a scalar function: the gradient computed with its graph, then each component differentiated.</summary>
    public static double[,] Hessian(Func<Tensor<double>, Tensor<double>> f, double[] x)
    {
        var (w, value) = Evaluate(f, x);
        int n = x.Length;
        var hessian = new double[n, n];
        if (!value.RequiresGrad) return hessian;
        var g = Autograd.Grad(value, w, createGraph: true);
        if (!g.RequiresGrad) return hessian;
        for (int i = 0; i < n; i++)
        {
            var unit = Tensor.Zeros<double>(n);
            unit.Data[i] = 1;
            var row = Autograd.Grad(g, [w], unit, retainGraph: i < n - 1)[0];
            for (int j = 0; j < n; j++) hessian[i, j] = row.Data[j];
        }
        return hessian;
    }

    /// <summary>H(x)·v without forming H: the gradient of ∇f(x)·v, two backward passes whatever the dimension.</summary>
    public static double[] HessianVectorProduct(Func<Tensor<double>, Tensor<double>> f, double[] x, double[] v)
    {
        ArgumentNullException.ThrowIfNull(v);
        if (v.Length != x.Length) throw new ArgumentException($"The vector has {v.Length} components but x has {x.Length}.", nameof(v));
        var (w, value) = Evaluate(f, x);
        if (!value.RequiresGrad) return new double[x.Length];
        var g = Autograd.Grad(value, w, createGraph: true);
        if (!g.RequiresGrad) return new double[x.Length];
        return Autograd.Grad((g * Tensor.FromArray(v)).Sum(), w).ToArray();
    }

    /// <summary>The directional derivative uᵀ∇f(x) along <paramref name="direction"/>, normalised to unit length first.</summary>
    /// <exception cref="ArgumentException">The direction is zero.</exception>
    public static double DirectionalDerivative(Func<Tensor<double>, Tensor<double>> f, double[] x, double[] direction)
    {
        ArgumentNullException.ThrowIfNull(direction);
        if (direction.Length != x.Length) throw new ArgumentException($"The direction has {direction.Length} components but x has {x.Length}.", nameof(direction));
        double norm = Math.Sqrt(direction.Sum(d => d * d));
        if (!(norm > 0) || !double.IsFinite(norm)) throw new ArgumentException("The direction must be a finite, non-zero vector.", nameof(direction));
        var g = Gradient(f, x);
        double sum = 0;
        for (int i = 0; i < g.Length; i++) sum += g[i] * direction[i] / norm;
        return sum;
    }

    private static (Tensor<double> W, Tensor<double> Value) Evaluate(Func<Tensor<double>, Tensor<double>> f, double[] x)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        var w = Tensor.FromArray((double[])x.Clone()).WithGrad();
        var value = f(w);
        if (value.Size != 1) throw new ArgumentException($"The function must return a scalar, but it returned shape {Shapes.Format(value.Shape)}.", nameof(f));
        return (w, value);
    }
}
