import { ByteWriter } from './bytes.js';
import { Local, VAL_TYPE_CODE, type Callee, type Expr, type LocalAllocator, type Stmt, type ValType } from './types.js';

/** An imported linear memory; `shared` (threads) needs a `maximum`. Sizes in 64 KiB pages. */
export interface MemoryImport {
  readonly module: string;
  readonly name: string;
  readonly initial: number;
  readonly maximum?: number;
  readonly shared?: boolean;
}

type Params = Readonly<Record<string, ValType>>;
type ParamLocals<P extends Params> = { readonly [K in keyof P]: Local<P[K]> };

/** Declares a function's locals while its body is being built. */
export class FunctionBuilder<P extends Params> implements LocalAllocator {
  readonly params: ParamLocals<P>;
  private readonly declared: ValType[] = [];
  private readonly paramCount: number;

  constructor(params: P) {
    const locals: Record<string, Local<ValType>> = Object.create(null);
    Object.keys(params).forEach((name, index) => (locals[name] = new Local(params[name]!, index)));
    this.params = locals as ParamLocals<P>;
    this.paramCount = Object.keys(params).length;
  }

  local<T extends ValType>(type: T): Local<T> {
    this.declared.push(type);
    return new Local(type, this.paramCount + this.declared.length - 1);
  }

  /** The locals section of the body: runs of equal types. */
  writeLocals(out: ByteWriter): void {
    const runs: [number, ValType][] = [];
    for (const type of this.declared) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === type) last[0]++;
      else runs.push([1, type]);
    }
    out.u32(runs.length);
    for (const [count, type] of runs) out.u32(count).byte(VAL_TYPE_CODE[type]);
  }
}

/** What a function body builder returns: statements, then the result expression if the function has one. */
export interface FunctionBody<R extends ValType | undefined> {
  readonly body: readonly Stmt[];
  readonly result?: R extends ValType ? Expr<R> : undefined;
}

interface FunctionEntry {
  readonly name: string;
  readonly typeIndex: number;
  readonly code: Uint8Array;
  readonly exported: boolean;
}

/**
 * Builds a WebAssembly module: one optional imported memory, functions (each exported by its name
 * unless told otherwise), and the type section they need. The output is checked by the engine
 * (`WebAssembly.validate`/`compile`); the typed expression trees of ops.ts keep every body's stack
 * well-typed by construction.
 */
export class ModuleBuilder {
  private memory: MemoryImport | undefined;
  private readonly types: string[] = [];
  private readonly typeBytes: Uint8Array[] = [];
  private readonly functions: FunctionEntry[] = [];

  importMemory(memory: MemoryImport): this {
    if (this.memory !== undefined) throw new Error('the module already imports a memory');
    if (memory.shared && memory.maximum === undefined) throw new Error(`shared memory ${memory.module}.${memory.name} needs a maximum`);
    if (memory.maximum !== undefined && memory.maximum < memory.initial) throw new Error(`memory maximum ${memory.maximum} < initial ${memory.initial}`);
    this.memory = memory;
    return this;
  }

  /** Adds a function; `build` declares locals on the builder and returns the body. Returns its index. */
  function<P extends Params, R extends ValType | undefined = undefined>(
    name: string,
    signature: { readonly params: P; readonly result?: R; readonly exported?: boolean },
    build: (params: ParamLocals<P>, fn: FunctionBuilder<P>) => FunctionBody<R>,
  ): number {
    if (this.functions.some((f) => f.name === name)) throw new Error(`function ${name} is defined twice`);
    const fn = new FunctionBuilder(signature.params);
    const { body, result } = build(fn.params, fn);
    if ((signature.result === undefined) !== (result === undefined)) {
      throw new Error(`function ${name}: ${signature.result === undefined ? 'returns a value but declares no result' : `declares a ${signature.result} result but returns none`}`);
    }
    const code = new ByteWriter();
    fn.writeLocals(code);
    for (const s of body) s.write(code, []);
    result?.write(code, []);
    code.byte(0x0b);
    const paramTypes = Object.values(signature.params);
    const typeIndex = this.typeIndex(paramTypes, signature.result === undefined ? [] : [signature.result]);
    this.functions.push({ name, typeIndex, code: code.finish(), exported: signature.exported ?? true });
    return this.functions.length - 1;
  }

  /**
   * Adds an internal (not exported) function of positional parameters and one result, for
   * generated code to `call`. Returns its typed handle.
   */
  helper<const A extends readonly ValType[], R extends ValType>(
    name: string,
    params: A,
    result: R,
    build: (params: { readonly [K in keyof A]: Local<A[K]> }, fn: LocalAllocator) => FunctionBody<R>,
  ): Callee<A, R> {
    const named: Record<string, ValType> = Object.create(null);
    params.forEach((type, k) => (named[`p${k}`] = type));
    const index = this.function(name, { params: named, result: result as R, exported: false }, (locals, fn) =>
      build(params.map((_, k) => locals[`p${k}`]!) as unknown as { readonly [K in keyof A]: Local<A[K]> }, fn),
    );
    return { name, index, params, result };
  }

  private typeIndex(params: readonly ValType[], results: readonly ValType[]): number {
    const key = `${params.join(',')}->${results.join(',')}`;
    const found = this.types.indexOf(key);
    if (found >= 0) return found;
    const w = new ByteWriter().byte(0x60).u32(params.length);
    for (const p of params) w.byte(VAL_TYPE_CODE[p]);
    w.u32(results.length);
    for (const r of results) w.byte(VAL_TYPE_CODE[r]);
    this.types.push(key);
    this.typeBytes.push(w.finish());
    return this.types.length - 1;
  }

  /** The module's binary. */
  encode(): Uint8Array<ArrayBuffer> {
    const out = new ByteWriter().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const section = (id: number, fill: (w: ByteWriter) => void) => {
      const w = new ByteWriter();
      fill(w);
      out.byte(id).sized(w);
    };
    section(1, (w) => {
      w.u32(this.typeBytes.length);
      for (const t of this.typeBytes) w.bytes(t);
    });
    const memory = this.memory;
    if (memory !== undefined) {
      section(2, (w) => {
        w.u32(1).name(memory.module).name(memory.name).byte(0x02);
        const flags = (memory.maximum !== undefined ? 0x01 : 0) | (memory.shared ? 0x02 : 0);
        w.byte(flags).u32(memory.initial);
        if (memory.maximum !== undefined) w.u32(memory.maximum);
      });
    }
    section(3, (w) => {
      w.u32(this.functions.length);
      for (const f of this.functions) w.u32(f.typeIndex);
    });
    const exported = this.functions.map((f, index) => ({ f, index })).filter(({ f }) => f.exported);
    section(7, (w) => {
      w.u32(exported.length);
      for (const { f, index } of exported) w.name(f.name).byte(0x00).u32(index);
    });
    section(10, (w) => {
      w.u32(this.functions.length);
      for (const f of this.functions) w.u32(f.code.length).bytes(f.code);
    });
    return out.finish();
  }
}
