using Parameter = TorchSharp.Modules.Parameter;

namespace NeuralMechanics.Models.Onnx;

/// <summary>
/// A LayerNorm over the last axis as exporters below opset 17 write it: μ = ReduceMean(x), c = x − μ,
/// σ = Sqrt(ReduceMean(Pow(c, 2)) + ε), (c / σ)·γ + β (docs/design.md, "ONNX import"). Recognised so that
/// the imported graph has one LayerNorm node (γ, β, ε) where the file has nine; any deviation (another
/// exponent, another axis, a value read elsewhere) leaves the nodes Unknown.
/// </summary>
internal sealed record DecomposedLayerNorm(string Input, string Output, OnnxNode Last, HashSet<OnnxNode> Nodes, string Weight, string Bias, double Eps)
{
    /// <summary>Every decomposed LayerNorm of <paramref name="nodes"/>.</summary>
    public static List<DecomposedLayerNorm> Find(OnnxNetwork network, IReadOnlyList<OnnxNode> nodes, Dictionary<string, Parameter> param,
        Dictionary<string, List<OnnxNode>> consumers, Dictionary<string, (long[] shape, bool floating)> shapes)
    {
        OnnxNode? Only(string value, string op) => consumers.TryGetValue(value, out var c) && c.Count == 1 && c[0].OpType == op ? c[0] : null;
        bool LastAxis(OnnxNode n) => n.Ints("axes") is [long a] && shapes.TryGetValue(n.Outputs[0], out var s) && (a == -1 || a == s.shape.Length - 1)
                                     && n.Int("keepdims", 1) == 1;
        string? Other(OnnxNode n, string value) => n.Inputs.Length == 2 && n.Inputs.Count(i => i == value) == 1 ? n.Inputs.First(i => i != value) : null;

        var found = new List<DecomposedLayerNorm>();
        foreach (var mean in nodes.Where(n => n.OpType == "ReduceMean" && n.Inputs.Length == 1 && LastAxis(n)))
        {
            var x = mean.Inputs[0];
            if (Only(mean.Outputs[0], "Sub") is not { } sub || sub.Inputs[0] != x || sub.Inputs[1] != mean.Outputs[0]) continue;
            if (!consumers.TryGetValue(sub.Outputs[0], out var uses) || uses.Count != 2) continue;
            var pow = uses.FirstOrDefault(u => u.OpType == "Pow" && u.Inputs[0] == sub.Outputs[0] && network.FloatConstant(u.Inputs[1]) == 2);
            var div = uses.FirstOrDefault(u => u.OpType == "Div" && u.Inputs[0] == sub.Outputs[0]);
            if (pow is null || div is null) continue;
            if (Only(pow.Outputs[0], "ReduceMean") is not { } variance || !LastAxis(variance)) continue;
            if (Only(variance.Outputs[0], "Add") is not { } add || Other(add, variance.Outputs[0]) is not { } epsName || network.FloatConstant(epsName) is not double eps) continue;
            if (Only(add.Outputs[0], "Sqrt") is not { } sqrt || div.Inputs[1] != sqrt.Outputs[0] || Only(sqrt.Outputs[0], "Div") != div) continue;
            if (Only(div.Outputs[0], "Mul") is not { } mul || Other(mul, div.Outputs[0]) is not { } gamma || !param.TryGetValue(gamma, out var g)) continue;
            if (Only(mul.Outputs[0], "Add") is not { } shift || Other(shift, mul.Outputs[0]) is not { } beta || !param.TryGetValue(beta, out var b)) continue;
            long features = x == network.InputName ? network.ExampleShape[^1] : shapes[x].shape[^1];
            if (g.dim() != 1 || g.shape[0] != features || b.dim() != 1 || b.shape[0] != features) continue;
            found.Add(new DecomposedLayerNorm(x, shift.Outputs[0], shift, [mean, sub, pow, variance, add, sqrt, div, mul, shift], gamma, beta, eps));
        }
        return found;
    }
}
