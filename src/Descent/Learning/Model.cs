using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Descent.Learning.Data;
using Descent.Learning.Modules;
using Descent.Learning.Training;

namespace Descent.Learning;

/// <summary>What a model predicts.</summary>
public enum ModelTask
{
    /// <summary>Numbers: the outputs are the predicted target values.</summary>
    Regression,
    /// <summary>Classes: the outputs are scores (or, for logistic regression, the probability of the second class).</summary>
    Classification,
}

/// <summary>
/// A model's architecture as data: the kind (<c>linear</c>, <c>logistic</c>, <c>softmax</c>, <c>mlp</c>), its input and
/// output sizes and, for an MLP, the hidden layer sizes and the activation. <see cref="Build{T}"/> makes the module.
/// </summary>
/// <param name="Kind">linear | logistic | softmax | mlp.</param>
/// <param name="Inputs">Input features.</param>
/// <param name="Outputs">Outputs: targets (regression), classes (softmax, MLP classifier), 1 (logistic).</param>
/// <param name="Hidden">The MLP's hidden layer sizes (empty for the other kinds).</param>
/// <param name="Activation">The MLP's activation (relu by default).</param>
public sealed record ModelArchitecture(string Kind, int Inputs, int Outputs, IReadOnlyList<int> Hidden, string Activation = "relu")
{
    /// <summary>An MLP's fixed output offsets (<see cref="Mlp{T}.WithOutputScaling"/>), or null.</summary>
    public IReadOnlyList<double>? OutputOffset { get; init; }

    /// <summary>An MLP's fixed output scales (<see cref="Mlp{T}.WithOutputScaling"/>), or null.</summary>
    public IReadOnlyList<double>? OutputScale { get; init; }

    /// <summary>The kinds <see cref="Build{T}"/> knows.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["linear", "logistic", "softmax", "mlp"];

    /// <summary>The module with freshly initialised parameters (from <paramref name="seed"/>).</summary>
    /// <exception cref="ArgumentException">An unknown kind or a size below 1.</exception>
    public Module<T> Build<T>(int seed = 0) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Inputs < 1 || Outputs < 1 || Hidden.Any(h => h < 1))
            throw new ArgumentException($"Model sizes must be at least 1: inputs {Inputs}, outputs {Outputs}, hidden [{string.Join(", ", Hidden)}].");
        return Kind switch
        {
            "linear" => new LinearRegression<T>(Inputs, Outputs, seed),
            "logistic" when Outputs == 1 => new LogisticRegression<T>(Inputs, seed),
            "logistic" => throw new ArgumentException($"A logistic model has one output, not {Outputs}."),
            "softmax" => new SoftmaxRegression<T>(Inputs, Outputs, seed),
            "mlp" when OutputOffset is not null && OutputScale is not null => new Mlp<T>(Inputs, Hidden, Outputs, Activation, seed).WithOutputScaling(OutputOffset, OutputScale),
            "mlp" => new Mlp<T>(Inputs, Hidden, Outputs, Activation, seed),
            _ => throw new ArgumentException($"Unknown model kind '{Kind}'; known: {string.Join(", ", Kinds)}."),
        };
    }

    /// <summary>The architecture of a module built by this library (<see cref="LinearRegression{T}"/>, <see cref="LogisticRegression{T}"/>, <see cref="SoftmaxRegression{T}"/>, <see cref="Mlp{T}"/>).</summary>
    /// <exception cref="ArgumentException">Another kind of module: describe it with the constructor instead.</exception>
    public static ModelArchitecture Of<T>(Module<T> module) where T : unmanaged, IBinaryFloatingPointIeee754<T> => module switch
    {
        LinearRegression<T> m => new("linear", m.Weight.Shape[0], m.Weight.Shape[1], []),
        LogisticRegression<T> m => new("logistic", m.NamedParameters().First(p => p.Name == "weight").Parameter.Shape[0], 1, []),
        SoftmaxRegression<T> m => new("softmax", m.NamedParameters().First(p => p.Name == "weight").Parameter.Shape[0], m.NamedParameters().First(p => p.Name == "weight").Parameter.Shape[1], []),
        Mlp<T> m => new("mlp", m.Inputs, m.Outputs, m.Hidden, m.ActivationName) { OutputOffset = m.OutputOffset, OutputScale = m.OutputScale },
        null => throw new ArgumentNullException(nameof(module)),
        _ => throw new ArgumentException($"ModelArchitecture.Of: {module.GetType().Name} is not one of the library's models (linear, logistic, softmax, mlp).", nameof(module)),
    };
}

