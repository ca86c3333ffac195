using System.Runtime.CompilerServices;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Resume;

/// <summary>
/// Sets MKL's reproducibility mode (see the <see cref="Trainer"/> static constructor) when the test
/// assembly loads, before any test's first matrix product: MKL reads it only once, and in a test
/// process other tests may multiply matrices before the first training run.
/// </summary>
internal static class ReproducibleMkl
{
    [ModuleInitializer]
    internal static void Initialize() => RuntimeHelpers.RunClassConstructor(typeof(Trainer).TypeHandle);
}
