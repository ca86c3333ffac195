using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Models.Onnx;

/// <summary>
/// The ONNX operators the importer executes (what torchvision's ResNets, MobileNetV2, SqueezeNet, VGGs
/// and a pre-LN nn.TransformerEncoderLayer export to at opset 13–17), each as its TorchSharp equivalent.
/// Shape arithmetic (Shape, Gather, Unsqueeze, Slice, Concat of shapes) runs on CPU int64 tensors.
/// </summary>
internal static class OnnxOperators
{
    public static readonly IReadOnlySet<string> Supported = new HashSet<string>
    {
        "Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Erf", "ReduceMean",
        "BatchNormalization", "LayerNormalization", "Relu", "LeakyRelu", "Clip", "Sigmoid", "Tanh", "Gelu",
        "Softmax", "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten", "Reshape", "Transpose", "Concat",
        "Dropout", "Identity", "Constant", "Shape", "Gather", "Unsqueeze", "Squeeze", "Slice", "Cast", "Pad",
    };

    /// <summary>The state of one forward: the network (its mode), the float dtype and device of the computation.</summary>
    internal sealed class Context(OnnxNetwork network, ScalarType inputType, Device device)
    {
        public OnnxNetwork Network { get; } = network;
        public ScalarType FloatType { get; } = torch.is_floating_point(inputType) ? inputType :
            network.parameters().Select(p => p.dtype).DefaultIfEmpty(ScalarType.Float32).First();
        public Device Device { get; } = device;
        public bool Training => Network.training;
    }

    /// <summary>Every node's operator is in the set and its attributes are ones the importer executes; else one line naming node, op type and file.</summary>
    public static void CheckSupported(IEnumerable<OnnxNode> nodes, string file)
    {
        foreach (var n in nodes)
        {
            if (!string.IsNullOrEmpty(n.Domain) && n.Domain != "ai.onnx" || !Supported.Contains(n.OpType))
                throw InvalidInputException.InFile(file, $"node {n.Name}",
                    $"op type '{(string.IsNullOrEmpty(n.Domain) ? "" : n.Domain + ".")}{n.OpType}' is not supported (supported: {string.Join(", ", Supported.Order())})");
            if (n.OpType is "Conv" or "MaxPool" or "AveragePool")
            {
                var autoPad = n.Text("auto_pad", "NOTSET");
                if (autoPad != "NOTSET")
                    throw InvalidInputException.InFile(file, $"node {n.Name} ({n.OpType}) auto_pad", $"expected NOTSET (explicit pads, as PyTorch exports), found {autoPad}");
                var k = n.Ints("kernel_shape");
                if (k is not null && k.Length != 2)
                    throw InvalidInputException.InFile(file, $"node {n.Name} ({n.OpType}) kernel_shape", $"expected a 2-D kernel, found {k.Length}-D");
            }
            if (n.OpType == "Gelu" && n.Text("approximate", "none") != "none")
                throw InvalidInputException.InFile(file, $"node {n.Name} (Gelu) approximate", $"expected 'none', found '{n.Text("approximate", "none")}'");
            if (n.OpType == "Pad" && n.Text("mode", "constant") != "constant")
                throw InvalidInputException.InFile(file, $"node {n.Name} (Pad) mode", $"expected 'constant', found '{n.Text("mode", "constant")}'");
        }
    }

    /// <summary>A Constant node's value as a CPU tensor.</summary>
    public static Tensor ConstantValue(OnnxNode n, string file)
    {
        if (n.Attributes.TryGetValue("value", out var v)) return OnnxFile.ToTensor(v.T, file);
        if (n.Attributes.TryGetValue("value_float", out v)) return torch.tensor(v.F);
        if (n.Attributes.TryGetValue("value_floats", out v)) return torch.tensor(v.Floats.ToArray());
        if (n.Attributes.TryGetValue("value_int", out v)) return torch.tensor(v.I);
        if (n.Attributes.TryGetValue("value_ints", out v)) return torch.tensor(v.Ints.ToArray());
        throw InvalidInputException.InFile(file, $"node {n.Name} (Constant)", "expected a value, value_float(s) or value_int(s) attribute");
    }

