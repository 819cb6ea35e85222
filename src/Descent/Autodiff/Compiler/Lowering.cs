using System.Linq.Expressions;
using System.Numerics;
using System.Numerics.Tensors;
using System.Reflection;
using Descent.Kernels;
using Descent.Ops;

namespace Descent.Autodiff;

internal static partial class GraphCompiler<T>
{
    private static NotSupportedException Unsupported(string name, string? detail = null) =>
        new($"Autograd.Compile does not support the '{name}' operation{(detail is null ? "" : " (" + detail + ")")}. " +
            "Compute this loss with the eager engine (loss.Backward()), or write it with supported operations: " +
            "+, −, ×, ÷ (with broadcasting), negation, Square, Sqrt, Exp, Log, Pow, Abs, Sigmoid, Tanh, Relu, Reshape, BroadcastTo, MatMul of two matrices, Linear, Sum and Mean (over all elements or axes).");

    /// <summary>
    /// Turns one recorded operation into instructions the emitter knows: element-wise primitives, sums and matrix products
    /// as they are; a fused <see cref="Linear{T}"/> into its composition (matmul, add, relu), whose intermediate values
    /// are added to the engine's order just before the output.
    /// </summary>
    private static void Lower(Op<T> op, Value[] inputs, Value output, List<Instruction> ops, List<Value> order)
    {
        if (op is Linear<T> linear)
        {
            Value x = inputs[0], w = inputs[1];
            bool needs = x.RequiresGrad || w.RequiresGrad;
            var product = inputs.Length > 2 || linear.Relu ? new Value(output.Shape, needs) : output;
            Check(new Instruction(MatMul<T>.Instance, [x, w], product), ops);
            var current = product;
            if (inputs.Length > 2)
            {
                order.Add(product);
                needs |= inputs[2].RequiresGrad;
                var sum = linear.Relu ? new Value(output.Shape, needs) : output;
                Check(new Instruction(Add<T>.Instance, [product, inputs[2]], sum), ops);
                current = sum;
            }
            if (linear.Relu)
            {
                if (current != output) order.Add(current);
                Check(new Instruction(Relu<T>.Instance, [current], output), ops);
            }
            return;
        }
        Check(new Instruction(op, inputs, output), ops);
    }

    /// <summary>Checks an instruction is one the emitter supports, with the shapes it supports, and appends it.</summary>
    private static void Check(Instruction instruction, List<Instruction> ops)
    {
        var (op, inputs, output) = (instruction.Op, instruction.Inputs, instruction.Output);
        switch (op)
        {
            case MatMul<T>:
                if (inputs[0].Shape.Length != 2 || inputs[1].Shape.Length != 2 || output.Shape.Length != 2
                    || inputs[0].IsScalar || inputs[1].IsScalar || output.IsScalar)
                    throw Unsupported(op.Name, "only products of two matrices (2-D, more than one element each, and in the result) are compiled; batched products are not");
                break;
            case Sum<T>:
                break;
            case Reshape<T>:
                if (inputs[0].Size != output.Size) throw Unsupported(op.Name, "unexpected sizes");
                break;
            case IElementWise:
                foreach (var input in inputs)
                    if (!Shapes.CanBroadcastTo(input.Shape, output.Shape)) throw Unsupported(op.Name, "unexpected shapes");
                if (inputs.Length == 1 && op is not BroadcastTo<T> && inputs[0].Size != output.Size) throw Unsupported(op.Name, "unexpected shapes");
                break;
            default:
                throw Unsupported(op.Name);
        }
        ops.Add(instruction);
    }
}
