using System.Globalization;
using System.Numerics;

namespace Descent.Learning.Data;

/// <summary>
/// What <see cref="ImageAugmentation"/> drew for one image: the shift of its content (down and right, in pixels; negative
/// is up or left) and whether it is mirrored left–right after the shift.
/// </summary>
/// <param name="ShiftY">Rows the content moves down (−MaxShift..MaxShift).</param>
/// <param name="ShiftX">Columns the content moves right (−MaxShift..MaxShift).</param>
/// <param name="Flip">Whether the shifted image is mirrored left–right.</param>
public readonly record struct AugmentationDraw(int ShiftY, int ShiftX, bool Flip);

/// <summary>
/// Random shifts and horizontal flips of training images, as torchvision's
/// <c>RandomCrop(size, padding=MaxShift)</c> followed by <c>RandomHorizontalFlip()</c>: each image is padded with zeros by
/// <see cref="MaxShift"/> pixels on every side and cut back to its size at a random offset — its content moves by a
/// uniform whole number of pixels in −MaxShift..MaxShift along each axis, independently — then, with
/// <see cref="HorizontalFlip"/>, mirrored left–right with probability ½.
/// </summary>
/// <remarks>
/// <para>
/// The draws of batch <c>b</c> of epoch <c>e</c> depend only on (<see cref="Seed"/>, e, b), as a <see cref="DataLoader{T}"/>'s
/// order depends only on (seed, e). So the augmentation keeps the <see cref="IBatchSource{T}"/> promise (the same epoch
/// always gives the same batches) and needs no state of its own in a checkpoint: the position a checkpoint holds (epoch
/// and batch) fixes every later draw, and a run stopped at any batch and resumed sees the same images as an uninterrupted one.
/// </para>
/// <para>
/// Augment training batches only (<see cref="Wrap{T}"/> the training source); evaluation and test data stay as they are.
/// Images are rows of C·H·W values (channel-major, as <see cref="Mnist"/> loads them) or [N, C, H, W] tensors. Zero is the
/// fill, black for pixels scaled to [0, 1]. Horizontal flips suit photographs and clothing (Fashion-MNIST, CIFAR), not
/// digits or letters, whose mirror image is another symbol or none.
/// </para>
/// <example>
/// <code>
/// var loader = DataLoader&lt;float&gt;.MiniBatches(train, 64, seed: 1);
/// var augmentation = new ImageAugmentation(channels: 1, height: 28, width: 28, maxShift: 2, horizontalFlip: true, seed: 1);
/// trainer.Fit(augmentation.Wrap(loader), validation);   // validation is not augmented
/// </code>
/// </example>
/// </remarks>
public sealed class ImageAugmentation
{
    /// <summary>Makes the augmentation's streams differ from a loader's shuffle with the same seed (loader seeds are <c>int</c>s).</summary>
    private const long StreamSalt = 0x4175676D656E7400; // "Augment\0"

    /// <summary>Creates an augmentation of images of <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/>.</summary>
    /// <param name="channels">Channels per image (1 for grey-scale).</param>
    /// <param name="height">Rows per image.</param>
    /// <param name="width">Columns per image.</param>
    /// <param name="maxShift">The largest shift in pixels along each axis (torchvision's padding); 0 for none.</param>
    /// <param name="horizontalFlip">Mirror each image left–right with probability ½.</param>
    /// <param name="seed">The seed of the draws (e.g. the run's seed).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, or the shift is negative or not smaller than the image.</exception>
    public ImageAugmentation(int channels, int height, int width, int maxShift = 0, bool horizontalFlip = false, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (maxShift < 0 || maxShift >= Math.Min(height, width))
            throw new ArgumentOutOfRangeException(nameof(maxShift), maxShift, $"The shift must be from 0 to {Math.Min(height, width) - 1} pixels for {height}×{width} images (a larger one could move the whole image out).");
        (Channels, Height, Width, MaxShift, HorizontalFlip, Seed) = (channels, height, width, maxShift, horizontalFlip, seed);
    }

    /// <summary>Channels per image.</summary>
    public int Channels { get; }

    /// <summary>Rows per image.</summary>
    public int Height { get; }

    /// <summary>Columns per image.</summary>
    public int Width { get; }

    /// <summary>The largest shift in pixels along each axis (0: no shifts).</summary>
    public int MaxShift { get; }

    /// <summary>Whether images are mirrored left–right with probability ½.</summary>
    public bool HorizontalFlip { get; }

    /// <summary>The seed of the draws.</summary>
    public int Seed { get; }

    /// <summary>Values per image: C·H·W.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>Whether it changes anything (a shift or a flip).</summary>
    public bool IsIdentity => MaxShift == 0 && !HorizontalFlip;

