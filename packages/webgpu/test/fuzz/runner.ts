import { compile } from '../../src/index.js';
import { fuzz as fuzzOn, type FuzzBackend, type FuzzOptions, type FuzzReport } from '../../../../test/support/fuzz/driver.js';
import { runParitySuite } from '../parity/suite.js';

export { describeFailure, graphJSONOf, type Failure, type FuzzOptions, type FuzzReport } from '../../../../test/support/fuzz/driver.js';

/** WebGPU under fuzz: each pack compiled and run in the parity suite's error scopes, so a GPU error fails that pack only. */
export function webgpuFuzzBackend(device: GPUDevice): FuzzBackend {
  return {
    name: 'WebGPU',
    async run(graph, feeds) {
      const exe = await compile(graph, device);
      try {
        return await exe.run(feeds);
      } finally {
        exe.destroy();
      }
    },
    async guard(check) {
      const result = await runParitySuite(device, undefined, [{ name: 'pack', run: check }]);
      // The suite's line is '<case name>: <why>'; the driver names the pack itself.
      return result.failed[0]?.slice('pack: '.length);
    },
  };
}

/** Runs graphs `seeds` in packs on `device` and compares each with the CPU reference (see the shared driver). */
export function fuzz(device: GPUDevice, seeds: readonly number[], options: FuzzOptions = {}): Promise<FuzzReport> {
  return fuzzOn(webgpuFuzzBackend(device), seeds, options);
}
