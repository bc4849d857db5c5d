import { buildTfjsBundle } from '../tfjs/load.js';
import { implNames, type WorkloadId } from './protocol.js';
import { findJaxJs, findTorchPython, pythonLauncher, tsxLauncher, type Launcher } from './spawn.js';

/** The peers this machine has: PyTorch (a Python that imports it) and jax-js (installed or not). */
export interface PeerSet {
  readonly torch: { readonly python: string; readonly version: string } | { readonly missing: string };
  readonly jax: { readonly version: string } | { readonly missing: string };
}

/** Builds the tfjs bundle the processes load, and looks for the optional peers. */
export async function findPeers(): Promise<PeerSet> {
  await buildTfjsBundle();
  return { torch: findTorchPython(), jax: findJaxJs() };
}

export interface ImplPlan {
  readonly impl: string;
  readonly launcher: Launcher;
}

/** The implementations that can run here, with how to start each, and the missing ones with the reason. */
export function planImpls(workload: WorkloadId, peers: PeerSet): { run: ImplPlan[]; missing: { impl: string; reason: string }[] } {
  const run: ImplPlan[] = [];
  const missing: { impl: string; reason: string }[] = [];
  const tsx = tsxLauncher();
  for (const impl of implNames(workload)) {
    if (impl === 'torch') {
      if ('missing' in peers.torch) missing.push({ impl, reason: peers.torch.missing });
      else run.push({ impl, launcher: pythonLauncher(peers.torch.python) });
    } else if (impl.startsWith('jax-js-') && 'missing' in peers.jax) {
      missing.push({ impl, reason: peers.jax.missing });
    } else {
      run.push({ impl, launcher: tsx });
    }
  }
  return { run, missing };
}
