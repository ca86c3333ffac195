using System.Runtime.InteropServices;

namespace NeuralMechanics.Tests.Reporting;

/// <summary>
/// What native code (Skia's <c>SkDebugf</c>) and managed code write to standard error while an action
/// runs: file descriptor 2 goes to a temporary file for the duration, and <see cref="Console.Error"/> to a
/// string, since native writes never pass through <see cref="Console.Error"/>.
/// </summary>
internal static class NativeStandardError
{
    private const int StandardError = 2;

    public static string Capture(Action action)
    {
        var path = Path.GetTempFileName();
        var managed = new StringWriter();
        var previous = Console.Error;
        using (var file = File.Open(path, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite))
        {
            int saved = Dup(StandardError);
            if (saved < 0) throw new InvalidOperationException("dup(2) failed");
            try
            {
                if (Dup2((int)file.SafeFileHandle.DangerousGetHandle(), StandardError) < 0) throw new InvalidOperationException("dup2 failed");
                Console.SetError(managed);
                action();
            }
            finally
            {
                Console.SetError(previous);
                Dup2(saved, StandardError);
                Close(saved);
            }
        }
        var native = File.ReadAllText(path);
        File.Delete(path);
        return native + managed;
    }

    [DllImport("libc", EntryPoint = "dup")]
    private static extern int Dup(int fd);

    [DllImport("libc", EntryPoint = "dup2")]
    private static extern int Dup2(int oldFd, int newFd);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
