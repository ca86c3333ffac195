using System.Text.Json;
using NeuralMechanics.Runs;
using NeuralMechanics.Symmetry;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Python;

/// <summary>
/// The groups file (<c>nmech symmetries --groups FILE.json</c>; docs/design.md, "What is written for
/// Python"): every symmetry group of a network, one JSON object per group, in terms a PyTorch user
/// applies to the original module's <c>state_dict()</c>:
/// <c>{"model", "parameters", "counts", "groups": [{"kind", "set", "unit", "exact", "a": [SLICE, …], "b": [SLICE, …]}, …]}</c>
/// with a slice <c>{"parameter": NAME, "dim": D, "index": I}</c> = <c>state_dict[NAME].select(D, I)</c>
/// (<c>"dim": null, "index": null</c>: the whole tensor), or, where the unit is not one <c>select</c>
/// of the parameter's own shape (a Linear's columns after a flatten, a convolution's input columns,
/// a GroupNorm's groups), <c>{"parameter", "view": [..], "dim", "index"}</c> =
/// <c>state_dict[NAME].view(VIEW).select(D, I)</c>. Translation adds one constant to every element
/// of a; scale multiplies a by α; rescale multiplies a by α and divides b by α.
/// </summary>
public static class GroupsFile
{
    /// <summary>
    /// Writes every group of <paramref name="analysis"/> (found on <paramref name="network"/>'s live
    /// parameters) to <paramref name="path"/>, atomically; parameter names are the state_dict names
    /// (the network's own, or its <see cref="Models.IStateDictNames"/> map's).
    /// </summary>
    public static void Write(string path, string model, nn.Module network, SymmetryAnalysis analysis)
    {
        var names = StateDictNaming.Parameters(network);
        AtomicFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
            json.WriteStartObject();
            json.WriteString("model", model);
            json.WriteNumber("parameters", analysis.Architecture.ParameterCount);
            json.WriteStartObject("counts");
            foreach (var kind in Enum.GetValues<SymmetryKind>()) json.WriteNumber(kind.Name(), analysis.Count(kind));
            json.WriteEndObject();
            json.WriteStartArray("groups");
            foreach (var set in analysis.Sets)
            {
                var a = set.A.Select(s => (Name: NameOf(names, s), Slice: s, Select: Selection(s))).ToList();
                var b = set.B.Select(s => (Name: NameOf(names, s), Slice: s, Select: Selection(s))).ToList();
                for (long unit = 0; unit < set.Count; unit++)
                {
                    json.WriteStartObject();
                    json.WriteString("kind", set.Kind.Name());
                    json.WriteString("set", set.Layer);
                    json.WriteNumber("unit", unit);
                    json.WriteBoolean("exact", set.Exact);
                    WriteSlices(json, "a", a, unit);
                    WriteSlices(json, "b", b, unit);
                    json.WriteEndObject();
                }
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static string NameOf(Dictionary<Parameter, string> names, UnitSlice s) =>
        names.TryGetValue(s.Tensor, out var name)
            ? name
            : throw new InvalidOperationException($"the symmetry analysis holds {s.FullName}, which is not a parameter of the network it was given");

    /// <summary>
    /// How unit u of a slice is taken from the parameter: the whole tensor (one unit: Dim null), one
    /// <c>select(Dim, u)</c> of its own shape (View null), or <c>view(View).select(Dim, u)</c>.
    /// </summary>
    internal static (int? Dim, long[]? View) Selection(UnitSlice s)
    {
        if (s.AllUnits == 1) return (null, null);
        // select(k, u) of the parameter's own shape takes the same elements as the slice when the
        // dimensions before k hold as many elements as the view's dimensions before its unit
        // dimension and dimension k is as long as the unit dimension.
        long before = 1;
        for (int d = 0; d < s.UnitDim; d++) before *= s.View[d];
        // A row block's selection is of the block (the file's "rows" narrows the parameter to it first).
        var shape = s.IsWhole ? s.Tensor.shape : [s.RowCount, .. s.Tensor.shape[1..]];
        long leading = 1;
        for (int k = 0; k < shape.Length && leading <= before; k++)
        {
            if (leading == before && shape[k] == s.AllUnits) return (k, null);
            leading *= shape[k];
        }
        return (s.UnitDim, s.View);
    }

    private static void WriteSlices(Utf8JsonWriter json, string side, List<(string Name, UnitSlice Slice, (int? Dim, long[]? View) Select)> slices, long unit)
    {
        json.WriteStartArray(side);
        foreach (var (name, slice, (dim, view)) in slices)
        {
            json.WriteStartObject();
            json.WriteString("parameter", name);
            // A row block selected along dimension 0 is the packed parameter's row Start + u; any other
            // selection of a block narrows the parameter to it first ("rows": state_dict[NAME].narrow(0, start, rows)).
            bool rowOfBlock = !slice.IsWhole && dim == 0 && view is null;
            if (!slice.IsWhole && !rowOfBlock)
            {
                // state_dict[NAME].narrow(0, start, rows): the node's block of a packed parameter.
                json.WriteStartArray("rows");
                json.WriteNumberValue(slice.Start);
                json.WriteNumberValue(slice.RowCount);
                json.WriteEndArray();
            }
            if (view is not null)
            {
                json.WriteStartArray("view");
                foreach (var v in view) json.WriteNumberValue(v);
                json.WriteEndArray();
            }
            if (dim is int d)
            {
                json.WriteNumber("dim", d);
                // A part of a concatenation starts at its range of the reader's columns (From).
                json.WriteNumber("index", (rowOfBlock ? slice.Start : 0) + slice.From + unit);
            }
            else
            {
                json.WriteNull("dim");
                json.WriteNull("index");
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
