#!/usr/bin/env node
// The installed `spikeflow` command. It is a committed file, not build output, so that a package
// manager can link it at install time, before a workspace has been built; it runs the built
// command, dist/spikeflow.js (from src/spikeflow.ts).
try {
  await import('../dist/spikeflow.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('spikeflow.js')) {
    console.error('spikeflow: @spikeflow/cli is not built (dist/spikeflow.js is missing); run `pnpm build` in the workspace');
    process.exit(1);
  }
  throw error;
}
