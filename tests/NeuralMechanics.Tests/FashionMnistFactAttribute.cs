namespace NeuralMechanics.Tests;

/// <summary>A fact that needs the Debian package dataset-fashion-mnist; skipped (saying so) where it is missing.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public const string Folder = "/usr/share/datasets/fashion-mnist";

    public FashionMnistFactAttribute()
    {
        if (!Directory.Exists(Folder)) Skip = $"Fashion-MNIST is not installed ({Folder}; apt-get install dataset-fashion-mnist)";
    }
}
