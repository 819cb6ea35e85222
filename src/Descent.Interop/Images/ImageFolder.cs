using System.Numerics;
using Descent.Learning;
using Descent.Learning.Data;
using StbImageSharp;

namespace Descent.Interop.Images;

/// <summary>How <see cref="ImageFolder.Load{T}"/> reads a folder: the image shape a model expects, or none (the images decide).</summary>
public sealed record ImageFolderOptions
{
    /// <summary>
    /// The channels every image is read with: 1 (grey: colour images are converted as PIL's <c>convert("L")</c> does,
    /// L = (19595·R + 38470·G + 7471·B + 2¹⁵) ≫ 16), 3 (RGB: grey images are repeated in each channel); null: 1 when
    /// every image is grey, else 3. Alpha is dropped.
    /// </summary>
    public int? Channels { get; init; }

    /// <summary>The [height, width] every image must have (a model's image size); null: the first image's size, which the others must share.</summary>
    public IReadOnlyList<int>? Size { get; init; }

    /// <summary>
    /// The classes by index (the training split's, for a test or validation split): each class subfolder gets its name's
    /// index here, and a subfolder that is not among them is an error naming it; null: the subfolders, sorted, are the classes.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
}

/// <summary>
/// The split subfolders of a folder laid out as <c>FOLDER/train/CLASS/IMAGE</c>, <c>FOLDER/test/CLASS/IMAGE</c> and
/// optionally <c>FOLDER/val/CLASS/IMAGE</c> (also <c>valid</c>, <c>validation</c>), as Kaggle data sets and torchvision
/// <c>ImageFolder</c> scripts lay them out (<see cref="ImageFolder.Splits"/>).
/// </summary>
/// <param name="Train">The training split's folder.</param>
/// <param name="Validation">The validation split's folder, or null.</param>
/// <param name="Test">The test split's folder, or null.</param>
public sealed record ImageFolderSplits(string Train, string? Validation, string? Test);

/// <summary>The splits of a <c>train/</c> + <c>test/</c> folder, read with one image shape and the training split's classes (<see cref="ImageFolder.LoadSplits{T}"/>).</summary>
/// <param name="Train">The training images (in class subfolders).</param>
/// <param name="Validation">The validation images, or null.</param>
/// <param name="Test">The test images, or null; <see cref="ImageFolderData{T}.Labeled"/> is false when they are not in class subfolders (a Kaggle test set).</param>
/// <typeparam name="T">The element type.</typeparam>
public sealed record ImageFolderSplitData<T>(ImageFolderData<T> Train, ImageFolderData<T>? Validation, ImageFolderData<T>? Test)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>;

/// <summary>
/// A folder of image files read as data (what <c>descent predict</c> and <c>descent fit</c> call <c>--data FOLDER</c>).
/// </summary>
/// <param name="Data">
/// The images as rows of C·H·W values, pixel / 255 in [0, 1] (channel-major, as PyTorch's <c>ToTensor</c> and an MNIST
/// IDX file give them), with the class index per image when the folder has class subfolders (the class names are the
/// subfolders' names, sorted ordinally as torchvision sorts them), else 0.
/// </param>
/// <param name="Files">Each image's path relative to the folder (forward slashes), in row order.</param>
/// <param name="Labeled">True when the images sit in class subfolders.</param>
/// <param name="ImageShape">One image's shape: [height, width] for grey images, [channels, height, width] for colour.</param>
/// <typeparam name="T">The element type.</typeparam>
public sealed record ImageFolderData<T>(Dataset<T> Data, IReadOnlyList<string> Files, bool Labeled, IReadOnlyList<int> ImageShape)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>;

/// <summary>
/// Reads folders of ordinary image files (PNG, JPEG, BMP, GIF, TGA; decoded in managed code by StbImageSharp) the way
/// torchvision's <c>ImageFolder</c> lays them out: <c>FOLDER/CLASS/IMAGE</c> (labels from the subfolder names, sorted),
/// or <c>FOLDER/IMAGE</c> (no labels). Files with other extensions and hidden files are skipped. Images are not resized:
/// every image must have the same size (the model's, when one is given), else the first that differs is named.
/// </summary>
/// <example>
/// <code>
/// var images = ImageFolder.Load&lt;float&gt;("photos", new ImageFolderOptions { Channels = 1, Size = [28, 28] });
/// var prediction = Model.Load("fashion.safetensors").Predict(images.Data.X);
/// </code>
/// </example>
public static class ImageFolder
{
    /// <summary>The extensions read as images (lower case, with the dot).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga"];

