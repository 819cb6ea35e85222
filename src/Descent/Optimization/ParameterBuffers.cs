using System.Numerics;

namespace Descent.Optimization;

/// <summary>
/// What a gradient transform sees at one step: for every parameter <c>i</c>, its update buffer
/// (initially the gradient; rewritten in place by each transform of a chain) and its current values (read-only).
/// </summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class ParameterBuffers<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly IReadOnlyList<T[]> _updates;
    private readonly IReadOnlyList<IOptimizable<T>> _parameters;

    /// <summary>Pairs update buffers with parameters; both lists must have the same count and sizes.</summary>
    /// <param name="updates">One update buffer per parameter, of the parameter's size.</param>
    /// <param name="parameters">The parameters whose values the transforms may read.</param>
    /// <exception cref="ArgumentException">The counts or sizes differ.</exception>
    public ParameterBuffers(IReadOnlyList<T[]> updates, IReadOnlyList<IOptimizable<T>> parameters)
    {
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentNullException.ThrowIfNull(parameters);
        if (updates.Count != parameters.Count)
        {
            throw new ArgumentException($"There are {updates.Count} update buffers for {parameters.Count} parameters; give one buffer per parameter.", nameof(updates));
        }

        for (int i = 0; i < updates.Count; i++)
        {
            if (updates[i].Length != parameters[i].Size)
            {
                throw new ArgumentException($"Update buffer {i} has length {updates[i].Length} but parameter {i} has size {parameters[i].Size}.", nameof(updates));
            }
        }

        _updates = updates;
        _parameters = parameters;
    }

    /// <summary>The number of parameters.</summary>
    public int Count => _updates.Count;

    /// <summary>The number of elements of parameter <paramref name="index"/>.</summary>
    /// <param name="index">The parameter's index, in [0, <see cref="Count"/>).</param>
    public int Size(int index) => _updates[index].Length;

    /// <summary>The update buffer of parameter <paramref name="index"/>, rewritten in place by transforms.</summary>
    /// <param name="index">The parameter's index, in [0, <see cref="Count"/>).</param>
    public Span<T> Updates(int index) => _updates[index];

    /// <summary>The current values of parameter <paramref name="index"/>.</summary>
    /// <param name="index">The parameter's index, in [0, <see cref="Count"/>).</param>
    public ReadOnlySpan<T> Parameters(int index) => _parameters[index].Values;
}
