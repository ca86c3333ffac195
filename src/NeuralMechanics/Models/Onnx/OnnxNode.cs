using Onnx;

namespace NeuralMechanics.Models.Onnx;

/// <summary>One node of the ONNX graph with its attributes decoded once, at import.</summary>
internal sealed class OnnxNode
{
    public OnnxNode(NodeProto node, int index)
    {
        OpType = node.OpType;
        Name = string.IsNullOrEmpty(node.Name) ? $"{node.OpType}_{index}" : node.Name;
        Inputs = node.Input.ToArray();
        Outputs = node.Output.ToArray();
        foreach (var a in node.Attribute) Attributes[a.Name] = a;
        Domain = node.Domain;
    }

    public string OpType { get; }

    public string Name { get; }

    public string Domain { get; }

    /// <summary>Input value names; "" is an omitted optional input.</summary>
    public string[] Inputs { get; }

    public string[] Outputs { get; }

    public Dictionary<string, AttributeProto> Attributes { get; } = new();

    /// <summary>Whether optional input i is given.</summary>
    public bool Has(int i) => i < Inputs.Length && Inputs[i].Length > 0;

    public long Int(string name, long fallback) => Attributes.TryGetValue(name, out var a) ? a.I : fallback;

    public double Float(string name, double fallback) => Attributes.TryGetValue(name, out var a) ? a.F : fallback;

    public string Text(string name, string fallback) => Attributes.TryGetValue(name, out var a) ? a.S.ToStringUtf8() : fallback;

    public long[]? Ints(string name) => Attributes.TryGetValue(name, out var a) ? a.Ints.ToArray() : null;
}
