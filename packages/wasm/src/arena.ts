const PAGE_BYTES = 65536;
/** Every allocation starts on a 16-byte boundary (a v128), and address 0 is never handed out. */
const ALIGN = 16;

/**
 * A bump allocator over a (shared) WebAssembly memory: `alloc` takes bytes from the top, growing
 * the memory when needed; `mark`/`release` free everything allocated since a mark (how a kernel
 * call gives back its temporaries).
 */
export class Arena {
  private top = ALIGN;

  constructor(readonly memory: WebAssembly.Memory, private readonly maximumPages: number) {}

  /** The byte offset of `bytes` fresh bytes (contents unspecified). */
  alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`alloc: ${bytes} bytes is not a non-negative integer`);
    const start = this.top;
    const end = start + Math.ceil(bytes / ALIGN) * ALIGN;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE_BYTES);
      const current = have / PAGE_BYTES;
      if (current + pages > this.maximumPages) {
        throw new RangeError(`alloc: ${bytes} bytes would need ${current + pages} pages of wasm memory, more than its maximum of ${this.maximumPages} (${(this.maximumPages * PAGE_BYTES) / 2 ** 20} MiB)`);
      }
      this.memory.grow(pages);
    }
    this.top = end;
    return start;
  }

  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    if (mark < ALIGN || mark > this.top) throw new RangeError(`release: ${mark} is not a mark of this arena`);
    this.top = mark;
  }
}
