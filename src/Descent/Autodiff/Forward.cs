using System.Numerics;

namespace Descent.Autodiff;

/// <summary>
/// Forward mode on a recorded graph: the tangent of every tensor, from the inputs' tangents, in the order the graph
/// was built, each node applying its Jacobian–vector product (<see cref="Node{T}.Jvp"/>). The graph is recorded once
/// and can be swept with many tangents (one per column of a Jacobian).
/// </summary>
internal sealed class Forward<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Tensor<T>[] _inputs;
    private readonly List<Tensor<T>> _order;

    /// <summary>Records nothing itself: <paramref name="output"/> is a result computed from <paramref name="inputs"/> with recording on.</summary>
    public Forward(Tensor<T> output, Tensor<T>[] inputs)
    {
        Output = output;
        _inputs = inputs;
        _order = output.RequiresGrad ? GraphOrder.PostOrder(output, t => t.RequiresGrad) : [];
    }

    /// <summary>The function's value.</summary>
    public Tensor<T> Output { get; }

    /// <summary>How many nodes of the sweep used their declared JVP, and how many the transpose of their VJP (the last sweep).</summary>
    public (int Declared, int Transposed) Counts { get; private set; }

    /// <summary>The tangent of the output for the tangents <paramref name="tangents"/> of the inputs (same shapes).</summary>
    public Tensor<T> Tangent(Tensor<T>[] tangents)
    {
        var known = new Dictionary<Tensor<T>, Tensor<T>>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _inputs.Length; i++) known[_inputs[i]] = known.TryGetValue(_inputs[i], out var earlier) ? earlier + tangents[i] : tangents[i];
        int declared = 0, transposed = 0;
        using (Autograd.NoGrad())
        {
            foreach (var t in _order)
            {
                if (known.ContainsKey(t) || t.Node is not { } node) continue;
                var inputs = new Tensor<T>?[node.InputCount];
                bool any = false;
                for (int i = 0; i < inputs.Length; i++)
                    if (known.TryGetValue(node.Input(i), out var v)) { inputs[i] = v; any = true; }
                if (!any) continue;
                var (tangent, isDeclared) = node.Jvp(inputs, t);
                if (isDeclared) declared++; else transposed++;
                known[t] = tangent;
            }
        }
        Counts = (declared, transposed);
        return known.TryGetValue(Output, out var result) ? result : new Tensor<T>(Output.ShapeArray);
    }
}
