using System.Globalization;
using System.Numerics;
using Descent.Interop.Images;
using Descent.Learning.Data;

namespace Descent.Cli.Infrastructure;

/// <summary>A loaded data source: the training data and, for sources that have one, a test split.</summary>
/// <param name="Name">How the source was named.</param>
/// <param name="Train">The training examples.</param>
/// <param name="Test">The test examples, or null.</param>
/// <typeparam name="T">The element type the data was loaded as (the training dtype).</typeparam>
public sealed record LoadedData<T>(string Name, Dataset<T> Train, Dataset<T>? Test) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>What task was inferred from a CSV target and how to override it, or null.</summary>
    public string? TaskNote { get; init; }

    /// <summary>The shape of one image for image data (e.g. [28, 28]), or null.</summary>
    public IReadOnlyList<int>? ImageShape { get; init; }

    /// <summary>A validation split the data brings (an image folder's <c>val/</c>), or null.</summary>
    public Dataset<T>? Validation { get; init; }

    /// <summary>Something the user should know of how the data was read, or null.</summary>
    public string? Note { get; init; }
}

/// <summary>The element types <c>--dtype</c> chooses between.</summary>
public enum DType
{
    /// <summary>64-bit floats: exact reference results (the default for CSV, synthetic and the reference data).</summary>
    Float64,
    /// <summary>32-bit floats: half the memory and faster kernels (the default for image data).</summary>
    Float32,
}

/// <summary>
/// Resolves <c>--data</c>: a CSV file; a folder of image files in class subfolders (<see cref="ImageFolder"/>); a
/// folder with the four MNIST-format IDX files; <c>builtin:seed-linear</c>,
/// <c>builtin:fashion-mnist</c>; <c>synthetic:linear|blobs|moons|spirals?n=…&amp;noise=…</c>.
/// </summary>
public static class DataSources
{
    /// <summary>The accepted forms, for messages.</summary>
    public const string Forms = "a CSV file, a folder of images (PNG, JPEG, BMP… in class subfolders), a folder of MNIST IDX files, builtin:seed-linear, builtin:fashion-mnist, or synthetic:linear|blobs|moons|spirals?n=200&noise=0.1";

    /// <summary>The accepted values of <c>--dtype</c>, for messages and help.</summary>
    public const string DTypeChoices = "auto, float32 or float64";

    /// <summary>The name of <paramref name="dtype"/> as the CLI prints it: float32 or float64.</summary>
    public static string Name(DType dtype) => dtype == DType.Float32 ? "float32" : "float64";

    /// <summary>
    /// Resolves <c>--dtype</c> for the data source <paramref name="source"/> (null: the reference data). <c>auto</c> (or
    /// no value) picks float32 for image data (<c>builtin:fashion-mnist</c>, a folder of images or MNIST IDX files) and float64
    /// for everything else, so the reference numbers stay exact.
    /// </summary>
    /// <exception cref="UsageException">The value is not one of the choices.</exception>
    public static DType ResolveDType(string? text, string? source) => text?.Trim().ToLowerInvariant() switch
    {
        null or "auto" => IsImageData(source) ? DType.Float32 : DType.Float64,
        "float32" or "f32" or "single" or "float" => DType.Float32,
        "float64" or "f64" or "double" => DType.Float64,
        _ => throw new UsageException($"--dtype '{text}': unknown element type; use {DTypeChoices}."),
    };

    /// <summary>True for the sources that hold images (loaded as float32 by default).</summary>
    public static bool IsImageData(string? source) => source is not null
        && (source.Equals("builtin:fashion-mnist", StringComparison.OrdinalIgnoreCase) || Directory.Exists(source));

    /// <summary>The file or folder a <c>--data</c> value reads, or null for built-in and synthetic sources.</summary>
    public static string? FilePath(string? source) => source is null || source.StartsWith("builtin:", StringComparison.OrdinalIgnoreCase)
        || source.StartsWith("synthetic:", StringComparison.OrdinalIgnoreCase) ? null : source;

