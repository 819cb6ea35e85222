using System.Numerics;

namespace Descent.Optimization.Transforms;

/// <summary>A gradient transform with a typed state: implement <see cref="Init"/> and <see cref="Update"/>.</summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
/// <typeparam name="TState">The state's type.</typeparam>
public abstract class GradientTransform<T, TState> : IGradientTransform<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
    where TState : class, ITransformState
{
    /// <inheritdoc cref="IGradientTransform{T}.Init" />
    public abstract TState Init(IReadOnlyList<int> parameterSizes);

    /// <inheritdoc cref="IGradientTransform{T}.Update" />
    public abstract void Update(ParameterBuffers<T> buffers, TState state, long step);

    ITransformState IGradientTransform<T>.Init(IReadOnlyList<int> parameterSizes) => Init(parameterSizes);

    void IGradientTransform<T>.Update(ParameterBuffers<T> buffers, ITransformState state, long step) => Update(buffers, Typed(state), step);

    /// <summary><paramref name="state"/> as this transform's state type.</summary>
    /// <exception cref="ArgumentException">It is of another type.</exception>
    protected TState Typed(ITransformState state) => state as TState
        ?? throw new ArgumentException($"{Name(GetType())} was given {(state is null ? "no state" : "a " + Name(state.GetType()))}; pass the state its own Init made.", nameof(state));

    private static string Name(Type type)
    {
        string name = type.Name.Split('`')[0];
        return type.DeclaringType is { } outer ? Name(outer) + "." + name : name;
    }
}

/// <summary>A gradient transform without state (the optax <c>stateless</c> helper): implement <see cref="Apply"/>.</summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class StatelessTransform<T> : GradientTransform<T, NoState>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public sealed override NoState Init(IReadOnlyList<int> parameterSizes) => NoState.Instance;

    /// <inheritdoc />
    public sealed override void Update(ParameterBuffers<T> buffers, NoState state, long step)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        Apply(buffers, step);
    }

    /// <summary>Rewrites the update buffers in place.</summary>
    /// <param name="buffers">The updates and the current parameter values.</param>
    /// <param name="step">The 0-based index of this update.</param>
    protected abstract void Apply(ParameterBuffers<T> buffers, long step);
}

/// <summary>The state of a transform that has none.</summary>
public sealed class NoState : ITransformState
{
    private NoState()
    {
    }

    /// <summary>The one instance.</summary>
    public static NoState Instance { get; } = new();

    /// <inheritdoc />
    public TransformState Save() => TransformState.Empty;

    /// <inheritdoc />
    public void Load(TransformState saved)
    {
    }
}
