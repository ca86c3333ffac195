using System.Runtime.CompilerServices;

namespace NeuralMechanics.Tests;

internal static class NativeSetup
{
    /// <summary>
    /// Tests reach libtorch through TorchSharp directly too, and build models of many widths in one
    /// process: both settings go in before anything runs, oneDNN capped for the narrowest of them.
    /// </summary>
    [ModuleInitializer]
    internal static void Apply()
    {
        NativeEnvironment.Apply();
        NativeEnvironment.PrepareConvolutions([8]);
    }
}