/// <summary>
/// A trained model that stands alone: its architecture, its parameters, its element type and everything it was trained
/// with that prediction needs — the feature columns by name, the feature scaling (learned on the training rows), the
/// task and the class labels as the data wrote them, the image shape. <see cref="Save"/> writes one file in the
/// <b>safetensors</b> layout (the parameters as tensors, this description as JSON in <c>__metadata__</c> under
/// <c>descent_model</c>, a SHA-256 of both); <see cref="Load"/> reads it, or a training checkpoint that carries the same
/// description (<see cref="TrainerOptions.ModelDescription"/>), so every checkpoint of <c>descent fit</c> is a model file.
/// </summary>
/// <example>
/// <code>
/// var model = Model.Load("houses.safetensors");
/// var prediction = model.Predict(Tensor.FromArray(new double[,] { { 120, 3 } }));   // raw features, as in the CSV
/// Console.WriteLine(prediction.Values[0][0]);
/// </code>
/// </example>
public sealed class Model
{
    /// <summary>The <c>format</c> value in a model file's metadata.</summary>
    public const string FormatName = "descent-model-1";

    /// <summary>The metadata key holding the description (in model files and checkpoints).</summary>
    public const string MetadataKey = "descent_model";

    private const long MaxHeaderBytes = 256L * 1024 * 1024;
    private readonly Dictionary<Type, object> _modules = [];

    /// <summary>The architecture.</summary>
    public required ModelArchitecture Architecture { get; init; }

    /// <summary>The parameters by name (as <see cref="Module{T}.NamedParameters"/> names them), as float64 values.</summary>
    public required IReadOnlyDictionary<string, (int[] Shape, double[] Values)> Parameters { get; init; }

    /// <summary>The element type it was trained in: <c>float32</c> or <c>float64</c>.</summary>
    public string DType { get; init; } = "float64";

    /// <summary>Regression or classification.</summary>
    public ModelTask Task { get; init; }

    /// <summary>The input feature names, in the order the model reads them (CSV columns are matched by these names).</summary>
    public IReadOnlyList<string> FeatureNames { get; init; } = [];

    /// <summary>The target column names.</summary>
    public IReadOnlyList<string> TargetNames { get; init; } = [];

    /// <summary>A classifier's class labels as the training data wrote them, by class index; null for regression.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The shape of one input image (e.g. [28, 28]) when the model reads images; null otherwise.</summary>
    public IReadOnlyList<int>? ImageShape { get; init; }

    /// <summary>The scaling applied to raw features before the model (null: none).</summary>
    public FeatureScaling? Scaling { get; init; }

    /// <summary>The number of classes of a classifier (2 for logistic regression), or 0.</summary>
    public int ClassCount => Task != ModelTask.Classification ? 0 : ClassNames?.Count ?? Math.Max(2, Architecture.Outputs);

