using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Models.Onnx;

/// <summary>
/// An .onnx file as the importer reads it: the graph (protoc's types from onnx.proto, internal), its
/// opset, its initializers and constants as CPU tensors, the per-example input shape and the classes.
/// </summary>
internal sealed class OnnxFile
{
    private OnnxFile(string path, GraphProto graph, long opset)
    {
        Path = path;
        Graph = graph;
        Opset = opset;
    }

    /// <summary>The file, for error messages.</summary>
    public string Path { get; }

    public GraphProto Graph { get; }

    /// <summary>The default domain's opset (attributes and inputs of several operators changed with it).</summary>
    public long Opset { get; }

    /// <summary>Initializers by name (state_dict entries keep their names; the exporter's own constants are "onnx::…").</summary>
    public Dictionary<string, TensorProto> Initializers { get; } = new();

    /// <summary>Reads and parses the file; anything that is not an ONNX model is an <see cref="InvalidInputException"/>.</summary>
    public static OnnxFile Read(string path)
    {
        if (!File.Exists(path)) throw InvalidInputException.InFile(path, "file", "expected an .onnx file, found nothing");
        ModelProto model;
        try
        {
            using var stream = File.OpenRead(path);
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw InvalidInputException.InFile(path, "ModelProto", "expected an ONNX model (protobuf), " + e.Message);
        }
        if (model.Graph is null || model.Graph.Node.Count == 0)
            throw InvalidInputException.InFile(path, "graph", "expected a graph with nodes, found none");
        var opset = model.OpsetImport.Where(o => string.IsNullOrEmpty(o.Domain) || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        var file = new OnnxFile(path, model.Graph, opset);
        foreach (var t in model.Graph.Initializer) file.Initializers[t.Name] = t;
        return file;
    }

    /// <summary>The graph's one real input (initializers listed as inputs by old exporters excluded).</summary>
    public ValueInfoProto Input
    {
        get
        {
            var inputs = Graph.Input.Where(i => !Initializers.ContainsKey(i.Name)).ToList();
            if (inputs.Count != 1)
                throw InvalidInputException.InFile(Path, "graph.input", $"expected one input tensor, found {inputs.Count}");
            return inputs[0];
        }
    }

    /// <summary>The shape of one example (the input's dimensions after the batch), from the file.</summary>
    public long[] ExampleShape => Dims(Input, "graph.input")[1..];

    /// <summary>The classes: the last dimension of the graph's output.</summary>
    public long Classes
    {
        get
        {
            if (Graph.Output.Count != 1)
                throw InvalidInputException.InFile(Path, "graph.output", $"expected one output, found {Graph.Output.Count}");
            var dims = Dims(Graph.Output[0], "graph.output");
            return dims[^1];
        }
    }

    private long[] Dims(ValueInfoProto value, string field)
    {
        var shape = value.Type?.TensorType?.Shape;
        if (shape is null || shape.Dim.Count < 2)
            throw InvalidInputException.InFile(Path, $"{field} {value.Name}", "expected a tensor of a batch of examples with a known shape");
        var dims = new long[shape.Dim.Count];
        for (var i = 0; i < dims.Length; i++)
        {
            var d = shape.Dim[i];
            if (i > 0 && d.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue)
                throw InvalidInputException.InFile(Path, $"{field} {value.Name} dim {i}", $"expected a fixed size, found '{d.DimParam}'");
            dims[i] = d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1;
        }
        return dims;
    }

    /// <summary>Whether a tensor holds floating-point numbers (float, double, half, bfloat16).</summary>
    public static bool IsFloating(TensorProto t) => t.DataType is 1 or 10 or 11 or 16;

    /// <summary>A TensorProto's values of type T: its raw little-endian bytes where it has them, else its typed field; as many as its dims say.</summary>
    private static T[] Values<T>(ReadOnlySpan<byte> raw, IEnumerable<T> typed, long count, string file, string where) where T : unmanaged
    {
        var v = raw.Length > 0 ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(raw).ToArray() : typed.ToArray();
        Check(v.Length, count, file, where);
        return v;
    }

    /// <summary>A TensorProto as a CPU tensor: floating types as float32 or float64, integers as int64, bool as bool.</summary>
    public static Tensor ToTensor(TensorProto t, string file)
    {
        var dims = t.Dims.ToArray();
        var count = dims.Aggregate(1L, (a, b) => a * b);
        var raw = t.RawData.Span;
        var where = $"initializer {t.Name}";
        switch (t.DataType)
        {
            case 1: // FLOAT
                return torch.tensor(Values<float>(raw, t.FloatData, count, file, where), dims);
            case 11: // DOUBLE
                return torch.tensor(Values<double>(raw, t.DoubleData, count, file, where), dims);
            case 7: // INT64
                return torch.tensor(Values<long>(raw, t.Int64Data, count, file, where), dims);
            case 6: // INT32
                return torch.tensor(Values<int>(raw, t.Int32Data, count, file, where).Select(x => (long)x).ToArray(), dims);
            case 9: // BOOL
            {
                var v = raw.Length > 0 ? raw.ToArray().Select(b => b != 0).ToArray() : t.Int32Data.Select(b => b != 0).ToArray();
                Check(v.Length, count, file, where);
                return torch.tensor(v, dims);
            }
            default:
                throw InvalidInputException.InFile(file, where, $"expected float, double, int32, int64 or bool data, found ONNX data type {t.DataType}");
        }
    }

    private static void Check(long found, long expected, string file, string where)
    {
        if (found != expected) throw InvalidInputException.InFile(file, where, $"expected {expected} values for its dims, found {found}");
    }
}