    /// <summary>Loads <paramref name="source"/> as <typeparamref name="T"/>: image files are decoded straight into it (no float64 copy).</summary>
    /// <exception cref="UsageException">The source is not one of the accepted forms, or options do not apply.</exception>
    /// <exception cref="InputException">The file is missing.</exception>
    public static LoadedData<T> Load<T>(string source, string[]? features, string? target, int seed, string? task = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool? categorical = task?.Trim().ToLowerInvariant() switch
        {
            null or "auto" => null,
            "classification" or "classify" => true,
            "regression" => false,
            _ => throw new UsageException($"--task '{task}': use regression or classification (default: inferred from the target column)."),
        };
        if (task is not null && !IsCsv(source))
            throw new UsageException($"--task chooses how a CSV target is read; it does not apply to --data '{source}'.");
        if (source.StartsWith("builtin:", StringComparison.OrdinalIgnoreCase))
        {
            RejectColumns(source, features, target);
            return source[8..].ToLowerInvariant() switch
            {
                "seed-linear" => new LoadedData<T>(source, As<T>(SyntheticData.SeedLinear()), null),
                "fashion-mnist" => FromPair(source, Mnist.LoadFashionMnist<T>()) with { ImageShape = [28, 28] },
                var other => throw new UsageException($"--data '{source}': unknown built-in '{other}'; use builtin:seed-linear or builtin:fashion-mnist."),
            };
        }
        if (source.StartsWith("synthetic:", StringComparison.OrdinalIgnoreCase))
        {
            RejectColumns(source, features, target);
            return new LoadedData<T>(source, As<T>(Synthetic(source, seed)), null);
        }
        if (Directory.Exists(source))
        {
            RejectColumns(source, features, target);
            if (IsMnistFolder(source))
                return FromPair(source, Mnist.Load<T>(source)) with { ImageShape = ImageShapeOf(source) };
            if (ImageFolder.Splits(source) is not null) return FromSplits<T>(source);
            var images = ImageFolder.Load<T>(source);
            if (!images.Labeled)
                throw new InputException($"--data '{source}': its images are not in class subfolders, so they have no labels to learn from; put each class's images in a subfolder named after the class ({Path.Combine(source, "cat")}/…, {Path.Combine(source, "dog")}/…). 'descent predict' reads a folder without labels.");
            return new LoadedData<T>(source, images.Data, null) { ImageShape = images.ImageShape };
        }
        if (!File.Exists(source))
            throw new InputException($"--data '{source}': no such file or folder; give {Forms}.");
        var (columns, _) = CsvDataset.ReadHeader(source);
        string targetName = target ?? columns[^1];
        var result = CsvDataset.LoadWithReport<T>(source, [targetName], features, new CsvOptions { CategoricalTarget = categorical });
        string? note = result.TaskNote is { } n
            ? $"task: {n}; use --task {(result.Dataset.IsClassification ? "regression" : "classification")} to override."
            : null;
        return new LoadedData<T>(source, result.Dataset, null) { TaskNote = note };
    }

