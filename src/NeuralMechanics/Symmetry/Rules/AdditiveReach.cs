using NeuralMechanics.Models;

namespace NeuralMechanics.Symmetry;

/// <summary>
/// Where a shift added to a node's output goes: through the operations that pass it (<see cref="Operation.PassesShift"/>: identities, adds, tokens, token means, positional embeddings) unchanged, to the
/// first nodes that do anything else. The translation rules ask whether every such node removes it.
/// </summary>
internal static class AdditiveReach
{
    /// <summary>The nodes the output of <paramref name="node"/> reaches through identities and adds, and whether it reaches the network's output.</summary>
    public static (IReadOnlyList<LayerInfo> Terminals, bool ReachesOutput) From(Architecture architecture, int node)
    {
        var terminals = new List<LayerInfo>();
        bool output = false;
        var seen = new HashSet<int>();
        var pending = new Stack<int>([node]);
        while (pending.Count > 0)
        {
            int v = pending.Pop();
            if (!seen.Add(v)) continue;
            if (v == architecture.Output) output = true;
            foreach (int c in architecture.Consumers(v))
            {
                var l = architecture.Layers[c];
                if (l.Operation.PassesShift) pending.Push(c);
                else if (!terminals.Contains(l)) terminals.Add(l);
            }
        }
        return (terminals, output);
    }
}
