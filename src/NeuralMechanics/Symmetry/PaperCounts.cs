namespace NeuralMechanics.Symmetry;

/// <summary>
/// The paper's Table 5 (VGG-16 on Tiny ImageNet) beside our counting convention, with the
/// reason each figure differs.
/// </summary>
public static class PaperCounts
{
    /// <summary>One row: the paper's figure and why ours differs.</summary>
    public sealed record Row(SymmetryKind Kind, long Paper, string Reason);

    /// <summary>Table 5's counts for vgg16 / vgg16-bn on 3×64×64 inputs with 200 classes, or null for other models.</summary>
    public static IReadOnlyList<Row>? ForModel(string model, long[] inputShape, long classes)
    {
        if (classes != 200 || !inputShape.SequenceEqual([3L, 64, 64])) return null;
        bool bn = model == "vgg16-bn";
        if (model != "vgg16" && !bn) return null;
        return
        [
            new Row(SymmetryKind.Scale, bn ? 4_227 : 0, bn
                ? "paper adds 3 (the input channels) to the 4,224 BN'd conv channels; the input has no incoming weights to scale"
                : "no normalisation, no scale symmetry (both agree)"),
            new Row(SymmetryKind.Rescale, 8_323,
                "paper counts 4,224 + 3 conv channels and the classifier's 2,048 + 1,024 + 1,024 inputs; we count one group per hidden unit: 4,224 conv channels + 1,024 (fc1) + 1,024 (fc2) — the 2,048 inputs of fc1 are the conv13 channels' positions, already counted per channel, and input pixels have no incoming weights"),
            new Row(SymmetryKind.Translation, 201, bn
                ? "paper counts 200 classes + 1; a softmax translation acts on each input column of fc3 (1,024) plus its bias, and each conv bias feeding BN (4,224) is a translation group too"
                : "paper counts 200 classes + 1; a softmax translation acts on each input column of fc3 (1,024 groups, each spanning the 200 classes) plus its bias"),
        ];
    }
}
