namespace NeuralMechanics.Models;

/// <summary>
/// A network whose own parameter and buffer names (TorchSharp's <c>named_parameters</c>,
/// <c>named_buffers</c>) are not the PyTorch state_dict names it came from — an imported model.
/// Everything written for Python (the groups file, <c>weights.safetensors</c>) uses
/// <see cref="StateDictNames"/> where a network implements it, and the network's own names otherwise
/// (the zoo's names are PyTorch's already: <c>layer1.0.conv1.weight</c>).
/// </summary>
public interface IStateDictNames
{
    /// <summary>The PyTorch state_dict name of every parameter and buffer, keyed by the network's own name.</summary>
    IReadOnlyDictionary<string, string> StateDictNames { get; }
}
