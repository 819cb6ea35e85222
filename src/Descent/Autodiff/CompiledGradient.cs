using System.Numerics;

namespace Descent.Autodiff;

/// <summary>
/// A loss function traced once and compiled to an allocation-free program that computes its value, the gradients of
/// its parameters and, optionally, a fused gradient-descent update: what <c>jit(value_and_grad(f))</c> is to JAX.
/// Made by <see cref="Autograd.Compile{T}(Func{Tensor{T}})"/>.
/// </summary>
/// <remarks>
/// <para>
/// The program is fixed at compile time: the operations the function ran, in the order it ran them, on tensors of the
/// shapes it saw. Control flow in the function (an <c>if</c> on a value, a loop count) is frozen as traced.
/// </para>
/// <para>
/// <b>Binding.</b> Leaf tensors the function used are bound by reference: every call reads their current elements, so
/// in-place updates of parameters (an optimizer's step) and new data written into a data tensor
/// (<see cref="Tensor{T}.CopyFrom"/>, <see cref="Tensor{T}.Data"/>) are seen. <see cref="Bind"/> points the program at
/// another tensor of the same shape. Results computed from data alone (no parameter involved) are not recorded by the
/// engine, so they are evaluated once, while tracing, and are constants of the program.
/// </para>
/// <para>
/// <b>Gradients are overwritten</b>, not accumulated: after <see cref="Backward"/> or <see cref="Step"/> each parameter's
/// <see cref="Tensor{T}.Grad"/> holds ∂loss/∂parameter of this call alone, so no <see cref="Tensor{T}.ZeroGrad"/> is
/// needed. The Grad tensors are owned by the program and reused (allocated once).
/// </para>
/// <para>
/// A compiled gradient keeps preallocated buffers for its intermediate values: it is not thread-safe; compile once per
/// thread to run in parallel.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type.</typeparam>
public sealed class CompiledGradient<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly GraphCompiler<T>.Program _program;
    private readonly T[][] _buffers;
    private readonly Tensor<T>[] _leaves;
    private readonly Tensor<T>[] _parameters;
    private readonly Tensor<T>[] _grads;
    private Func<T[][], T, T>? _backward, _step;

    internal CompiledGradient(GraphCompiler<T>.Program program)
    {
        _program = program;
        _buffers = program.Buffers;
        _leaves = program.Leaves;
        _parameters = program.Parameters;
        _grads = new Tensor<T>[_parameters.Length];
        for (int i = 0; i < _grads.Length; i++) _grads[i] = new Tensor<T>(_parameters[i].ShapeArray, _buffers[program.GradSlots[i]]);
    }

    /// <summary>The tensors that get gradients: leaves of the traced graph that require a gradient, in order of first use.</summary>
    public IReadOnlyList<Tensor<T>> Parameters => _parameters;

    /// <summary>Every leaf tensor the program reads (parameters, data and constants), in order of first use.</summary>
    public IReadOnlyList<Tensor<T>> Leaves => _leaves;

    /// <summary>The number of recorded operations compiled into the program.</summary>
    public int OperationCount => _program.OperationCount;

    /// <summary>
    /// Runs the program: returns the loss and overwrites each parameter's <see cref="Tensor{T}.Grad"/> with ∂loss/∂parameter.
    /// The compiled counterpart of computing the loss and calling <c>loss.Backward()</c> after <c>ZeroGrad()</c>.
    /// </summary>
    public T Backward()
    {
        var run = _backward ??= _program.Compile(update: false);
        AttachGrads();
        return run(_buffers, T.Zero);
    }

    /// <summary>
    /// <see cref="Backward"/> followed, in the same compiled program, by the gradient-descent update
    /// <c>p ← p − learningRate·∂loss/∂p</c> of every parameter (bit for bit what <see cref="Tensor{T}.SubtractInPlace"/> does).
    /// Returns the loss before the update; the gradients stay in <see cref="Tensor{T}.Grad"/>.
    /// </summary>
    public T Step(T learningRate)
    {
        var run = _step ??= _program.Compile(update: true);
        AttachGrads();
        return run(_buffers, learningRate);
    }

    /// <summary>
    /// Makes the program read <paramref name="replacement"/> wherever it read the leaf <paramref name="bound"/> (a data
    /// tensor or a parameter seen while tracing, or one bound since): new data without copying. A parameter's
    /// replacement gets its gradient in its own <see cref="Tensor{T}.Grad"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="bound"/> is not a leaf of this program.</exception>
    /// <exception cref="ShapeException">The shapes differ: the program was compiled for the traced shapes.</exception>
    public void Bind(Tensor<T> bound, Tensor<T> replacement)
    {
        ArgumentNullException.ThrowIfNull(bound);
        ArgumentNullException.ThrowIfNull(replacement);
        int k = Array.IndexOf(_leaves, bound);
        if (k < 0)
            throw new ArgumentException("The tensor to replace is not a leaf of this compiled program (see Leaves).", nameof(bound));
        if (!Shapes.Equal(bound.Shape, replacement.Shape))
            throw new ShapeException($"Bind: the program was compiled for shape {Shapes.Format(bound.Shape)} but the replacement has shape {Shapes.Format(replacement.Shape)}; compile again (Autograd.Compile) for new shapes.");
        if (replacement.Node is not null)
            throw new ArgumentException("The replacement must be a leaf tensor (data or a parameter), not the result of a recorded operation; use Detach().", nameof(replacement));
        int p = Array.IndexOf(_parameters, bound);
        if (p >= 0 && !replacement.RequiresGrad)
            throw new ArgumentException("The replaced tensor is a parameter: its replacement must require a gradient (WithGrad()).", nameof(replacement));
        if (p < 0 && replacement.RequiresGrad)
            throw new ArgumentException("The replaced tensor was traced as data (it did not require a gradient): its replacement must not require one; compile again to differentiate with respect to it.", nameof(replacement));
        _leaves[k] = replacement;
        _buffers[_program.LeafSlots[k]] = replacement.Buffer;
        if (p >= 0)
        {
            _parameters[p] = replacement;
            var grad = new T[replacement.Size];
            _buffers[_program.GradSlots[p]] = grad;
            _grads[p] = new Tensor<T>(replacement.ShapeArray, grad);
        }
    }

    private void AttachGrads()
    {
        var parameters = _parameters;
        var grads = _grads;
        for (int i = 0; i < parameters.Length; i++)
            if (!ReferenceEquals(parameters[i].Grad, grads[i])) parameters[i].Grad = grads[i];
    }
}
