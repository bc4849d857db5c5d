#!/usr/bin/env node
/** The `spikeflow` command (`pnpm cli <command> ...`); cli.ts has the commands and options. */
import { runCli } from './cli.js';

// An explicit exit: dawn.node keeps the event loop alive.
process.exit(await runCli(process.argv.slice(2)));
