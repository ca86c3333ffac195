using Parameter = TorchSharp.Modules.Parameter;

namespace NeuralMechanics.Models.Onnx;

/// <summary>
/// PyTorch's multi-head self-attention (<c>nn.MultiheadAttention</c> with a packed in_proj_weight,
/// batch_first) as the exporter writes it, recognised so that the imported graph has the zoo's nodes
/// (docs/design.md, "ONNX import"): x → Transpose(1,0,2) → MatMul(·, Transpose(W_in)) + b_in → three
/// Slices of the last axis (q, k, v) → Reshape/Transpose per head (q also divided or multiplied by a
/// constant) → MatMul(q, kᵀ) → Softmax(last) [→ Dropout] → MatMul(·, v) → Transpose/Reshape → out_proj
/// (Gemm, or MatMul + Add) → Reshape/Transpose(1,0,2). It becomes q, k, v Linear nodes whose parameters
/// are their row blocks of in_proj_weight/bias (<see cref="LayerInfo.Blocks"/>), an Attention node
/// with its heads, and out_proj as the Linear o. With batch_first=False the input is already T×N×D:
/// no Transpose before the packed MatMul and none after out_proj (its Reshape back to T×N×D is the last
/// node); the same nodes result. A variant that does not match (separate projections, need_weights'
/// averaged output read) stays Unknown nodes.
/// </summary>
internal sealed class MultiHeadAttention
{
    private MultiHeadAttention(string input, string output, OnnxNode last, HashSet<OnnxNode> nodes, string weight, string bias,
        long[] starts, long features, long heads, string outWeight, string? outBias, string name)
    {
        Input = input; Output = output; Last = last; Nodes = nodes; this.weight = weight; this.bias = bias; this.starts = starts;
        this.features = features; this.heads = heads; this.outWeight = outWeight; this.outBias = outBias; this.name = name;
    }

    private readonly string weight, bias, outWeight, name;
    private readonly string? outBias;
    private readonly long[] starts;
    private readonly long features, heads;

    /// <summary>The value the attention reads (before the exporter's transpose, where batch_first).</summary>
    public string Input { get; }

    /// <summary>The value it writes (after the transpose back, where batch_first).</summary>
    public string Output { get; }

    /// <summary>Its last node, where the graph builder adds its nodes.</summary>
    public OnnxNode Last { get; }

    /// <summary>Every ONNX node of the pattern on the data path.</summary>
    public HashSet<OnnxNode> Nodes { get; }

    /// <summary>Adds q, k, v, the attention and o to <paramref name="layers"/> reading node <paramref name="from"/>; returns o's index.</summary>
    public int AddNodes(List<LayerInfo> layers, int from, long[] inShape, long[] outShape, Dictionary<string, Parameter> param)
    {
        var none = new Dictionary<string, object>();
        long[] tokens = [.. inShape[..^1], features];
        var projections = new int[3];
        string[] names = ["q", "k", "v"];
        for (var i = 0; i < 3; i++)
        {
            var ps = new Dictionary<string, Parameter> { ["weight"] = param[weight], ["bias"] = param[bias] };
            layers.Add(new LayerInfo(layers.Count, $"{name}.{names[i]}", Operations.Linear, "MatMul", inShape, tokens, ps, none, [from])
            {
                Blocks = new Dictionary<string, (long, long)> { ["weight"] = (starts[i], features), ["bias"] = (starts[i], features) },
            });
            projections[i] = layers.Count - 1;
        }
        layers.Add(new LayerInfo(layers.Count, $"{name}.attention", Operations.Attention, "Softmax", tokens, tokens, new Dictionary<string, Parameter>(),
            new Dictionary<string, object> { [NodeAttributes.Heads] = heads }, projections));
        var o = new Dictionary<string, Parameter> { ["weight"] = param[outWeight] };
        if (outBias is not null) o["bias"] = param[outBias];
        layers.Add(new LayerInfo(layers.Count, $"{name}.out_proj", Operations.Linear, "Gemm", tokens, outShape, o, none, [layers.Count - 1]));
        return layers.Count - 1;
    }

