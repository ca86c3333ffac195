using NeuralMechanics.Reporting;

namespace NeuralMechanics.Tests.Reporting;

public sealed class TrainingSectionTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nm-training-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Markdown(params (string Name, SyntheticRun Spec)[] runs)
    {
        var folders = runs.Select(r => r.Spec.Write(Path.Combine(root, r.Name))).ToList();
        return File.ReadAllText(Reporter.Write(folders, Path.Combine(root, "out")).MarkdownPath);
    }

    private static string Row(string md, string run) => md.Split('\n').First(l => l.StartsWith($"| {run} | ", StringComparison.Ordinal));

    [Fact]
    public void ARunWhoseLossStaysAtLnClassesIsMarkedDidNotLearnAndOneThatLearnsIsNot()
    {
        var md = Markdown(
            ("flat", new SyntheticRun(Model: "mlp", Units: 2, Layers: 1, Steps: 60, Samples: false, Learns: false)),
            ("learns", new SyntheticRun(Model: "mlp", Units: 2, Layers: 1, Steps: 60, Samples: false)));
        // The loss of the flat run stays within 0.5 % of ln 200 = 5.298; the other falls to a fifth of it.
        Assert.EndsWith("| did not learn (loss within 1 % of ln 200 = 5.298) |", Row(md, "flat"));
        Assert.EndsWith("| loss left ln 200 ± 1 % |", Row(md, "learns"));
        Assert.DoesNotContain("did not learn", Row(md, "learns"));
        // The training section comes before the settings: it is what a reader checks first.
        Assert.True(md.IndexOf("## Training", StringComparison.Ordinal) < md.IndexOf("## Runs and settings", StringComparison.Ordinal));
    }

    [Fact]
    public void TheTrainingTableGivesTheFinalLossTheLast50StepsAccuracyTheTestAccuracyAndTheSpeed()
    {
        var spec = new SyntheticRun(Model: "mlp", Units: 2, Layers: 1, Steps: 120, Samples: false, TestAccuracy: 0.8123);
        var md = Markdown(("done", spec), ("old", spec with { TestAccuracy = null }));
        var finalLoss = spec.Loss(119);
        var accuracy = Enumerable.Range(70, 50).Average(s => spec.Accuracy(s));
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        Assert.Equal($"| done | 120 | {finalLoss.ToString("0.0000", inv)} | {(100 * accuracy).ToString("0.0", inv)} % | 81.2 % | 42.5 | loss left ln 200 ± 1 % |", Row(md, "done"));
        // A run whose status.json predates the outcome shows "—" for what only the outcome knows.
        Assert.Equal($"| old | 120 | {finalLoss.ToString("0.0000", inv)} | {(100 * accuracy).ToString("0.0", inv)} % | — | — | loss left ln 200 ± 1 % |", Row(md, "old"));
    }

    [Fact]
    public void TheAngularSpeedTableGivesTheMeasuredSpeedOverItsStationaryValuePerLayerAtTheEnd()
    {
        var spec = new SyntheticRun(Units: 2, Layers: 2, Steps: 300, Samples: false);
        var md = Markdown(("bn", spec), ("nodecay", spec with { WeightDecay = 0 }));
        var measured = Enumerable.Range(250, 50).Average(s => spec.AngularSpeed(s));
        var stationary = spec.StationarySpeed; // √(2 · 5×10⁻⁴ / 0.1) = 0.1
        var ratio = (measured / stationary).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("## Approach to equilibrium: angular speed", md);
        Assert.Contains("| run | stationary | conv1 | conv2 |", md);
        Assert.Contains($"| bn | 1.00e-1 | {ratio} | {ratio} |", md);
        // Without weight decay there is no stationary speed to approach.
        Assert.Contains("| nodecay | 0 | — | — |", md);
    }

    [Fact]
    public void AShortRunsAngularSpeedIsAveragedOverItsLastFifthNotItsTransient()
    {
        // 100 steps: the last 20 (steps 80–99), not all of them with the decaying start.
        var spec = new SyntheticRun(Units: 2, Layers: 1, Steps: 100, Samples: false);
        var md = Markdown(("short", spec));
        var ratio = Enumerable.Range(80, 20).Average(s => spec.AngularSpeed(s)) / spec.StationarySpeed;
        Assert.Contains($"| short | 1.00e-1 | {ratio.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} |", md);
    }
}