    /// <summary>
    /// A folder of <c>train/CLASS/…</c> and <c>test/CLASS/…</c> (and maybe <c>val/CLASS/…</c>): training on train/, test
    /// metrics on test/, validation on val/, the classes numbered by train/'s subfolders and matched by name. A test/ of
    /// images without class subfolders has no labels: it is left out, with a note.
    /// </summary>
    private static LoadedData<T> FromSplits<T>(string source) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var splits = ImageFolder.LoadSplits<T>(source);
        string? note = null;
        if (splits.Test is { Labeled: false })
            note = $"{Path.Combine(source, Path.GetFileName(ImageFolder.Splits(source)!.Test!))}: its images are not in class subfolders, so they have no labels and give no test metrics; "
                + "predict them with 'descent predict MODEL --data' that folder.";
        var test = splits.Test is { Labeled: true } t ? t.Data : null;
        var present = test?.GetLabels().ToHashSet();
        var missing = present is null ? [] : splits.Train.Data.ClassNames!.Where((_, c) => !present.Contains(c)).ToArray();
        if (missing.Length > 0)
            note = $"the test split has no images of {string.Join(", ", missing.Select(m => $"'{m}'"))}; their test recall is undefined (support 0).";
        return new LoadedData<T>(source, splits.Train.Data, test) { ImageShape = splits.Train.ImageShape, Validation = splits.Validation?.Data, Note = note };
    }

    /// <summary>True for a folder holding MNIST-format IDX files (train-images-idx3-ubyte and its kin, plain or gzip).</summary>
    public static bool IsMnistFolder(string source)
        => Directory.Exists(source) && new[] { "train-images-idx3-ubyte", "t10k-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte" }
            .Any(f => File.Exists(Path.Combine(source, f)) || File.Exists(Path.Combine(source, f + ".gz")));

    /// <summary>True when <paramref name="source"/> names a CSV file (not builtin:, synthetic: or a folder).</summary>
    public static bool IsCsv(string source)
        => !source.StartsWith("builtin:", StringComparison.OrdinalIgnoreCase) && !source.StartsWith("synthetic:", StringComparison.OrdinalIgnoreCase)
            && !Directory.Exists(source);

    // The generators make float64 data (small); other types get a converted copy.
    private static Dataset<T> As<T>(Dataset<double> data) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => data is Dataset<T> same ? same : data.Cast<T>();

    private static LoadedData<T> FromPair<T>(string name, (Dataset<T> Train, Dataset<T> Test) pair) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => new(name, pair.Train, pair.Test);

    private static void RejectColumns(string source, string[]? features, string? target)
    {
        if (features is not null || target is not null)
            throw new UsageException($"--features and --target choose CSV columns; they do not apply to --data '{source}'.");
    }

    private static Dataset<double> Synthetic(string source, int seed)
    {
        string rest = source["synthetic:".Length..];
        int q = rest.IndexOf('?', StringComparison.Ordinal);
        string kind = (q < 0 ? rest : rest[..q]).ToLowerInvariant();
        var options = new Dictionary<string, double>(StringComparer.Ordinal);
        if (q >= 0)
        {
            foreach (var part in rest[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || !double.TryParse(part[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                    throw new UsageException($"--data '{source}': '{part}' is not key=number; use e.g. synthetic:moons?n=200&noise=0.1.");
                options[part[..eq].ToLowerInvariant()] = v;
            }
        }
        string[] allowed = kind switch
        {
            "linear" => ["n", "noise", "features", "bias"],
            "blobs" => ["n", "classes", "std"],
            "moons" => ["n", "noise"],
            "spirals" => ["n", "classes", "noise"],
            _ => throw new UsageException($"--data '{source}': unknown synthetic data '{kind}'; use synthetic:linear, blobs, moons or spirals."),
        };
        foreach (var key in options.Keys)
            if (!allowed.Contains(key)) throw new UsageException($"--data '{source}': unknown option '{key}' for {kind}; accepted: {string.Join(", ", allowed)}.");
        int n = Whole(source, options, "n", 200, 1, MaxSyntheticRows);
        int classes = Whole(source, options, "classes", 2, 2, MaxSyntheticClasses);
        int featureCount = Whole(source, options, "features", 1, 1, MaxSyntheticFeatures);
        if ((long)n * featureCount > MaxSyntheticValues)
            throw new UsageException($"--data '{source}': n × features = {(long)n * featureCount} values; at most {MaxSyntheticValues} are generated — lower n or features.");
        foreach (var key in (string[])["noise", "std"])
            if (options.TryGetValue(key, out double spread) && spread < 0)
                throw new UsageException($"--data '{source}': {key} must be 0 or more, not {Points.Show(spread)}.");
        try
        {
            return kind switch
            {
                "linear" => SyntheticData.Linear(n, Enumerable.Range(1, featureCount).Select(i => (double)i + 1).ToArray(),
                    options.GetValueOrDefault("bias", 1), options.GetValueOrDefault("noise", 0.1), seed),
                "blobs" => SyntheticData.Blobs(n, classes, options.GetValueOrDefault("std", 1), seed),
                "moons" => SyntheticData.Moons(n, options.GetValueOrDefault("noise", 0.1), seed),
                _ => SyntheticData.Spirals(n, classes, options.GetValueOrDefault("noise", 0.1), seed),
            };
        }
        catch (ArgumentException e) when (e is not ArgumentNullException)
        {
            throw new UsageException($"--data '{source}': {Errors.LibraryMessage(e)}");
        }
    }

    /// <summary>The most rows <c>synthetic:…?n=</c> generates.</summary>
    public const int MaxSyntheticRows = 10_000_000;

    /// <summary>The most classes <c>synthetic:blobs|spirals?classes=</c> generates.</summary>
    public const int MaxSyntheticClasses = 1000;

    /// <summary>The most features <c>synthetic:linear?features=</c> generates.</summary>
    public const int MaxSyntheticFeatures = 10_000;

    /// <summary>The most feature values (rows × features) a synthetic source generates (800 MB as float64).</summary>
    public const long MaxSyntheticValues = 100_000_000;

    private static int Whole(string source, Dictionary<string, double> options, string key, int fallback, int min, int max)
    {
        if (!options.TryGetValue(key, out double v)) return fallback;
        if (v != Math.Floor(v) || v < min || v > max)
            throw new UsageException($"--data '{source}': {key} must be a whole number from {min} to {max}, not {Points.Show(v)}.");
        return (int)v;
    }

    /// <summary>[rows, cols] of the training images of an MNIST-format folder, from the IDX header (plain or gzip).</summary>
    private static int[] ImageShapeOf(string folder)
    {
        string plain = Path.Combine(folder, "train-images-idx3-ubyte");
        using Stream file = File.OpenRead(File.Exists(plain) ? plain : plain + ".gz");
        using Stream stream = File.Exists(plain) ? file : new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress);
        Span<byte> header = stackalloc byte[16];
        stream.ReadExactly(header);
        return [System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header[8..]), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header[12..])];
    }
}
