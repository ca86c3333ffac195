using System.Globalization;
using NeuralMechanics.Runs;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Resume;

/// <summary>
/// A training process killed with SIGKILL (no handler runs) leaves a run directory that
/// <c>nmech train --resume</c> continues to the same result as a run that was never killed.
/// </summary>
[Collection(TorchRngCollection.Name)]
public sealed class KilledProcessResumeTests : IDisposable
{
    private const long Steps = 24;
    private readonly string root = Directory.CreateTempSubdirectory("nm-kill-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>The command line of <see cref="ResumeConfigs.Mlp"/>.</summary>
    private static string[] TrainArguments(RunSpec c, string outDir) =>
    [
        "train", "--model", c.Model, "--depth", $"{c.ModelOptions.Depth}", "--hidden", $"{c.ModelOptions.Hidden}", "--norm", c.ModelOptions.Norm,
        "--data", c.Data, "--train-limit", $"{c.TrainLimit}", "--lr", Invariant(c.Optimizer.LearningRate), "--wd", Invariant(c.Optimizer.WeightDecay),
        "--momentum", Invariant(c.Optimizer.Momentum), "--batch", $"{c.BatchSize}", "--steps", $"{c.Steps}", "--seed", $"{c.Seed}",
        "--log-every", $"{c.LogEvery}", "--checkpoint-every", $"{c.CheckpointEvery}", "--out", outDir,
    ];

    private static string Invariant(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("sgd")]
    [InlineData("adamw")]
    public void RunKilledAfterACheckpointResumesToTheUninterruptedRun(string optimizer)
    {
        var reference = Path.Combine(root, "reference");
        var killed = Path.Combine(root, "killed");
        var config = ResumeConfigs.Named(optimizer, "batchnorm", reference, Steps);
        Trainer.Run(config);

        var checkpoint = Path.Combine(killed, TrajectorySchema.CheckpointFile);
        // AdamW, its schedule and groups travel in a specification file, as a sweep point's do.
        var specFile = Path.Combine(root, "adamw.json");
        config.Write(specFile);
        string[] arguments = optimizer == "sgd" ? TrainArguments(config, killed) : ["train", "--spec", specFile, "--out", killed];
        using (var process = NmechProcess.Start(arguments))
        {
            while (process.Running && !File.Exists(checkpoint)) Thread.Sleep(10);
            Assert.True(process.Running, $"the run ended before it could be killed:\n{process.Output}");
            process.Kill();
        }

        // What a killed run leaves: a status that still says running but reads as interrupted
        // (its process is gone), complete Parquet parts only, each table a prefix of the uninterrupted run's.
        var run = RunDirectory.Open(killed);
        Assert.Contains("\"state\": \"running\"", File.ReadAllText(run.StatusPath));
        var status = run.ReadStatus()!;
        Assert.Equal(RunState.Interrupted, status.State);
        Assert.Contains("is gone", status.Reason);
        var partial = TrajectoryReader.Read(run.MetricsFolder).Longs(TrajectorySchema.Step);
        Assert.InRange(partial.Length, (int)config.CheckpointEvery, (int)Steps - 1);
        Assert.Equal(Enumerable.Range(0, partial.Length).Select(i => (long)i), partial);
        foreach (var table in RunComparison.Tables) TrajectoryReader.Read(Path.Combine(killed, table));
        var (statusExit, statusOutput) = NmechProcess.Run("status", killed);
        Assert.True(statusExit == 0, statusOutput);
        Assert.Contains("interrupted", statusOutput);
        var reportDir = Path.Combine(root, "killed-report");
        Assert.Equal(0, NmechProcess.Run("report", killed, "--out", reportDir).ExitCode);
        Assert.Contains("interrupted: the process", File.ReadAllText(Path.Combine(reportDir, "report.md")));

        var (exitCode, output) = NmechProcess.Run("train", "--resume", killed);

        Assert.True(exitCode == 0, output);
        Assert.Contains("resumed an interrupted run", output);
        Assert.Equal(RunState.Finished, run.ReadStatus()!.State);
        RunComparison.AssertIdentical(reference, killed);
    }

    [Fact]
    public void RunKilledBeforeItsFirstCheckpointStartsAgainOnResumeToTheUninterruptedRun()
    {
        var reference = Path.Combine(root, "reference");
        var killed = Path.Combine(root, "killed");
        // No checkpoint before the end: the kill always comes before the first.
        var config = ResumeConfigs.Mlp("batchnorm", reference, 300) with { CheckpointEvery = 0 };
        Trainer.Run(config);

        var status = Path.Combine(killed, TrajectorySchema.StatusFile);
        using (var process = NmechProcess.Start(TrainArguments(config, killed)))
        {
            while (process.Running && !File.Exists(status)) Thread.Sleep(5);
            Assert.True(process.Running, $"the run ended before it could be killed:\n{process.Output}");
            process.Kill();
        }
        Assert.True(File.Exists(Path.Combine(killed, TrajectorySchema.ManifestFile)));
        Assert.False(File.Exists(Path.Combine(killed, TrajectorySchema.CheckpointFile)), "the run wrote a checkpoint before it was killed");
        Assert.Equal(RunState.Interrupted, RunDirectory.Open(killed).ReadStatus()!.State);

        var (exitCode, output) = NmechProcess.Run("train", "--resume", killed);

        Assert.True(exitCode == 0, output);
        Assert.Contains("started again from step 0", output);
        Assert.Equal(RunState.Finished, RunDirectory.Open(killed).ReadStatus()!.State);
        RunComparison.AssertIdentical(reference, killed);
    }
}
