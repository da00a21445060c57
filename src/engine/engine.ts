// Loads the WASM module the same way on every runtime (bytes are compiled into the bundle, no fs or
// fetch) and owns its linear memory. Callers hold `Buf` handles; views are made fresh on demand
// because growing memory detaches every existing view.
import { wasmBase64 } from "./generated/wasm-bytes.ts";
import { Arena } from "./arena.ts";
import type { Kernels } from "./abi/index.ts";

const PAGE = 65536;

/** A block of 4-byte elements (f32 or i32) in WASM memory. `ptr` is a byte offset. */
export interface Buf {
  readonly ptr: number;
  readonly len: number;
}

let cachedModule: WebAssembly.Module | undefined;

function moduleBytes(): Uint8Array {
  const bin = atob(wasmBase64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Compiles the module once per process (async: browsers refuse large sync compiles on the main thread). */
export async function createEngine(): Promise<Engine> {
  cachedModule ??= await WebAssembly.compile(moduleBytes() as BufferSource);
  return new Engine(await WebAssembly.instantiate(cachedModule, {}));
}

/** Synchronous variant for Node, Deno and workers. */
export function createEngineSync(): Engine {
  cachedModule ??= new WebAssembly.Module(moduleBytes() as BufferSource);
  return new Engine(new WebAssembly.Instance(cachedModule, {}));
}

export class Engine {
  /** The raw kernels; pointers are byte offsets from `Buf.ptr`. */
  readonly k: Kernels;
  private readonly arena: Arena;
  private readonly live = new Set<number>();

  constructor(instance: WebAssembly.Instance) {
    this.k = instance.exports as unknown as Kernels;
    const memory = this.k.memory;
    this.arena = new Arena(this.k.heapBase(), (end) => {
      const have = memory.buffer.byteLength;
      if (end > have) memory.grow(Math.ceil((end - have) / PAGE));
    });
  }

  /** Allocates `len` zeroed 4-byte elements. */
  alloc(len: number): Buf {
    if (!Number.isInteger(len) || len < 0) throw new RangeError(`engine.alloc: bad length ${len}`);
    const ptr = this.arena.alloc(len * 4);
    new Uint8Array(this.k.memory.buffer, ptr, len * 4).fill(0);
    this.live.add(ptr);
    return { ptr, len };
  }

  /** Allocates and copies `data` in (a view of this engine's memory too: it is copied before growth can detach it). */
  from(data: ArrayLike<number>, kind: "f32" | "i32" = "f32"): Buf {
    if (ArrayBuffer.isView(data) && data.buffer === this.k.memory.buffer) data = Array.prototype.slice.call(data);
    const b = this.alloc(data.length);
    (kind === "f32" ? this.f32(b) : this.i32(b)).set(data);
    return b;
  }

  free(...bufs: (Buf | undefined)[]): void {
    for (const b of bufs) {
      if (!b) continue;
      if (!this.live.delete(b.ptr)) throw new Error(`engine.free: buffer at ${b.ptr} is not live`);
      this.arena.release(b.ptr);
    }
  }

  /** A fresh f32 view (invalid after the next allocation that grows memory). */
  f32(b: Buf): Float32Array {
    return new Float32Array(this.k.memory.buffer, b.ptr, b.len);
  }

  i32(b: Buf): Int32Array {
    return new Int32Array(this.k.memory.buffer, b.ptr, b.len);
  }

  write(b: Buf, data: ArrayLike<number>, offset = 0): void {
    if (offset + data.length > b.len) throw new RangeError(`engine.write: ${data.length} values into ${b.len - offset}`);
    this.f32(b).set(data, offset);
  }

  /** A copy, safe to keep. */
  read(b: Buf): Float32Array {
    return this.f32(b).slice();
  }

  /** Bytes currently allocated, the most ever allocated at once, and the module's whole memory. */
  get memoryStats(): { inUse: number; peak: number; linearMemory: number; liveBuffers: number } {
    return {
      inUse: this.arena.inUse,
      peak: this.arena.peak,
      linearMemory: this.k.memory.buffer.byteLength,
      liveBuffers: this.live.size,
    };
  }
}
