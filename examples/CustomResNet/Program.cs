return CustomResNet.Example.Run(args);
