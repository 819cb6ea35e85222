namespace Descent.Tests.Autodiff;

public class ComputationGraphTests
{
    [Fact]
    public void LogisticBuildingBlocksHaveHandDerivedValuesAndGradients()
    {
        // u = wᵀx, p = σ(u), L = −log p with w = (0.5, −1), x = (2, 1): u = 0, p = 0.5, L = ln 2.
        var w = Tensor.FromArray([0.5, -1.0]).WithGrad();
        w.Name = "w";
        var x = Tensor.FromArray([2.0, 1.0]);
        x.Name = "x";
        var u = Tensor<double>.Dot(w, x);
        var p = u.Sigmoid();
        var loss = -p.Log();
        var graph = ComputationGraph.From(loss);

        var byLabel = graph.Nodes.ToDictionary(n => n.Label);
        Assert.Equal(Math.Log(2), graph.Nodes[^1].Value[0], 1e-15);
        Assert.Equal(0.5, byLabel["sigmoid"].Value[0], 1e-15);
        // ∂L/∂p = −1/p = −2 ; ∂L/∂u = p − 1 = −0.5 ; ∂L/∂w = (p − 1)x = (−1, −0.5)
        Assert.Equal(-2, byLabel["sigmoid"].Gradient![0], 1e-12);
        Assert.Equal([-1.0, -0.5], byLabel["w"].Gradient!);
        Assert.Null(byLabel["x"].Gradient);

        var dot = graph.ToDot();
        Assert.StartsWith("digraph", dot);
        Assert.Contains("sigmoid", dot);
        Assert.Contains("->", dot);
        var mermaid = graph.ToMermaid();
        Assert.StartsWith("flowchart LR", mermaid);
        Assert.Contains("-->", mermaid);

        // The graph survives the export: a normal backward pass still works.
        loss.Backward();
        Assert.Equal(-1, w.Grad!.GetValue(0), 1e-12);
    }

    [Fact]
    public void OperationsAreDrawnWithTheParametersOfTheirOpRecords()
    {
        var x = Tensor.FromArray(new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3).WithGrad();
        var graph = ComputationGraph.From(x.Sum(1).Pow(3.0).Sum());
        var labels = graph.Nodes.Select(n => n.Label).ToList();
        Assert.Contains("sum(axes=[1])", labels);
        Assert.Contains("pow(3)", labels);
        Assert.Contains("sum(axes=[0])", graph.ToDot(), StringComparison.Ordinal);
    }
}
