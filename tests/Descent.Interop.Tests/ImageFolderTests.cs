using System.Text.Json.Nodes;
using Descent.Interop.Images;
using Descent.Learning;
using Descent.Learning.Data;
using SkiaSharp;

namespace Descent.Interop.Tests;

/// <summary>
/// Folders of ordinary image files as data (<c>predict</c>/<c>fit --data FOLDER</c>): the t10k images of
/// Fixtures/cnn-images written here as PNG (grey and RGB, by SkiaSharp's encoder) and BMP (by hand) give exactly the
/// predictions of the same pixels read from the IDX files; colour becomes grey as PIL's convert("L") makes it; bad
/// folders are clear errors naming the file, exit code 3, nothing written.
/// </summary>
public sealed class ImageFolderTests
{
    private static readonly string Layers = JsonNode.Parse(File.ReadAllText(Support.Fixture("expected_cnn.json")))!["layers"]!.GetValue<string>();

    /// <summary>The 40 test images of the CNN fixture: 12×12 bytes each, and their labels 0..2.</summary>
    private static (byte[][] Images, int[] Labels) TestImages()
    {
        string folder = Support.Fixture("cnn-images");
        var images = File.ReadAllBytes(Path.Combine(folder, "t10k-images-idx3-ubyte"))[16..];
        var labels = File.ReadAllBytes(Path.Combine(folder, "t10k-labels-idx1-ubyte"))[8..];
        return (Enumerable.Range(0, labels.Length).Select(i => images[(i * 144)..((i + 1) * 144)]).ToArray(), labels.Select(b => (int)b).ToArray());
    }

