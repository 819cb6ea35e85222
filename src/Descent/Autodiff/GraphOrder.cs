using System.Numerics;

namespace Descent.Autodiff;

/// <summary>
/// The tensors of a recorded graph in post-order (inputs before the results made from them), by an iterative
/// depth-first search so deep graphs cannot overflow the stack — the order the engine's backward pass uses, reversed.
/// Shared by the graph drawing and the compiler; the engine keeps its own allocation-free walk (visit stamps).
/// </summary>
internal static class GraphOrder
{
    /// <summary>Every tensor reachable from <paramref name="root"/> through inputs that <paramref name="follow"/> accepts, each once.</summary>
    public static List<Tensor<T>> PostOrder<T>(Tensor<T> root, Func<Tensor<T>, bool> follow) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var order = new List<Tensor<T>>();
        var seen = new HashSet<Tensor<T>>(ReferenceEqualityComparer.Instance) { root };
        var stack = new Stack<(Tensor<T> Tensor, int Next)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var node = t.Node;
            if (node is not null && next < node.InputCount)
            {
                stack.Push((t, next + 1));
                var input = node.Input(next);
                if (follow(input) && seen.Add(input)) stack.Push((input, 0));
                continue;
            }
            order.Add(t);
        }
        return order;
    }
}
