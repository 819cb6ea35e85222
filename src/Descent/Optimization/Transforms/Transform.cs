using System.Numerics;

namespace Descent.Optimization.Transforms;

/// <summary>Composition helpers for gradient transforms (the element type is inferred from the arguments).</summary>
public static class Transform
{
    /// <summary>Chains <paramref name="transforms"/> in order; see <see cref="Chain{T}"/>.</summary>
    /// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="transforms">The transforms to run one after another.</param>
    /// <returns>The chain.</returns>
    public static Chain<T> Chain<T>(params IGradientTransform<T>[] transforms)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => new(transforms);
}