    private static void WritePng(string path, byte[] grey, int width, int height, bool rgb = false, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, rgb ? SKColorType.Rgba8888 : SKColorType.Gray8, SKAlphaType.Opaque));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                byte v = grey[y * width + x];
                bitmap.SetPixel(x, y, new SKColor(v, v, v));
            }
        using var data = bitmap.Encode(format, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>A 24-bit BMP (bottom-up rows padded to 4 bytes, BGR), written by hand: a second, independent encoder.</summary>
    private static void WriteBmp(string path, Func<int, int, (byte R, byte G, byte B)> pixel, int width, int height)
    {
        int stride = (3 * width + 3) / 4 * 4;
        var bytes = new byte[54 + stride * height];
        void Int(int at, int v) => BitConverter.TryWriteBytes(bytes.AsSpan(at), v);
        bytes[0] = (byte)'B';
        bytes[1] = (byte)'M';
        Int(2, bytes.Length);
        Int(10, 54);
        Int(14, 40);
        Int(18, width);
        Int(22, height);
        bytes[26] = 1;
        bytes[28] = 24;
        Int(34, stride * height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = pixel(x, y);
                int at = 54 + (height - 1 - y) * stride + 3 * x;
                (bytes[at], bytes[at + 1], bytes[at + 2]) = (b, g, r);
            }
        File.WriteAllBytes(path, bytes);
    }

    private static string ImportedCnn(string dir)
    {
        string model = Path.Combine(dir, "cnn.safetensors");
        Assert.Equal(0, Support.Run("import", Support.Fixture("cnn.pt"), "--layers", Layers, "--image-shape", "12x12", "--normalize", "0.5,0.25", "--out", model).Code);
        return model;
    }

    private static double[][] Probabilities(JsonNode predicted) => predicted["probabilities"]!.AsArray().Select(r => r!.AsArray().Select(v => v!.GetValue<double>()).ToArray()).ToArray();

    [Fact]
    public void Png_and_bmp_folders_in_class_subfolders_predict_exactly_as_the_IDX_folder()
    {
        string dir = Support.TempFolder();
        string model = ImportedCnn(dir);
        var (images, labels) = TestImages();
        // The same pixels as grey PNG, as RGB PNG (grey repeated: a colour image read by a one-channel model) and as BMP.
        var writers = new (string Name, Action<string, byte[]> Write)[]
        {
            ("grey-png", (p, g) => WritePng(p + ".png", g, 12, 12)),
            ("rgb-png", (p, g) => WritePng(p + ".png", g, 12, 12, rgb: true)),
            ("bmp", (p, g) => WriteBmp(p + ".bmp", (x, y) => (g[y * 12 + x], g[y * 12 + x], g[y * 12 + x]), 12, 12)),
        };
        var idx = Support.Json("predict", model, "--data", Support.Fixture("cnn-images"));
        var expected = Probabilities(idx);
        foreach (var (name, write) in writers)
        {
            string folder = Path.Combine(dir, name);
            for (int i = 0; i < images.Length; i++)
            {
                Directory.CreateDirectory(Path.Combine(folder, labels[i].ToString(System.Globalization.CultureInfo.InvariantCulture)));
                write(Path.Combine(folder, labels[i].ToString(System.Globalization.CultureInfo.InvariantCulture), $"image{i:D3}"), images[i]);
            }
            var predicted = Support.Json("predict", model, "--data", folder);
            var files = predicted["files"]!.AsArray().Select(f => f!.GetValue<string>()).ToArray();
            Assert.Equal(images.Length, files.Length);
            var p = Probabilities(predicted);
            for (int r = 0; r < files.Length; r++)
            {
                int i = int.Parse(Path.GetFileNameWithoutExtension(files[r])["image".Length..], System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(labels[i].ToString(System.Globalization.CultureInfo.InvariantCulture), files[r].Split('/')[0]);
                Assert.Equal(expected[i], p[r]);   // the same pixels, the same float32 inputs: equal, not merely close
            }
            Assert.Equal(idx["metrics"]!["accuracy"]!.GetValue<double>(), predicted["metrics"]!["accuracy"]!.GetValue<double>());
        }
    }

    [Fact]
    public void A_flat_folder_gives_predictions_per_file_without_metrics_and_JPEG_is_close()
    {
        string dir = Support.TempFolder();
        string model = ImportedCnn(dir);
        var (images, _) = TestImages();
        string flat = Path.Combine(dir, "flat");
        Directory.CreateDirectory(flat);
        for (int i = 0; i < 5; i++) WritePng(Path.Combine(flat, $"b{i}.png"), images[i], 12, 12);
        WritePng(Path.Combine(flat, "a0.jpg"), images[0], 12, 12, format: SKEncodedImageFormat.Jpeg);
        File.WriteAllText(Path.Combine(flat, "notes.txt"), "not an image: skipped");
        var predicted = Support.Json("predict", model, "--data", flat);
        Assert.Equal(["a0.jpg", "b0.png", "b1.png", "b2.png", "b3.png", "b4.png"], predicted["files"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Null(predicted["metrics"]);
        Assert.Equal(6, predicted["predictions"]!.AsArray().Count);
        // A JPEG at quality 100 decodes to nearly the same pixels: the same class as its PNG.
        Assert.Equal(predicted["predictions"]![1]!.GetValue<string>(), predicted["predictions"]![0]!.GetValue<string>());
        var (code, text, _) = Support.Run("predict", model, "--data", flat);
        Assert.Equal(0, code);
        Assert.Contains("b3.png", text);
    }

    [Fact]
    public void Colour_becomes_grey_as_PILs_convert_L_and_RGB_models_read_three_planes()
    {
        string dir = Support.TempFolder();
        string folder = Path.Combine(dir, "colours", "swatch");
        Directory.CreateDirectory(folder);
        // Hand-derived: L = (19595 R + 38470 G + 7471 B + 2^15) >> 16 (ITU-R 601-2, PIL's integer form); PIL 9.4 gives 76, 150, 38.
        WriteBmp(Path.Combine(folder, "c.bmp"), (x, _) => x switch { 0 => ((byte)255, (byte)0, (byte)0), 1 => ((byte)0, (byte)255, (byte)0), _ => ((byte)10, (byte)20, (byte)200) }, 3, 1);
        var grey = ImageFolder.Load<double>(Path.Combine(dir, "colours"), new ImageFolderOptions { Channels = 1 });
        Assert.Equal([1, 3], grey.ImageShape);
        Assert.Equal([76 / 255.0, 150 / 255.0, 38 / 255.0], grey.Data.X.ToDoubleArray());
        var rgb = ImageFolder.Load<double>(Path.Combine(dir, "colours"));
        Assert.Equal([3, 1, 3], rgb.ImageShape);
        Assert.Equal(new double[] { 255, 0, 10, 0, 255, 20, 0, 0, 200 }.Select(v => v / 255), rgb.Data.X.ToDoubleArray());
        Assert.Equal(["swatch"], rgb.Data.ClassNames);
    }

    [Fact]
    public void Fit_trains_on_class_subfolders_and_predicts_the_folder_names_back()
    {
        string dir = Support.TempFolder();
        var (images, labels) = TestImages();
        string[] names = ["horizontal", "vertical", "diagonal"];
        string folder = Path.Combine(dir, "shapes");
        for (int i = 0; i < images.Length; i++)
        {
            Directory.CreateDirectory(Path.Combine(folder, names[labels[i]]));
            WritePng(Path.Combine(folder, names[labels[i]], $"{i:D3}.png"), images[i], 12, 12);
        }
        string model = Path.Combine(dir, "shapes.safetensors");
        var fit = Support.Json("fit", "--data", folder, "--model", "cnn", "--layers", "conv(4,3,padding=1) relu maxpool(2) flatten linear", "--optimizer", "adam", "--lr", "0.01", "--epochs", "15", "--save", model);
        Assert.Equal("float32", fit["dtype"]?.GetValue<string>() ?? "float32");
        var saved = Model.Load(model);
        Assert.Equal(["diagonal", "horizontal", "vertical"], saved.ClassNames);   // the folders' names, sorted as torchvision sorts them
        Assert.Equal([12, 12], saved.ImageShape);
        var predicted = Support.Json("predict", model, "--data", folder);
        Assert.All(predicted["predictions"]!.AsArray(), p => Assert.Contains(p!.GetValue<string>(), names));
        Assert.True(predicted["metrics"]!["accuracy"]!.GetValue<double>() > 0.6, predicted["metrics"]!.ToJsonString());

        // An imported CNN fine-tunes on an image folder whose class folders carry its class names (0, 1, 2), by --resume.
        string numbered = Path.Combine(dir, "numbered");
        for (int i = 0; i < images.Length; i++)
        {
            Directory.CreateDirectory(Path.Combine(numbered, labels[i].ToString(System.Globalization.CultureInfo.InvariantCulture)));
            WritePng(Path.Combine(numbered, labels[i].ToString(System.Globalization.CultureInfo.InvariantCulture), $"{i:D3}.png"), images[i], 12, 12);
        }
        string imported = ImportedCnn(dir), tuned = Path.Combine(dir, "tuned.safetensors");
        var (code, _, err) = Support.Run("fit", "--data", numbered, "--resume", imported, "--epochs", "2", "--optimizer", "adam", "--lr", "0.001", "--save", tuned);
        Assert.True(code == 0, err);
        Assert.Contains("note: --resume", err);
        Assert.Equal(Layers, Model.Load(tuned).Architecture.Layers);
        Assert.NotNull(Model.Load(tuned).Scaling);   // the imported normalisation is kept
    }

    /// <summary>Writes images <paramref name="from"/>..<paramref name="to"/> of the fixture into <paramref name="folder"/>/CLASS/, leaving out <paramref name="skip"/>.</summary>
    private static void WriteClasses(string folder, int from, int to, string? skip = null)
    {
        var (images, labels) = TestImages();
        string[] names = ["horizontal", "vertical", "diagonal"];
        for (int i = from; i < to; i++)
        {
            if (names[labels[i]] == skip) continue;
            Directory.CreateDirectory(Path.Combine(folder, names[labels[i]]));
            WritePng(Path.Combine(folder, names[labels[i]], $"{i:D3}.png"), images[i], 12, 12);
        }
    }

    [Fact]
    public void Fit_on_a_train_and_test_folder_trains_on_train_and_reports_test_metrics_with_the_classes_matched_by_name()
    {
        string dir = Support.TempFolder();
        string folder = Path.Combine(dir, "shapes");
        WriteClasses(Path.Combine(folder, "train"), 0, 28);
        // The test split lacks one class ('diagonal', the first by name): its other classes keep the training split's
        // indices (numbering test/'s own subfolders would shift them and score the wrong classes).
        WriteClasses(Path.Combine(folder, "test"), 28, 40, skip: "diagonal");
        string model = Path.Combine(dir, "shapes.safetensors");
        string[] fit = ["fit", "--layers", "conv(4,3,padding=1) relu maxpool(2) flatten linear", "--optimizer", "adam", "--lr", "0.01", "--epochs", "10", "--seed", "1"];
        var (code, output, err) = Support.Run([.. fit, "--data", folder, "--save", model, "--json"]);
        Assert.True(code == 0, err);
        var json = JsonNode.Parse(output)!;
        Assert.Contains("the test split has no images of 'diagonal'", err, StringComparison.Ordinal);
        Assert.Equal(["diagonal", "horizontal", "vertical"], Model.Load(model).ClassNames);
        // Training is the training split's alone: the same as fitting train/ by itself.
        var alone = Support.Json([.. fit, "--data", Path.Combine(folder, "train")]);
        Assert.Equal(alone["parameters"]!.ToJsonString(), json["parameters"]!.ToJsonString());
        Assert.Null(alone["metrics"]!["test_accuracy"]);
        // The test metrics are those of predicting test/ (which matches class folders by name on its own), and of
        // predicting the split folder, which reads its test/.
        var report = json["classification_report"]!;
        Assert.Equal("test", report["split"]!.GetValue<string>());
        var predicted = Support.Json("predict", model, "--data", Path.Combine(folder, "test"));
        Assert.Equal(predicted["metrics"]!["accuracy"]!.GetValue<double>(), json["metrics"]!["test_accuracy"]!.GetValue<double>(), 12);
        Assert.Equal(Directory.GetFiles(Path.Combine(folder, "test"), "*.png", SearchOption.AllDirectories).Length, report["examples"]!.GetValue<int>());
        Assert.Equal(0, report["per_class"]![0]!["support"]!.GetValue<int>()); // diagonal
        Assert.Equal(predicted["predictions"]!.ToJsonString(), Support.Json("predict", model, "--data", folder)["predictions"]!.ToJsonString());

        // A val/ split is the validation data (and --val-split beside it is a usage error).
        WriteClasses(Path.Combine(folder, "val"), 20, 28);
        var withVal = Support.Json([.. fit, "--data", folder]);
        Assert.NotNull(withVal["history"]![0]!["val_loss"]);
        Assert.Equal(alone["parameters"]!.ToJsonString(), withVal["parameters"]!.ToJsonString());
        var (both, _, bothErr) = Support.Run([.. fit, "--data", folder, "--val-split", "0.2"]);
        Assert.Equal(2, both);
        Assert.Contains("has a validation split of its own", bothErr, StringComparison.Ordinal);
        Directory.Delete(Path.Combine(folder, "val"), recursive: true);

        // A Kaggle test/ of unlabeled images: training goes on, without test metrics, and a note says why.
        string kaggle = Path.Combine(dir, "kaggle");
        WriteClasses(Path.Combine(kaggle, "train"), 0, 28);
        Directory.CreateDirectory(Path.Combine(kaggle, "test"));
        foreach (var f in Directory.GetFiles(Path.Combine(folder, "test"), "*.png", SearchOption.AllDirectories)) File.Copy(f, Path.Combine(kaggle, "test", Path.GetFileName(f)));
        (code, output, err) = Support.Run([.. fit, "--data", kaggle, "--json"]);
        Assert.True(code == 0, err);
        Assert.Null(JsonNode.Parse(output)!["metrics"]!["test_accuracy"]);
        Assert.Contains("no labels and give no test metrics", err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_train_and_test_folder_whose_test_has_a_class_train_lacks_or_an_extra_folder_is_refused_naming_it()
    {
        string dir = Support.TempFolder();
        string folder = Path.Combine(dir, "shapes");
        WriteClasses(Path.Combine(folder, "train"), 0, 28, skip: "vertical");
        WriteClasses(Path.Combine(folder, "test"), 28, 40);
        string[] fit = ["fit", "--data", folder, "--layers", "conv(2,3) flatten linear", "--epochs", "1"];
        var (code, _, err) = Support.Run(fit);
        Assert.Equal(3, code);
        Assert.Contains("the class 'vertical' is not among the training split's classes (diagonal, horizontal)", err, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(folder, "test", "vertical"), err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);

        Directory.Delete(Path.Combine(folder, "test", "vertical"), recursive: true);
        Directory.CreateDirectory(Path.Combine(folder, "extra"));
        (code, _, err) = Support.Run(fit);
        Assert.Equal(3, code);
        Assert.Contains("'extra/', which is no split", err, StringComparison.Ordinal);
        Directory.Delete(Path.Combine(folder, "extra"));
        Assert.Equal(0, Support.Run(fit).Code);
    }

    [Fact]
    public void A_colour_folder_trains_a_three_channel_model_that_exports_with_a_CHW_input()
    {
        // Reddish and bluish 6×5 BMPs: the classes differ only in colour, so a grey reading could not tell them apart.
        string dir = Support.TempFolder();
        string folder = Path.Combine(dir, "colours");
        var random = new Random(5);
        foreach (var name in new[] { "blue", "red" })
        {
            Directory.CreateDirectory(Path.Combine(folder, name));
            for (int i = 0; i < 12; i++)
            {
                byte Noise() => (byte)random.Next(0, 60);
                WriteBmp(Path.Combine(folder, name, $"{i:D2}.bmp"), (_, _) => name == "red" ? ((byte)(150 + Noise()), Noise(), Noise()) : (Noise(), Noise(), (byte)(150 + Noise())), 6, 5);
            }
        }
        string model = Path.Combine(dir, "colours.safetensors");
        var (code, _, err) = Support.Run("fit", "--data", folder, "--model", "mlp", "--hidden", "8", "--optimizer", "adam", "--lr", "0.05", "--epochs", "30", "--save", model);
        Assert.True(code == 0, err);
        var saved = Model.Load(model);
        Assert.Equal([3, 5, 6], saved.ImageShape);
        Assert.Equal(90, saved.Architecture.Inputs);
        var predicted = Support.Json("predict", model, "--data", folder);
        Assert.Equal(1.0, predicted["metrics"]!["accuracy"]!.GetValue<double>());
        // Shifts and flips apply to colour images as to grey ones (each channel moved alike).
        var augmented = Support.Run("fit", "--data", folder, "--model", "mlp", "--hidden", "8", "--epochs", "2", "--augment", "shift=1,hflip");
        Assert.True(augmented.Code == 0, augmented.Err);
        // ONNX: the input is [batch, 3, 5, 6], and ONNX Runtime agrees with predict on the folder's pixels.
        var images = ImageFolder.Load<float>(folder);
        var bytes = Descent.Interop.Onnx.OnnxExporter.Export(saved);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(bytes);
        Assert.Equal([-1, 3, 5, 6], session.InputMetadata["input"].Dimensions);
        var x = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(images.Data.X.Data.ToArray(), [images.Data.Count, 3, 5, 6]);
        using var results = session.Run([Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("input", x)], ["probabilities"]);
        var onnx = results[0].AsEnumerable<float>().ToArray();
        var p = Probabilities(predicted).SelectMany(r => r).ToArray();
        for (int i = 0; i < p.Length; i++) Assert.Equal(p[i], onnx[i], 1e-5);
    }

    [Fact]
    public void Bad_image_folders_are_clear_errors_naming_the_file_with_exit_code_3_and_nothing_written()
    {
        string dir = Support.TempFolder();
        string model = ImportedCnn(dir);
        var (images, _) = TestImages();
        string output = Path.Combine(dir, "out.safetensors");
        (int Code, string Err) Fit(string folder)
        {
            var (code, _, err) = Support.Run("fit", "--data", folder, "--model", "cnn", "--layers", "conv(2,3) relu flatten linear", "--epochs", "1", "--save", output);
            return (code, err);
        }
        void Check(string folder, params string[] words)
        {
            foreach (var (code, err) in new[] { Fit(folder), (Support.Run("predict", model, "--data", folder).Code, Support.Run("predict", model, "--data", folder).Err) })
            {
                Assert.True(code == 3, $"{folder}: exit {code}: {err}");
                foreach (var w in words) Assert.Contains(w, err);
                Assert.DoesNotContain("   at ", err);
            }
            Assert.False(File.Exists(output));
        }

        string empty = Path.Combine(dir, "empty");
        Directory.CreateDirectory(empty);
        Check(empty, "holds no image files");

        string corrupt = Path.Combine(dir, "corrupt", "a");
        Directory.CreateDirectory(corrupt);
        WritePng(Path.Combine(corrupt, "good.png"), images[0], 12, 12);
        File.WriteAllBytes(Path.Combine(corrupt, "bad.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3, 4, 5, 6]);
        Check(Path.GetDirectoryName(corrupt)!, "bad.png");

        string truncated = Path.Combine(dir, "truncated", "a");
        Directory.CreateDirectory(truncated);
        WritePng(Path.Combine(truncated, "whole.png"), images[0], 12, 12);
        var png = File.ReadAllBytes(Path.Combine(truncated, "whole.png"));
        File.WriteAllBytes(Path.Combine(truncated, "cut.png"), png[..(png.Length * 2 / 3)]);
        Check(Path.GetDirectoryName(truncated)!, "cut.png");

        string mixed = Path.Combine(dir, "mixed", "a");
        Directory.CreateDirectory(mixed);
        WritePng(Path.Combine(mixed, "a.png"), images[0], 12, 12);
        WritePng(Path.Combine(mixed, "b.png"), new byte[100], 10, 10);
        Check(Path.GetDirectoryName(mixed)!, "b.png", "10×10");

        // The model's size: every image of another size is named with the size expected (Descent does not resize).
        string other = Path.Combine(dir, "other");
        Directory.CreateDirectory(other);
        WritePng(Path.Combine(other, "small.png"), new byte[100], 10, 10);
        var (sizeCode, _, sizeErr) = Support.Run("predict", model, "--data", other);
        Assert.Equal(3, sizeCode);
        Assert.Contains("small.png", sizeErr);
        Assert.Contains("the model reads 12×12", sizeErr);

        // fit needs labels; predict refuses a class folder the model does not know.
        string flat = Path.Combine(dir, "flat");
        Directory.CreateDirectory(flat);
        WritePng(Path.Combine(flat, "a.png"), images[0], 12, 12);
        var flatFit = Fit(flat);
        Assert.Equal(3, flatFit.Code);
        Assert.Contains("class subfolders", flatFit.Err);
        string unknown = Path.Combine(dir, "unknown", "zebra");
        Directory.CreateDirectory(unknown);
        WritePng(Path.Combine(unknown, "a.png"), images[0], 12, 12);
        var (unknownCode, _, unknownErr) = Support.Run("predict", model, "--data", Path.GetDirectoryName(unknown)!);
        Assert.Equal(3, unknownCode);
        Assert.Contains("'zebra'", unknownErr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Fit_augments_colour_images_with_every_channel_shifted_and_flipped_together()
    {
        // Colour images (3 channels): --augment reads the channel count from the image shape, [3, 8, 8].
        string dir = Support.TempFolder();
        string folder = Path.Combine(dir, "colours");
        for (int i = 0; i < 12; i++)
        {
            string label = i % 2 == 0 ? "red-left" : "blue-right";
            Directory.CreateDirectory(Path.Combine(folder, label));
            WriteBmp(Path.Combine(folder, label, $"{i:D2}.bmp"), (x, y) => i % 2 == 0 ? (x < 4 ? (byte)(200 + i) : (byte)0, (byte)y, (byte)0) : ((byte)0, (byte)y, x >= 4 ? (byte)(200 + i) : (byte)0), 8, 8);
        }
        var fit = Support.Json("fit", "--data", folder, "--layers", "conv(2,3,padding=1) relu flatten linear", "--epochs", "2", "--batch-size", "4", "--augment", "shift=2,hflip");
        Assert.Equal(2 * (3 * 9 + 1) + (2 * 64 * 2 + 2), fit["summary"]!["parameters"]!.GetValue<long>()); // conv over 3 channels, linear 2·8·8 → 2 classes
        Assert.Equal(2, fit["epochs_run"]!.GetValue<int>());
        var (code, _, error) = Support.Run("fit", "--data", folder, "--layers", "conv(2,3,padding=1) relu flatten linear", "--epochs", "1", "--augment", "shift=8");
        Assert.Equal(2, code);
        Assert.Contains("from 0 to 7 for 8×8 images", error, StringComparison.Ordinal);
    }
}
