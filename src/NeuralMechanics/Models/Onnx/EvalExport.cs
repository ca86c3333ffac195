namespace NeuralMechanics.Models.Onnx;

/// <summary>
/// Recognises a model exported in eval mode, whose symmetries the file no longer shows, and refuses it
/// with how to export it in training mode. Two signs, each read from the file alone:
/// a BatchNormalization in inference form (opset ≥ 14: no <c>training_mode = 1</c>; below: one output
/// instead of the training form's five), or — no BatchNormalization left at all — a Conv whose weight is
/// a constant the exporter computed ("onnx::Conv_…") instead of a state_dict entry: BatchNorm folded into it.
/// </summary>
internal static class EvalExport
{
    internal const string HowToExport =
        "export it in training mode: torch.onnx.export(model, x, \"m.onnx\", training=torch.onnx.TrainingMode.TRAINING, " +
        "do_constant_folding=False, opset_version=17) (with dynamo=False on PyTorch >= 2.9); in eval mode BatchNorm is folded " +
        "into the convolutions and its scale symmetries vanish";

    public static void Refuse(IReadOnlyList<OnnxNode> nodes, OnnxFile onnx)
    {
        foreach (var n in nodes.Where(n => n.OpType == "BatchNormalization"))
        {
            var training = n.Attributes.ContainsKey("training_mode") ? n.Int("training_mode", 0) == 1 : n.Outputs.Length > 1;
            if (!training)
                throw InvalidInputException.InFile(onnx.Path, $"node {n.Name} (BatchNormalization)",
                    "expected training_mode = 1, found an inference-mode BatchNorm: the model was exported in eval mode; " + HowToExport);
        }
        if (nodes.Any(n => n.OpType == "BatchNormalization")) return;
        foreach (var n in nodes.Where(n => n.OpType == "Conv" && n.Inputs.Length > 1))
        {
            var w = n.Inputs[1];
            if (onnx.Initializers.ContainsKey(w) && w.StartsWith("onnx::", StringComparison.Ordinal))
                throw InvalidInputException.InFile(onnx.Path, $"node {n.Name} (Conv)",
                    $"expected a weight named as in the state_dict, found the exporter's folded constant '{w}': " +
                    "the model was exported in eval mode with BatchNorm folded into this convolution; " + HowToExport);
        }
    }
}
