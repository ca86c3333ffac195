namespace NeuralMechanics.Reporting;

/// <summary>
/// One row of the prediction-error table: relative error |prediction − empirical| / terms of one
/// predictor for one kind of one run, over every group and logged step of the neurons/ table.
/// </summary>
/// <param name="Kind">translation, scale or rescale.</param>
/// <param name="Predictor">A prediction column: gradient_flow, continuous or discrete.</param>
/// <param name="Median">Median relative error.</param>
/// <param name="Max">Largest relative error.</param>
/// <param name="Run">The run's display name.</param>
/// <param name="Count">Number of (group, step) values the statistics are over.</param>
public sealed record PredictionErrorRow(string Kind, string Predictor, double Median, double Max, string Run, long Count);
