// First-fit allocator over the host-owned part of WASM linear memory. Blocks are 16-byte aligned
// (SIMD loads) and freed blocks coalesce, so repeated runs reuse the same addresses and never leak.

const ALIGN = 16;

interface Block {
  start: number; // byte offset
  size: number; // bytes
}

export class Arena {
  private free: Block[] = [];
  private used = new Map<number, number>(); // start → size
  private top: number; // first byte never handed out
  inUse = 0;
  peak = 0;

  constructor(
    base: number,
    private readonly grow: (minEnd: number) => void,
  ) {
    this.top = align(base);
  }

  /** Returns the byte offset of `bytes` zeroed... by the caller (memory may hold old data). */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, align(bytes));
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.size < size) continue;
      const start = b.start;
      if (b.size === size) this.free.splice(i, 1);
      else {
        b.start += size;
        b.size -= size;
      }
      return this.take(start, size);
    }
    const start = this.top;
    this.grow(start + size);
    this.top = start + size;
    return this.take(start, size);
  }

  release(start: number): void {
    const size = this.used.get(start);
    if (size === undefined) throw new Error(`arena: double free or foreign pointer ${start}`);
    this.used.delete(start);
    this.inUse -= size;
    // Insert sorted by address and merge with neighbours.
    let i = 0;
    while (i < this.free.length && this.free[i].start < start) i++;
    this.free.splice(i, 0, { start, size });
    const next = this.free[i + 1];
    if (next && start + size === next.start) {
      this.free[i].size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.start + prev.size === start) {
      prev.size += this.free[i].size;
      this.free.splice(i, 1);
    }
    // A free block at the top goes back to the untouched region.
    const last = this.free[this.free.length - 1];
    if (last && last.start + last.size === this.top) {
      this.top = last.start;
      this.free.pop();
    }
  }

  get liveBlocks(): number {
    return this.used.size;
  }

  private take(start: number, size: number): number {
    this.used.set(start, size);
    this.inUse += size;
    if (this.inUse > this.peak) this.peak = this.inUse;
    return start;
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
