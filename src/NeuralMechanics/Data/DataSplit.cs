namespace NeuralMechanics.Data;

/// <summary>The training and test sets of one dataset.</summary>
public sealed record DataSplit(ImageDataSet Train, ImageDataSet Test);
