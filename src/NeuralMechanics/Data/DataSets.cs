using System.Text.RegularExpressions;

namespace NeuralMechanics.Data;

/// <summary>
/// The known datasets by name, where they are looked for, and how they are read.
/// Data lives under a root folder (default <c>/usr/share/datasets</c>), one folder per dataset
/// named as the dataset; a dataset folder may also hold the folder its archive unpacks to
/// (e.g. <c>cifar10/cifar-10-batches-bin</c>). A <c>dataDir</c> given by the user may be such a
/// root or the dataset folder itself.
/// </summary>
public static partial class DataSets
{
    /// <summary>Where datasets are looked for when no data directory is given.</summary>
    public const string DefaultRoot = "/usr/share/datasets";

    /// <param name="Name">Dataset name.</param>
    /// <param name="Marker">A file whose presence (raw or .gz) identifies the dataset folder.</param>
    /// <param name="ArchiveFolder">The folder the official archive unpacks to, if any.</param>
    /// <param name="Install">How to obtain the data, for the not-found message.</param>
    /// <param name="Read">Reads the split from the dataset folder.</param>
    private sealed record Source(string Name, string Marker, string? ArchiveFolder, string Install, Func<string, DataSplit> Read);

    private static readonly Source[] Sources =
    [
        new("fashion-mnist", "train-images-idx3-ubyte", null, "install it with `apt-get install dataset-fashion-mnist`",
            dir => IdxReader.Read("fashion-mnist", dir)),
        new("mnist", "train-images-idx3-ubyte", null, "download the four idx files (train/t10k images and labels, .gz or raw)",
            dir => IdxReader.Read("mnist", dir)),
        new("cifar10", "data_batch_1.bin", "cifar-10-batches-bin", "unpack cifar-10-binary.tar.gz there",
            CifarReader.ReadCifar10),
        new("cifar100", "train.bin", "cifar-100-binary", "unpack cifar-100-binary.tar.gz there",
            CifarReader.ReadCifar100),
        new("tiny-imagenet", "wnids.txt", "tiny-imagenet-200", "unpack tiny-imagenet-200.zip there",
            TinyImageNetReader.Read),
    ];

    private const string Synthetic = "synthetic";

    /// <summary>Names accepted by <see cref="Load"/> ("synthetic" also as <c>synthetic:CxHxW:K</c>).</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Sources.Select(s => s.Name), Synthetic];

    /// <summary>
    /// Loads a dataset: "fashion-mnist", "mnist", "cifar10", "cifar100", "tiny-imagenet",
    /// "synthetic" (1x28x28, 10 classes) or "synthetic:CxHxW:K" (e.g. synthetic:3x64x64:200).
    /// <paramref name="seed"/> only matters for synthetic data.
    /// </summary>
    public static DataSplit Load(string name, string? dataDir = null, long seed = 0)
    {
        if (name == Synthetic || name.StartsWith(Synthetic + ":", StringComparison.Ordinal))
            return LoadSynthetic(name, seed);
        var source = Sources.FirstOrDefault(s => s.Name == name)
            ?? throw new InvalidInputException($"dataset: expected one of {string.Join(", ", Names)} or synthetic:CxHxW:K, found '{name}'");
        var candidates = Candidates(source, dataDir);
        var found = candidates.FirstOrDefault(d => HasMarker(source, d))
            ?? throw new InvalidInputException(
                $"dataset {name}: not found: looked for {source.Marker} in {string.Join(", ", candidates)}; {source.Install}"
                + (dataDir is null ? " or pass a data directory" : ""));
        return source.Read(found);
    }

    /// <summary>For each known dataset: the directory it is read from (or first looked in) and whether it is there.</summary>
    public static IReadOnlyList<(string Name, string Directory, bool Found)> Discover(string? dataDir = null) =>
    [
        .. Sources.Select(s =>
        {
            var found = Candidates(s, dataDir).FirstOrDefault(d => HasMarker(s, d));
            return (s.Name, found ?? Path.Combine(dataDir ?? DefaultRoot, s.Name), found is not null);
        }),
        (Synthetic, "(generated from the seed)", true),
    ];

    private static List<string> Candidates(Source source, string? dataDir)
    {
        var root = dataDir ?? DefaultRoot;
        var candidates = new List<string>();
        if (dataDir is not null) candidates.Add(dataDir);
        candidates.Add(Path.Combine(root, source.Name));
        if (source.ArchiveFolder is not null)
        {
            candidates.Add(Path.Combine(root, source.Name, source.ArchiveFolder));
            candidates.Add(Path.Combine(root, source.ArchiveFolder));
        }
        return candidates;
    }

    private static bool HasMarker(Source source, string dir) =>
        File.Exists(Path.Combine(dir, source.Marker)) || File.Exists(Path.Combine(dir, source.Marker + ".gz"));

    private static DataSplit LoadSynthetic(string name, long seed)
    {
        if (name == Synthetic)
            return SyntheticDataSet.Create(Synthetic, 1, 28, 28, 10, seed);
        var match = SyntheticShape().Match(name);
        if (!match.Success
            || !int.TryParse(match.Groups[1].Value, out int c) || !int.TryParse(match.Groups[2].Value, out int h)
            || !int.TryParse(match.Groups[3].Value, out int w) || !int.TryParse(match.Groups[4].Value, out int k)
            || c < 1 || h < 1 || w < 1 || k < 2 || (long)c * h * w * k > int.MaxValue)
            throw new InvalidInputException($"dataset: expected synthetic:CxHxW:K with positive sizes and K >= 2 (e.g. synthetic:3x64x64:200), found '{name}'");
        return SyntheticDataSet.Create(name, c, h, w, k, seed);
    }

    [GeneratedRegex(@"^synthetic:(\d+)x(\d+)x(\d+):(\d+)$")]
    private static partial Regex SyntheticShape();
}
