namespace NeuralMechanics.Models;

/// <summary>The models <c>nmech</c> knows by name.</summary>
public static class ModelZoo
{
    /// <summary>Every model name.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["logistic", "mlp", "vgg11", "vgg11-bn", "vgg13", "vgg13-bn", "vgg16", "vgg16-bn", "vgg19", "vgg19-bn"];

    /// <summary>
    /// Builds <paramref name="name"/> for inputs of shape C×H×W and <paramref name="classes"/>
    /// outputs. Seed torch (torch.manual_seed) first for a reproducible initialisation.
    /// </summary>
    public static ZooModel Create(string name, long[] inputShape, int classes, ModelOptions? options = null, LossKind loss = LossKind.CrossEntropy)
    {
        options ??= new ModelOptions();
        if (classes < 1) throw new InvalidInputException($"classes: expected ≥ 1, found {classes}");
        string n = name.ToLowerInvariant();
        if (n == "logistic") return Mlp.Create(n, inputShape, classes, options with { Depth = 0 }, loss);
        if (n == "mlp") return Mlp.Create(n, inputShape, classes, options, loss);
        if (n.StartsWith("vgg"))
        {
            bool bn = n.EndsWith("-bn");
            if (int.TryParse(bn ? n[3..^3] : n[3..], out int depth) && Vgg.Configs.ContainsKey(depth))
                return Vgg.Create(depth, bn, inputShape, classes, options, loss);
        }
        throw new InvalidInputException($"--model: unknown model '{name}'; expected one of {string.Join(", ", Names)}");
    }
}