    /// <summary>The largest image side accepted (a corrupt or hostile header declaring more is refused before decoding).</summary>
    public const int MaxSide = 16384;

    /// <summary>True when <paramref name="folder"/> holds image files directly or in its subfolders (one level down).</summary>
    public static bool HasImages(string folder)
        => Directory.Exists(folder) && (Images(folder).Any() || Subfolders(folder).Any(d => Images(d).Any()));

    /// <summary>The names of the training split's folder (compared ignoring case).</summary>
    public static IReadOnlyList<string> TrainNames { get; } = ["train"];

    /// <summary>The names of a validation split's folder.</summary>
    public static IReadOnlyList<string> ValidationNames { get; } = ["val", "valid", "validation"];

    /// <summary>The names of the test split's folder.</summary>
    public static IReadOnlyList<string> TestNames { get; } = ["test"];

    /// <summary>
    /// The splits of <paramref name="folder"/> when it is laid out as <c>train/CLASS/IMAGE</c> (a <c>train</c> subfolder
    /// with no images of its own, only class subfolders) beside <c>test/</c> and optionally <c>val/</c>; null for any other
    /// folder (a folder of class subfolders — even one named <c>train</c> that holds images — or of images).
    /// </summary>
    /// <exception cref="DataFormatException">The layout has a subfolder besides the splits, or two validation folders; the message names them.</exception>
    public static ImageFolderSplits? Splits(string folder)
    {
        if (!Directory.Exists(folder) || Images(folder).Any()) return null;
        var subfolders = Subfolders(folder).ToList();
        string? Named(IReadOnlyList<string> names) => subfolders.FirstOrDefault(d => names.Contains(Path.GetFileName(d), StringComparer.OrdinalIgnoreCase));
        var train = Named(TrainNames);
        if (train is null || Images(train).Any() || !Subfolders(train).Any(d => Images(d).Any())) return null;
        var validation = subfolders.Where(d => ValidationNames.Contains(Path.GetFileName(d), StringComparer.OrdinalIgnoreCase)).ToList();
        if (validation.Count > 1)
            throw new DataFormatException($"{folder}: it has two validation folders ({string.Join(", ", validation.Select(Path.GetFileName))}); keep one.", folder);
        var test = Named(TestNames);
        if (subfolders.FirstOrDefault(d => d != train && d != test && !validation.Contains(d)) is { } other)
            throw new DataFormatException($"{folder}: it holds the splits {Path.GetFileName(train)}/{(test is null ? "" : $" and {Path.GetFileName(test)}/")}, and also '{Path.GetFileName(other)}/', which is no split "
                + $"({string.Join(", ", TrainNames.Concat(ValidationNames).Concat(TestNames))}); move it into a split's class folders, or out of the folder.", folder);
        return new ImageFolderSplits(train, validation.FirstOrDefault(), test);
    }

    /// <summary>
    /// Reads a folder laid out in splits (<see cref="Splits"/>): the training split as <see cref="Load{T}"/> does, then the
    /// validation and test splits with its image shape and channels and its classes by name (a class the training split
    /// lacks is an error naming it; a class the test split lacks simply has no test images). A test split of images
    /// without class subfolders (a Kaggle test set) is read unlabeled.
    /// </summary>
    /// <exception cref="DataFormatException">The folder is not laid out in splits, or a split is not readable as <see cref="Load{T}"/> says.</exception>
    public static ImageFolderSplitData<T> LoadSplits<T>(string folder, ImageFolderOptions? options = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var splits = Splits(folder) ?? throw new DataFormatException($"{folder}: no train/ folder of class subfolders; lay the images out as {Path.Combine(folder, "train", "CLASS")}/… and {Path.Combine(folder, "test", "CLASS")}/….", folder);
        var train = Load<T>(splits.Train, options);
        var shape = train.ImageShape;
        var same = new ImageFolderOptions { Channels = shape.Count == 3 ? shape[0] : 1, Size = [shape[^2], shape[^1]], ClassNames = train.Data.ClassNames };
        ImageFolderData<T>? Other(string? path)
        {
            if (path is null) return null;
            var data = Load<T>(path, same);
            if (!data.Labeled && path == splits.Validation)
                throw new DataFormatException($"{path}: the validation images are not in class subfolders, so they have no labels; put them in class subfolders as in {Path.GetFileName(splits.Train)}/.", path);
            return data;
        }
        return new ImageFolderSplitData<T>(train, Other(splits.Validation), Other(splits.Test));
    }

