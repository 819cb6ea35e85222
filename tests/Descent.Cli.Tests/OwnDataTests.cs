using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Descent.Cli.Tests;

/// <summary>
/// A fact that runs when Fashion-MNIST is installed, is skipped visibly when it is not, and runs (and so fails) in CI
/// whatever is installed: CI installs <c>dataset-fashion-mnist</c>.
/// </summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        bool ci = Environment.GetEnvironmentVariable("CI") is { Length: > 0 } v && v != "false" && v != "0";
        if (!ci && !File.Exists("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz") && !File.Exists("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte"))
            Skip = "Fashion-MNIST is not installed (sudo apt-get install dataset-fashion-mnist)";
    }
}

/// <summary>"Your own data in five minutes": a CSV through fit → predict with defaults only, against independent truths.</summary>
public sealed class OwnDataTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("descent-own-data-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static double Gauss(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    /// <summary>Houses: size (m²), rooms, age (years) and a price around 400,000 with noise — unscaled, correlated features.</summary>
    private static (double[][] X, double[] Y) Houses(int n, int seed)
    {
        var r = new Random(seed);
        var x = new double[n][];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double size = Math.Round(150 + 40 * Gauss(r), 1);
            double rooms = Math.Max(1, Math.Round(size / 30 + 0.7 * Gauss(r)));
            double age = Math.Round(50 * r.NextDouble(), 1);
            x[i] = [size, rooms, age];
            y[i] = Math.Round(2000 * size + 10000 * rooms - 500 * age + 50000 + 20000 * Gauss(r));
        }
        return (x, y);
    }

    private static string Csv(string header, IEnumerable<string> rows) => header + "\n" + string.Join("\n", rows) + "\n";

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Least squares with an intercept by the normal equations (XᵀX)β = Xᵀy, solved by Gaussian elimination with partial pivoting.</summary>
    private static double[] LeastSquares(double[][] x, double[] y)
    {
        int p = x[0].Length + 1;
        var a = new double[p, p + 1];
        for (int k = 0; k < x.Length; k++)
        {
            double[] row = [1, .. x[k]];
            for (int i = 0; i < p; i++)
            {
                for (int j = 0; j < p; j++) a[i, j] += row[i] * row[j];
                a[i, p] += row[i] * y[k];
            }
        }
        for (int c = 0; c < p; c++)
        {
            int pivot = Enumerable.Range(c, p - c).MaxBy(r => Math.Abs(a[r, c]));
            for (int j = 0; j <= p; j++) (a[c, j], a[pivot, j]) = (a[pivot, j], a[c, j]);
            for (int r = 0; r < p; r++)
            {
                if (r == c) continue;
                double f = a[r, c] / a[c, c];
                for (int j = 0; j <= p; j++) a[r, j] -= f * a[c, j];
            }
        }
        return Enumerable.Range(0, p).Select(i => a[i, p] / a[i, i]).ToArray();
    }

    private static double Predict(double[] beta, double[] row) => beta[0] + row.Select((v, j) => beta[j + 1] * v).Sum();

    [Fact]
    public void UnscaledHousePricesReachLeastSquaresWithDefaultsOnly()
    {
        var (x, y) = Houses(200, seed: 1);
        string data = PathOf("houses.csv");
        File.WriteAllText(data, Csv("size,rooms,age,price", x.Select((row, i) => string.Join(",", row.Select(Num)) + "," + Num(y[i]))));
        var beta = LeastSquares(x, y);
        double lsMse = x.Select((row, i) => Math.Pow(Predict(beta, row) - y[i], 2)).Average();

        string model = PathOf("houses.safetensors");
        var (code, fit) = Cli.Json("fit", "--data", data, "--save", model);
        Assert.Equal(0, code);
        Assert.Equal("regression", (string?)fit["task"]);
        Assert.Equal("standard", (string?)fit["scaling"]);
        Assert.Equal("linear", (string?)fit["model"]);
        double trainMse = (double)fit["metrics"]!["train_loss"]!;
        // Least squares is the minimum: the fit may not go below it, and with the defaults (standardised features,
        // Nesterov momentum at lr 0.1, 100 epochs) it comes within one part in 10⁴ of it.
        Assert.True(trainMse >= lsMse * (1 - 1e-12), $"train MSE {trainMse} below the least-squares minimum {lsMse}");
        Assert.True(trainMse <= lsMse * (1 + 1e-4), $"train MSE {trainMse} vs least squares {lsMse}: relative excess {trainMse / lsMse - 1:E2}");
        Assert.Equal(model, (string?)fit["model_file"]);
        // The coefficients in the data's units (undoing the scaling) are the least-squares ones to 1%.
        var raw = fit["raw_parameters"]!;
        Assert.Equal(beta[0], (double)raw["bias"]![0]!, Math.Abs(beta[0]) * 0.01);
        for (int j = 0; j < 3; j++) Assert.Equal(beta[j + 1], (double)raw["weight"]![j]![0]!, Math.Abs(beta[j + 1]) * 0.01);

        // Predict on raw features in another column order, without the target: the model applies its own scaling.
        var (fresh, _) = Houses(50, seed: 2);
        string unseen = PathOf("new-houses.csv");
        File.WriteAllText(unseen, Csv("age,size,rooms", fresh.Select(row => $"{Num(row[2])},{Num(row[0])},{Num(row[1])}")));
        var (pcode, prediction) = Cli.Json("predict", model, "--data", unseen);
        Assert.Equal(0, pcode);
        Assert.Equal(50, (int)prediction["rows"]!);
        Assert.Null(prediction["metrics"]);
        var predicted = prediction["predictions"]!.AsArray().Select(p => (double)p!).ToArray();
        double lsRmse = Math.Sqrt(lsMse);
        for (int i = 0; i < fresh.Length; i++)
            Assert.True(Math.Abs(predicted[i] - Predict(beta, fresh[i])) < 0.01 * lsRmse, $"row {i}: {predicted[i]} vs least squares {Predict(beta, fresh[i])}");

        // With the target present, predict reports the same error as the fit.
        var (_, again) = Cli.Json("predict", model, "--data", data);
        Assert.Equal(trainMse, (double)again["metrics"]!["mse"]!, trainMse * 1e-12);
    }

    [Fact]
    public void AnMlpLearnsTheStandardisedTargetAndPredictsInPrices()
    {
        var (x, y) = Houses(200, seed: 1);
        string data = PathOf("houses.csv"), model = PathOf("mlp.safetensors");
        File.WriteAllText(data, Csv("size,rooms,age,price", x.Select((row, i) => string.Join(",", row.Select(Num)) + "," + Num(y[i]))));
        var beta = LeastSquares(x, y);
        double lsMse = x.Select((row, i) => Math.Pow(Predict(beta, row) - y[i], 2)).Average();
        double variance = y.Select(v => Math.Pow(v - y.Average(), 2)).Average();
        var (code, fit) = Cli.Json("fit", "--data", data, "--model", "mlp", "--save", model);
        Assert.Equal(0, code);
        Assert.Equal("mse (standardised target)", (string?)fit["loss"]);
        // The target's variance is ~10¹⁰: the loss is in standardised units, the RMSE in prices, and the fit is at least
        // as good as least squares to within 5 % of the variance it explains.
        double rmse = (double)fit["metrics"]!["train_rmse"]!;
        Assert.True(rmse * rmse <= lsMse + 0.05 * (variance - lsMse), $"MLP MSE {rmse * rmse} vs least squares {lsMse} (variance {variance})");
        Assert.Equal(rmse * rmse / variance, (double)fit["metrics"]!["train_loss"]!, 1e-9);
        var (pcode, prediction) = Cli.Json("predict", model, "--data", data);
        Assert.Equal(0, pcode);
        Assert.Equal(rmse, (double)prediction["metrics"]!["rmse"]!, rmse * 1e-12);
    }

    /// <summary>Flowers with class-name targets: three well-separated clusters in four measurements.</summary>
    private static string Flowers(int n, int seed)
    {
        string[] names = ["setosa", "versicolor", "virginica"];
        double[][] centres = [[5.0, 3.4, 1.5, 0.2], [5.9, 2.8, 4.3, 1.3], [6.6, 3.0, 5.6, 2.0]];
        var r = new Random(seed);
        return Csv("sepal_length,sepal_width,petal_length,petal_width,species", Enumerable.Range(0, n).Select(i =>
        {
            int k = r.Next(3);
            return string.Join(",", centres[k].Select(c => Num(Math.Round(c + 0.15 * Gauss(r), 2)))) + "," + names[k];
        }));
    }

    [Fact]
    public void ClassNameTargetsAreClassifiedAndPredictedByName()
    {
        string data = PathOf("flowers.csv"), model = PathOf("flowers.safetensors"), test = PathOf("flowers-test.csv");
        File.WriteAllText(data, Flowers(150, seed: 3));
        File.WriteAllText(test, Flowers(60, seed: 4));
        var (code, output, error) = Cli.Run("fit", "--data", data, "--save", model, "--json");
        Assert.Equal(0, code);
        Assert.Contains("note: task: classification: 'species' holds class names (3 classes); use --task regression to override.", error, StringComparison.Ordinal);
        var fit = JsonNode.Parse(output)!;
        Assert.Equal("softmax", (string?)fit["model"]);
        Assert.Equal(["setosa", "versicolor", "virginica"], fit["classes"]!.AsArray().Select(c => (string)c!));
        Assert.True((double)fit["metrics"]!["train_accuracy"]! >= 0.95);
        var report = fit["classification_report"]!;
        Assert.Equal("train", (string?)report["split"]);
        Assert.Equal(150, report["confusion_matrix"]!.AsArray().Sum(row => row!.AsArray().Sum(v => (int)v!)));
        Assert.Equal(["setosa", "versicolor", "virginica"], report["per_class"]!.AsArray().Select(c => (string)c!["class"]!));

        var (pcode, prediction) = Cli.Json("predict", model, "--data", test);
        Assert.Equal(0, pcode);
        var labels = prediction["predictions"]!.AsArray().Select(p => (string)p!).ToArray();
        Assert.Equal(60, labels.Length);
        Assert.All(labels, l => Assert.Contains(l, new[] { "setosa", "versicolor", "virginica" }));
        var truth = File.ReadAllLines(test).Skip(1).Select(l => l.Split(',')[^1]).ToArray();
        double accuracy = labels.Zip(truth).Count(p => p.First == p.Second) / 60.0;
        Assert.True(accuracy >= 0.95, $"held-out accuracy {accuracy}");
        Assert.Equal(accuracy, (double)prediction["metrics"]!["accuracy"]!, 12);
        Assert.All(prediction["probabilities"]!.AsArray(), p => Assert.Equal(1.0, p!.AsArray().Sum(v => (double)v!), 9));

        var (_, text, _) = Cli.Run("predict", model, "--data", test);
        Assert.Contains("Confusion matrix", text, StringComparison.Ordinal);
        Assert.Contains(labels[0], text, StringComparison.Ordinal);
    }

    [Fact]
    public void IntegerLabelsAreClassifiedNotRegressed()
    {
        var r = new Random(5);
        string data = PathOf("ints.csv");
        File.WriteAllText(data, Csv("a,b,label", Enumerable.Range(0, 90).Select(i => $"{Num(Math.Round(i % 3 * 3 + 0.3 * Gauss(r), 3))},{Num(Math.Round(Gauss(r), 3))},{i % 3}")));
        var (code, output, error) = Cli.Run("fit", "--data", data, "--json", "--save", PathOf("ints.safetensors"));
        Assert.Equal(0, code);
        Assert.Contains("'label' holds 3 different whole numbers (3 classes); use --task regression to override", error, StringComparison.Ordinal);
        var fit = JsonNode.Parse(output)!;
        Assert.Equal("classification", (string?)fit["task"]);
        Assert.Equal("softmax", (string?)fit["model"]);
        Assert.True((double)fit["metrics"]!["train_accuracy"]! >= 0.95);
        var (_, prediction) = Cli.Json("predict", PathOf("ints.safetensors"), "--data", data);
        Assert.Equal(["0", "1", "2"], prediction["predictions"]!.AsArray().Take(3).Select(p => (string)p!));

        var (rcode, regression) = Cli.Json("fit", "--data", data, "--task", "regression");
        Assert.Equal(0, rcode);
        Assert.Equal("linear", (string?)regression["model"]);
        Assert.Equal("regression", (string?)regression["task"]);
    }

    [Theory]
    [InlineData("|")]
    [InlineData(";")]
    [InlineData("\t")]
    public void SeparatedFilesNeedNoTarget(string d)
    {
        string data = PathOf("pipe.csv");
        File.WriteAllText(data, Csv($"x{d}y", Enumerable.Range(0, 40).Select(i => $"{i}{d}{Num(3 * i + 1.5 + (i % 2) * 0.25)}")));
        var (code, fit) = Cli.Json("fit", "--data", data);
        Assert.Equal(0, code);
        Assert.Equal("regression", (string?)fit["task"]);
        Assert.True((double)fit["metrics"]!["train_r2"]! > 0.999);
    }

    [Fact]
    public void ScalingCanBeChosenOrTurnedOff()
    {
        var (x, y) = Houses(100, seed: 6);
        string data = PathOf("h.csv");
        File.WriteAllText(data, Csv("size,rooms,age,price", x.Select((row, i) => string.Join(",", row.Select(Num)) + "," + Num(y[i]))));
        var (code, minmax) = Cli.Json("fit", "--data", data, "--scale", "minmax", "--epochs", "3");
        Assert.Equal(0, code);
        Assert.Equal("minmax", (string?)minmax["scaling"]);
        // Unscaled house data with the old defaults diverges: the reason scaling is the default.
        var (ncode, none) = Cli.Json("fit", "--data", data, "--scale", "none", "--optimizer", "gd", "--lr", "0.01");
        Assert.Equal(4, ncode);
        Assert.Equal("diverged", (string?)none["stop_reason"]);
        var (bad, _, error) = Cli.Run("fit", "--data", data, "--scale", "log");
        Assert.Equal(2, bad);
        Assert.Contains("--scale 'log'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReferenceFitIsNotScaledAndStaysBitExact()
    {
        var (code, fit) = Cli.Json("fit");
        Assert.Equal(0, code);
        Assert.Equal("none", (string?)fit["scaling"]);
        Assert.Equal(0.5001549665223101, (double)fit["parameters"]!["weight"]![0]![0]!);
        Assert.Equal(4.999179855406462, (double)fit["parameters"]!["bias"]![0]!);
        var (_, text, _) = Cli.Run("fit");
        Assert.Contains("0.500155", text, StringComparison.Ordinal);
        Assert.Contains("4.99918", text, StringComparison.Ordinal);
    }

    [Fact]
    public void BadInputIsAnsweredClearly()
    {
        string data = PathOf("d.csv");
        File.WriteAllText(data, Flowers(30, seed: 7));
        string model = PathOf("m.safetensors");
        Assert.Equal(0, Cli.Run("fit", "--data", data, "--save", model, "--epochs", "5").Code);

        var (same, _, sameError) = Cli.Run("fit", "--data", data, "--save", data);
        Assert.Equal(2, same);
        Assert.Contains("same file as --data", sameError, StringComparison.Ordinal);
        Assert.StartsWith("sepal_length", File.ReadAllText(data), StringComparison.Ordinal); // untouched

        string lacking = PathOf("lacking.csv");
        File.WriteAllText(lacking, "sepal_length,sepal_width,petal_length\n5,3,1\n");
        var (missing, _, missingError) = Cli.Run("predict", model, "--data", lacking);
        Assert.Equal(3, missing);
        Assert.Contains("lacks 'petal_width'", missingError, StringComparison.Ordinal);

        var (notModel, _, notModelError) = Cli.Run("predict", data, "--data", data);
        Assert.Equal(3, notModel);
        Assert.Contains("not a model file", notModelError, StringComparison.Ordinal);

        var (absent, _, absentError) = Cli.Run("predict", PathOf("none.safetensors"), "--data", data);
        Assert.Equal(3, absent);
        Assert.Contains("no model file", absentError, StringComparison.Ordinal);

        var (noData, _, _) = Cli.Run("predict", model);
        Assert.Equal(2, noData);

        if (File.Exists("/dev/zero"))
        {
            var (zero, _, zeroError) = Cli.Run("fit", "--data", "/dev/zero");
            Assert.Equal(3, zero);
            Assert.Contains("binary data", zeroError, StringComparison.Ordinal);
            Assert.Equal(3, Cli.Run("predict", model, "--data", "/dev/zero").Code);
            Assert.Equal(3, Cli.Run("predict", "/dev/zero", "--data", data).Code);
        }

        var (task, _, taskError) = Cli.Run("fit", "--data", "builtin:seed-linear", "--task", "classification");
        Assert.Equal(2, task);
        Assert.Contains("--task", taskError, StringComparison.Ordinal);
        Assert.Equal(2, Cli.Run("fit", "--data", data, "--task", "clustering").Code);
    }

    [Fact]
    public void ACheckpointIsAModelFile()
    {
        string data = PathOf("c.csv"), checkpoint = PathOf("run.ckpt");
        File.WriteAllText(data, Flowers(60, seed: 8));
        var (code, fit) = Cli.Json("fit", "--data", data, "--checkpoint", checkpoint, "--epochs", "20");
        Assert.Equal(0, code);
        var (pcode, prediction) = Cli.Json("predict", checkpoint, "--data", data);
        Assert.Equal(0, pcode);
        Assert.Equal((double)fit["metrics"]!["train_accuracy"]!, (double)prediction["metrics"]!["accuracy"]!, 12);
    }

    [FashionMnistFact]
    public void FashionMnistPredictionsMatchTheFitsTestAccuracy()
    {
        string model = PathOf("fashion.safetensors");
        var (code, fit) = Cli.Json("fit", "--data", "builtin:fashion-mnist", "--model", "softmax", "--epochs", "1", "--save", model);
        Assert.Equal(0, code);
        var (pcode, prediction) = Cli.Json("predict", model, "--data", "builtin:fashion-mnist");
        Assert.Equal(0, pcode);
        Assert.Equal(10000, (int)prediction["rows"]!);
        double accuracy = (double)prediction["metrics"]!["accuracy"]!;
        Assert.True(accuracy > 0.7, $"accuracy {accuracy}");
        Assert.Equal((double)fit["metrics"]!["test_accuracy"]!, accuracy, 12);
        Assert.Contains((string)prediction["predictions"]![0]!, Descent.Learning.Data.Mnist.FashionMnistClassNames);
    }
}
