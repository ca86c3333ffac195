using System.Text.Json.Nodes;
using NeuralMechanics.Cli;
using NeuralMechanics.Cli.Commands;
using NeuralMechanics.Runs;
using NeuralMechanics.Tests.Data;

namespace NeuralMechanics.Tests.Cli;

public class LawsCommandTests
{
    [Fact]
    public void JsonHoldsTheCountAndTheSymmetriesExplainEveryLawOfAReluMlp()
    {
        // mlp 4 → 4 → 3 with cross-entropy: D = 4·4 + 4 + 4·3 + 3 = 35; laws = 4 rescale + (4 + 1) translation.
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "laws.json");
        Assert.Equal(0, NmechApp.Run(["laws", "--model", "mlp", "--depth", "1", "--hidden", "4", "--data", "synthetic:1x2x2:3", "--json", path]));
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal(35, (long)json["parameters"]!);
        Assert.Equal(9, (long)json["laws"]!);
        Assert.Equal(9, (long)json["explained"]!);
        Assert.Equal(0, (long)json["unexplained"]!);
        Assert.Equal([26L, 26L], json["ranks"]!.AsArray().Select(r => (long)r!).ToArray());
        Assert.True((double)json["gap"]! >= 1e3);
        Assert.Empty(json["dead_units"]!.AsArray());
    }

    [Fact]
    public void AGapBelowTheMinimumIsUndecidedAndExitsOne()
    {
        Assert.Equal(LawsCommand.Undecided, NmechApp.Run(["laws", "--model", "mlp", "--depth", "1", "--hidden", "4", "--data", "synthetic:1x2x2:3", "--min-gap", "1e300"]));
    }

    [Fact]
    public void AtARunCountsAtItsCheckpointAndWritesLawsJsonIntoIt()
    {
        using var dir = new TempDirectory();
        var run = Path.Combine(dir.Path, "run");
        Assert.Equal(0, NmechApp.Run(["train", "--model", "mlp", "--depth", "1", "--hidden", "4", "--data", "synthetic:1x2x2:3", "--steps", "3", "--batch", "8", "--out", run]));
        Assert.Equal(0, NmechApp.Run(["laws", "--at", run]));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(run, TrajectorySchema.LawsFile)))!;
        Assert.Equal(3, (long)json["step"]!);
        Assert.Equal(9, (long)json["laws"]!);
        // The report shows it beside the run's symmetry counts.
        var line = NeuralMechanics.Reporting.SymmetryCountSection.LawsLine(NeuralMechanics.Reporting.ReportRun.Load("run", run));
        Assert.StartsWith("run: conservation laws: 9 at θ (step 3), 9 explained by the symmetries found, 0 unexplained", line);
        // So does nmech symmetries --at RUN, beside its 4 rescale + 5 translation groups.
        var symmetries = Path.Combine(dir.Path, "symmetries.json");
        Assert.Equal(0, NmechApp.Run(["symmetries", "--at", run, "--json", symmetries]));
        var shown = JsonNode.Parse(File.ReadAllText(symmetries))!;
        Assert.Equal(line, (string)shown["conservation_laws"]!);
        Assert.Equal(9, shown["counts"]!.AsObject().Sum(c => (long)c.Value!));
    }
}
