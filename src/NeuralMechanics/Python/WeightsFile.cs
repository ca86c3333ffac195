using NeuralMechanics.Runs;
using static TorchSharp.torch;

namespace NeuralMechanics.Python;

/// <summary>
/// <c>weights.safetensors</c> of a run directory: every parameter and buffer of the network under its
/// PyTorch state_dict name (<see cref="StateDictNaming"/>), in PyTorch's layout and the dtype it was
/// trained in, so that <c>model.load_state_dict(...)</c> takes it. Written with every checkpoint, from
/// the same state as <c>checkpoint.bin</c>, and once more when a run finishes, after its final
/// observation: the state its test accuracy is measured on.
/// </summary>
internal static class WeightsFile
{
    /// <summary>
    /// Writes the network's state at <paramref name="step"/> updates to <paramref name="path"/>;
    /// <paramref name="trainingPasses"/> (default: one per update) is BatchNorm's num_batches_tracked.
    /// </summary>
    public static void Write(string path, nn.Module network, long step, string model, long? trainingPasses = null)
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["model"] = model,
            ["step"] = step.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["writer"] = "nmech " + VersionInfo.All()["nmech"],
        };
        SafeTensors.Write(path, StateDictNaming.Tensors(network, trainingPasses ?? step), metadata);
    }
}
