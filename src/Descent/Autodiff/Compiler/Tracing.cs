using System.Linq.Expressions;
using System.Numerics;
using System.Numerics.Tensors;
using System.Reflection;
using Descent.Kernels;
using Descent.Ops;

namespace Descent.Autodiff;

/// <summary>
/// Turns a recorded graph into a <see cref="System.Linq.Expressions"/> program: forward values into preallocated arrays
/// (or locals for one-element tensors), then the reverse pass in the engine's own order with the engine's own formulas
/// (so results match the eager engine, bit for bit where the same kernels are used), then optionally the update step.
/// The stages, one file each: tracing (this file: the graph read into values and instructions), lowering (op records to
/// the instructions the emitter knows), fusion (consecutive element-wise loops merged) and emission (expression trees).
/// Everything it knows about an operation it reads from the node's op record (<see cref="Op{T}"/>): its type, its
/// parameters and, for element-wise primitives, their scalar forms (<see cref="IElementWise"/>).
/// </summary>
internal static partial class GraphCompiler<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>One tensor of the traced graph.</summary>
    internal sealed class Value(int[] shape, bool requiresGrad)
    {
        public readonly int[] Shape = shape;
        public readonly int Size = Shapes.Size(shape);
        public readonly bool RequiresGrad = requiresGrad;
        public int LeafSlot = -1;      // index in Buffers of a leaf's elements
        public int ParameterIndex = -1;
        public bool IsScalar => Size == 1;
    }

    /// <summary>One instruction: a primitive's op record applied to values.</summary>
    internal sealed class Instruction(Op<T> op, Value[] inputs, Value output)
    {
        public readonly Op<T> Op = op;
        public readonly Value[] Inputs = inputs;
        public readonly Value Output = output;
        public string Name => Op.Name;
    }

    /// <summary>The traced graph, the bound buffers, and the code generator's entry point.</summary>
    internal sealed class Program
    {
        public required T[][] Buffers;
        public required Tensor<T>[] Leaves;
        public required int[] LeafSlots;
        public required Tensor<T>[] Parameters;
        public required int[] GradSlots;
        public required Value[] ParameterValues;
        public required List<Instruction> Ops;  // forward order
        public required List<Value> Order;      // values in the engine's topological order (leaves and results)
        public required Value Root;

        public int OperationCount => Ops.Count;

        public Func<T[][], T, T> Compile(bool update) => new Emitter(this, update).Build();
    }

    /// <summary>Reads the graph under <paramref name="root"/>, lowers every operation and checks it is supported.</summary>
    public static Program Build(Tensor<T> root)
    {
        // The engine's order: post-order over the inputs that require a gradient.
        var order = GraphOrder.PostOrder(root, static t => t.RequiresGrad);

        var values = new Dictionary<Tensor<T>, Value>(ReferenceEqualityComparer.Instance);
        var buffers = new List<T[]>();
        var leaves = new List<Tensor<T>>();
        var leafSlots = new List<int>();
        var parameters = new List<Tensor<T>>();
        var parameterValues = new List<Value>();
        var ops = new List<Instruction>();
        var orderValues = new List<Value>();

        Value Register(Tensor<T> t)
        {
            if (values.TryGetValue(t, out var v)) return v;
            v = new Value(t.ShapeArray, t.RequiresGrad);
            values.Add(t, v);
            if (t.Node is null)
            {
                v.LeafSlot = buffers.Count;
                buffers.Add(t.Buffer);
                leaves.Add(t);
                leafSlots.Add(v.LeafSlot);
                if (t.RequiresGrad)
                {
                    v.ParameterIndex = parameters.Count;
                    parameters.Add(t);
                    parameterValues.Add(v);
                }
            }
            return v;
        }

        foreach (var t in order)
        {
            var node = t.Node;
            if (node is null)
            {
                orderValues.Add(Register(t));
                continue;
            }
            if (node.Freed)
                throw new GradientException($"Autograd.Compile reached the '{node.Name}' operation whose graph was already freed by a backward pass; the function must compute its loss afresh on each call.");
            var inputs = new Value[node.InputCount];
            for (int k = 0; k < inputs.Length; k++) inputs[k] = Register(node.Input(k));
            var output = Register(t);
            Lower(node.Op, inputs, output, ops, orderValues);
            orderValues.Add(output);
        }

        var gradSlots = new int[parameters.Count];
        for (int p = 0; p < gradSlots.Length; p++)
        {
            gradSlots[p] = buffers.Count;
            buffers.Add(new T[parameters[p].Size]);
        }
        return new Program
        {
            Buffers = [.. buffers], Leaves = [.. leaves], LeafSlots = [.. leafSlots], Parameters = [.. parameters],
            GradSlots = gradSlots, ParameterValues = [.. parameterValues], Ops = ops, Order = orderValues, Root = values[root],
        };
    }
}
