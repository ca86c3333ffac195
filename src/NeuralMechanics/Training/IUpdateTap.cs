using NeuralMechanics.Tracking;
using TorchSharp.Modules;

namespace NeuralMechanics.Training;

/// <summary>
/// Reads the parameters inside the optimizer's own pass over their memory, each block just before
/// the update overwrites it: the tracker's sums of θₙ, gₙ and vₙ then cost no second trip through
/// memory. Set on <see cref="OptimizerBase.Tap"/>, it serves one <see cref="IOptimizer.Step"/>.
/// </summary>
internal interface IUpdateTap
{
    /// <summary>The length of the blocks <paramref name="parameter"/> is offered in (the last may be shorter); 0 when it is not read.</summary>
    int BlockLength(Parameter parameter);

    /// <summary>Elements [<paramref name="start"/>, <paramref name="end"/>) of <paramref name="x"/> (the whole parameter, as before the update).</summary>
    void Take(Parameter parameter, in StepInputs x, int start, int end);

    /// <summary>
    /// No more blocks come this step: every parameter not offered is, at this moment, as before the
    /// update (an optimizer that cannot offer blocks calls it before it updates anything).
    /// </summary>
    void Done();
}