    /// <summary>Every multi-head attention of <paramref name="nodes"/> that matches the pattern.</summary>
    public static List<MultiHeadAttention> Find(IReadOnlyList<OnnxNode> nodes, Dictionary<string, Parameter> param, Dictionary<string, string> transposed,
        Dictionary<string, List<OnnxNode>> consumers, Dictionary<string, (long[] shape, bool floating)> shapes, Dictionary<string, long[]> small)
    {
        var producer = new Dictionary<string, OnnxNode>();
        foreach (var n in nodes) foreach (var o in n.Outputs) producer[o] = n;
        var constants = nodes.Where(n => n.OpType == "Constant").SelectMany(n => n.Outputs).ToHashSet();
        bool IsConstant(string v) => constants.Contains(v) || (!producer.ContainsKey(v) && !param.ContainsKey(v));
        // The one node that reads a value as data (the exporter's Shape nodes read it for its shape only).
        OnnxNode? Only(string value)
        {
            if (!consumers.TryGetValue(value, out var c)) return null;
            var data = c.Where(n => n.OpType != "Shape").ToList();
            return data.Count == 1 ? data[0] : null;
        }
        bool Perm(OnnxNode n, params long[] perm) => n.OpType == "Transpose" && (n.Ints("perm") ?? []).SequenceEqual(perm);

        var found = new List<MultiHeadAttention>();
        foreach (var softmax in nodes.Where(n => n.OpType == "Softmax"))
        {
            var path = new HashSet<OnnxNode> { softmax };
            if (!shapes.TryGetValue(softmax.Outputs[0], out var sm) || softmax.Int("axis", -1) is not (-1) && softmax.Int("axis", -1) != sm.shape.Length - 1) continue;
            if (!producer.TryGetValue(softmax.Inputs[0], out var logits) || logits.OpType != "MatMul") continue;
            path.Add(logits);
            var probabilities = softmax.Outputs[0];
            var next = Only(probabilities);
            if (next is { OpType: "Dropout" })
            {
                path.Add(next);
                probabilities = next.Outputs[0];
                next = Only(probabilities);
            }
            if (next is not { OpType: "MatMul" } mix || mix.Inputs[0] != probabilities) continue;
            path.Add(mix);

            // Back from q, k, v to the packed projection's Slice of one Add(b_in, MatMul(xᵀ, W_inᵀ)).
            (OnnxNode Slice, OnnxNode Reshape)? Back(string value)
            {
                OnnxNode? reshape = null;
                while (producer.TryGetValue(value, out var n) && Only(value) is not null)
                {
                    path.Add(n);
                    switch (n.OpType)
                    {
                        case "Slice": return reshape is null ? null : (n, reshape);
                        case "Reshape": reshape ??= n; value = n.Inputs[0]; break;
                        case "Transpose": value = n.Inputs[0]; break;
                        case "Div" or "Mul" when n.Inputs.Length == 2 && IsConstant(n.Inputs[1]): value = n.Inputs[0]; break;
                        default: return null;
                    }
                }
                return null;
            }
            var chains = new[] { Back(logits.Inputs[0]), Back(logits.Inputs[1]), Back(mix.Inputs[1]) };
            if (chains.Any(c => c is null)) continue;
            var packed = chains[0]!.Value.Slice.Inputs[0];
            if (chains.Any(c => c!.Value.Slice.Inputs[0] != packed) || !consumers.TryGetValue(packed, out var slicers)
                || slicers.Count(c => c.OpType == "Slice") != 3) continue;
            if (!producer.TryGetValue(packed, out var add) || add.OpType != "Add" || add.Inputs.Length != 2) continue;
            var product = add.Inputs.FirstOrDefault(i => producer.TryGetValue(i, out var p) && p.OpType == "MatMul");
            var biasName = add.Inputs.FirstOrDefault(i => i != product);
            if (product is null || biasName is null || !param.ContainsKey(biasName) || Only(product) != add) continue;
            var matmul = producer[product];
            if (matmul.Inputs.Length != 2 || !transposed.TryGetValue(matmul.Inputs[1], out var weightName)) continue;
            // batch_first: the exporter's Transpose(1,0,2) into sequence-first; batch_first=False: the input is already T×N×D.
            var into = producer.TryGetValue(matmul.Inputs[0], out var t) && Perm(t, 1, 0, 2) && Only(t.Outputs[0]) == matmul ? t : null;
            path.UnionWith([matmul, add]);
            if (into is not null) path.Add(into);
            var w = param[weightName];
            if (w.dim() != 2 || w.shape[0] % 3 != 0) continue;
            long d = w.shape[0] / 3;
            // Each Slice takes d features of the last axis; q, k, v its start.
            long? Start(OnnxNode slice)
            {
                if (slice.Inputs.Length < 4 || !small.TryGetValue(slice.Inputs[1], out var s) || !small.TryGetValue(slice.Inputs[2], out var e)
                    || !small.TryGetValue(slice.Inputs[3], out var axes) || s.Length != 1 || e.Length != 1 || axes.Length != 1) return null;
                if (slice.Inputs.Length > 4 && (!small.TryGetValue(slice.Inputs[4], out var step) || step is not [1])) return null;
                var rank = shapes[packed].shape.Length;
                return (axes[0] == -1 || axes[0] == rank - 1) && e[0] - s[0] == d && s[0] % d == 0 ? s[0] : null;
            }
            var starts = chains.Select(c => Start(c!.Value.Slice)).ToArray();
            if (starts.Any(s => s is null) || starts.Distinct().Count() != 3) continue;
            long headDim = shapes[chains[0]!.Value.Reshape.Outputs[0]].shape[^1];
            if (headDim < 1 || d % headDim != 0) continue;

            // Forward from the mix through the heads' transposes and reshapes to out_proj, then back to batch first.
            var value = mix.Outputs[0];
            OnnxNode? step2 = Only(value);
            while (step2 is { OpType: "Transpose" or "Reshape" })
            {
                path.Add(step2);
                value = step2.Outputs[0];
                step2 = Only(value);
            }
            string? outWeight = null, outBias = null;
            if (step2 is { OpType: "Gemm" } gemm && gemm.Inputs.Length >= 2 && param.ContainsKey(gemm.Inputs[1]) && gemm.Int("transB", 0) == 1
                && gemm.Int("transA", 0) == 0 && gemm.Float("alpha", 1) == 1 && gemm.Float("beta", 1) == 1 && (gemm.Inputs.Length < 3 || param.ContainsKey(gemm.Inputs[2])))
            {
                outWeight = gemm.Inputs[1];
                outBias = gemm.Inputs.Length > 2 ? gemm.Inputs[2] : null;
                path.Add(gemm);
                value = gemm.Outputs[0];
            }
            else if (step2 is { OpType: "MatMul" } mm && transposed.TryGetValue(mm.Inputs[1], out var ow))
            {
                outWeight = ow;
                path.Add(mm);
                value = mm.Outputs[0];
                if (Only(value) is { OpType: "Add" } ob && ob.Inputs.FirstOrDefault(i => i != value) is { } obName && param.ContainsKey(obName))
                {
                    outBias = obName;
                    path.Add(ob);
                    value = ob.Outputs[0];
                }
            }
            if (outWeight is null || param[outWeight].shape[1] != d) continue;
            OnnxNode? last = null;
            for (var after = Only(value); after is { OpType: "Transpose" or "Reshape" }; after = Only(value))
            {
                path.Add(after);
                last = after;
                value = after.Outputs[0];
            }
            // Back to batch first after a transposed input; sequence-first ends where it began, without one.
            if (into is not null ? last is null || !Perm(last, 1, 0, 2) : last is not null && last.OpType != "Reshape") continue;
            var name = weightName.EndsWith(".in_proj_weight") ? weightName[..^".in_proj_weight".Length] : weightName;
            found.Add(new MultiHeadAttention(into?.Inputs[0] ?? matmul.Inputs[0], value, last ?? producer[value], path, weightName, biasName, starts.Select(s => s!.Value).ToArray(),
                d, d / headDim, outWeight, outBias, name));
        }
        return found;
    }
}
