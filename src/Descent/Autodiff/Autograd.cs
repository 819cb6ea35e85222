using System.Numerics;
using Descent.Autodiff;

namespace Descent;

/// <summary>
/// Controls of reverse-mode automatic differentiation: recording on or off, anomaly detection, and gradients of
/// outputs with respect to chosen inputs (the functional form of <see cref="Tensor{T}.Backward(bool, bool)"/>).
/// </summary>
public static partial class Autograd
{
    [ThreadStatic] private static int s_noGradDepth;
    [ThreadStatic] private static int s_anomalyDepth;

    /// <summary>
    /// Anomaly scopes open on any thread: while none is (always, outside debugging), <see cref="IsDetectingAnomalies"/>
    /// is answered without a thread-local read, which every recorded operation and backward pass asks.
    /// </summary>
    private static int s_anomalyScopes;

    /// <summary>
    /// <see cref="NoGrad"/> scopes open on any thread: while none is (the forward pass of a training step), <see
    /// cref="IsRecording"/> is answered without a thread-local read (~2.5 ns each on a JIT-compiled Linux process, where
    /// every recorded operation asks).
    /// </summary>
    private static int s_noGradScopes;

    /// <summary>True when operations on tensors that require gradients are being recorded (the default).</summary>
    public static bool IsRecording => Volatile.Read(ref s_noGradScopes) == 0 || s_noGradDepth == 0;

    /// <summary>True inside <see cref="DetectAnomaly"/>.</summary>
    public static bool IsDetectingAnomalies => Volatile.Read(ref s_anomalyScopes) != 0 && s_anomalyDepth > 0;

    /// <summary>
    /// A scope in which nothing is recorded: results are constants and no graph is kept. Use it for parameter updates
    /// and evaluation. Costs one thread-local counter; allocates nothing.
    /// <code>using (Autograd.NoGrad()) { /* ... */ }</code>
    /// </summary>
    public static Scope NoGrad()
    {
        Interlocked.Increment(ref s_noGradScopes);
        s_noGradDepth++;
        return new Scope(ScopeKind.NoGrad);
    }

    /// <summary>A scope that turns recording back on inside a <see cref="NoGrad"/> scope.</summary>
    public static Scope EnableGrad()
    {
        int saved = s_noGradDepth;
        s_noGradDepth = 0;
        return new Scope(ScopeKind.Enable, saved);
    }

    /// <summary>
    /// A scope in which every recorded operation checks its result, and every backward step its gradients, for NaN and
    /// infinity, and throws <see cref="AnomalyException"/> naming the first operation that produced one. Slow: for debugging.
    /// </summary>
    public static Scope DetectAnomaly()
    {
        Interlocked.Increment(ref s_anomalyScopes);
        s_anomalyDepth++;
        return new Scope(ScopeKind.Anomaly);
    }

    /// <summary>
    /// The gradients of <paramref name="output"/> with respect to each of <paramref name="inputs"/>, returned rather than
    /// accumulated into <see cref="Tensor{T}.Grad"/>. With <paramref name="createGraph"/> the gradients are themselves
    /// recorded, so they can be differentiated again (higher-order derivatives).
    /// An input that does not influence the output gets a zero gradient.
    /// </summary>
    /// <param name="output">A scalar, or any shape when <paramref name="upstream"/> is given.</param>
    /// <param name="inputs">Tensors that require gradients (leaves or intermediate results).</param>
    /// <param name="upstream">The gradient flowing into <paramref name="output"/>; ones for a scalar when null.</param>
    /// <param name="createGraph">Record the backward pass so its results can be differentiated.</param>
    /// <param name="retainGraph">Keep the graph for another backward pass (defaults to <paramref name="createGraph"/>).</param>
    public static Tensor<T>[] Grad<T>(Tensor<T> output, IReadOnlyList<Tensor<T>> inputs, Tensor<T>? upstream = null,
        bool createGraph = false, bool? retainGraph = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(inputs);
        for (int i = 0; i < inputs.Count; i++)
            if (!inputs[i].RequiresGrad)
                throw new GradientException($"Input {i} of Autograd.Grad does not require a gradient; call WithGrad() on it before computing the output.");
        var found = Engine<T>.Run(output, upstream, createGraph, retainGraph ?? createGraph, accumulateIntoLeaves: false, inputs);
        var result = new Tensor<T>[inputs.Count];
        for (int i = 0; i < result.Length; i++) result[i] = found![i] ?? new Tensor<T>(inputs[i].ShapeArray);
        return result;
    }

    /// <summary>The gradient of a scalar <paramref name="output"/> with respect to one input.</summary>
    public static Tensor<T> Grad<T>(Tensor<T> output, Tensor<T> input, bool createGraph = false) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Grad(output, [input], createGraph: createGraph)[0];

    internal enum ScopeKind { None, NoGrad, Enable, Anomaly }

    /// <summary>Ends a recording scope when disposed. Use it with <c>using</c>.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly ScopeKind _kind;
        private readonly int _saved;

        internal Scope(ScopeKind kind, int saved = 0)
        {
            _kind = kind;
            _saved = saved;
        }

        /// <summary>Restores the previous mode (a default <see cref="Scope"/> does nothing).</summary>
        public void Dispose()
        {
            switch (_kind)
            {
                case ScopeKind.NoGrad:
                    s_noGradDepth--;
                    Interlocked.Decrement(ref s_noGradScopes);
                    break;
                case ScopeKind.Enable: s_noGradDepth = _saved; break;
                case ScopeKind.Anomaly:
                    s_anomalyDepth--;
                    Interlocked.Decrement(ref s_anomalyScopes);
                    break;
            }
        }
    }
}
