using System.Text.Json;
using NeuralMechanics.Runs;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Runs;

public sealed class RunDirectoryTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nm-rundir-").FullName;
    private string RunFolder => Path.Combine(root, "run");

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static RunManifest Manifest(double momentum = 0.9, long steps = 100) => new()
    {
        Spec = new RunSpec
        {
            Model = "mlp", ModelOptions = new(Width: 64), Data = "synthetic", Optimizer = new SgdSettings(0.1, 1e-4, momentum),
            BatchSize = 32, Steps = steps, Seed = 7,
        },
        InputShape = [1, 8, 8],
        Classes = 10,
    };

    [Fact]
    public void CreateWritesAManifestThatReadsBackEqual()
    {
        var manifest = Manifest();
        var run = RunDirectory.Create(RunFolder, manifest);
        Assert.False(run.Existed);
        var read = RunDirectory.Open(RunFolder).Manifest;
        Assert.Equal(JsonSerializer.Serialize(manifest, RunManifest.Json), JsonSerializer.Serialize(read, RunManifest.Json));
        Assert.Null(RunDirectory.FirstDifference(manifest, read));
    }

    [Fact]
    public void AFolderOfAnotherConfigurationIsRefusedNamingTheField()
    {
        RunDirectory.Create(RunFolder, Manifest(momentum: 0.9));
        var ex = Assert.Throws<InvalidInputException>(() => RunDirectory.Create(RunFolder, Manifest(momentum: 0.5)));
        Assert.Contains("spec.optimizer.momentum", ex.Message);
        Assert.Contains("0.9", ex.Message);
        Assert.Contains("0.5", ex.Message);
    }

    [Fact]
    public void AFolderOfTheSameConfigurationIsReusedWithMoreStepsAndItsCreationDate()
    {
        var first = RunDirectory.Create(RunFolder, Manifest(steps: 100) with { Created = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero) });
        var again = RunDirectory.Create(RunFolder, Manifest(steps: 500));
        Assert.True(again.Existed);
        Assert.Equal(first.Manifest.Created, RunDirectory.Open(RunFolder).Manifest.Created);
        Assert.Equal(500, RunDirectory.Open(RunFolder).Manifest.Steps);
    }

    [Fact]
    public void ANonEmptyFolderWithoutManifestIsRefused()
    {
        Directory.CreateDirectory(RunFolder);
        File.WriteAllText(Path.Combine(RunFolder, "notes.txt"), "mine");
        var ex = Assert.Throws<InvalidInputException>(() => RunDirectory.Create(RunFolder, Manifest()));
        Assert.Contains("manifest.json", ex.Message);
    }

    [Fact]
    public void AMalformedManifestNamesTheFile()
    {
        Directory.CreateDirectory(RunFolder);
        File.WriteAllText(Path.Combine(RunFolder, TrajectorySchema.ManifestFile), "{\"model\": \"mlp\", \"classes\": \"ten\"}");
        var ex = Assert.Throws<InvalidInputException>(() => RunDirectory.Open(RunFolder));
        Assert.Contains(TrajectorySchema.ManifestFile, ex.Message);
    }

    [Fact]
    public void StatusRoundTripsEveryState()
    {
        var run = RunDirectory.Create(RunFolder, Manifest());
        Assert.Null(run.ReadStatus());
        run.WriteStatus(RunStatus.Running());
        Assert.Equal(RunState.Running, run.ReadStatus()!.State);
        run.WriteStatus(RunStatus.Failed("out of memory"));
        Assert.Equal("out of memory", run.ReadStatus()!.Reason);
        run.WriteStatus(RunStatus.Diverged(1234, double.NaN));
        var diverged = run.ReadStatus()!;
        Assert.Equal((RunState.Diverged, 1234L), (diverged.State, diverged.Step));
        Assert.True(double.IsNaN(diverged.Loss!.Value));
        Assert.Contains("\"state\": \"diverged\"", File.ReadAllText(run.StatusPath));
        run.WriteStatus(RunStatus.Finished(new RunOutcome(600, 0.31, 0.9, 0.88, 12.5, 48)));
        Assert.Equal(RunState.Finished, run.ReadStatus()!.State);
        Assert.Equal(0.88, run.ReadStatus()!.Outcome!.TestAccuracy);
    }

    [Fact]
    public void ARunningStatusReadsAsInterruptedOnceItsProcessIsGone()
    {
        var run = RunDirectory.Create(RunFolder, Manifest());
        // This process: alive.
        run.WriteStatus(RunStatus.Running());
        Assert.Equal(RunState.Running, run.ReadStatus()!.State);
        Assert.Equal(Environment.ProcessId, run.ReadStatus()!.Process!.Id);

        // A process that has exited.
        var gone = KilledStatus.GoneProcess();
        run.WriteStatus(RunStatus.Running() with { Process = gone });
        var status = run.ReadStatus()!;
        Assert.Equal(RunState.Interrupted, status.State);
        Assert.Contains($"process {gone.Id}", status.Reason);

        // This process's id, but another start time: the id was reused, the run's process is gone.
        var reused = RunProcess.Current() with { Started = DateTimeOffset.UtcNow.AddHours(-3) };
        run.WriteStatus(RunStatus.Running() with { Process = reused });
        Assert.Equal(RunState.Interrupted, run.ReadStatus()!.State);

        // Another machine's process cannot be checked from here: taken as running.
        run.WriteStatus(RunStatus.Running() with { Process = gone with { Host = "node-" + Guid.NewGuid().ToString("N") } });
        Assert.Equal(RunState.Running, run.ReadStatus()!.State);
        Assert.Contains("\"state\": \"running\"", File.ReadAllText(run.StatusPath));
    }
}
