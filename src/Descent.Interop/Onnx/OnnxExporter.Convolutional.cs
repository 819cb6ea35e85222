using Descent.Learning.Modules;

namespace Descent.Interop.Onnx;

// The convolutional layers' rows of the export table: Conv, MaxPool, AveragePool, GlobalAveragePool, BatchNormalization
// (inference: the running statistics), Flatten, and the CNN's own reshape of rows of pixels to NCHW images.
public static partial class OnnxExporter
{
    /// <summary>A <see cref="Cnn{T}"/>: rows of pixels reshaped to [N, C, H, W] as the network does, then its layers.</summary>
    private static string ExportCnn(OnnxGraph g, Module<float> module, string x)
    {
        var cnn = (Cnn<float>)module;
        return ExportLayer(g, cnn.Layers, ToImages(g, x, cnn.InputShape[0], cnn.InputShape[1], cnn.InputShape[2]));
    }

    private static string ToImages(OnnxGraph g, string x, int channels, int height, int width)
        => g.Node("Reshape", [x, g.Int64Constant("image_shape", [-1, channels, height, width])]);

    /// <summary>Conv with the weight [O, C/G, KH, KW] (ONNX's layout too); padding "same" written as the explicit pads it means.</summary>
    private static string ExportConv2d(OnnxGraph g, Module<float> module, string x)
    {
        var conv = (Conv2d<float>)module;
        int spanH = conv.Dilation.H * (conv.Kernel.H - 1) + 1, spanW = conv.Dilation.W * (conv.Kernel.W - 1) + 1;
        var p = conv.Padding.IsSame
            ? new ConvPadding((spanH - 1) / 2, spanH - 1 - (spanH - 1) / 2, (spanW - 1) / 2, spanW - 1 - (spanW - 1) / 2)
            : conv.Padding;
        string w = g.Constant("conv_weight", conv.Weight.ShapeArray, Values(conv.Weight));
        var inputs = conv.Bias is null ? new[] { x, w } : [x, w, g.Constant("conv_bias", conv.Bias.ShapeArray, Values(conv.Bias))];
        return g.Node("Conv", inputs, new Dictionary<string, object>
        {
            ["kernel_shape"] = new long[] { conv.Kernel.H, conv.Kernel.W },
            ["strides"] = new long[] { conv.Stride.H, conv.Stride.W },
            ["dilations"] = new long[] { conv.Dilation.H, conv.Dilation.W },
            ["pads"] = new long[] { p.Top, p.Left, p.Bottom, p.Right },
            ["group"] = (long)conv.Groups,
        });
    }

    /// <summary>MaxPool or AveragePool; an average counts padded zeros, as Descent (and PyTorch by default) do.</summary>
    private static string Pool(OnnxGraph g, string op, string x, int kernel, int stride, int padding)
    {
        var attributes = new Dictionary<string, object>
        {
            ["kernel_shape"] = new long[] { kernel, kernel },
            ["strides"] = new long[] { stride, stride },
            ["pads"] = new long[] { padding, padding, padding, padding },
        };
        if (op == "AveragePool") attributes["count_include_pad"] = 1L;
        return g.Node(op, [x], attributes);
    }

    /// <summary>Adaptive average pooling to 1×1 is GlobalAveragePool; other sizes have no fixed-window ONNX operator.</summary>
    private static string ExportAdaptiveAvgPool(OnnxGraph g, Module<float> module, string x)
    {
        var pool = (AdaptiveAvgPool2d<float>)module;
        if (pool.OutH != 1 || pool.OutW != 1)
            throw new OnnxExportException($"AdaptiveAvgPool2d({pool.OutH}, {pool.OutW}) has no ONNX export (its windows depend on the input size); only the global 1×1 pooling (GlobalAveragePool) has.");
        return g.Node("GlobalAveragePool", [x]);
    }

    /// <summary>BatchNormalization in inference mode: the running mean and variance; γ = 1, β = 0 without the affine map.</summary>
    private static string BatchNormalization(OnnxGraph g, BatchNorm<float> bn, string x)
    {
        int c = bn.Channels;
        string scale = bn.Weight is null ? g.Constant("bn_scale", [c], Enumerable.Repeat(1.0, c).ToArray()) : g.Constant("bn_scale", [c], Values(bn.Weight));
        string bias = bn.Bias is null ? g.Constant("bn_bias", [c], new double[c]) : g.Constant("bn_bias", [c], Values(bn.Bias));
        string mean = g.Constant("bn_mean", [c], Values(bn.RunningMean));
        string variance = g.Constant("bn_var", [c], Values(bn.RunningVar));
        return g.Node("BatchNormalization", [x, scale, bias, mean, variance], new Dictionary<string, object> { ["epsilon"] = bn.Eps });
    }
}
