export * from './module-builder/index.js';
export { forRange, increment } from './kernels/loops.js';
export { addElementwiseKernels } from './kernels/elementwise.js';
export { addMatmulKernels, DEFAULT_MATMUL_TILING, packedBFloats, panelWidth, scratchFloats, type MatmulTiling } from './kernels/matmul.js';
export { buildKernelModule, MEMORY_IMPORT, type MemoryLimits } from './kernels/kernel-module.js';
export { ThreadPool, type KernelWorker, type SpawnKernelWorker, type ThreadPoolOptions } from './threads/pool.js';
export { WORKER_LOOP_SOURCE, type WorkerInit } from './threads/protocol.js';
export { Arena } from './arena.js';
export { splitRange, WasmF32, WasmKernels, type WasmKernelsOptions } from './runtime.js';
// The rule table, the math library, Philox and the fused elementwise generator.
export { addKernelLibrary, type KernelLibrary } from './codegen/kernel-library.js';
export { elementwiseStatements, mapValue, valueAt, type AddressOf, type FusedGroup } from './codegen/fused-values.js';
export { asF32, asI32, isWasmFusible, isWasmKernelOp, literal, wasmRule, wasmRules, type IndexContext, type MapContext, type ValueExpr, type WasmKernelOp, type WasmRule } from './codegen/wasm-rules.js';
export { seedWords } from './codegen/philox.js';
// Kernels with their own work shape (reductions, convolutions, matmul forms, spike matmul).
export { REDUCE_CHUNK, reduceCombineStatements, reduceItems, reducePartialItems, reducePartialStatements, reduceScratchBytes, reduceSplit, reduceStatements, type ReduceDType, type ReduceSplit, type ReduceInput, type ReduceKind, type ReduceSpec } from './kernels/reduce.js';
export { whileLess } from './kernels/loops.js';
export { matmulScratchBytes, multiplyItems, multiplyStatements, packAItems, packAStatements, packBItems, packBStatements, packedBMatrixBytes, packedBOffset, planMatmul, type MatmulPlan, type MatmulSpec } from './kernels/matmul-forms.js';
export { tileStatements, type TileArgs } from './kernels/matmul.js';
export { planSpikeMatmul, spikeItems, spikeMatmulStatements, spikeMatmulUnpackedStatements, spikeNeedsPackedB, spikeTransposeItems, spikeTransposeScratchBytes, spikeTransposeStatements, untransposedSpikeSpec } from './kernels/matmul-spike.js';
export { im2colItems, im2colStatements, planConv, type ConvPlan, type ConvSpec } from './kernels/conv.js';
// The compiler and runtime: graph -> program -> executable, and the training backend.
export { compileWasmProgram, type WasmProgramOptions } from './compiler/compile.js';
export type { CopyStep, KernelEmit, KernelStep, LoopStep, MemoryStats, Program, ProgramValue, Step, ValueRole } from './compiler/program.js';
export { SMALL_KERNEL_COST, WasmExecutable, type WasmExecutableOptions } from './runtime/executable.js';
export { compileWasmTrainStep, wasmBackend, WasmTrainStep } from './runtime/train-backend.js';
export { convPath, DIRECT_CONV_TILE, directConvItems, directConvRefusal, directConvStatements, planDirectConv, type DirectConvPlan } from './kernels/conv-direct.js';
export { planRowsMatmul, rowsMatmulItems, rowsMatmulStatements, rowsPathApplies, ROWS_PATH_MAX_M, type RowsMatmulPlan } from './kernels/matmul-rows.js';
