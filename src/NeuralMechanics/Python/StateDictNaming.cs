using NeuralMechanics.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Python;

/// <summary>
/// The PyTorch state_dict name of every tensor of a network (docs/design.md, "What is written for
/// Python"): its own <c>named_parameters</c>/<c>named_buffers</c> name, or, where the network
/// implements <see cref="IStateDictNames"/> (an imported model), the name its map gives.
/// </summary>
internal static class StateDictNaming
{
    /// <summary>The state_dict name of the network's tensor called <paramref name="own"/>.</summary>
    /// <exception cref="InvalidOperationException">The network's <see cref="IStateDictNames"/> map lacks the name: writing the own name instead would be a wrong name.</exception>
    public static string Name(nn.Module network, string own)
    {
        if (network is not IStateDictNames map) return own;
        return map.StateDictNames.TryGetValue(own, out var name)
            ? name
            : throw new InvalidOperationException($"{network.GetType().Name}.StateDictNames has no entry for its tensor '{own}'");
    }

    /// <summary>Every parameter of the network (the live objects) with its state_dict name.</summary>
    public static Dictionary<Parameter, string> Parameters(nn.Module network) =>
        network.named_parameters().ToDictionary(p => p.parameter, p => Name(network, p.name), ByReference);

    private static readonly IEqualityComparer<Parameter> ByReference = ReferenceEqualityComparer.Instance;

    /// <summary>
    /// Every parameter and buffer of the network under its state_dict name, as PyTorch's
    /// <c>state_dict()</c> holds them. A BatchNorm whose <c>num_batches_tracked</c> the zoo dropped
    /// (<see cref="BatchNormCounter"/>) gets it back as <paramref name="batchesTracked"/>, the
    /// training-mode forward passes its running statistics have seen, so that PyTorch's
    /// state_dict and the file have the same keys.
    /// </summary>
    public static List<(string Name, Tensor Tensor)> Tensors(nn.Module network, long batchesTracked)
    {
        var tensors = new List<(string Name, Tensor Tensor)>();
        foreach (var (name, p) in network.named_parameters()) tensors.Add((Name(network, name), p));
        foreach (var (name, b) in network.named_buffers()) tensors.Add((Name(network, name), b));
        // TorchSharp's named_modules() leaves out the root itself.
        foreach (var (prefix, module) in network.named_modules().Prepend(("", network)))
        {
            if (module is not BatchNorm { num_batches_tracked: null, running_mean: not null }) continue;
            string own = prefix.Length == 0 ? "running_mean" : $"{prefix}.running_mean";
            string mean = Name(network, own);
            tensors.Add((mean[..^"running_mean".Length] + "num_batches_tracked", torch.tensor(batchesTracked)));
        }
        var duplicate = tensors.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"two tensors of the network have the state_dict name '{duplicate.Key}'");
        return tensors;
    }
}
