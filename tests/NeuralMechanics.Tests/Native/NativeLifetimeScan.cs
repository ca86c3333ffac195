using System.Collections.Immutable;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NeuralMechanics.Tests.Native;

/// <summary>
/// Finds, with Roslyn's semantic model, every place where C# code hands libtorch a
/// <see cref="TorchSharp.Scalar"/> that nothing keeps alive through the native call: a tensor
/// read by <c>ToDouble()</c>/<c>ToSingle()</c>/<c>ToInt64()</c>/<c>ToInt32()</c>/<c>ToBoolean()</c>/
/// <c>ToScalar()</c>/<c>item&lt;T&gt;()</c>/an explicit cast (outside <see cref="TensorValues"/>), and
/// every Scalar made from a number (implicit conversion or <c>ToScalar()</c>) that is not the
/// initializer of a <c>using</c> local or of a field.
/// </summary>
internal static class NativeLifetimeScan
{
    private static readonly HashSet<string> TensorReads = ["ToDouble", "ToSingle", "ToInt64", "ToInt32", "ToInt16", "ToByte", "ToBoolean", "ToScalar", "item"];

    // A [GeneratedRegex] partial method has its body from a source generator this scan does not run.
    private static readonly HashSet<string> IgnoredErrors = ["CS8795"];

    /// <summary>Where the solution's projects (src, bench, tests, examples) break the rule, as "path:line: what".</summary>
    public static List<string> ScanRepository(string root)
    {
        var findings = new List<string>();
        var projects = new[] { "src", "bench", "tests", "examples" }
            .Select(d => Path.Combine(root, d)).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.csproj", SearchOption.AllDirectories))
            .Where(p => !IsBuildOutput(p)).Order().ToList();
        if (projects.Count == 0) throw new InvalidOperationException($"no projects under {root}");
        foreach (var project in projects)
        {
            var dir = Path.GetDirectoryName(project)!;
            var sources = Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
                .Where(f => !IsBuildOutput(f)).Order().Select(f => (Path.GetRelativePath(root, f), File.ReadAllText(f))).ToList();
            // The SDK's implicit global usings and the project's own, written out rather than read from obj/
            // (a fresh clone may not have built every project before this test runs).
            sources.Add(("GlobalUsings.g.cs", GlobalUsings(project)));
            sources.AddRange(ProtocOutput(dir, root));
            findings.AddRange(Scan(AssemblyName(project), IsExecutable(project), sources));
        }
        return findings;
    }

