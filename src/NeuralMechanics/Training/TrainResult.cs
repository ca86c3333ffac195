using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tracking;

namespace NeuralMechanics.Training;

/// <summary>What a finished (or stopped) run reports.</summary>
/// <param name="RunDir">The run directory.</param>
/// <param name="Status">finished, diverged (with step and loss) or failed (interrupted).</param>
/// <param name="Steps">Updates done.</param>
/// <param name="FinalLoss">Loss of the last batch.</param>
/// <param name="TestAccuracy">Accuracy on the test split (NaN when the run did not finish).</param>
/// <param name="StepsPerSecond">Training speed in this process.</param>
/// <param name="Analysis">The symmetry groups.</param>
/// <param name="Errors">Prediction errors per kind and predictor (empty when untracked).</param>
/// <param name="TrackerBytes">Memory the tracker holds.</param>
/// <param name="Notes">Things the user should know (skipped pools, unavailable predictions, ...).</param>
public sealed record TrainResult(
    string RunDir, RunStatus Status, long Steps, double FinalLoss, double TestAccuracy, double StepsPerSecond,
    SymmetryAnalysis Analysis, IReadOnlyList<ErrorRow> Errors, long TrackerBytes, IReadOnlyList<string> Notes);