    /// <summary>Reads the folder: every image decoded, checked against one shape, scaled to [0, 1].</summary>
    /// <exception cref="DataFormatException">An empty folder, an image that does not decode, an image of another size, a class subfolder without images; the message names the file or folder.</exception>
    public static ImageFolderData<T> Load<T>(string folder, ImageFolderOptions? options = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        options ??= new ImageFolderOptions();
        if (options.Channels is { } ch && ch is not (1 or 3)) throw new ArgumentException($"Images are read with 1 (grey) or 3 (RGB) channels, not {ch}.", nameof(options));
        if (options.Size is { } sz && (sz.Count != 2 || sz[0] < 1 || sz[1] < 1)) throw new ArgumentException("The image size is [height, width], each at least 1.", nameof(options));
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: no such folder.");

        var direct = Images(folder).ToList();
        var classFolders = Subfolders(folder).ToList();
        var withImages = classFolders.Where(d => Images(d).Any()).ToList();
        if (direct.Count > 0 && withImages.Count > 0)
            throw new DataFormatException($"{folder}: it has image files both directly in it ({Path.GetFileName(direct[0])}…) and in subfolders ({Path.GetFileName(withImages[0])}/…); put every image in a class subfolder (labels known), or none (predictions only).", folder);
        if (direct.Count == 0 && withImages.Count == 0)
            throw new DataFormatException($"{folder}: the folder holds no image files ({string.Join(", ", Extensions)}), directly or in class subfolders; an MNIST folder holds train-images-idx3-ubyte and its kin instead.", folder);
        bool labeled = direct.Count == 0;
        var files = new List<(string Path, int Label)>();
        IReadOnlyList<string>? classNames = null;
        if (labeled)
        {
            if (classFolders.FirstOrDefault(d => !Images(d).Any()) is { } empty)
                throw new DataFormatException($"{empty}: the class folder '{Path.GetFileName(empty)}' holds no image files ({string.Join(", ", Extensions)}); add its images or remove it.", empty);
            var names = classFolders.Select(Path.GetFileName).Select(n => n!).ToList();
            classNames = names;
            var index = Enumerable.Range(0, names.Count).ToArray();
            if (options.ClassNames is { } known)
            {
                // Another split of the same data: its classes by name, as the training split numbered them.
                var byName = known.Select((n, i) => (n, i)).ToDictionary(c => c.n, c => c.i, StringComparer.Ordinal);
                if (names.FirstOrDefault(n => !byName.ContainsKey(n)) is { } unknown)
                    throw new DataFormatException($"{Path.Combine(folder, unknown)}: the class '{unknown}' is not among the training split's classes ({string.Join(", ", known)}); "
                        + "a model cannot learn a class it has no training images of — add its images to the training split, or remove the folder.", Path.Combine(folder, unknown));
                index = names.Select(n => byName[n]).ToArray();
                classNames = known;
            }
            for (int c = 0; c < classFolders.Count; c++)
                foreach (var file in Images(classFolders[c])) files.Add((file, index[c]));
        }
        else files.AddRange(direct.Select(f => (f, 0)));

        // First the headers: every image's size and colour, checked before anything is decoded or allocated.
        int height = 0, width = 0;
        bool allGrey = true;
        foreach (var (path, _) in files)
        {
            ImageInfo? info;
            try
            {
                using var stream = File.OpenRead(path);
                info = ImageInfo.FromStream(stream);
            }
            catch (Exception e) when (e is not IOException and not UnauthorizedAccessException)
            {
                info = null;
            }
            if (info is not { } i || i.Width < 1 || i.Height < 1)
                throw new DataFormatException($"{path}: not an image Descent can read (PNG, JPEG, BMP, GIF or TGA); the file is corrupt or of another kind — remove it or convert it.", path);
            if (i.Width > MaxSide || i.Height > MaxSide)
                throw new DataFormatException($"{path}: {i.Width}×{i.Height} pixels is larger than the {MaxSide}-pixel sides read; resize the images.", path);
            if (height == 0)
            {
                (height, width) = options.Size is { } want ? (want[0], want[1]) : (i.Height, i.Width);
            }
            if (i.Height != height || i.Width != width)
            {
                string expected = options.Size is not null ? "the model reads" : $"the first image ({Relative(folder, files[0].Path)}) has";
                throw new DataFormatException($"{path}: the image is {i.Width}×{i.Height} (width×height) but {expected} {width}×{height}; Descent does not resize images — resize them all to {width}×{height} (e.g. with ImageMagick: mogrify -resize {width}x{height}! *.png).", path);
            }
            allGrey &= i.ColorComponents is ColorComponents.Grey or ColorComponents.GreyAlpha;
        }
        int channels = options.Channels ?? (allGrey ? 1 : 3);
        long size = (long)files.Count * channels * height * width;
        if (size > Array.MaxLength)
            throw new DataFormatException($"{folder}: {files.Count} images of {channels}×{height}×{width} values are more than one tensor holds ({Array.MaxLength}); use fewer or smaller images.", folder);

        var scale = new T[256];
        for (int b = 0; b < 256; b++) scale[b] = T.CreateTruncating(b / 255.0);   // as the MNIST reader scales bytes
        var pixels = new T[size];
        var labels = new T[files.Count];
        int plane = height * width;
        for (int n = 0; n < files.Count; n++)
        {
            var (path, label) = files[n];
            ImageResult image;
            try
            {
                using var stream = File.OpenRead(path);
                image = ImageResult.FromStream(stream, ColorComponents.RedGreenBlue);
            }
            catch (Exception e) when (e is not IOException and not UnauthorizedAccessException)
            {
                throw new DataFormatException($"{path}: the image does not decode ({e.Message}); the file is corrupt or truncated — remove it or export it again.", path, inner: e);
            }
            if (image.Width != width || image.Height != height || image.Data.Length < 3 * plane)
                throw new DataFormatException($"{path}: the image decodes to {image.Width}×{image.Height} pixels, not the {width}×{height} its header declares; the file is corrupt.", path);
            var rgb = image.Data;
            var row = pixels.AsSpan(n * channels * plane, channels * plane);
            if (channels == 1)
            {
                for (int p = 0; p < plane; p++)
                    row[p] = scale[(rgb[3 * p] * 19595 + rgb[3 * p + 1] * 38470 + rgb[3 * p + 2] * 7471 + 0x8000) >> 16];
            }
            else
            {
                for (int p = 0; p < plane; p++)
                    for (int c = 0; c < 3; c++) row[c * plane + p] = scale[rgb[3 * p + c]];
            }
            labels[n] = T.CreateTruncating(label);
        }
        var x = Tensor.FromArray(pixels, [files.Count, channels * plane]);
        var y = Tensor.FromArray(labels, [files.Count]);
        int classCount = Math.Max(classNames?.Count ?? 1, 1);
        var data = new Dataset<T>(x, y, null, null, classCount, classNames);
        int[] shape = channels == 1 ? [height, width] : [channels, height, width];
        return new ImageFolderData<T>(data, files.Select(f => Relative(folder, f.Path)).ToArray(), labeled, shape);
    }

    private static string Relative(string folder, string path) => Path.GetRelativePath(folder, path).Replace('\\', '/');

    private static IEnumerable<string> Images(string folder)
        => Directory.EnumerateFiles(folder)
            .Where(f => !Path.GetFileName(f).StartsWith('.') && Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal);

    private static IEnumerable<string> Subfolders(string folder)
        => Directory.EnumerateDirectories(folder).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal);
}
