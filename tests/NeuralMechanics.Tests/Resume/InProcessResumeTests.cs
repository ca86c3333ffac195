using NeuralMechanics.Runs;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Resume;

/// <summary>
/// Interrupting a run and resuming it gives the run that was never interrupted, bit for bit:
/// parameters, buffers, momentum, tracker state and every trajectory row.
/// </summary>
[Collection(TorchRngCollection.Name)]
public sealed class InProcessResumeTests : IDisposable
{
    private const long Steps = 30;
    private readonly string root = Directory.CreateTempSubdirectory("nm-resume-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Theory]
    [InlineData("sgd", "none", 17)]
    [InlineData("sgd", "batchnorm", 13)]
    [InlineData("adamw", "batchnorm", 13)]
    [InlineData("drops", "batchnorm", 11)]
    [InlineData("resnet", "batchnorm", 13)]
    public void CancelledThenResumedRunEqualsUninterruptedRun(string optimizer, string norm, long cancelAfter)
    {
        var reference = Path.Combine(root, "reference");
        var resumed = Path.Combine(root, "resumed");
        Assert.Equal(RunState.Finished, Trainer.Run(ResumeConfigs.Named(optimizer, norm, reference, Steps)).Status.State);

        using var cancel = new CancellationTokenSource();
        var stopped = Trainer.Run(ResumeConfigs.Named(optimizer, norm, resumed, Steps),
            new Callback(p => { if (p.Step == cancelAfter) cancel.Cancel(); }), cancel.Token);
        Assert.Equal((RunState.Interrupted, cancelAfter), (stopped.Status.State, stopped.Steps));
        Assert.Equal(RunState.Interrupted, RunDirectory.Open(resumed).ReadStatus()!.State);

        var result = Trainer.Resume(resumed);
        Assert.Equal((RunState.Finished, Steps), (result.Status.State, result.Steps));
        RunComparison.AssertIdentical(reference, resumed);
    }

    [Fact]
    public void FinishedRunExtendedWithMoreStepsEqualsLongerRun()
    {
        var reference = Path.Combine(root, "reference");
        var extended = Path.Combine(root, "extended");
        Trainer.Run(ResumeConfigs.Mlp("batchnorm", reference, Steps));
        Assert.Equal(RunState.Finished, Trainer.Run(ResumeConfigs.Mlp("batchnorm", extended, 18)).Status.State);

        var result = Trainer.Resume(extended, steps: Steps);

        Assert.Equal((RunState.Finished, Steps), (result.Status.State, result.Steps));
        RunComparison.AssertIdentical(reference, extended);
    }

    private sealed class Callback(Action<TrainProgress> report) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => report(value);
    }
}
