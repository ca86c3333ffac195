using NeuralMechanics.Theory;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tracking.Laws;

/// <summary>
/// What the SGD laws with one λ share (plain, heavy-ball, Nesterov): a <see cref="LayerPredictor"/>
/// started from Q₀ at step 0, or from the checkpoint's previous Q on resume, and its state under the
/// key "predictor". A set the predictor refuses keeps the reason in <see cref="SetLaw.Unavailable"/>.
/// </summary>
internal abstract class PredictedSgdLaw : SetLaw
{
    /// <param name="context">The set.</param>
    /// <param name="theory">The run's theory (law names, equilibrium values).</param>
    /// <param name="settings">SGD's hyperparameters with the set's λ.</param>
    /// <param name="unavailable">Why the set is not predicted, or null.</param>
    protected PredictedSgdLaw(SetLawContext context, OptimizerTheory theory, SgdSettings settings, string? unavailable) : base(context, unavailable)
    {
        Theory = theory;
        Settings = settings;
    }

    /// <summary>The run's theory.</summary>
    protected OptimizerTheory Theory { get; }

    /// <summary>SGD's hyperparameters with the set's λ.</summary>
    protected SgdSettings Settings { get; }

    /// <summary>The predictor; null before step 0 or where it refused the set.</summary>
    protected LayerPredictor? Predictor { get; private set; }

    /// <inheritdoc/>
    public override string Name => Theory.DiscreteLaw;

    /// <summary>Starts the predictor from Q₀.</summary>
    protected void Start(double[] q0)
    {
        if (SetUnavailable is not null) return;
        try
        {
            Predictor = new LayerPredictor(Set.Kind, Settings, q0);
        }
        catch (InvalidInputException e)
        {
            Predictor = null;
            Unavailable = e.Message;
        }
    }

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, double[] Values)> PredictorState()
    {
        if (Predictor is not null) yield return ("predictor", Predictor.SaveState());
    }

    /// <inheritdoc/>
    protected override void LoadPredictorState(double[] state, double[] previousQ)
    {
        Start(previousQ);
        Predictor?.LoadState(state);
    }
}
