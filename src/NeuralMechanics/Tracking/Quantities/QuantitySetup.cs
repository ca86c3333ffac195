using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tracking;

/// <summary>
/// What a quantity's factory (<see cref="TrainingSessionOptions.Quantities"/>) is given to build it
/// when a session starts or resumes: the run, its network and optimizer, and where to open tables.
/// A factory returns null when its quantity does not apply to the run.
/// </summary>
public sealed class QuantitySetup
{
    private readonly List<QuantityTable> opened = [];
    private readonly RunDirectory directory;

    internal QuantitySetup(RunSpec spec, Architecture architecture, SymmetryAnalysis analysis, nn.Module<Tensor, Tensor> network, IOptimizer optimizer,
        RunDirectory directory, TensorBoardLog board, DeviceReader reader, Func<nn.Module<Tensor, Tensor>, double>? testAccuracy, Action<long, double> diverged)
    {
        (Spec, Architecture, Analysis, Network, LiveOptimizer, this.directory, Board, Reader, TestAccuracy, Diverged) =
            (spec, architecture, analysis, network, optimizer, directory, board, reader, testAccuracy, diverged);
        Parameters = network.named_parameters().Select(p => (p.name, p.parameter)).ToList();
    }

    /// <summary>The run's specification (resolved: steps, logging interval, evaluation interval).</summary>
    public RunSpec Spec { get; }

    /// <summary>The network's description.</summary>
    public Architecture Architecture { get; }

    /// <summary>The symmetry groups found in it.</summary>
    public SymmetryAnalysis Analysis { get; }

    /// <summary>The network being trained.</summary>
    public nn.Module<Tensor, Tensor> Network { get; }

    /// <summary>The network's named parameters (the names the optimizer knows them by).</summary>
    public IReadOnlyList<(string Name, Parameter Param)> Parameters { get; }

    /// <summary>Evaluates a network on the run's test split (eval mode, then back to training mode); null when the session has no test data.</summary>
    public Func<nn.Module<Tensor, Tensor>, double>? TestAccuracy { get; }

    /// <summary>The run's one device-deferred reader.</summary>
    public DeviceReader Reader { get; }

    internal IOptimizer LiveOptimizer { get; }

    internal TensorBoardLog Board { get; }

    // Called with a step and its non-finite loss: the run stops there (the metrics find it).
    internal Action<long, double> Diverged { get; }

    internal IReadOnlyList<QuantityTable> Opened => opened;

    /// <summary>Opens the table <paramref name="folder"/> of the run directory with <paramref name="columns"/> (its first column the step, a long).</summary>
    /// <exception cref="InvalidOperationException">The folder is taken by another quantity, or the first column is not a long "step".</exception>
    public QuantityTable Table(string folder, IReadOnlyList<TrajectoryColumn> columns)
    {
        if (opened.Any(t => t.Folder == folder)) throw new InvalidOperationException($"{folder}: the table is opened twice");
        if (columns.Count == 0 || columns[0] != TrajectoryColumn.Long(TrajectorySchema.Step))
            throw new InvalidOperationException($"{folder}: expected the first column to be the long \"{TrajectorySchema.Step}\" (rows are dropped by step on resume)");
        var table = new QuantityTable(new TrajectoryWriter(Path.Combine(directory.Root, folder), columns));
        opened.Add(table);
        return table;
    }
}
