// scripts/bench-hardware-gpu.sh's adapter check, run for real: it must refuse the adapter dawn.node
// gives here exactly when that adapter is a software renderer (lavapipe on a machine without a
// GPU), and say why; --allow-software lets it through.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { adapterFacts, softwareAdapterReason } from '@spikeflow/webgpu';
import { nodeGpu } from '@spikeflow/webgpu/node';

const script = fileURLToPath(new URL('../scripts/bench-hardware-gpu.sh', import.meta.url));
const run = (...args: string[]) => spawnSync('bash', [script, '--check-only', '--skip-install', ...args], { encoding: 'utf8', timeout: 240_000 });

describe('bench-hardware-gpu.sh --check-only', () => {
  it("fails on a software adapter, naming the reason, and passes with --allow-software", async () => {
    const adapter = await (await nodeGpu()).requestAdapter({ powerPreference: 'high-performance' });
    expect(adapter).not.toBeNull();
    const info = adapter!.info;
    const software = softwareAdapterReason(adapterFacts(adapter!));
    const strict = run();
    expect(strict.stdout).toContain(`vendor: ${info.vendor || '(empty)'}`);
    if (software === null) {
      expect(strict.status).toBe(0);
    } else {
      expect(strict.status).toBe(1);
      expect(strict.stderr).toContain(`adapter check failed: not a hardware GPU: ${software}`);
      const allowed = run('--allow-software');
      expect(allowed.status).toBe(0);
      expect(allowed.stdout).toContain('allowed by --allow-software');
    }
  });
});
