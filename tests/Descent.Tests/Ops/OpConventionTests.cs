using System.Reflection;

namespace Descent.Tests.Ops;

/// <summary>Every public differentiable op of <see cref="Tensor{T}"/> has a line in <see cref="OpRegistry"/> (STYLE.md §2).</summary>
public class OpConventionTests
{
    /// <summary>Public members returning a tensor that are not differentiable ops, each with the reason.</summary>
    private static readonly Dictionary<string, string> NotOps = new()
    {
        ["GreaterThan"] = "comparison: a constant 0/1 tensor",
        ["GreaterOrEqual"] = "comparison: a constant 0/1 tensor",
        ["LessThan"] = "comparison: a constant 0/1 tensor",
        ["LessOrEqual"] = "comparison: a constant 0/1 tensor",
        ["EqualTo"] = "comparison: a constant 0/1 tensor",
        ["Sign"] = "piecewise constant: derivative 0 almost everywhere, returned as a constant",
        ["ArgMax"] = "integer positions, a constant",
        ["ArgMin"] = "integer positions, a constant",
        ["Detach"] = "cuts the graph by design",
        ["Clone"] = "a constant copy by design",
        ["WithGrad"] = "marks a leaf, returns the same tensor",
        ["SubtractInPlace"] = "in-place parameter update, not recorded",
        ["CopyFrom"] = "in-place copy, not recorded",
        ["MatMulInto"] = "the product into a caller-owned destination, not recorded (tested against MatMul in LinearAlgebraTests)",
    };

    private static IEnumerable<string> PublicTensorMembers() =>
        typeof(Tensor<double>).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m.ReturnType == typeof(Tensor<double>))
            .Where(m => !m.IsSpecialName || m.Name.StartsWith("op_", StringComparison.Ordinal) || m.Name == "get_Slice") // operators and the indexer, not property getters
            .Select(m => m.Name)
            .Distinct();

    [Fact]
    public void EveryPublicDifferentiableOpHasARegistryLine()
    {
        var covered = OpRegistry.All.SelectMany(s => s.Covers).ToHashSet();
        var missing = PublicTensorMembers().Where(n => !covered.Contains(n) && !NotOps.ContainsKey(n)).Order().ToArray();
        Assert.True(missing.Length == 0,
            "These public ops have no line in OpRegistry.All (add one, or list them in NotOps with a reason): " + string.Join(", ", missing));
    }

    [Fact]
    public void RegistryAndExclusionsNameOnlyRealMembers()
    {
        var members = PublicTensorMembers().ToHashSet();
        var stale = OpRegistry.All.SelectMany(s => s.Covers).Concat(NotOps.Keys).Where(n => !members.Contains(n)).ToArray();
        Assert.Empty(stale);
        Assert.DoesNotContain(OpRegistry.All.SelectMany(s => s.Covers), NotOps.ContainsKey);
    }

    [Fact]
    public void RegistryNamesAreUnique()
        => Assert.Equal(OpRegistry.All.Length, OpRegistry.All.Select(s => s.Name).Distinct().Count());
}