    /// <summary>The settings in the text form <see cref="Parse"/> reads: <c>shift=2,hflip</c>, or <c>none</c>.</summary>
    public override string ToString()
    {
        var items = new List<string>();
        if (MaxShift > 0) items.Add("shift=" + MaxShift.ToString(CultureInfo.InvariantCulture));
        if (HorizontalFlip) items.Add("hflip");
        return items.Count == 0 ? "none" : string.Join(",", items);
    }

    /// <summary>
    /// Reads the text form: comma-separated items <c>shift=N</c> (random shifts of up to N pixels) and <c>hflip</c>
    /// (random horizontal flips), e.g. <c>shift=2,hflip</c>; or <c>none</c>.
    /// </summary>
    /// <exception cref="FormatException">An unknown or repeated item, or a shift that is not a whole number that fits the images; the message says which and what is accepted.</exception>
    public static ImageAugmentation Parse(string text, int channels, int height, int width, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        var (shift, flip) = ParseItems(text, (Math.Min(height, width) - 1, $"{height}×{width}"));
        return new ImageAugmentation(channels, height, width, shift, flip, seed);
    }

    /// <summary>Checks the text form alone, before the images' size is known (a shift is checked against it by <see cref="Parse"/>).</summary>
    /// <exception cref="FormatException">An unknown or repeated item, or a shift that is not a whole number.</exception>
    public static void Validate(string text) => ParseItems(text, null);