    public static Tensor Run(OnnxNode n, int index, Tensor?[] x, Context c)
    {
        Tensor In(int i) => x[i] ?? throw InvalidInputException.InFile(c.Network.FilePath, $"node {n.Name} ({n.OpType})", $"expected input {i}, found none");
        switch (n.OpType)
        {
            case "Identity": return In(0).alias();
            case "Relu": return In(0).relu();
            case "Sigmoid": return In(0).sigmoid();
            case "Tanh": return In(0).tanh();
            case "Erf": return In(0).erf();
            case "Sqrt": return In(0).sqrt();
            case "Gelu": return nn.functional.gelu(In(0));
            case "LeakyRelu": return c.Network.ChildOf(index).forward(In(0));
            case "Add": { var (a, b) = Pair(In(0), In(1), c); return a.add(b); }
            case "Sub": { var (a, b) = Pair(In(0), In(1), c); return a.sub(b); }
            case "Mul": { var (a, b) = Pair(In(0), In(1), c); return a.mul(b); }
            case "Pow": { var (a, b) = Pair(In(0), In(1), c); return a.pow(b); }
            case "Div":
            {
                var (a, b) = Pair(In(0), In(1), c);
                return a.is_floating_point() ? a.div(b) : a.div(b, RoundingMode.trunc);
            }
            case "Clip":
            {
                var t = In(0);
                Tensor? lo = x.Length > 1 ? x[1] : null, hi = x.Length > 2 ? x[2] : null;
                if (c.Network.Opset < 11)
                {
                    lo = n.Attributes.ContainsKey("min") ? torch.tensor(n.Float("min", 0)) : null;
                    hi = n.Attributes.ContainsKey("max") ? torch.tensor(n.Float("max", 0)) : null;
                }
                return t.clamp(lo?.to(t.dtype, t.device), hi?.to(t.dtype, t.device));
            }
            case "Softmax":
            {
                var t = In(0);
                if (c.Network.Opset >= 13) return t.softmax(n.Int("axis", -1));
                var axis = Axis(n.Int("axis", 1), t.dim());
                return t.flatten(axis).softmax(-1).reshape(t.shape);
            }
            case "Gemm":
            {
                var a = In(0); var b = In(1);
                // PyTorch's Linear (transB = 1, α = β = 1) is one fused addmm, as the zoo's nn.Linear runs it.
                if (n.Int("transA", 0) == 0 && n.Int("transB", 0) == 1 && n.Float("alpha", 1.0) == 1.0 && n.Float("beta", 1.0) == 1.0
                    && a.dim() == 2 && b.dim() == 2 && a.shape[1] == b.shape[1])
                    return nn.functional.linear(a, b, x.Length > 2 ? x[2] : null);
                if (n.Int("transA", 0) == 1) a = a.t();
                if (n.Int("transB", 0) == 1) b = b.t();
                var y = torch.matmul(Check2(a, b, n, c), b);
                var alpha = n.Float("alpha", 1.0);
                if (alpha != 1.0) y = y.mul(Number(alpha, y));
                if (x.Length > 2 && x[2] is { } bias)
                {
                    var beta = n.Float("beta", 1.0);
                    y = y.add(beta == 1.0 ? bias : bias.mul(Number(beta, bias)));
                }
                return y;
            }
            case "MatMul":
            {
                var a = In(0); var b = In(1);
                if (a.dim() < 1 || b.dim() < 1 || a.shape[^1] != (b.dim() == 1 ? b.shape[0] : b.shape[^2]))
                    throw InvalidInputException.InFile(c.Network.FilePath, $"node {n.Name} (MatMul)", $"expected matching inner dimensions, found [{string.Join(",", a.shape)}] × [{string.Join(",", b.shape)}]");
                return torch.matmul(a, b);
            }
            case "Conv":
            {
                var t = In(0); var w = In(1);
                var pads = n.Ints("pads") ?? [0, 0, 0, 0];
                var strides = n.Ints("strides") ?? [1, 1];
                var dilations = n.Ints("dilations") ?? [1, 1];
                var groups = n.Int("group", 1);
                if (pads[0] != pads[2] || pads[1] != pads[3])
                {
                    t = nn.functional.pad(t, [pads[1], pads[3], pads[0], pads[2]]);
                    pads = [0, 0, 0, 0];
                }
                // A strided 1×1 convolution without padding reads only every s-th pixel: run it as that
                // subsampling and a stride-1 convolution, the same function, as the zoo's BasicBlock does:
                // oneDNN's AVX2 weight-gradient kernel for the strided form on channels-last input with 3–7
                // input channels is wrong and differs pass to pass (InputLayout).
                if (w.dim() == 4 && w.shape[2] == 1 && w.shape[3] == 1 && pads.All(p => p == 0) && dilations.All(d => d == 1) && strides.Any(s => s != 1))
                {
                    t = t[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(null, null, strides[0]), TensorIndex.Slice(null, null, strides[1])];
                    strides = [1, 1];
                }
                return nn.functional.conv2d(t, w, x.Length > 2 ? x[2] : null, strides, [pads[0], pads[1]], dilations, groups);
            }
            case "BatchNormalization":
            {
                // ONNX's momentum weighs the old statistic (0.9), PyTorch's the new one (0.1).
                var momentum = 1.0 - n.Float("momentum", 0.9);
                return nn.functional.batch_norm(In(0), In(3), In(4), In(1), In(2), c.Training, momentum, n.Float("epsilon", 1e-5));
            }
            case "LayerNormalization":
            {
                var t = In(0);
                var axis = Axis(n.Int("axis", -1), t.dim());
                return nn.functional.layer_norm(t, t.shape[(int)axis..], x.Length > 1 ? x[1] : null, x.Length > 2 ? x[2] : null, n.Float("epsilon", 1e-5));
            }
            case "ReduceMean":
            {
                var t = In(0);
                var axes = n.Ints("axes") ?? (x.Length > 1 && x[1] is { } ax ? Longs(ax) : Enumerable.Range(0, (int)t.dim()).Select(i => (long)i).ToArray());
                return t.mean(axes.Select(a => Axis(a, t.dim())).ToArray(), n.Int("keepdims", 1) == 1);
            }
            case "MaxPool":
            {
                var pads = n.Ints("pads") ?? [0, 0, 0, 0];
                var k = n.Ints("kernel_shape")!;
                var t = In(0);
                if (pads[0] != pads[2] || pads[1] != pads[3])
                    throw InvalidInputException.InFile(c.Network.FilePath, $"node {n.Name} (MaxPool) pads", "expected symmetric pads, as PyTorch exports");
                return nn.functional.max_pool2d(t, k, n.Ints("strides") ?? k, [pads[0], pads[1]], n.Ints("dilations") ?? [1, 1], n.Int("ceil_mode", 0) == 1);
            }
            case "AveragePool":
            {
                var pads = n.Ints("pads") ?? [0, 0, 0, 0];
                var k = n.Ints("kernel_shape")!;
                if (pads[0] != pads[2] || pads[1] != pads[3])
                    throw InvalidInputException.InFile(c.Network.FilePath, $"node {n.Name} (AveragePool) pads", "expected symmetric pads, as PyTorch exports");
                return nn.functional.avg_pool2d(In(0), k, n.Ints("strides") ?? k, [pads[0], pads[1]], n.Int("ceil_mode", 0) == 1, n.Int("count_include_pad", 0) == 1);
            }
            case "GlobalAveragePool":
            {
                var t = In(0);
                // An image batch takes the zoo's AdaptiveAvgPool2d(1) kernel; other ranks the mean over the spatial axes.
                if (t.dim() == 4) return nn.functional.adaptive_avg_pool2d(t, [1, 1]);
                return t.mean(Enumerable.Range(2, (int)t.dim() - 2).Select(i => (long)i).ToArray(), true);
            }
            case "Flatten":
            {
                var t = In(0);
                var axis = Axis(n.Int("axis", 1), t.dim());
                var outer = t.shape[..(int)axis].Aggregate(1L, (a, b) => a * b);
                return t.reshape(outer, -1);
            }
            case "Reshape":
            {
                var t = In(0);
                var shape = Longs(In(1));
                if (n.Int("allowzero", 0) == 0)
                    for (var i = 0; i < shape.Length; i++) if (shape[i] == 0) shape[i] = t.shape[i];
                return t.reshape(shape);
            }
            case "Transpose":
            {
                var t = In(0);
                var perm = n.Ints("perm") ?? Enumerable.Range(0, (int)t.dim()).Reverse().Select(i => (long)i).ToArray();
                return t.permute(perm);
            }
            case "Concat":
            {
                var parts = x.Where(p => p is not null).Select(p => p!).ToList();
                if (parts.Any(p => p.is_floating_point()))
                    parts = parts.Select(p => p.to(c.FloatType, c.Device)).ToList();
                var axis = Axis(n.Int("axis", 0), parts[0].dim());
                return torch.cat(parts, axis);
            }
            case "Dropout": return c.Network.ChildOf(index).forward(In(0));
            case "Shape":
            {
                var dims = In(0).shape;
                var dim = dims.Length;
                var start = (int)Axis(n.Int("start", 0), dim, clamp: true);
                var end = (int)Axis(n.Int("end", dim), dim, clamp: true);
                return torch.tensor(dims[start..Math.Max(start, end)]);
            }
            case "Gather":
            {
                var t = In(0); var idx = In(1).to(ScalarType.Int64);
                var axis = Axis(n.Int("axis", 0), t.dim());
                var size = torch.tensor(t.shape[axis]);
                using var zero = torch.tensor(0L);
                var positive = torch.where(idx.lt(zero), idx.add(size), idx).to(t.device);
                var picked = t.index_select(axis, positive.flatten());
                var shape = t.shape[..(int)axis].Concat(idx.shape).Concat(t.shape[((int)axis + 1)..]).ToArray();
                return picked.reshape(shape);
            }
            case "Unsqueeze":
            {
                var t = In(0);
                var axes = (c.Network.Opset >= 13 ? Longs(In(1)) : n.Ints("axes")!).Select(a => Axis(a, t.dim() + (x.Length > 1 ? Longs(In(1)).Length : n.Ints("axes")!.Length))).Order().ToArray();
                foreach (var a in axes) t = t.unsqueeze(a);
                return t;
            }
            case "Squeeze":
            {
                var t = In(0);
                var axes = c.Network.Opset >= 13 ? (x.Length > 1 && x[1] is { } ax ? Longs(ax) : null) : n.Ints("axes");
                if (axes is null) return t.squeeze();
                foreach (var a in axes.Select(a => Axis(a, t.dim())).OrderDescending()) t = t.squeeze(a);
                return t;
            }
            case "Slice":
            {
                var t = In(0);
                var starts = Longs(In(1)); var ends = Longs(In(2));
                var axes = x.Length > 3 && x[3] is { } ax ? Longs(ax) : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
                var steps = x.Length > 4 && x[4] is { } st ? Longs(st) : Enumerable.Repeat(1L, starts.Length).ToArray();
                for (var i = 0; i < starts.Length; i++)
                {
                    var axis = Axis(axes[i], t.dim());
                    var size = t.shape[axis];
                    if (steps[i] <= 0)
                        throw InvalidInputException.InFile(c.Network.FilePath, $"node {n.Name} (Slice) steps", $"expected positive steps, found {steps[i]}");
                    var s = Math.Clamp(starts[i] < 0 ? starts[i] + size : starts[i], 0, size);
                    var e = Math.Clamp(ends[i] < 0 ? ends[i] + size : ends[i], 0, size);
                    t = t.slice(axis, s, Math.Max(s, e), steps[i]);
                }
                return t;
            }
            case "Cast":
            {
                var t = In(0);
                // Floating casts go to the computation's dtype, so a float64 run (the verifier) stays float64.
                return n.Int("to", 1) switch
                {
                    1 or 10 or 11 or 16 => t.to(c.FloatType, t.is_floating_point() ? t.device : c.Device),
                    9 => t.to(ScalarType.Bool),
                    _ => t.to(ScalarType.Int64),
                };
            }
            case "Pad":
            {
                var t = In(0);
                var pads = c.Network.Opset >= 11 ? Longs(In(1)) : n.Ints("pads")!;
                var rank = pads.Length / 2;
                // ONNX: all begins then all ends, first axis first; PyTorch: (begin, end) pairs, last axis first.
                var torchPads = new long[pads.Length];
                for (var i = 0; i < rank; i++)
                {
                    torchPads[2 * i] = pads[rank - 1 - i];
                    torchPads[2 * i + 1] = pads[2 * rank - 1 - i];
                }
                var value = c.Network.Opset >= 11 ? (x.Length > 2 && x[2] is { } v ? v.to(ScalarType.Float64).cpu().data<double>()[0] : 0.0) : n.Float("value", 0);
                if (torchPads.All(p => p == 0)) return t.alias();
                return nn.functional.pad(t, torchPads, PaddingModes.Constant, value);
            }
            default:
                throw InvalidInputException.InFile(c.Network.FilePath, $"node {n.Name}", $"op type '{n.OpType}' is not supported");
        }
    }

