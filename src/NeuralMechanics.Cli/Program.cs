using System.CommandLine;
using NeuralMechanics.Cli;

return NmechApp.Run(args);
