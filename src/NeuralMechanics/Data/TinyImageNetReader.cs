using SkiaSharp;

namespace NeuralMechanics.Data;

/// <summary>
/// Tiny ImageNet folders: <c>wnids.txt</c> (one WordNet id per line), training images in
/// <c>train/&lt;wnid&gt;/images/*.JPEG</c>, validation images in <c>val/images</c> labelled by
/// <c>val/val_annotations.txt</c> (file, wnid, box; tab-separated). The validation set serves as
/// the test set (the official test set has no labels). Class k is the k-th wnid in ordinal order,
/// as torchvision's ImageFolder numbers them. All JPEGs are decoded at load, in parallel, to bytes.
/// </summary>
internal static class TinyImageNetReader
{
    public static DataSplit Read(string dir)
    {
        var wnidsPath = Path.Combine(dir, "wnids.txt");
        var wnids = ReadWnids(wnidsPath);
        var classOf = wnids.Select((w, k) => (w, k)).ToDictionary(p => p.w, p => p.k);

        var train = new List<(string File, int Label)>();
        foreach (var wnid in wnids)
        {
            var folder = Path.Combine(dir, "train", wnid, "images");
            if (!Directory.Exists(folder))
                throw InvalidInputException.InFile(folder, "directory", $"not found (expected the training images of class {wnid} listed in {wnidsPath})");
            train.AddRange(Directory.EnumerateFiles(folder).Where(IsJpeg).Order(StringComparer.Ordinal).Select(f => (f, classOf[wnid])));
        }
        if (train.Count == 0)
            throw InvalidInputException.InFile(Path.Combine(dir, "train"), "images", "expected JPEG files in train/<wnid>/images, found none");

        var annotationsPath = Path.Combine(dir, "val", "val_annotations.txt");
        var test = ReadAnnotations(annotationsPath, Path.Combine(dir, "val", "images"), classOf);

        var (height, width) = Decode(train[0].File).Size;
        return new DataSplit(
            DecodeAll("tiny-imagenet/train", train, height, width, wnids.Count),
            DecodeAll("tiny-imagenet/test", test, height, width, wnids.Count));
    }

    private static List<string> ReadWnids(string path)
    {
        if (!File.Exists(path))
            throw InvalidInputException.InFile(path, "file", "not found (expected one WordNet id per line, e.g. n01443537)");
        var wnids = File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (wnids.Count == 0)
            throw InvalidInputException.InFile(path, "wnids", "expected one WordNet id per line, found none");
        var duplicate = wnids.GroupBy(w => w).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw InvalidInputException.InFile(path, "wnids", $"expected distinct ids, found '{duplicate.Key}' {duplicate.Count()} times");
        wnids.Sort(StringComparer.Ordinal);
        return wnids;
    }

    private static List<(string File, int Label)> ReadAnnotations(string path, string imageDir, Dictionary<string, int> classOf)
    {
        if (!File.Exists(path))
            throw InvalidInputException.InFile(path, "file", "not found (expected lines 'file<TAB>wnid<TAB>x0<TAB>y0<TAB>x1<TAB>y1' labelling val/images)");
        var examples = new List<(string, int)>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            var fields = line.Split('\t', StringSplitOptions.TrimEntries);
            if (fields.Length < 2)
                throw InvalidInputException.InFile(path, $"line {lineNumber}", $"expected 'file<TAB>wnid...', found '{line}'");
            if (!classOf.TryGetValue(fields[1], out int label))
                throw InvalidInputException.InFile(path, $"line {lineNumber}", $"wnid '{fields[1]}' is not listed in wnids.txt");
            examples.Add((Path.Combine(imageDir, fields[0]), label));
        }
        if (examples.Count == 0)
            throw InvalidInputException.InFile(path, "annotations", "expected one line per validation image, found none");
        return examples;
    }

    private static bool IsJpeg(string file) =>
        Path.GetExtension(file).ToLowerInvariant() is ".jpeg" or ".jpg";

    private static ByteImageDataSet DecodeAll(string name, List<(string File, int Label)> examples, int height, int width, int classes)
    {
        int size = 3 * height * width;
        var pixels = new byte[(long)examples.Count * size];
        try
        {
            Parallel.For(0, examples.Count, i =>
            {
                var (file, _) = examples[i];
                var (imageSize, rgba) = Decode(file);
                if (imageSize != (height, width))
                    throw InvalidInputException.InFile(file, "size", $"expected {width}x{height} like {examples[0].File}, found {imageSize.Width}x{imageSize.Height}");
                ToChannelMajor(rgba, pixels.AsSpan(i * size, size));
            });
        }
        catch (AggregateException e) when (e.InnerExceptions[0] is InvalidInputException first)
        {
            throw first;
        }
        return new ByteImageDataSet(name, 3, height, width, classes, pixels, examples.Select(e => e.Label).ToArray());
    }

    /// <summary>Decodes a JPEG (grayscale ones too) to RGBA bytes, row-major.</summary>
    private static ((int Height, int Width) Size, byte[] Rgba) Decode(string file)
    {
        if (!File.Exists(file))
            throw InvalidInputException.InFile(file, "file", "not found");
        using var codec = SKCodec.Create(file)
            ?? throw InvalidInputException.InFile(file, "image", "expected a JPEG image, the file does not decode");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize];
        var result = codec.GetPixels(info, rgba);
        if (result != SKCodecResult.Success)
            throw InvalidInputException.InFile(file, "image", $"expected a JPEG image, decoding failed ({result})");
        return ((info.Height, info.Width), rgba);
    }

    private static void ToChannelMajor(byte[] rgba, Span<byte> destination)
    {
        int plane = rgba.Length / 4;
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++)
                destination[c * plane + p] = rgba[4 * p + c];
    }
}