    /// <summary>
    /// Describes a trained module: its architecture (<see cref="ModelArchitecture.Of{T}"/> unless given) and a copy of
    /// its parameters, plus what prediction needs to know about the data.
    /// </summary>
    public static Model Create<T>(Module<T> module, ModelTask task, IReadOnlyList<string> featureNames, IReadOnlyList<string> targetNames,
        IReadOnlyList<string>? classNames = null, FeatureScaling? scaling = null, IReadOnlyList<int>? imageShape = null, ModelArchitecture? architecture = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(targetNames);
        var parameters = module.NamedParameters().ToDictionary(p => p.Name, p => (p.Parameter.ShapeArray, p.Parameter.ToDoubleArray()), StringComparer.Ordinal);
        return new Model
        {
            Architecture = architecture ?? ModelArchitecture.Of(module),
            Parameters = parameters,
            DType = typeof(T) == typeof(float) ? "float32" : "float64",
            Task = task,
            FeatureNames = featureNames.ToArray(),
            TargetNames = targetNames.ToArray(),
            ClassNames = classNames?.ToArray(),
            ImageShape = imageShape?.ToArray(),
            Scaling = scaling,
        };
    }

    /// <summary>The module with this model's parameters (built once per element type and reused; in evaluation mode).</summary>
    /// <exception cref="ModelFileException">The parameters do not fit the architecture.</exception>
    public Module<T> ToModule<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        lock (_modules)
        {
            if (_modules.TryGetValue(typeof(T), out var cached)) return (Module<T>)cached;
            Module<T> module;
            try
            {
                module = Architecture.Build<T>();
                var state = Parameters.ToDictionary(p => p.Key, p => Tensor.FromArray(p.Value.Values.Select(T.CreateTruncating).ToArray(), p.Value.Shape), StringComparer.Ordinal);
                module.LoadStateDict(state);
            }
            catch (Exception e) when (e is ArgumentException or ShapeException)
            {
                throw new ModelFileException($"the parameters do not fit the {Architecture.Kind} architecture: {e.Message}");
            }
            module.Eval();
            _modules[typeof(T)] = module;
            return module;
        }
    }

    /// <summary>The description as JSON (what <see cref="MetadataKey"/> holds).</summary>
    public JsonObject Describe() => new()
    {
        ["format"] = FormatName,
        ["kind"] = Architecture.Kind,
        ["inputs"] = Architecture.Inputs,
        ["outputs"] = Architecture.Outputs,
        ["hidden"] = new JsonArray(Architecture.Hidden.Select(h => (JsonNode)h).ToArray()),
        ["activation"] = Architecture.Activation,
        ["output_offset"] = Architecture.OutputOffset is { } oo ? new JsonArray(oo.Select(v => (JsonNode)v).ToArray()) : null,
        ["output_scale"] = Architecture.OutputScale is { } os ? new JsonArray(os.Select(v => (JsonNode)v).ToArray()) : null,
        ["dtype"] = DType,
        ["task"] = Task == ModelTask.Classification ? "classification" : "regression",
        ["features"] = new JsonArray(FeatureNames.Select(n => (JsonNode)n).ToArray()),
        ["targets"] = new JsonArray(TargetNames.Select(n => (JsonNode)n).ToArray()),
        ["classes"] = ClassNames is null ? null : new JsonArray(ClassNames.Select(n => (JsonNode)n).ToArray()),
        ["image_shape"] = ImageShape is null ? null : new JsonArray(ImageShape.Select(n => (JsonNode)n).ToArray()),
        ["scaling"] = Scaling is null ? null : new JsonObject
        {
            ["kind"] = FeatureScaling.Name(Scaling.Kind),
            ["offset"] = new JsonArray(Scaling.Offset.Select(v => (JsonNode)v).ToArray()),
            ["scale"] = new JsonArray(Scaling.Scale.Select(v => (JsonNode)v).ToArray()),
        },
    };

    /// <summary>
    /// The predictions for raw features <paramref name="features"/> ([n, features…] as in the training data: the
    /// model's own scaling is applied here), computed in the model's element type.
    /// </summary>
    /// <exception cref="ShapeException">The feature count differs from the model's.</exception>
    public ModelPrediction Predict<T>(Tensor<T> features) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(features);
        return DType == "float32"
            ? Run(features as Tensor<float> ?? features.Cast<float>())
            : Run(features as Tensor<double> ?? features.Cast<double>());
    }

    private ModelPrediction Run<T>(Tensor<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int width = x.Rank < 2 ? -1 : Shapes.Size(x.Shape[1..]);
        if (width != Architecture.Inputs)
            throw new ShapeException($"The model reads {Architecture.Inputs} features per row, but the input has shape {Shapes.Format(x.Shape)}.");
        var module = ToModule<T>();
        int n = x.Shape[0];
        if (x.Rank > 2) x = x.Reshape(n, width);   // images [n, 28, 28]: the model reads them as rows of pixels
        var input = Scaling is null ? x : Scaling.Apply(x);
        double[] output;
        int k;
        using (Autograd.NoGrad())
        {
            const int chunk = 4096;
            var rows = new List<double>();
            k = 0;
            for (int start = 0; start < n; start += chunk)
            {
                int count = Math.Min(chunk, n - start);
                Tensor<T> part = input;
                if (count != n)
                {
                    var shape = input.ShapeArray;
                    shape[0] = count;
                    part = new Tensor<T>(shape, input.Data.Slice(start * width, count * width).ToArray());
                }
                var y = module.Forward(part);
                k = y.Size / Math.Max(1, count);
                rows.AddRange(y.ToDoubleArray());
            }
            output = rows.ToArray();
            if (n == 0) k = Architecture.Outputs;
        }
        var values = new double[n][];
        for (int i = 0; i < n; i++) values[i] = output.AsSpan(i * k, k).ToArray();
        if (Task != ModelTask.Classification) return new ModelPrediction(values, null, null, null);
        var probabilities = new double[n][];
        var classes = new int[n];
        for (int i = 0; i < n; i++)
        {
            double[] p;
            if (k == 1) p = [1 - values[i][0], values[i][0]];   // logistic regression: the probability of class 1
            else
            {
                double max = values[i].Max();
                p = values[i].Select(v => Math.Exp(v - max)).ToArray();
                double sum = p.Sum();
                for (int c = 0; c < p.Length; c++) p[c] /= sum;
            }
            probabilities[i] = p;
            int best = 0;
            for (int c = 1; c < p.Length; c++) if (p[c] > p[best]) best = c;
            classes[i] = best;
        }
        var labels = classes.Select(c => ClassNames is { } names && c < names.Count ? names[c] : c.ToString(CultureInfo.InvariantCulture)).ToArray();
        return new ModelPrediction(values, probabilities, classes, labels);
    }

    /// <summary>Writes the model file atomically (a temporary file beside it, then renamed).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var data = new MemoryStream();
        var header = new JsonObject();
        var buffer = new byte[8];
        bool f32 = DType == "float32";
        foreach (var (name, (shape, values)) in Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            long begin = data.Length;
            foreach (double v in values)
            {
                if (f32) { BinaryPrimitives.WriteSingleLittleEndian(buffer, (float)v); data.Write(buffer, 0, 4); }
                else { BinaryPrimitives.WriteDoubleLittleEndian(buffer, v); data.Write(buffer); }
            }
            header[name] = new JsonObject
            {
                ["dtype"] = f32 ? "F32" : "F64",
                ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(begin, data.Length),
            };
        }
        var bytes = data.ToArray();
        string description = Describe().ToJsonString();
        header["__metadata__"] = new JsonObject
        {
            ["format"] = FormatName,
            [MetadataKey] = description,
            ["sha256"] = Hash(description, bytes),
        };
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerBytes.Length);
            stream.Write(length);
            stream.Write(headerBytes);
            stream.Write(bytes);
        });
    }

    private static string Hash(string description, byte[] data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(description));
        sha.AppendData(data);
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    /// <summary>
    /// Reads a model file written by <see cref="Save"/>, or a checkpoint written with a model description (every
    /// checkpoint of <c>descent fit</c>). The file is verified (layout, checksum, description) before anything is returned.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="ModelFileException">The file is not a model file, is truncated or corrupted, or its parameters do not fit its architecture.</exception>
    public static Model Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No model file at '{path}'.", path);
        JsonObject header;
        long length;
        int headerLength;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            length = stream.CanSeek ? stream.Length : 0;
            if (length < 8) throw new ModelFileException(path, "the file is too short to be a model file (a safetensors file written by 'descent fit --save' or a checkpoint).");
            Span<byte> prefix = stackalloc byte[8];
            stream.ReadExactly(prefix);
            ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (declared > (ulong)(length - 8) || declared > MaxHeaderBytes)
                throw new ModelFileException(path, "this is not a model file: its first 8 bytes do not give a header length that fits the file (a safetensors file starts with one).");
            headerLength = (int)declared;
            var bytes = new byte[headerLength];
            stream.ReadExactly(bytes);
            try
            {
                header = JsonNode.Parse(bytes)?.AsObject() ?? throw new JsonException("empty");
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
            {
                throw new ModelFileException(path, "this is not a model file: its header is not safetensors JSON.");
            }
        }
        var meta = header["__metadata__"] as JsonObject;
        string? format = meta?["format"] is JsonValue f && f.TryGetValue(out string? s) ? s : null;
        if (format is not null && format.StartsWith("descent-checkpoint", StringComparison.Ordinal))
            return FromCheckpoint(path);
        if (format != FormatName)
            throw new ModelFileException(path, $"this is not a Descent model file (its metadata has no \"format\": \"{FormatName}\"); write one with 'descent fit --save PATH' or Model.Save.");

        var file = File.ReadAllBytes(path);
        if (file.LongLength != length) throw new ModelFileException(path, "the file changed while it was read.");
        var data = file.AsSpan(8 + headerLength);
        string description = meta![MetadataKey] is JsonValue d && d.TryGetValue(out string? text) ? text : throw new ModelFileException(path, $"its metadata has no '{MetadataKey}' description.");
        string? expected = meta["sha256"] is JsonValue h && h.TryGetValue(out string? hash) ? hash : null;
        if (expected != Hash(description, data.ToArray()))
            throw new ModelFileException(path, "the checksum does not match: the file is corrupted or truncated.");
        var tensors = new Dictionary<string, (int[] Shape, double[] Values)>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__") continue;
                var entry = node!.AsObject();
                string dtype = entry["dtype"]!.GetValue<string>();
                var shape = entry["shape"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray();
                var offsets = entry["data_offsets"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray();
                int width = dtype == "F32" ? 4 : dtype == "F64" ? 8 : throw new ModelFileException(path, $"tensor '{name}' has unsupported dtype {dtype}.");
                if (shape.Any(x => x < 0) || offsets.Length != 2 || offsets[0] < 0 || offsets[1] > data.Length || offsets[1] - offsets[0] != (long)Shapes.Size(shape) * width)
                    throw new ModelFileException(path, $"tensor '{name}' has inconsistent offsets.");
                int size = Shapes.Size(shape);
                var values = new double[size];
                var span = data.Slice((int)offsets[0], size * width);
                for (int i = 0; i < size; i++)
                    values[i] = width == 4 ? BinaryPrimitives.ReadSingleLittleEndian(span[(i * 4)..]) : BinaryPrimitives.ReadDoubleLittleEndian(span[(i * 8)..]);
                tensors[name] = (shape, values);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException or ShapeException or OverflowException)
        {
            throw new ModelFileException(path, "the header is malformed: " + e.Message);
        }
        return FromDescription(path, description, tensors);
    }

    private static Model FromCheckpoint(string path)
    {
        var checkpoint = Checkpoint.Load(path);
        if (checkpoint.ModelDescription is not { } description)
            throw new ModelFileException(path, "this checkpoint carries no model description (it was written without TrainerOptions.ModelDescription); train with 'descent fit --checkpoint' or '--save' to get a model file.");
        var tensors = checkpoint.Tensors.Where(t => t.Key.StartsWith("model.", StringComparison.Ordinal))
            .ToDictionary(t => t.Key["model.".Length..], t => (t.Value.Shape, t.Value.Values), StringComparer.Ordinal);
        return FromDescription(path, description, tensors);
    }

    private static Model FromDescription(string path, string description, Dictionary<string, (int[] Shape, double[] Values)> tensors)
    {
        Model model;
        try
        {
            var o = JsonNode.Parse(description)!.AsObject();
            string[] Strings(string key) => o[key] is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToArray() : [];
            int[]? Ints(string key) => o[key] is JsonArray a ? a.Select(x => x!.GetValue<int>()).ToArray() : null;
            double[] Doubles(JsonNode? n) => n!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
            var architecture = new ModelArchitecture(o["kind"]!.GetValue<string>(), o["inputs"]!.GetValue<int>(), o["outputs"]!.GetValue<int>(),
                Ints("hidden") ?? [], o["activation"]?.GetValue<string>() ?? "relu")
            {
                OutputOffset = o["output_offset"] is JsonArray offsets ? Doubles(offsets) : null,
                OutputScale = o["output_scale"] is JsonArray scales ? Doubles(scales) : null,
            };
            FeatureScaling? scaling = null;
            if (o["scaling"] is JsonObject sc)
            {
                var kind = FeatureScaling.Parse(sc["kind"]!.GetValue<string>()) ?? throw new FormatException($"unknown scaling '{sc["kind"]}'");
                scaling = new FeatureScaling(kind, Doubles(sc["offset"]), Doubles(sc["scale"]));
                if (scaling.Offset.Length != architecture.Inputs || scaling.Scale.Length != architecture.Inputs)
                    throw new FormatException($"the scaling has {scaling.Offset.Length} columns but the model reads {architecture.Inputs} features");
            }
            string task = o["task"]!.GetValue<string>();
            var features = Strings("features");
            if (features.Length != architecture.Inputs)
                throw new FormatException($"it names {features.Length} features but the model reads {architecture.Inputs}");
            model = new Model
            {
                Architecture = architecture,
                Parameters = tensors,
                DType = o["dtype"]?.GetValue<string>() == "float32" ? "float32" : "float64",
                Task = task == "classification" ? ModelTask.Classification : task == "regression" ? ModelTask.Regression : throw new FormatException($"unknown task '{task}'"),
                FeatureNames = features,
                TargetNames = Strings("targets"),
                ClassNames = o["classes"] is JsonArray ? Strings("classes") : null,
                ImageShape = Ints("image_shape"),
                Scaling = scaling,
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new ModelFileException(path, "its model description is malformed: " + e.Message);
        }
        try
        {
            model.ToModule<double>();
        }
        catch (ModelFileException e)
        {
            throw new ModelFileException(path, e.Detail);
        }
        catch (ArgumentException e)
        {
            throw new ModelFileException(path, "its model description is malformed: " + e.Message);
        }
        return model;
    }
}

