import {BackendValues, DataId, DataType, getKernelsForBackend, KernelConfig, registerBackend, registerKernel} from '@tensorflow/tfjs-core';
// Importing the CPU backend registers its kernels for 'cpu'; we reuse every one of them.
import {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import {storedValues} from './activation_storage';
import {noteEscaped, noteWrapped, release} from './buffer_pool';
import {forgetWeights} from './weight_tokens';
import {installNativeGradients} from './gradients';
import {withTiming} from './profile';
import {nativeKernelConfigs} from './register_all_kernels';

export const BACKEND_NAME = 'onednn';
// Above 'cpu' (1), 'wasm' (2) and 'tensorflow' (3), so it is picked by default.
const PRIORITY = 4;

/** The CPU backend's storage (typed arrays the native kernels read and write in place). */
export class OnednnBackend extends MathBackendCPU {
  constructor() {
    super();
    // The CPU backend's first write prints "install tfjs-node to speed things up": not for us.
    (this as unknown as {firstUse: boolean}).firstUse = false;
  }

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    noteWrapped(values);
    return super.write(values, shape, dtype);
  }

  override readSync(dataId: DataId): BackendValues {
    const values = super.readSync(dataId);
    noteEscaped(values);
    return values;
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const arrays = this.data.has(dataId) ? storedValues(this.data.get(dataId)) : [];
    const disposed = super.disposeData(dataId, force);
    if (disposed && !this.data.has(dataId)) {
      forgetWeights(dataId);
      for (const values of arrays) release(values);
    }
    return disposed;
  }
}

export function registerOnednnBackend(): void {
  registerBackend(BACKEND_NAME, () => {
    // Again here: tfjs's gradients may be registered after this package was imported.
    installNativeGradients();
    return new OnednnBackend();
  }, PRIORITY);
  installNativeGradients();
  const configs = new Map<string, KernelConfig>();
  for (const cpuConfig of getKernelsForBackend('cpu')) {
    configs.set(cpuConfig.kernelName, {...cpuConfig, backendName: BACKEND_NAME});
  }
  for (const nativeConfig of nativeKernelConfigs) {
    configs.set(nativeConfig.kernelName, nativeConfig);
  }
  for (const config of configs.values()) registerKernel(withTiming(config));
}