    /// <summary>Two operands of one arithmetic op in one dtype and device (a CPU int64 shape value meeting a float tensor takes its dtype).</summary>
    private static (Tensor, Tensor) Pair(Tensor a, Tensor b, Context c)
    {
        if (a.dtype == b.dtype && a.device_type == b.device_type) return (a, b);
        if (a.is_floating_point()) return (a, b.to(a.dtype, a.device));
        if (b.is_floating_point()) return (a.to(b.dtype, b.device), b);
        return (a, b.to(a.dtype, a.device));
    }

    private static Tensor Number(double value, Tensor like) => torch.tensor(value, like.dtype, like.device);

    private static Tensor Check2(Tensor a, Tensor b, OnnxNode n, Context c)
    {
        if (a.dim() != 2 || b.dim() != 2 || a.shape[1] != b.shape[0])
            throw InvalidInputException.InFile(c.Network.FilePath, $"node {n.Name} (Gemm)", $"expected matrices with matching inner dimensions, found [{string.Join(",", a.shape)}] × [{string.Join(",", b.shape)}]");
        return a;
    }

    private static long[] Longs(Tensor t) => t.to(ScalarType.Int64).cpu().data<long>().ToArray();

    private static long Axis(long axis, long rank, bool clamp = false)
    {
        var a = axis < 0 ? axis + rank : axis;
        return clamp ? Math.Clamp(a, 0, rank) : a;
    }
}
