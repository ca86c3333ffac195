using NeuralMechanics.Cli;
using NeuralMechanics.Runs;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Sweeps;

/// <summary>Everything a sweep can reject is rejected before any point runs or any file is written.</summary>
public sealed class SweepPlanTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nm-sweep-plan-").FullName;
    private string SweepDir => Path.Combine(root, "sweep");

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static RunSpec Base(string model = "mlp", string data = "synthetic:1x8x8:4") =>
        new() { Model = model, Data = data, Optimizer = new SgdSettings(0.1), Steps = 5, OutDir = "" };

    private InvalidInputException Rejected(string grid, RunSpec config) =>
        Assert.Throws<InvalidInputException>(() => SweepPlan.Create(SweepGrid.Parse(grid), config, SweepDir));

    [Theory]
    [InlineData("lr=0.1,0", "sweep point lr=0: lr: expected a positive finite number, found 0")]
    [InlineData("lr=-0.1", "sweep point lr=-0.1: lr: expected a positive finite number, found -0.1")]
    [InlineData("momentum=0.5,1", "sweep point momentum=1: momentum: expected a number in [0, 1), found 1")]
    [InlineData("momentum=-0.1", "sweep point momentum=-0.1: momentum: expected a number in [0, 1), found -0.1")]
    [InlineData("wd=0,-1e-4", "sweep point wd=-0.0001: wd: expected a finite number ≥ 0, found -0.0001")]
    [InlineData("dampening=2", "sweep point dampening=2: dampening: expected a number in [0, 1], found 2")]
    [InlineData("width=0", "sweep point width=0: --width: expected a positive finite number, found 0")]
    public void OutOfRangeValueIsRejectedNamingItsPoint(string grid, string message)
    {
        Assert.Equal(message, Rejected(grid, Base()).Message);
        Assert.False(Directory.Exists(SweepDir));
    }

    [Theory]
    [InlineData("resnet50", "synthetic", "--model: unknown model 'resnet50'; expected one of logistic, mlp, vgg11, vgg11-bn, vgg13, vgg13-bn, vgg16, vgg16-bn, vgg19, vgg19-bn, resnet18, resnet34, vit")]
    [InlineData("mlp", "imagenet", "--data: unknown dataset 'imagenet'; expected one of fashion-mnist, mnist, cifar10, cifar100, tiny-imagenet, synthetic or synthetic:CxHxW:K")]
    [InlineData("mlp", "synthetic:3x8:4", "dataset: expected synthetic:CxHxW:K with positive sizes and K >= 2 (e.g. synthetic:3x64x64:200), found 'synthetic:3x8:4'")]
    [InlineData("mlp", "synthetic:1x8x8:1", "dataset: expected synthetic:CxHxW:K with positive sizes and K >= 2 (e.g. synthetic:3x64x64:200), found 'synthetic:1x8x8:1'")]
    public void UnknownModelOrDatasetIsRejected(string model, string data, string message)
    {
        Assert.Equal(message, Rejected("lr=0.1", Base(model, data)).Message);
    }

    [Fact]
    public void DatasetThatIsNotThereIsRejectedNamingWhereItWasLookedFor()
    {
        var config = Base(data: "cifar10") with { DataDir = root };
        Assert.Equal($"--data: dataset cifar10 not found in {Path.Combine(root, "cifar10")}; give its folder with --data-dir", Rejected("lr=0.1", config).Message);
    }

    [Fact]
    public void PointFolderHoldingAnotherConfigurationIsRejectedBeforeAnyPointIsWritten()
    {
        var other = Path.Combine(SweepDir, "lr=0.05");
        Directory.CreateDirectory(other);
        RunDirectory.WriteManifest(Path.Combine(other, TrajectorySchema.ManifestFile), new RunManifest
        {
            Spec = Base().ResolvedFor(5) with { Optimizer = new SgdSettings(0.05, WeightDecay: 1e-3) },
            InputShape = [1, 8, 8], Classes = 4,
        });

        var e = Rejected("lr=0.1,0.05", Base());

        Assert.Equal($"{Path.Combine(other, TrajectorySchema.ManifestFile)}: spec.optimizer.weight_decay: sweep point lr=0.05: this folder holds a run with 0.001, the sweep asks for 0; choose another --out or delete this folder", e.Message);
        Assert.Equal([other], Directory.GetFileSystemEntries(SweepDir));
    }

    [Fact]
    public void PointFolderHoldingSomethingElseIsRejected()
    {
        var other = Path.Combine(SweepDir, "lr=0.1");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "notes.txt"), "mine");

        Assert.StartsWith($"{other}: manifest.json: sweep point lr=0.1: expected an empty folder or one holding its run", Rejected("lr=0.1", Base()).Message);
    }

    [Fact]
    public void CommandWithBadInputExitsWith2AndCreatesNothing()
    {
        Assert.Equal(2, NmechApp.Run(["sweep", "--grid", "lr=", "--out", SweepDir]));
        Assert.Equal(2, NmechApp.Run(["sweep", "--grid", "lr=0.1 momentum=0.9,1", "--data", "synthetic:1x8x8:4", "--out", SweepDir]));
        Assert.Equal(2, NmechApp.Run(["sweep", "--grid", "lr=0.1", "--parallel", "0", "--out", SweepDir]));
        Assert.Equal(2, NmechApp.Run(["sweep", "--grid", "lr=0.1", "--emit", "pbs", "--out", SweepDir]));
        Assert.False(Directory.Exists(SweepDir));
    }
}
