// The WebGPU kernel lowering table is typed by the WGSL rules (see the shared check).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wgslRules } from '../src/codegen/wgsl-rules.js';
import { kernelLowerings } from '../src/compiler/kernel-lowerings.js';
import { describeKernelLoweringTable } from '../../../test/support/kernel-lowering-table.js';

describeKernelLoweringTable({ rulesName: 'WGSL', rules: wgslRules, kernelLowerings, testDir: dirname(fileURLToPath(import.meta.url)) });
