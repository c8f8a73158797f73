"""Where a PyTorch training step of the same network spends its time (torch.profiler), to set
beside bench/profile_step.ts.   python3 bench/profile_step_torch.py [NETWORK] [--bf16] [--steps 5]"""
import sys

import torch
from torch import nn
from torch.profiler import ProfilerActivity, profile

from vs_pytorch import NETWORKS


def main():
    args = sys.argv[1:]
    network = next((a for a in args if not a.startswith('--') and not a.isdigit()), 'resnet18-half')
    steps = int(args[args.index('--steps') + 1]) if '--steps' in args else 5
    bf16 = '--bf16' in args
    torch.set_num_threads(2)
    model = NETWORKS[network](2).to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(32, 3, 128, 128).to(memory_format=torch.channels_last)
    y = torch.arange(32) % 2

    def step():
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
            loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()

    for _ in range(2):
        step()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            step()
    print(prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=25))


if __name__ == '__main__':
    main()
