// The WebAssembly kernel lowering table is typed by the WASM rules (see the shared check).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wasmRules } from '../src/codegen/wasm-rules.js';
import { kernelLowerings } from '../src/compiler/kernel-lowerings.js';
import { describeKernelLoweringTable } from '../../../test/support/kernel-lowering-table.js';

describeKernelLoweringTable({ rulesName: 'WASM', rules: wasmRules, kernelLowerings, testDir: dirname(fileURLToPath(import.meta.url)) });
