"""Exports the README's fire-module CNN ("Your PyTorch model (ONNX)") for nmech to train on Fashion-MNIST.

Run with Debian's PyTorch (/usr/bin/python3: torch 1.13, onnx not needed):

    /usr/bin/python3 examples/pytorch/export_fire_cnn.py fmnist_fire.onnx
    nmech train --model fmnist_fire.onnx --data fashion-mnist --steps 300 --batch 64 --lr 0.05 \
        --wd 5e-4 --momentum 0.9 --seed 1 --eval-every 100 --out runs/fire

The network: conv 1->16 + BatchNorm + ReLU + max-pool, a SqueezeNet fire module (squeeze 16->8,
expand 1x1 and 3x3 8->16 each, each with its ReLU, concatenated along the channels), conv 32->32 +
BatchNorm + ReLU + max-pool, Linear 1568->10: 26,642 parameters, PyTorch's default initialisation
under torch.manual_seed(SEED) (--seed, default 0). nmech starts from these weights (the ONNX
initializers), so the seed of the export decides the run as much as nmech's --seed does.

The export is the one the README prescribes: training mode (BatchNorm not folded into the
convolutions, so its scale symmetries stay), constant folding off, opset 17, the batch dynamic, on an
input of the data's shape (1x28x28).
"""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F


class FireCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.squeeze = nn.Conv2d(16, 8, 1)
        self.expand1x1 = nn.Conv2d(8, 16, 1)
        self.expand3x3 = nn.Conv2d(8, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)          # 16 x 14 x 14
        s = F.relu(self.squeeze(x))
        x = torch.cat([F.relu(self.expand1x1(s)), F.relu(self.expand3x3(s))], 1)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)          # 32 x 7 x 7
        return self.fc(torch.flatten(x, 1))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("path", nargs="?", default="fmnist_fire.onnx", help="the ONNX file to write (default fmnist_fire.onnx)")
    p.add_argument("--seed", type=int, default=0, help="torch.manual_seed before the model is built (default 0)")
    a = p.parse_args()
    torch.manual_seed(a.seed)
    model = FireCnn()
    model.train()
    x = torch.randn(2, 1, 28, 28)
    torch.onnx.export(model, x, a.path, training=torch.onnx.TrainingMode.TRAINING,
                      do_constant_folding=False, opset_version=17,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    n = sum(t.numel() for t in model.parameters())
    print(f"wrote {a.path}: {n:,} parameters")


if __name__ == "__main__":
    main()
