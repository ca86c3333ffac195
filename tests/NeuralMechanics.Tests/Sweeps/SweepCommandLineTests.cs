using System.CommandLine;
using System.Diagnostics;
using NeuralMechanics.Cli.Options;
using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Sweeps;

/// <summary>A point's specification file, read back by nmech train's <c>--spec</c> (and through a shell), is the point's configuration.</summary>
public sealed class SweepCommandLineTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nm-spec-cli-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static RunSpec Bind(IReadOnlyList<string> args)
    {
        Assert.Equal("train", args[0]);
        var options = new TrainOptions();
        var output = new Option<string>("--out");
        var cmd = new RootCommand();
        foreach (var o in options.All) cmd.Options.Add(o);
        cmd.Options.Add(output);
        var parse = cmd.Parse(args.Skip(1).ToArray());
        Assert.Empty(parse.Errors);
        return options.Bind(parse, parse.GetValue(output)!);
    }

    public static TheoryData<RunSpec> Configs() =>
    [
        new RunSpec { Model = "mlp", Optimizer = new SgdSettings(0.1), Steps = 10, OutDir = "sweep/lr=0.1" },
        new RunSpec
        {
            Model = "vgg16-bn", ModelOptions = new ModelOptions(0.125, 3, 64, "tanh", "layernorm", 0.25), Data = "cifar10", DataDir = "/data/my cifar",
            TrainLimit = 500, Loss = LossKind.MeanSquaredError, Optimizer = new SgdSettings(1e-3, 5e-4, 0.99, 0, Nesterov: true), BatchSize = 32,
            Epochs = 2.5, Seed = 11, LogEvery = 5, CheckpointEvery = 0, Device = "cuda", Track = false, OutDir = "/runs/it's here/wd=0.0005",
        },
    ];

    private SweepPoint Point(RunSpec config)
    {
        var point = new SweepPoint(0, "p", [], config, Path.Combine(root, "it's a spec.json"));
        config.Write(point.SpecPath);
        return point;
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void TrainArgumentsBindBackToTheConfiguration(RunSpec config)
    {
        var args = SweepCommandLine.Train(Point(config));

        Assert.Equal(config, Bind(args));
        Assert.Equal(["--out", config.OutDir], args.TakeLast(2));
    }

    [Fact]
    public void AnOptionGivenWithASpecificationIsSetOverIt()
    {
        var config = Configs().Cast<object[]>().Select(row => (RunSpec)row[0]).Last();
        var args = SweepCommandLine.Train(Point(config));

        var bound = Bind([.. args.SkipLast(2), "--lr", "0.5", "--batch", "8", "--out", "o"]);

        Assert.Equal(config with { Optimizer = config.Optimizer with { LearningRate = 0.5 }, BatchSize = 8, OutDir = "o" }, bound);
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void ShellLineSplitsBackIntoTheArguments(RunSpec config)
    {
        var args = SweepCommandLine.Train(Point(config));
        var bash = new ProcessStartInfo("bash") { RedirectStandardOutput = true };
        foreach (var a in (string[])["-c", "eval \"args=($1)\"; printf '%s\\n' \"${args[@]}\"", "_", SweepCommandLine.Shell(args)]) bash.ArgumentList.Add(a);
        using var process = Process.Start(bash)!;
        var lines = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        process.WaitForExit();

        Assert.Equal(args, lines);
    }
}
