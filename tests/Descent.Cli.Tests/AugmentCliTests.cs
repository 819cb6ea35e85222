using System.Text.Json.Nodes;

namespace Descent.Cli.Tests;

/// <summary><c>descent fit --augment</c>: random shifts and flips of the training images, exact across a resume.</summary>
public sealed class AugmentCliTests : IDisposable
{
    private readonly string _folder = DTypeTests.MnistFolder(train: 40, test: 8, rows: 6, cols: 6, gzipImages: false);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string[] Fit(int epochs, string? augment, params string[] more) =>
    [
        "fit", "--data", _folder, "--layers", "conv(3,3,padding=1) batchnorm relu maxpool(2) flatten linear", "--optimizer", "adam", "--lr", "0.01",
        "--batch-size", "16", "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", "3",
        .. augment is null ? Array.Empty<string>() : ["--augment", augment], .. more,
    ];

    [Fact]
    public void AnAugmentedRunResumedFromACheckpointEqualsTheUninterruptedRun()
    {
        var (code, straight) = Cli.Json(Fit(3, "shift=1,hflip"));
        Assert.Equal(0, code);
        string checkpoint = Path.Combine(_folder, "run.ckpt");
        Assert.Equal(0, Cli.Json(Fit(2, "shift=1,hflip", "--checkpoint", checkpoint)).Code);
        var (resumedCode, resumed) = Cli.Json(Fit(3, "shift=1,hflip", "--resume", checkpoint));
        Assert.Equal(0, resumedCode);
        Assert.Equal(straight["parameters"]!.ToJsonString(), resumed["parameters"]!.ToJsonString());
        Assert.Equal(straight["history"]!.ToJsonString(), resumed["history"]!.ToJsonString());
        Assert.Equal(straight["metrics"]!.ToJsonString(), resumed["metrics"]!.ToJsonString());

        // The augmentation changes what is trained on (same seed, same batches, other images).
        var (plainCode, plain) = Cli.Json(Fit(3, null));
        Assert.Equal(0, plainCode);
        Assert.NotEqual(straight["parameters"]!.ToJsonString(), plain["parameters"]!.ToJsonString());
        // `none` is no augmentation at all.
        Assert.Equal(plain["parameters"]!.ToJsonString(), Cli.Json(Fit(3, "none")).Json["parameters"]!.ToJsonString());

        // A resume must see the same images as the run it continues.
        var (other, _, error) = Cli.Run(Fit(3, "shift=2", "--resume", checkpoint));
        Assert.Equal(2, other);
        Assert.Contains("--augment shift=2: the checkpoint", error, StringComparison.Ordinal);
        Assert.Contains("resume with --augment shift=1,hflip", error, StringComparison.Ordinal);
        // Without repeating anything — the data, the layers (with batch norm), the optimizer, the augmentation: all come
        // from the checkpoint, and the run continues bit for bit.
        var (bareCode, bareOut, bareError) = Cli.Run("fit", "--resume", checkpoint, "--epochs", "3", "--json");
        Assert.True(bareCode == 0, bareError);
        var bare = JsonNode.Parse(bareOut)!;
        Assert.Equal(straight["parameters"]!.ToJsonString(), bare["parameters"]!.ToJsonString());
        Assert.Equal(straight["history"]!.ToJsonString(), bare["history"]!.ToJsonString());
        Assert.Equal(straight["metrics"]!.ToJsonString(), bare["metrics"]!.ToJsonString());
        Assert.Contains("note: resuming", bareError, StringComparison.Ordinal);
        Assert.Contains("--augment shift=1,hflip", bareError, StringComparison.Ordinal);
        // Another layer stack is refused, naming the option and the checkpoint's value.
        (other, _, error) = Cli.Run("fit", "--resume", checkpoint, "--epochs", "3", "--layers", "conv(4,3,padding=1) relu flatten linear");
        Assert.Equal(2, other);
        Assert.Contains("--layers conv(4,3,padding=1) relu flatten linear: the checkpoint", error, StringComparison.Ordinal);
        Assert.Contains("was written with --layers conv(3,3,padding=1) batchnorm relu maxpool(2) flatten linear", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }
}