    /// <summary>Findings for one compilation of <paramref name="sources"/> against this test's own references.</summary>
    public static List<string> Scan(string assemblyName, bool executable, IEnumerable<(string Path, string Text)> sources)
    {
        var options = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, options, s.Path)).ToList();
        var compilation = CSharpCompilation.Create(assemblyName, trees, References(assemblyName),
            new CSharpCompilationOptions(executable ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && !IgnoredErrors.Contains(d.Id)).ToList();
        // Without a clean bind the scan could miss conversions, so it refuses to pass.
        if (errors.Count > 0)
            return errors.Take(20).Select(e => $"{assemblyName}: does not compile for the scan: {e}").ToList();
        var scalar = compilation.GetTypeByMetadataName("TorchSharp.Scalar") ?? throw new InvalidOperationException("TorchSharp.Scalar not found");
        var tensor = compilation.GetTypeByMetadataName("TorchSharp.torch+Tensor") ?? throw new InvalidOperationException("Tensor not found");
        var findings = new List<string>();
        foreach (var tree in trees)
        {
            if (Path.GetFileName(tree.FilePath) == "TensorValues.cs") continue;
            var model = compilation.GetSemanticModel(tree);
            string Where(SyntaxNode n) => $"{tree.FilePath}:{n.GetLocation().GetLineSpan().StartLinePosition.Line + 1}";
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                if (node is InvocationExpressionSyntax call && model.GetSymbolInfo(call).Symbol is IMethodSymbol method)
                {
                    var receiver = method.ReducedFrom is { } ext ? ext.Parameters[0].Type : method.ContainingType;
                    if (TensorReads.Contains(method.Name) && SymbolEqualityComparer.Default.Equals(receiver, tensor))
                        findings.Add($"{Where(call)}: {call} reads a tensor through a temporary Scalar; use ReadDouble()/ReadInt64()/ReadSingle()/ReadBoolean()");
                    else if (method.Name == "ToScalar" && SymbolEqualityComparer.Default.Equals(method.ReturnType, scalar) && !IsHeld(call, model))
                        findings.Add($"{Where(call)}: {call} makes a Scalar that nothing holds; put it in a using local or a field");
                }
                else if (node is CastExpressionSyntax cast && model.GetOperation(cast) is Microsoft.CodeAnalysis.Operations.IConversionOperation { OperatorMethod: { } op }
                    && SymbolEqualityComparer.Default.Equals(op.Parameters[0].Type, tensor))
                {
                    findings.Add($"{Where(cast)}: {cast} reads a tensor through a temporary Scalar; use ReadDouble()/ReadInt64()");
                }
                if (node is InvocationExpressionSyntax or BinaryExpressionSyntax or AssignmentExpressionSyntax)
                    foreach (var (argument, parameter) in NumbersTorchSharpTurnsIntoScalars(node, model, scalar))
                        findings.Add($"{Where(argument)}: '{argument}' goes to {parameter.ContainingSymbol.ContainingType.Name}.{parameter.ContainingSymbol.Name}, which makes a temporary Scalar of it (the '{parameter.Name}' overload takes a Scalar: hold one in a using local or a field)");
                // The name in a.B is judged with a.B itself.
                if (node is ExpressionSyntax e && !(e.Parent is MemberAccessExpressionSyntax ma && ma.Name == e) && !IsHeld(e, model))
                {
                    var info = model.GetTypeInfo(e);
                    var conversion = model.GetConversion(e);
                    if (conversion.IsImplicit && conversion.IsUserDefined && SymbolEqualityComparer.Default.Equals(info.ConvertedType, scalar)
                        && !SymbolEqualityComparer.Default.Equals(info.Type, scalar))
                        findings.Add($"{Where(e)}: '{e}' becomes a temporary Scalar; hold it in a using local or a field");
                }
            }
        }
        return findings;
    }

    /// <summary>
    /// Numbers passed to a TorchSharp method or operator that has a twin taking a Scalar in that
    /// place (<c>x * 2.0</c>, <c>pow(2.0)</c>): TorchSharp's own code then converts them implicitly.
    /// </summary>
    private static IEnumerable<(SyntaxNode Argument, IParameterSymbol Parameter)> NumbersTorchSharpTurnsIntoScalars(SyntaxNode node, SemanticModel model, INamedTypeSymbol scalar)
    {
        var operation = model.GetOperation(node);
        (IMethodSymbol? method, IEnumerable<(IOperation Value, IParameterSymbol? Parameter)> args) = operation switch
        {
            Microsoft.CodeAnalysis.Operations.IInvocationOperation i => (i.TargetMethod, i.Arguments.Select(a => (a.Value, a.Parameter))),
            Microsoft.CodeAnalysis.Operations.IBinaryOperation { OperatorMethod: { } op } b => (op, new[] { (b.LeftOperand, (IParameterSymbol?)op.Parameters[0]), (b.RightOperand, op.Parameters[1]) }),
            Microsoft.CodeAnalysis.Operations.ICompoundAssignmentOperation { OperatorMethod: { } op } c => (op, new[] { (c.Target, (IParameterSymbol?)op.Parameters[0]), (c.Value, op.Parameters[1]) }),
            _ => (null, []),
        };
        if (method is null || method.ContainingAssembly?.Name != "TorchSharp") yield break;
        foreach (var (value, parameter) in args)
        {
            if (parameter is null || !IsNumber(parameter.Type)) continue;
            bool twin = method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>().Any(m =>
                m.Parameters.Length == method.Parameters.Length
                && SymbolEqualityComparer.Default.Equals(m.Parameters[parameter.Ordinal].Type, scalar)
                && m.Parameters.Where(q => q.Ordinal != parameter.Ordinal)
                    .All(q => SymbolEqualityComparer.Default.Equals(q.Type, method.Parameters[q.Ordinal].Type)));
            if (twin) yield return (value.Syntax, parameter);
        }
    }

    private static bool IsNumber(ITypeSymbol type) => type.SpecialType is SpecialType.System_Double or SpecialType.System_Single
        or SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16 or SpecialType.System_Byte
        or SpecialType.System_SByte or SpecialType.System_Boolean;

    // The initializer of a using local (using Scalar s = 2; or using (Scalar s = 2)), of a field, or a value assigned to a field.
    private static bool IsHeld(ExpressionSyntax e, SemanticModel model)
    {
        var inner = e;
        while (inner.Parent is ParenthesizedExpressionSyntax p) inner = p;
        if (inner.Parent is AssignmentExpressionSyntax assignment && assignment.Right == inner)
            return model.GetSymbolInfo(assignment.Left).Symbol is IFieldSymbol;
        if (inner.Parent is not EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax declaration } }) return false;
        return declaration.Parent switch
        {
            LocalDeclarationStatementSyntax local => local.UsingKeyword.IsKind(SyntaxKind.UsingKeyword),
            UsingStatementSyntax => true,
            FieldDeclarationSyntax => true,
            _ => false,
        };
    }

    /// <summary>
    /// The C# that protoc generated at build time for the project's <c>&lt;Protobuf&gt;</c> items (the library's
    /// onnx.proto), newest build first per file: it binds the project's own code and holds no TorchSharp calls.
    /// The library is built before this test runs (the test references it), so the files exist.
    /// </summary>
    private static IEnumerable<(string, string)> ProtocOutput(string projectDir, string root)
    {
        var obj = Path.Combine(projectDir, "obj");
        if (!Directory.Exists(obj)) return [];
        return Directory.EnumerateFiles(obj, "*.cs", SearchOption.AllDirectories)
            .Where(f => File.ReadLines(f).Skip(1).FirstOrDefault()?.Contains("Generated by the protocol buffer compiler") == true)
            .GroupBy(Path.GetFileName)
            .Select(g => g.OrderByDescending(File.GetLastWriteTimeUtc).First())
            .Select(f => (Path.GetRelativePath(root, f), File.ReadAllText(f)));
    }

    private static bool IsBuildOutput(string path) =>
        path.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj");

    private static string AssemblyName(string csproj) =>
        XDocument.Load(csproj).Descendants("AssemblyName").Select(a => a.Value).FirstOrDefault() ?? Path.GetFileNameWithoutExtension(csproj);

    private static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private static string GlobalUsings(string csproj) => string.Concat(
        ImplicitUsings.Concat(XDocument.Load(csproj).Descendants("Using").Select(u => u.Attribute("Include")?.Value).OfType<string>())
            .Select(n => $"global using global::{n};\n"));

    private static bool IsExecutable(string csproj) =>
        XDocument.Load(csproj).Descendants("OutputType").Any(o => o.Value.Equals("Exe", StringComparison.OrdinalIgnoreCase));

    private static ImmutableArray<MetadataReference> References(string assemblyName)
    {
        // The test host's trusted list holds the framework and this test's own dependencies.
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var local = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll");
        return platform.Concat(local).DistinctBy(Path.GetFileName)
            .Where(f => Path.GetFileNameWithoutExtension(f) != assemblyName && IsManaged(f)).Select(f => (MetadataReference)MetadataReference.CreateFromFile(f)).ToImmutableArray();
    }

    private static bool IsManaged(string path)
    {
        try { System.Reflection.AssemblyName.GetAssemblyName(path); return true; }
        catch (BadImageFormatException) { return false; }
    }
}