    private static (int Shift, bool Flip) ParseItems(string text, (int Limit, string Size)? images)
    {
        ArgumentNullException.ThrowIfNull(text);
        const string Accepted = "use comma-separated shift=N (random shifts of up to N pixels) and hflip (random left–right flips), e.g. shift=2,hflip; or none";
        string range = images is var (limit, size) ? $" from 0 to {limit} for {size} images" : "";
        string trimmed = text.Trim();
        if (trimmed.Length == 0) throw new FormatException($"empty; {Accepted}.");
        if (trimmed.Equals("none", StringComparison.OrdinalIgnoreCase)) return (0, false);
        int? shift = null;
        bool flip = false;
        foreach (var raw in trimmed.Split(',', StringSplitOptions.TrimEntries))
        {
            if (raw.Length == 0) throw new FormatException($"an empty item; {Accepted}.");
            int eq = raw.IndexOf('=', StringComparison.Ordinal);
            string name = (eq < 0 ? raw : raw[..eq]).Trim().ToLowerInvariant();
            string? value = eq < 0 ? null : raw[(eq + 1)..].Trim();
            switch (name)
            {
                case "shift":
                    if (shift is not null) throw new FormatException($"shift is given twice; {Accepted}.");
                    if (value is null || value.Length == 0) throw new FormatException($"shift needs a number of pixels, e.g. shift=2.");
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n > (images?.Limit ?? int.MaxValue))
                        throw new FormatException($"shift={value}: give a whole number of pixels{range}, e.g. shift=2.");
                    shift = n;
                    break;
                case "hflip":
                    if (flip) throw new FormatException($"hflip is given twice; {Accepted}.");
                    if (value is not null) throw new FormatException($"hflip takes no value (it flips half the images); {Accepted}.");
                    flip = true;
                    break;
                case "none":
                    throw new FormatException($"none cannot be combined with other items; {Accepted}.");
                default:
                    throw new FormatException($"unknown item '{raw}'; {Accepted}.");
            }
        }
        return (shift ?? 0, flip);
    }

    /// <summary>
    /// The draws for the <paramref name="count"/> images of batch <paramref name="batch"/> of epoch <paramref name="epoch"/>:
    /// a function of (<see cref="Seed"/>, epoch, batch) only.
    /// </summary>
    public AugmentationDraw[] Draws(int epoch, int batch, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var draws = new AugmentationDraw[count];
        if (IsIdentity) return draws;
        var random = Generator(epoch, batch);
        int span = 2 * MaxShift + 1;
        for (int i = 0; i < count; i++)
        {
            int dy = MaxShift > 0 ? random.NextInt(span) - MaxShift : 0;
            int dx = MaxShift > 0 ? random.NextInt(span) - MaxShift : 0;
            bool flip = HorizontalFlip && (random.NextUInt64() >> 63) != 0;
            draws[i] = new AugmentationDraw(dy, dx, flip);
        }
        return draws;
    }

    /// <summary>One generator per (seed, epoch, batch): a batch's draws never depend on the batches before it.</summary>
    private DataRandom Generator(int epoch, int batch)
    {
        ulong epochSeed = DataRandom.ForStream(Seed ^ StreamSalt, epoch).NextUInt64();
        return DataRandom.ForStream((long)epochSeed, batch);
    }

    /// <summary>
    /// Writes one image moved by <paramref name="draw"/> into <paramref name="destination"/>:
    /// out[c, y, x] = in[c, y − ShiftY, x′ − ShiftX] with x′ = W−1−x when flipped (else x), and 0 where that pixel lies outside.
    /// </summary>
    /// <exception cref="ArgumentException">A span is not C·H·W long.</exception>
    public static void Transform<T>(ReadOnlySpan<T> image, Span<T> destination, int channels, int height, int width, AugmentationDraw draw)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int size = channels * height * width;
        if (image.Length != size || destination.Length != size)
            throw new ArgumentException($"An image of {channels}×{height}×{width} has {size} values; got {image.Length} in and {destination.Length} out.");
        if (image.Overlaps(destination)) throw new ArgumentException("The destination must not overlap the image.", nameof(destination));
        int dy = draw.ShiftY, dx = draw.ShiftX;
        for (int c = 0; c < channels; c++)
        {
            var source = image.Slice(c * height * width, height * width);
            var target = destination.Slice(c * height * width, height * width);
            for (int y = 0; y < height; y++)
            {
                var row = target.Slice(y * width, width);
                int sy = y - dy;
                if ((uint)sy >= (uint)height)
                {
                    row.Clear();
                    continue;
                }
                // Unflipped: out[x] = in[x − dx] for x − dx in range, a contiguous copy with zeros at one end.
                int from = Math.Max(0, dx), to = Math.Min(width, width + dx); // x in [from, to)
                var line = source.Slice(sy * width, width);
                row[..from].Clear();
                row[to..].Clear();
                if (to > from) line.Slice(from - dx, to - from).CopyTo(row[from..to]);
                if (draw.Flip) row.Reverse();
            }
        }
    }

    /// <summary>
    /// Augments the images of batch <paramref name="batch"/> of epoch <paramref name="epoch"/> into a new tensor of
    /// <paramref name="images"/>'s shape ([N, C·H·W] rows or [N, C, H, W]); <paramref name="images"/> is not changed.
    /// </summary>
    /// <exception cref="ShapeException">The rows do not hold C·H·W values each.</exception>
    public Tensor<T> Apply<T>(Tensor<T> images, int epoch, int batch) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(images);
        var result = new Tensor<T>(images.ShapeArray);
        ApplyInto(images, result, epoch, batch);
        return result;
    }

    /// <summary>Augments <paramref name="images"/> into <paramref name="destination"/> (same shape, not overlapping).</summary>
    private void ApplyInto<T>(Tensor<T> images, Tensor<T> destination, int epoch, int batch) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = images.Rank == 0 ? 0 : images.Shape[0];
        if (images.Rank < 2 || (long)n * ImageSize != images.Size)
            throw new ShapeException($"Image augmentation for {Channels}×{Height}×{Width} images needs [N, {ImageSize}] rows or [N, {Channels}, {Height}, {Width}]; got shape {Shapes.Format(images.Shape)}.");
        var draws = Draws(epoch, batch, n);
        ReadOnlySpan<T> source = images.Data;
        var target = destination.Data;
        for (int i = 0; i < n; i++)
            Transform(source.Slice(i * ImageSize, ImageSize), target.Slice(i * ImageSize, ImageSize), Channels, Height, Width, draws[i]);
    }

    /// <summary>
    /// The batches of <paramref name="source"/> with their images augmented (targets unchanged): what to train on.
    /// Batch b of epoch e is augmented with <see cref="Draws"/>(e, b, …), also when a resumed run starts in the middle
    /// of an epoch. The augmented images go into buffers the source reuses, valid until the next batch.
    /// </summary>
    public IBatchSource<T> Wrap<T>(IBatchSource<T> source) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        return new AugmentedBatches<T>(source, this);
    }

    private sealed class AugmentedBatches<T>(IBatchSource<T> source, ImageAugmentation augmentation) : IBatchSource<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private Tensor<T>? _full, _tail;

        public int ExampleCount => source.ExampleCount;

        /// <summary>Two buffers: one for the batches of full size, one for a smaller last batch (as the loader keeps them).</summary>
        private Tensor<T> BufferFor(Tensor<T> x)
        {
            if (_full is null || Shapes.Equal(_full.Shape, x.Shape)) return _full ??= new Tensor<T>(x.ShapeArray).Unscoped();
            if (_tail is null || !Shapes.Equal(_tail.Shape, x.Shape)) _tail = new Tensor<T>(x.ShapeArray).Unscoped();
            return _tail;
        }

        public IEnumerable<(Tensor<T> Features, Tensor<T> Targets)> Batches(int epoch) => Batches(epoch, 0);

        public IEnumerable<(Tensor<T> Features, Tensor<T> Targets)> Batches(int epoch, int firstBatch)
        {
            int index = firstBatch;
            foreach (var (x, y) in source.Batches(epoch, firstBatch))
            {
                if (augmentation.IsIdentity)
                {
                    yield return (x, y);
                    index++;
                    continue;
                }
                var buffer = BufferFor(x);
                augmentation.ApplyInto(x, buffer, epoch, index);
                yield return (buffer, y);
                index++;
            }
        }
    }
}
