import { controlCpu, controlInfer } from './control.js';
import { elementwiseCpu, elementwiseInfer } from './elementwise.js';
import { leafCpu, leafInfer } from './leaf.js';
import { linalgCpu, linalgInfer } from './linalg.js';
import { randomCpu, randomInfer } from './random.js';
import { reduceCpu, reduceInfer } from './reduce.js';
import type { CpuTable, InferTable } from './rule-types.js';
import { shapeCpu, shapeInfer } from './shape.js';

/** Shape and dtype rules of every primitive. Typed exhaustively: a missing rule fails tsc. */
export const inferRules: InferTable = {
  ...leafInfer,
  ...elementwiseInfer,
  ...reduceInfer,
  ...shapeInfer,
  ...linalgInfer,
  ...randomInfer,
  ...controlInfer,
};

/** Reference semantics of every primitive on host arrays. Typed exhaustively. */
export const cpuRules: CpuTable = {
  ...leafCpu,
  ...elementwiseCpu,
  ...reduceCpu,
  ...shapeCpu,
  ...linalgCpu,
  ...randomCpu,
  ...controlCpu,
};
