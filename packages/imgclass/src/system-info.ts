import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { backendInfo, BackendInfo } from './backend';
import { dependencyVersion, IMGCLASS_VERSION } from './version';

export interface SystemInfo {
  imgclass: string;
  node: string;
  tfjs: string;
  sharp: string;
  backend: BackendInfo;
  cpu: { model: string; cores: number };
  /** GPUs visible to the system; imgclass never uses them (no tfjs GPU backend runs in Node here). */
  gpus: string[];
  gpuUsed: false;
}

/** The seed's "is my GPU used?" check, answered for imgclass. */
export async function systemInfo(): Promise<SystemInfo> {
  const cpus = os.cpus();
  return {
    imgclass: IMGCLASS_VERSION,
    node: process.versions.node,
    tfjs: tf.version.tfjs,
    sharp: dependencyVersion('sharp'),
    backend: await backendInfo(),
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', cores: os.availableParallelism() },
    gpus: findGpus(),
    gpuUsed: false,
  };
}

const PCI_VENDORS: Record<string, string> = { '0x10de': 'NVIDIA', '0x1002': 'AMD', '0x8086': 'Intel' };

/** GPUs from the Linux device tree (DRM cards, NVIDIA device nodes); empty elsewhere. */
function findGpus(): string[] {
  const found = new Set<string>();
  try {
    for (const card of readdirSync('/sys/class/drm')) {
      if (!/^card\d+$/.test(card)) continue;
      const vendor = readFileSync(`/sys/class/drm/${card}/device/vendor`, 'utf8').trim();
      found.add(`${PCI_VENDORS[vendor] ?? `vendor ${vendor}`} (${card})`);
    }
  } catch {
    // No DRM subsystem (containers, macOS): fall through to the NVIDIA check.
  }
  if (existsSync('/dev/nvidia0') || existsSync('/proc/driver/nvidia/gpus')) found.add('NVIDIA (driver loaded)');
  return [...found];
}

export function formatSystemInfo(i: SystemInfo): string {
  const b = i.backend;
  const lines = [
    `imgclass      ${i.imgclass}`,
    `Node.js       ${i.node}`,
    `TensorFlow.js ${i.tfjs}`,
    `sharp         ${i.sharp}`,
    `oneDNN        ${b.onednnVersion ?? 'not loaded'}`,
    `backend       ${b.name}${b.problem ? ` (${b.problem})` : ''}`,
    `CPU           ${i.cpu.model}, ${i.cpu.cores} cores${b.isa ? `, ISA ${b.isa}` : ''}`,
    `threads       ${b.threads ?? 1}`,
    `GPU           ${i.gpus.length > 0 ? `${i.gpus.join(', ')} present, not used` : 'none found'}`,
    '',
    b.name === 'onednn'
      ? `No GPU is used: training and prediction run on the CPU with oneDNN (${b.isa}, ${b.threads} threads).`
      : 'No GPU is used: training and prediction run on the CPU with the pure-JavaScript tfjs backend (slow).',
  ];
  return lines.join('\n');
}
