using System.Text.Json.Nodes;
using NeuralMechanics.Cli;
using NeuralMechanics.Tests.Data;

namespace NeuralMechanics.Tests.Cli;

public class SymmetriesCommandTests
{
    [Fact]
    public void JsonHoldsTheTable5CountsBesideThePapers()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "s.json");
        Assert.Equal(0, NmechApp.Run(["symmetries", "--model", "vgg16", "--data", "synthetic:3x64x64:200", "--json", path]));
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal(18_067_464, (long)json["parameters"]!);
        Assert.Equal(0, (long)json["counts"]!["scale"]!);
        Assert.Equal(6_272, (long)json["counts"]!["rescale"]!);
        Assert.Equal(1_025, (long)json["counts"]!["translation"]!);
        Assert.Equal(8_323, (long)json["paper_table5"]!["rescale"]!["paper"]!);
        Assert.True((double)json["discovery_seconds"]! < 1);
    }

    [Fact]
    public void VerifyPassesOnABatchNormMlpAndReportsResiduals()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "v.json");
        Assert.Equal(0, NmechApp.Run(["symmetries", "--model", "mlp", "--depth", "2", "--hidden", "16", "--norm", "batchnorm",
            "--data", "synthetic:1x6x6:4", "--verify", "--json", path]));
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.True((bool)json["verification"]!["passed"]!);
        var layers = json["layers"]!.AsArray();
        Assert.Contains(layers, l => (string)l!["kind"]! == "scale" && !(bool)l["exact"]!);
        Assert.All(layers.Where(l => (bool)l!["exact"]!), l => Assert.InRange((double)l!["verification"]!["gradient"]!, 0, 1e-9));
    }

    [Fact]
    public void GroupsWritesOneEntryPerGroupWithTheCountsOfTheJsonAndTheStateDictNames()
    {
        using var dir = new TempDirectory();
        var json = Path.Combine(dir.Path, "s.json");
        var groups = Path.Combine(dir.Path, "groups.json");
        Assert.Equal(0, NmechApp.Run(["symmetries", "--model", "mlp", "--depth", "2", "--hidden", "16", "--norm", "batchnorm",
            "--data", "synthetic:1x6x6:4", "--json", json, "--groups", groups]));
        var counts = JsonNode.Parse(File.ReadAllText(json))!["counts"]!;
        var file = JsonNode.Parse(File.ReadAllText(groups))!;
        Assert.Equal(counts.ToJsonString(), file["counts"]!.ToJsonString());
        var entries = file["groups"]!.AsArray();
        // 16 + 16 bias translations into BatchNorm, 16 + 1 softmax; 2 × 16 scale; 2 × 16 rescale (norm1→fc2, norm2→out).
        Assert.Equal((49, 32, 32), (entries.Count(g => (string)g!["kind"]! == "translation"), entries.Count(g => (string)g!["kind"]! == "scale"),
            entries.Count(g => (string)g!["kind"]! == "rescale")));
        var rescale = entries.First(g => (string)g!["set"]! == "norm1→fc2")!;
        Assert.Equal(["norm1.weight", "norm1.bias"], rescale["a"]!.AsArray().Select(s => (string)s!["parameter"]!));
        Assert.Equal(("fc2.weight", 1, 0), ((string)rescale["b"]![0]!["parameter"]!, (int)rescale["b"]![0]!["dim"]!, (int)rescale["b"]![0]!["index"]!));
    }

    [Fact]
    public void BadPrecisionIsAUsageError()
    {
        Assert.Equal(2, NmechApp.Run(["symmetries", "--model", "mlp", "--verify", "--precision", "half"]));
    }
}
