"""The PyTorch side of bench/vs-pytorch.ts: the same networks as imgclass's buildModel, trained
and run the way PyTorch users do on CPU (channels_last, torch.optim.Adam, bf16 by autocast).

    python3 bench/vs_pytorch.py NETWORK SIZE BATCH THREADS

Prints one JSON line with the parameter counts, then answers one JSON line per command read
from stdin: {"mode": "train"|"predict", "precision": "float32"|"bfloat16", "steps": N, "warmup": bool}
with the seconds the N steps took (after one untimed step when "warmup" is true).
"""
import json
import resource
import sys
import time

import torch
from torch import nn


def resnet18(classes, width):
    def conv_bn(cin, cout, k, stride):
        return [nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)]

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.main = nn.Sequential(*conv_bn(cin, cout, 3, stride), nn.ReLU(inplace=True), *conv_bn(cout, cout, 3, 1))
            self.shortcut = nn.Sequential(*conv_bn(cin, cout, 1, stride)) if stride != 1 or cin != cout else nn.Identity()
            self.relu = nn.ReLU(inplace=True)

        def forward(self, x):
            return self.relu(self.main(x) + self.shortcut(x))

    stem = int(64 * width)
    layers = [*conv_bn(3, stem, 7, 2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)]
    cin = stem
    for s, filters in enumerate(int(f * width) for f in (64, 128, 256, 512)):
        layers += [Block(cin, filters, 1 if s == 0 else 2), Block(filters, filters, 1)]
        cin = filters
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes)]
    return nn.Sequential(*layers)


class ReLU6(nn.Module):
    """min(max(x, 0), 6) by clamp: PyTorch 1.13's nn.ReLU6 has no bf16 backward on CPU
    ("hardshrink_backward_cpu" not implemented for 'BFloat16')."""

    def forward(self, x):
        return x.clamp(0, 6)


def mobilenet(classes, alpha=0.5):
    # imgclass's models/mobilenet.ts: MobileNet v1 at width 0.5, ReLU6, BatchNorm epsilon 1e-3.
    blocks = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
              (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]
    width = lambda f: max(8, round(f * alpha))
    bn = lambda c: nn.BatchNorm2d(c, eps=1e-3, momentum=0.1)
    cin = width(32)
    layers = [nn.Conv2d(3, cin, 3, 2, 1, bias=False), bn(cin), ReLU6()]
    for filters, stride in blocks:
        cout = width(filters)
        layers += [nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), bn(cin), ReLU6(),
                   nn.Conv2d(cin, cout, 1, bias=False), bn(cout), ReLU6()]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes)]
    return nn.Sequential(*layers)


NETWORKS = {
    'resnet18': lambda classes: resnet18(classes, 1),
    'resnet18-half': lambda classes: resnet18(classes, 0.5),
    'mobilenet': mobilenet,
}


def peak_rss_mb():
    """This process's peak RSS: Linux's VmHWM, which starts afresh at exec (ru_maxrss can carry the
    high-water mark of the parent that spawned it)."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main():
    network, size, batch, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = NETWORKS[network](2).to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(batch, 3, size, size).to(memory_format=torch.channels_last)
    y = torch.arange(batch) % 2
    trainable = sum(p.numel() for p in model.parameters())
    # BatchNorm's running mean and variance; num_batches_tracked is bookkeeping, not a weight.
    buffers = sum(b.numel() for name, b in model.named_buffers() if not name.endswith('num_batches_tracked'))
    print(json.dumps({'trainable': trainable, 'non_trainable': buffers, 'torch': torch.__version__}), flush=True)

    def train_step(bf16):
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
            loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

    def predict(bf16):
        with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
            model(x).float().softmax(1)

    for line in sys.stdin:
        command = json.loads(line)
        bf16 = command['precision'] == 'bfloat16'
        if command['mode'] == 'train':
            model.train()
            step = lambda: train_step(bf16)
        else:
            model.eval()
            step = lambda: predict(bf16)
        if command.get('warmup', True):
            step()  # oneDNN primitives, optimizer state, the switch between modes
        start = time.perf_counter()
        for _ in range(command['steps']):
            step()
        seconds = time.perf_counter() - start
        print(json.dumps({'seconds': seconds, 'images_per_s': batch * command['steps'] / seconds,
                          'peak_rss_mb': peak_rss_mb()}), flush=True)


if __name__ == '__main__':
    main()
