using System.Globalization;
using System.Numerics;
using System.Text;
using Descent.Autodiff;

namespace Descent;

/// <summary>One node of a drawn computation graph: an input (leaf) or the result of a simple function.</summary>
/// <param name="Id">A stable identifier ("n0", "n1", … in evaluation order).</param>
/// <param name="Label">The leaf's name, or the operation's name with its parameters (<c>sum(axes=[1])</c>, <c>pow(3)</c>).</param>
/// <param name="IsLeaf">True for inputs (parameters and data).</param>
/// <param name="Shape">The value's shape.</param>
/// <param name="Value">The value, as doubles.</param>
/// <param name="Gradient">∂root/∂node, when gradients were computed.</param>
/// <param name="Inputs">The ids of the node's inputs.</param>
public sealed record GraphNode(string Id, string Label, bool IsLeaf, int[] Shape, double[] Value, double[]? Gradient, IReadOnlyList<string> Inputs);

/// <summary>
/// The computation graph behind a tensor, as in "u = wᵀx, p = σ(u), L = −log p": every simple function and
/// intermediate value, exported as Graphviz DOT or Mermaid text, with values and (optionally) the gradient of the
/// root with respect to every node.
/// </summary>
public sealed class ComputationGraph
{
    private ComputationGraph(IReadOnlyList<GraphNode> nodes) => Nodes = nodes;

    /// <summary>The nodes in evaluation order; the last is the root.</summary>
    public IReadOnlyList<GraphNode> Nodes { get; }

    /// <summary>
    /// Walks the graph that produced <paramref name="root"/>. With <paramref name="withGradients"/> (root must be a
    /// scalar), the gradient of the root with respect to every node is computed too, leaving the graph intact.
    /// </summary>
    public static ComputationGraph From<T>(Tensor<T> root, bool withGradients = true) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(root);
        var order = GraphOrder.PostOrder(root, static _ => true);
        var ids = new Dictionary<Tensor<T>, string>(ReferenceEqualityComparer.Instance);
        foreach (var t in order) ids[t] = "n" + ids.Count.ToString(CultureInfo.InvariantCulture);

        Dictionary<Tensor<T>, double[]>? gradients = null;
        if (withGradients && root.RequiresGrad && root.Size == 1)
        {
            var needing = order.Where(t => t.RequiresGrad).ToList();
            var grads = Autograd.Grad(root, needing, retainGraph: true);
            gradients = new Dictionary<Tensor<T>, double[]>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < needing.Count; i++) gradients[needing[i]] = grads[i].ToDoubleArray();
        }

        int leafCount = 0;
        var nodes = order.Select(t =>
        {
            var inputs = t.Node is { } n ? Enumerable.Range(0, n.InputCount).Select(i => ids[n.Input(i)]).ToArray() : [];
            string label = t.Node?.Op.Label ?? t.Name ?? (t.RequiresGrad ? "w" : "c") + (leafCount++).ToString(CultureInfo.InvariantCulture);
            double[]? g = gradients is not null && gradients.TryGetValue(t, out var v) ? v : null;
            return new GraphNode(ids[t], label, t.Node is null, t.ShapeArray, t.ToDoubleArray(), g, inputs);
        }).ToList();
        return new ComputationGraph(nodes);
    }

    /// <summary>Graphviz DOT text: leaves as boxes, operations as ellipses, each with its value and gradient.</summary>
    public string ToDot()
    {
        var sb = new StringBuilder("digraph computation {\n  rankdir=LR;\n  node [fontname=\"DejaVu Sans\"];\n");
        foreach (var n in Nodes)
        {
            string text = n.Label + "\\n= " + Summary(n.Value, n.Shape) + (n.Gradient is null ? "" : "\\ngrad " + Summary(n.Gradient, n.Shape));
            sb.Append(CultureInfo.InvariantCulture, $"  {n.Id} [label=\"{Escape(text)}\", shape={(n.IsLeaf ? "box" : "ellipse")}];\n");
            foreach (var input in n.Inputs) sb.Append(CultureInfo.InvariantCulture, $"  {input} -> {n.Id};\n");
        }
        return sb.Append("}\n").ToString();
    }

    /// <summary>Mermaid flowchart text with the same content as <see cref="ToDot"/>.</summary>
    public string ToMermaid()
    {
        var sb = new StringBuilder("flowchart LR\n");
        foreach (var n in Nodes)
        {
            string text = n.Label + "<br/>= " + Summary(n.Value, n.Shape) + (n.Gradient is null ? "" : "<br/>grad " + Summary(n.Gradient, n.Shape));
            text = text.Replace("\"", "'", StringComparison.Ordinal);
            sb.Append(n.IsLeaf ? $"  {n.Id}[\"{text}\"]\n" : $"  {n.Id}((\"{text}\"))\n");
        }
        foreach (var n in Nodes)
            foreach (var input in n.Inputs) sb.Append(CultureInfo.InvariantCulture, $"  {input} --> {n.Id}\n");
        return sb.ToString();
    }

    private static string Summary(double[] values, int[] shape)
    {
        if (values.Length == 1) return values[0].ToString("G6", CultureInfo.InvariantCulture);
        if (values.Length <= 4) return "[" + string.Join(", ", values.Select(v => v.ToString("G4", CultureInfo.InvariantCulture))) + "]";
        return "shape " + Shapes.Format(shape);
    }

    private static string Escape(string s) => s.Replace("\"", "\\\"", StringComparison.Ordinal);
}
