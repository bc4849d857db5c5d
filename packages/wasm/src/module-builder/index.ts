export { ByteWriter } from './bytes.js';
export { FunctionBuilder, ModuleBuilder, type FunctionBody, type MemoryImport } from './module.js';
export * from './ops.js';
export { Label, Local, type Args, type Callee, type Expr, type LabelScope, type LocalAllocator, type MemArg, type Stmt, type ValType } from './types.js';
