namespace NeuralMechanics.Tracking;

/// <summary>
/// Something a training session measures during training and writes to its own tables: the
/// training metrics, the symmetry groups (<see cref="SymmetryTracker"/>), the attention heads' matrix
/// charges (<see cref="MatrixCharges"/>), the test accuracy (<see cref="EvalAccuracy"/>), or a
/// quantity of your own. Modelled on Cockpit's <c>Quantity</c> (track → should_compute → compute →
/// save): a quantity is built once by a factory registered in <see cref="Training.TrainingSessionOptions.Quantities"/>
/// (it opens its tables there, <see cref="QuantitySetup.Table"/>), declares what it needs from the
/// step (<see cref="Needs"/>) and when it computes (<see cref="Schedule"/>), and is handed each such
/// step's <see cref="StepContext"/> after the backward pass and before the update (θₙ, gₙ and the
/// optimizer's buffers in place). Values it wants on the host go through the step's shared
/// <see cref="DeviceReader"/>, so on CUDA no quantity makes the GPU wait every step.
/// </summary>
public interface ITrackedQuantity
{
    /// <summary>What the step must provide beyond θ and g (the kept graph, the momentum buffer, the recorded update).</summary>
    QuantityNeeds Needs { get; }

    /// <summary>The steps at which <see cref="Compute"/> is called.</summary>
    QuantitySchedule Schedule { get; }

    /// <summary>The tables it writes (folder and columns), opened through <see cref="QuantitySetup.Table"/>.</summary>
    IReadOnlyList<QuantityTable> Tables { get; }

    /// <summary>Measures the step (before its update; or, with <see cref="StepContext.Final"/>, the state after the last update).</summary>
    void Compute(StepContext step);

    /// <summary>What a resumed run needs to continue bit for bit (keys unique to this quantity; empty when stateless).</summary>
    Dictionary<string, double[]> SaveState();

    /// <summary>Restores <see cref="SaveState"/>'s output.</summary>
    void LoadState(IReadOnlyDictionary<string, double[]> state);

    /// <summary>Why some predictions are not made for this run (empty when all are).</summary>
    IEnumerable<string> Unavailable { get; }
}
