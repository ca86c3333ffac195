using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Sweeps;

/// <summary>A two-point sweep (a second or two per point), run once per test class; tests work on copies.</summary>
public sealed class TinySweep : IDisposable
{
    /// <summary>The grid.</summary>
    public const string Grid = "lr=0.1,0.05";

    /// <summary>The point names, in grid order.</summary>
    public static readonly string[] Points = ["lr=0.1", "lr=0.05"];

    private readonly string temp = Directory.CreateTempSubdirectory("nm-sweep-").FullName;

    public TinySweep()
    {
        Root = Path.Combine(temp, "reference");
        Result = SweepRunner.Run(Plan(Root));
    }

    /// <summary>The finished sweep's folder (do not modify; copy it).</summary>
    public string Root { get; }

    /// <summary>The manifest the run returned.</summary>
    public SweepManifest Result { get; }

    /// <summary>The training options shared by both points: momentum and weight decay, checkpoints every 3 of 6 steps.</summary>
    public static RunSpec Base(string root) => new()
    {
        Model = "mlp",
        ModelOptions = new ModelOptions(Depth: 1, Hidden: 8),
        Data = "synthetic:1x8x8:4",
        TrainLimit = 64,
        Optimizer = new SgdSettings(0.1, WeightDecay: 1e-3, Momentum: 0.9),
        BatchSize = 16,
        Steps = 6,
        Seed = 3,
        LogEvery = 2,
        CheckpointEvery = 3,
        OutDir = root,
    };

    /// <summary>The sweep's plan in <paramref name="root"/>.</summary>
    public static SweepPlan Plan(string root) => SweepPlan.Create(SweepGrid.Parse(Grid), Base(root), root);

    /// <summary>A copy of the finished sweep in a new folder.</summary>
    public string Copy(string name)
    {
        var target = Path.Combine(temp, name);
        foreach (var dir in Directory.GetDirectories(Root, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(dir.Replace(Root, target));
        foreach (var file in Directory.GetFiles(Root, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(Root, target));
        return target;
    }

    /// <summary>A fresh folder path (not created).</summary>
    public string NewFolder(string name) => Path.Combine(temp, name);

    public void Dispose() => Directory.Delete(temp, recursive: true);
}

/// <summary>Collects progress reports (synchronously, unlike <see cref="Progress{T}"/>).</summary>
internal sealed class Collect<T> : IProgress<T>
{
    public List<T> Items { get; } = [];
    public void Report(T value)
    {
        lock (Items) Items.Add(value);
    }
}