/// <summary>What <see cref="Model.Predict{T}"/> returns, one entry per input row.</summary>
/// <param name="Values">The model's outputs per row: the predicted targets (regression), or the raw scores (classification).</param>
/// <param name="Probabilities">A classifier's class probabilities per row (softmax of the scores; [1 − p, p] for logistic regression); null for regression.</param>
/// <param name="Classes">A classifier's predicted class index per row; null for regression.</param>
/// <param name="Labels">A classifier's predicted class label per row, as the training data wrote it; null for regression.</param>
public sealed record ModelPrediction(double[][] Values, double[][]? Probabilities, int[]? Classes, string[]? Labels)
{
    /// <summary>The number of rows.</summary>
    public int Count => Values.Length;
}

/// <summary>A file that should be a model file is not one, is corrupted, or does not fit its own description.</summary>
public sealed class ModelFileException : IOException
{
    /// <summary>Creates the exception about the file at <paramref name="path"/>.</summary>
    public ModelFileException(string path, string detail) : base($"{path}: {detail}")
    {
        Path = path;
        Detail = detail;
    }

    /// <summary>Creates the exception before the file is known.</summary>
    public ModelFileException(string detail) : base(detail) => Detail = detail;

    /// <summary>The file, when known.</summary>
    public string? Path { get; }

    /// <summary>What is wrong, without the path.</summary>
    public string Detail { get; }
}
