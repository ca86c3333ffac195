using NeuralMechanics.Models;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// Finds the neuron-level translation, scale and rescale symmetries of a sequential network
/// from its <see cref="Architecture"/> (DESIGN.md, "counting convention"):
/// <list type="bullet">
/// <item>softmax + cross-entropy after a final Linear: translation of each input column of its weight, and of its bias;</item>
/// <item>a bias feeding straight into BatchNorm: translation of each bias entry;</item>
/// <item>Linear/Conv2d followed (through positively homogeneous layers) by BatchNorm: scale per output channel; by LayerNorm: scale of the whole layer;</item>
/// <item>LayerNorm straight after a Linear: translation of each input column and of the bias (LayerNorm removes the mean over features);</item>
/// <item>a positively homogeneous path between two parametrized layers: rescale per hidden unit/channel.</item>
/// </list>
/// A module it does not know stops the symmetries that would cross it, and is named in <see cref="SymmetryAnalysis.Notes"/>.
/// </summary>
public static class SymmetryDiscovery
{
    /// <summary>Discovers every group set of <paramref name="architecture"/>.</summary>
    public static SymmetryAnalysis Discover(Architecture architecture)
    {
        var layers = architecture.Layers;
        var sets = new List<SymmetryGroupSet>();
        var notes = new List<string>();
        foreach (var unknown in layers.Where(l => l.Kind == LayerKind.Unknown))
            notes.Add($"{unknown.Name}: unknown module {unknown.TypeName}; no symmetry is counted across it");

        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            if (!layer.Kind.IsParametrized()) continue;
            int next = i + 1;
            var norm = next < layers.Count && layers[next].Kind.IsNorm() ? layers[next] : null;
            if (norm is not null) next++;

            if (norm is not null) AddNormTranslation(layer, norm, sets, notes);
            AddScale(layers, i, sets, notes);
            AddRescale(layers, layer, norm, next, sets, notes);
        }
        AddSoftmaxTranslation(architecture, sets, notes);
        return new SymmetryAnalysis(architecture, sets, notes);
    }

    private static UnitSlice Rows(LayerInfo l, string name)
    {
        var p = l.Parameters[name];
        return new UnitSlice(l.Name, name, p, [p.shape[0], p.numel() / p.shape[0]], 0);
    }

    private static UnitSlice Whole(LayerInfo l, string name)
    {
        var p = l.Parameters[name];
        return new UnitSlice(l.Name, name, p, [1, p.numel()], 0);
    }

    private static List<UnitSlice> Incoming(LayerInfo l, Func<LayerInfo, string, UnitSlice> slice) =>
        l.Parameters.Keys.Order(StringComparer.Ordinal).Reverse().Select(n => slice(l, n)).ToList(); // weight, then bias

    private static void AddNormTranslation(LayerInfo layer, LayerInfo norm, List<SymmetryGroupSet> sets, List<string> notes)
    {
        if (layer.Bias is { } bias && norm.Kind is LayerKind.BatchNorm1d or LayerKind.BatchNorm2d)
            sets.Add(new SymmetryGroupSet(SymmetryKind.Translation, $"{layer.Name}.bias", bias.numel(),
                [new UnitSlice(layer.Name, "bias", bias, [bias.numel()], 0)], [], true,
                $"{norm.Name} removes the batch mean of each channel"));
        if (norm.Kind == LayerKind.LayerNorm && layer.Kind == LayerKind.Linear && norm.InputShape.Length == 1)
        {
            var w = layer.Weight!;
            sets.Add(new SymmetryGroupSet(SymmetryKind.Translation, $"{layer.Name}.weight", w.shape[1],
                [new UnitSlice(layer.Name, "weight", w, [w.shape[0], w.shape[1]], 1)], [], true,
                $"{norm.Name} removes the mean over features"));
            if (layer.Bias is { } b)
                sets.Add(new SymmetryGroupSet(SymmetryKind.Translation, $"{layer.Name}.bias", 1,
                    [new UnitSlice(layer.Name, "bias", b, [1, b.numel()], 0)], [], true,
                    $"{norm.Name} removes the mean over features"));
        }
    }

    private static void AddScale(IReadOnlyList<LayerInfo> layers, int i, List<SymmetryGroupSet> sets, List<string> notes)
    {
        var layer = layers[i];
        // Positively homogeneous layers keep a per-channel scale until a normalisation removes it.
        int k = i + 1;
        while (k < layers.Count && layers[k].Kind.IsHomogeneousPerChannel() && layers[k].Kind != LayerKind.Flatten) k++;
        if (k >= layers.Count || !layers[k].Kind.IsNorm()) return;
        var norm = layers[k];
        if (norm.Kind == LayerKind.LayerNorm)
        {
            if (norm.InputShape.Length != 1 && k != i + 1)
            {
                notes.Add($"{norm.Name}: LayerNorm over a multi-dimensional shape after non-parametrized layers; scale of {layer.Name} not counted");
                return;
            }
            sets.Add(new SymmetryGroupSet(SymmetryKind.Scale, layer.Name, 1, Incoming(layer, Whole), [], false,
                $"{norm.Name} (LayerNorm) divides by the norm of the whole layer; exact up to its ε"));
            return;
        }
        sets.Add(new SymmetryGroupSet(SymmetryKind.Scale, layer.Name, layer.Units, Incoming(layer, Rows), [], false,
            $"{norm.Name} (BatchNorm) divides each channel by its batch std; exact up to its ε"));
    }

    private static void AddRescale(IReadOnlyList<LayerInfo> layers, LayerInfo layer, LayerInfo? norm, int next,
        List<SymmetryGroupSet> sets, List<string> notes)
    {
        // A1: the unit's incoming weights and bias, or the norm's affine γ_c, β_c when a norm sits in between.
        List<UnitSlice> incoming;
        if (norm is null) incoming = Incoming(layer, Rows);
        else if (norm.Parameters.Count == 0)
        {
            notes.Add($"{norm.Name}: normalisation without affine parameters; no rescale symmetry for {layer.Name}");
            return;
        }
        else if (norm.Kind == LayerKind.LayerNorm && norm.InputShape.Length != 1)
        {
            notes.Add($"{norm.Name}: LayerNorm over several dimensions; no rescale symmetry for {layer.Name}");
            return;
        }
        else incoming = Incoming(norm, Rows);

        long channels = layer.Units;
        int k = next;
        while (k < layers.Count && layers[k].Kind.IsHomogeneousPerChannel()) k++;
        if (k >= layers.Count) return; // output layer: no unit to rescale against
        var target = layers[k];
        if (!target.Kind.IsParametrized())
        {
            string why = target.Kind == LayerKind.Unknown ? $"unknown module {target.TypeName}" : target.Kind.ToString();
            notes.Add($"{layer.Name}: rescale symmetry broken by {target.Name} ({why})");
            return;
        }
        var w = target.Weight!;
        long inFeatures = w.shape[1];
        if (inFeatures % channels != 0)
        {
            notes.Add($"{layer.Name} -> {target.Name}: {inFeatures} inputs do not split into {channels} channels; rescale not counted");
            return;
        }
        // After a flatten every spatial position of channel c feeds the next layer: view [out, C, rest].
        var outgoing = new UnitSlice(target.Name, "weight", w, [w.shape[0], channels, w.numel() / (w.shape[0] * channels)], 1);
        sets.Add(new SymmetryGroupSet(SymmetryKind.Rescale, layer.Name, channels, incoming, [outgoing], true,
            $"positively homogeneous path {layers[next - 1].Name} -> {target.Name}"));
    }

    private static void AddSoftmaxTranslation(Architecture architecture, List<SymmetryGroupSet> sets, List<string> notes)
    {
        var last = architecture.Layers[^1];
        if (architecture.Loss != LossKind.CrossEntropy) return;
        if (last.Kind != LayerKind.Linear)
        {
            notes.Add($"{last.Name} ({last.Kind}) feeds the softmax: no translation symmetry counted (needs a final Linear)");
            return;
        }
        var w = last.Weight!;
        sets.Add(new SymmetryGroupSet(SymmetryKind.Translation, $"{last.Name}.weight", w.shape[1],
            [new UnitSlice(last.Name, "weight", w, [w.shape[0], w.shape[1]], 1)], [], true,
            "softmax is invariant to adding a constant to all logits (one group per input column)"));
        if (last.Bias is { } b)
            sets.Add(new SymmetryGroupSet(SymmetryKind.Translation, $"{last.Name}.bias", 1,
                [new UnitSlice(last.Name, "bias", b, [1, b.numel()], 0)], [], true,
                "softmax is invariant to adding a constant to all logits (the bias vector)"));
    }
}
