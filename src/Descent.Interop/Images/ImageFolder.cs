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
}

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
            for (int c = 0; c < classFolders.Count; c++)
                foreach (var file in Images(classFolders[c])) files.Add((file, c));
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
