using NeuralMechanics.Runs;

namespace NeuralMechanics.Tracking;

/// <summary>
/// The <c>eval/</c> table: the accuracy on the test split every <see cref="Training.RunSpec.EvalEvery"/>
/// steps (steps 0, k, 2k, … and the state after the last update), columns <c>step</c> (long) and
/// <c>test_accuracy</c> (double). The network is evaluated in eval mode and put back in training mode:
/// no random numbers are drawn, BatchNorm's running statistics and the gradients stay as they were, so
/// the training trajectory is the same with and without it.
/// </summary>
/// <remarks>Built only from the public quantity API: it is how a quantity of your own looks.</remarks>
public sealed class EvalAccuracy : ITrackedQuantity
{
    /// <summary>The table's folder in the run directory.</summary>
    public const string Folder = TrajectorySchema.EvalFile;

    /// <summary>Column: the accuracy on the test split at the step (double).</summary>
    public const string TestAccuracyColumn = TrajectorySchema.TestAccuracy;

    /// <summary>Columns of the <c>eval/</c> table, in file order.</summary>
    public static readonly IReadOnlyList<TrajectoryColumn> Columns = TrajectorySchema.EvalColumns;

    private readonly QuantityTable table;
    private readonly Func<TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>, double> evaluate;

    private EvalAccuracy(QuantitySetup setup, long every, Func<TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>, double> evaluate)
    {
        table = setup.Table(Folder, Columns);
        this.evaluate = evaluate;
        Schedule = QuantitySchedule.EveryK(every);
        Tables = [table];
    }

    /// <summary>The quantity when the run evaluates (<see cref="Training.RunSpec.EvalEvery"/> &gt; 0) and the session has test data; else null.</summary>
    public static ITrackedQuantity? Create(QuantitySetup setup) =>
        setup.Spec.EvalEvery is int k and > 0 && setup.TestAccuracy is { } evaluate ? new EvalAccuracy(setup, k, evaluate) : null;

    /// <inheritdoc />
    public QuantityNeeds Needs => QuantityNeeds.None;

    /// <inheritdoc />
    public QuantitySchedule Schedule { get; }

    /// <inheritdoc />
    public IReadOnlyList<QuantityTable> Tables { get; }

    /// <inheritdoc />
    public IEnumerable<string> Unavailable => [];

    /// <inheritdoc />
    public void Compute(StepContext step) => table.AddRow().Long(step.Step).Double(evaluate(step.Network)).End();

    /// <inheritdoc />
    public Dictionary<string, double[]> SaveState() => [];

    /// <inheritdoc />
    public void LoadState(IReadOnlyDictionary<string, double[]> state) { }
}
