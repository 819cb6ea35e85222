using System.Globalization;
using Descent.Learning.Data;

namespace Descent.Cli.Infrastructure;

/// <summary>A loaded data source: the training data and, for sources that have one, a test split.</summary>
/// <param name="Name">How the source was named.</param>
/// <param name="Train">The training examples.</param>
/// <param name="Test">The test examples, or null.</param>
public sealed record LoadedData(string Name, Dataset<double> Train, Dataset<double>? Test);

/// <summary>
/// Resolves <c>--data</c>: a CSV file; a folder with the four MNIST-format IDX files; <c>builtin:seed-linear</c>,
/// <c>builtin:fashion-mnist</c>; <c>synthetic:linear|blobs|moons|spirals?n=…&amp;noise=…</c>.
/// </summary>
public static class DataSources
{
    /// <summary>The accepted forms, for messages.</summary>
    public const string Forms = "a CSV file, a folder of MNIST IDX files, builtin:seed-linear, builtin:fashion-mnist, or synthetic:linear|blobs|moons|spirals?n=200&noise=0.1";

    /// <summary>Loads <paramref name="source"/>.</summary>
    /// <exception cref="UsageException">The source is not one of the accepted forms, or options do not apply.</exception>
    /// <exception cref="InputException">The file is missing.</exception>
    public static LoadedData Load(string source, string[]? features, string? target, int seed)
    {
        if (source.StartsWith("builtin:", StringComparison.OrdinalIgnoreCase))
        {
            RejectColumns(source, features, target);
            return source[8..].ToLowerInvariant() switch
            {
                "seed-linear" => new LoadedData(source, Datasets.SeedLinear(), null),
                "fashion-mnist" => FromPair(source, Mnist.LoadFashionMnist<double>()),
                var other => throw new UsageException($"--data '{source}': unknown built-in '{other}'; use builtin:seed-linear or builtin:fashion-mnist."),
            };
        }
        if (source.StartsWith("synthetic:", StringComparison.OrdinalIgnoreCase))
        {
            RejectColumns(source, features, target);
            return new LoadedData(source, Synthetic(source, seed), null);
        }
        if (Directory.Exists(source))
        {
            RejectColumns(source, features, target);
            return FromPair(source, Mnist.Load<double>(source));
        }
        if (!File.Exists(source))
            throw new InputException($"--data '{source}': no such file or folder; give {Forms}.");
        string targetName = target ?? LastColumn(source);
        return new LoadedData(source, CsvDataset.Load<double>(source, targetName, features), null);
    }

    private static LoadedData FromPair(string name, (Dataset<double> Train, Dataset<double> Test) pair) => new(name, pair.Train, pair.Test);

    private static void RejectColumns(string source, string[]? features, string? target)
    {
        if (features is not null || target is not null)
            throw new UsageException($"--features and --target choose CSV columns; they do not apply to --data '{source}'.");
    }

    private static string LastColumn(string path)
    {
        using var reader = new StreamReader(path);
        string header = reader.ReadLine() ?? throw new InputException($"--data '{path}': the file is empty; a CSV needs a header row.");
        char delimiter = header.Contains(';', StringComparison.Ordinal) && !header.Contains(',', StringComparison.Ordinal) ? ';' : header.Contains('\t', StringComparison.Ordinal) ? '\t' : ',';
        return header.Split(delimiter)[^1].Trim().Trim('"');
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
        int n = (int)options.GetValueOrDefault("n", 200);
        if (n < 1) throw new UsageException($"--data '{source}': n must be at least 1.");
        return kind switch
        {
            "linear" => Datasets.Linear(n, Enumerable.Range(1, (int)Math.Max(1, options.GetValueOrDefault("features", 1))).Select(i => (double)i + 1).ToArray(),
                options.GetValueOrDefault("bias", 1), options.GetValueOrDefault("noise", 0.1), seed),
            "blobs" => Datasets.Blobs(n, (int)options.GetValueOrDefault("classes", 2), options.GetValueOrDefault("std", 1), seed),
            "moons" => Datasets.Moons(n, options.GetValueOrDefault("noise", 0.1), seed),
            _ => Datasets.Spirals(n, (int)options.GetValueOrDefault("classes", 2), options.GetValueOrDefault("noise", 0.1), seed),
        };
    }
}
