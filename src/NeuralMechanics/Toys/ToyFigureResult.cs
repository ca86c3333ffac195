namespace NeuralMechanics.Toys;

/// <summary>One number a toy figure reports for one panel, e.g. the mean distance of a continuous model from the discrete iterates.</summary>
/// <param name="Panel">Panel label, e.g. "(a) gradient descent".</param>
/// <param name="Quantity">What is measured, e.g. "modified loss flow: mean distance".</param>
/// <param name="Value">The measured value.</param>
public sealed record ToyPanelMetric(string Panel, string Quantity, double Value);

/// <summary>The files a toy figure wrote and the numbers it reports.</summary>
public sealed record ToyFigureResult(string Figure, IReadOnlyList<string> Files, IReadOnlyList<ToyPanelMetric> Metrics);
