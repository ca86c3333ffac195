namespace NeuralMechanics;

/// <summary>
/// Bad input from the user: a malformed file, a value out of range, an unknown name.
/// The message names the file or option, the field and what was expected; the CLI prints it
/// on one line and exits with code 2.
/// </summary>
public sealed class InvalidInputException(string message) : Exception(message)
{
    /// <summary>An error about one field of one file: "FILE: FIELD: expected ..., found ...".</summary>
    public static InvalidInputException InFile(string file, string field, string problem) =>
        new($"{file}: {field}: {problem}");
}
