using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Training;

/// <summary>
/// The parameter groups of a run: one group "decay" with λ, and, when <c>--no-decay</c> excludes
/// some parameters, a group "no_decay" with λ = 0 (both at the base learning rate), in the
/// network's parameter order within each group.
/// </summary>
public static class DecayGroups
{
    /// <summary>Name of the group that has the run's λ.</summary>
    public const string Decay = "decay";

    /// <summary>Name of the group without weight decay.</summary>
    public const string NoDecay = "no_decay";

    /// <summary>Splits <paramref name="network"/>'s parameters by <see cref="OptimizerSettings.NoDecay"/>; empty groups are left out.</summary>
    public static IReadOnlyList<ParameterGroup> For(nn.Module network, OptimizerSettings settings)
    {
        var norms = network.named_modules().Where(m => IsNorm(m.module)).Select(m => m.name).ToHashSet();
        var named = network.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        return Split(named, norms, settings);
    }

    /// <summary>
    /// Splits named parameters: a parameter is "norm" when the module that owns it (its name up to
    /// the last '.') is in <paramref name="normModules"/>, "bias" when its own name is <c>bias</c>.
    /// </summary>
    public static IReadOnlyList<ParameterGroup> Split(IReadOnlyList<(string Name, Parameter Param)> named, IReadOnlySet<string> normModules, OptimizerSettings settings)
    {
        bool Excluded(string name)
        {
            int dot = name.LastIndexOf('.');
            string owner = dot < 0 ? "" : name[..dot], local = dot < 0 ? name : name[(dot + 1)..];
            return (settings.NoDecay.HasFlag(DecayExclusion.Norm) && normModules.Contains(owner))
                || (settings.NoDecay.HasFlag(DecayExclusion.Bias) && local == "bias");
        }
        var decay = named.Where(p => !Excluded(p.Name)).ToList();
        var noDecay = named.Where(p => Excluded(p.Name)).ToList();
        var groups = new List<ParameterGroup>();
        if (decay.Count > 0 || noDecay.Count == 0) groups.Add(new ParameterGroup(Decay, decay, settings.LearningRate, settings.WeightDecay));
        if (noDecay.Count > 0) groups.Add(new ParameterGroup(NoDecay, noDecay, settings.LearningRate, 0));
        return groups;
    }

    private static bool IsNorm(nn.Module m) => m is BatchNorm1d or BatchNorm2d or BatchNorm3d or LayerNorm or GroupNorm or InstanceNorm1d or InstanceNorm2d;
}
