namespace NeuralMechanics.Tests.Runs;

/// <summary>Runs alone: the RNG assertions need no other test drawing from the global generator meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchRngCollection
{
    public const string Name = "torch global RNG";
}
