using System.Numerics;

namespace Descent.Optimization;

/// <summary>Per-parameter state arrays of a transform: allocation and exact conversion to and from <see cref="TransformState"/>.</summary>
internal static class ParameterArrays
{
    /// <summary>One zeroed array per parameter size.</summary>
    public static T[][] Allocate<T>(IReadOnlyList<int> sizes)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(sizes);
        var result = new T[sizes.Count][];
        for (int i = 0; i < sizes.Count; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(sizes[i], $"parameterSizes[{i}]");
            result[i] = new T[sizes[i]];
        }

        return result;
    }

    /// <summary>Adds <c>"{name}/{i}"</c> entries holding exact float64 copies of <paramref name="buffers"/>.</summary>
    public static void Save<T>(Dictionary<string, double[]> into, string name, T[][] buffers)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < buffers.Length; i++)
        {
            var copy = new double[buffers[i].Length];
            for (int j = 0; j < copy.Length; j++)
            {
                copy[j] = double.CreateTruncating(buffers[i][j]);
            }

            into[$"{name}/{i}"] = copy;
        }
    }

    /// <summary>Overwrites <paramref name="buffers"/> from the <c>"{name}/{i}"</c> entries of <paramref name="state"/>.</summary>
    public static void Load<T>(TransformState state, string name, T[][] buffers)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < buffers.Length; i++)
        {
            double[] source = state.Array($"{name}/{i}");
            if (source.Length != buffers[i].Length)
            {
                throw new ArgumentException($"State array '{name}/{i}' has length {source.Length} but parameter {i} has size {buffers[i].Length}.", nameof(state));
            }

            for (int j = 0; j < source.Length; j++)
            {
                buffers[i][j] = T.CreateTruncating(source[j]);
            }
        }
    }
}
