namespace NeuralMechanics.Training;

/// <summary>Where a run stands, reported after every step.</summary>
/// <param name="Step">Updates done.</param>
/// <param name="Steps">Updates planned.</param>
/// <param name="Loss">Loss of the last batch.</param>
/// <param name="Accuracy">Accuracy on the last batch.</param>
/// <param name="StepsPerSecond">Speed since the start (or resume) of this process.</param>
public sealed record TrainProgress(long Step, long Steps, double Loss, double Accuracy, double StepsPerSecond);
