using NeuralMechanics.Runs;
using NeuralMechanics.Training.Schedules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tracking;

/// <summary>
/// The <c>metrics/</c> table: every step's training loss and batch accuracy (and TensorBoard's
/// train/loss and train/accuracy at logged steps), read through the shared reader. A non-finite loss
/// stops the run at its step: on the CPU before its update, on CUDA when its chunk is read (the rows
/// of the steps after it are then dropped).
/// </summary>
internal sealed class TrainingMetrics : ITrackedQuantity
{
    private readonly QuantityTable table;
    private readonly ScheduleClock clock;
    private readonly TensorBoardLog board;
    private readonly long logEvery;
    private readonly Action<long, double> diverged;

    private TrainingMetrics(QuantitySetup setup)
    {
        table = setup.Table(TrajectorySchema.MetricsFile, TrajectorySchema.MetricsColumns);
        clock = new ScheduleClock(setup.Spec.Optimizer);
        board = setup.Board;
        logEvery = setup.Spec.LogEvery;
        diverged = setup.Diverged;
        Tables = [table];
    }

    /// <summary>Every run has them.</summary>
    public static ITrackedQuantity? Create(QuantitySetup setup) => new TrainingMetrics(setup);

    /// <summary>The loss and batch accuracy of the last step read (NaN before the first).</summary>
    public (double Loss, double Accuracy) Last { get; private set; } = (double.NaN, double.NaN);

    public QuantityNeeds Needs => QuantityNeeds.None;

    // The state after the last update has no row: its batch trains nothing.
    public QuantitySchedule Schedule { get; } = QuantitySchedule.EveryStep with { AfterLastUpdate = false };

    public IReadOnlyList<QuantityTable> Tables { get; }

    public IEnumerable<string> Unavailable => [];

    public void Compute(StepContext step)
    {
        long n = step.Step;
        Tensor values;
        using (var scope = NewDisposeScope())
        using (no_grad())
            values = stack([step.Loss.detach().to(ScalarType.Float64), step.Output.argmax(1).eq(step.Target).to(ScalarType.Float64).mean()])
                .DetachFromDisposeScope();
        step.Reader.Defer(n, values, v => Write(n, v[0], v[1]));
    }

    private void Write(long step, double loss, double accuracy)
    {
        if (!double.IsFinite(loss))
        {
            diverged(step, loss);
            return;
        }
        Last = (loss, accuracy);
        table.AddRow().Long(step).Double(clock.Time(step)).Double(loss).Double(accuracy).Double(clock.LearningRate(step)).End();
        if (step % logEvery == 0)
        {
            board.AddScalar("train/loss", loss, step);
            board.AddScalar("train/accuracy", accuracy, step);
        }
    }

    public Dictionary<string, double[]> SaveState() => [];

    public void LoadState(IReadOnlyDictionary<string, double[]> state) { }
}
