// Loads the WASM module the same way on every runtime (bytes are compiled into the bundle, no fs or
// fetch) and owns its linear memory. Callers hold `Buf` handles that know their element type; views
// are made fresh on demand because growing memory detaches every existing view.
import { wasmBase64 } from "./generated/wasm-bytes.ts";
import { Arena } from "./arena.ts";
import { bindKernels, type Kernels } from "./abi/index.ts";

const PAGE = 65536;

/** The element types a buffer can hold, as the kernels read them. */
export type ElementType = "f32" | "f64" | "i32" | "u8";

/** Bytes per element of each type. */
export const ELEMENT_BYTES: Readonly<Record<ElementType, number>> = { f32: 4, f64: 8, i32: 4, u8: 1 };

/** The typed array that views each element type. */
export interface ViewOf {
  f32: Float32Array;
  f64: Float64Array;
  i32: Int32Array;
  u8: Uint8Array;
}

const VIEW: { [T in ElementType]: new (b: ArrayBuffer, ptr: number, len: number) => ViewOf[T] } = {
  f32: Float32Array,
  f64: Float64Array,
  i32: Int32Array,
  u8: Uint8Array,
};

/**
 * A block of `len` elements of `type` in WASM memory; `ptr` is its byte offset (what kernels take).
 * A plain `Buf` is an f32 buffer, as `alloc(len)` gives.
 */
export interface Buf<T extends ElementType = "f32"> {
  readonly ptr: number;
  readonly len: number;
  readonly type: T;
}

/** A buffer of any element type. */
export type AnyBuf = Buf<ElementType>;

/** Byte offset of element `index` of `b` (0 … len: one past the end is allowed, for end pointers). */
export function elementPtr(b: AnyBuf, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index > b.len) {
    throw new RangeError(`elementPtr: index ${index} outside a ${b.type} buffer of ${b.len}`);
  }
  return b.ptr + index * ELEMENT_BYTES[b.type];
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

function checkType(type: unknown): ElementType {
  if (typeof type !== "string" || !(type in ELEMENT_BYTES)) {
    throw new TypeError(`engine: unknown element type "${String(type)}"; use ${Object.keys(ELEMENT_BYTES).join(", ")}`);
  }
  return type as ElementType;
}

export class Engine {
  /** The raw kernels, checked against the ABI tables at load; pointers are byte offsets (`Buf.ptr`). */
  readonly k: Kernels;
  private readonly arena: Arena;
  private readonly live = new Set<number>();

  constructor(instance: WebAssembly.Instance) {
    this.k = bindKernels(instance.exports);
    const memory = this.k.memory;
    this.arena = new Arena(this.k.heapBase(), (end) => {
      const have = memory.buffer.byteLength;
      if (end > have) memory.grow(Math.ceil((end - have) / PAGE));
    });
  }

  /** Allocates `len` zeroed elements of `type` (default f32), 16-byte aligned. */
  alloc<T extends ElementType = "f32">(len: number, type: T = "f32" as T): Buf<T> {
    checkType(type);
    if (!Number.isInteger(len) || len < 0) throw new RangeError(`engine.alloc: bad length ${len}`);
    const bytes = len * ELEMENT_BYTES[type];
    const ptr = this.arena.alloc(bytes);
    new Uint8Array(this.k.memory.buffer, ptr, bytes).fill(0);
    this.live.add(ptr);
    return { ptr, len, type };
  }

  /**
   * Allocates `data.length` elements of `type` (default f32) and copies `data` in, converting as a
   * typed array's `set` does. A view of this engine's memory is copied first, before growth can detach it.
   */
  from<T extends ElementType = "f32">(data: ArrayLike<number>, type: T = "f32" as T): Buf<T> {
    if (ArrayBuffer.isView(data) && data.buffer === this.k.memory.buffer) data = Array.prototype.slice.call(data);
    const b = this.alloc(data.length, type);
    this.view(b).set(data);
    return b;
  }

  free(...bufs: (AnyBuf | undefined)[]): void {
    for (const b of bufs) {
      if (!b) continue;
      if (!this.live.delete(b.ptr)) throw new Error(`engine.free: buffer at ${b.ptr} is not live`);
      this.arena.release(b.ptr);
    }
  }

  /** A fresh view of `b` as its own element type (invalid after the next allocation that grows memory). */
  view<T extends ElementType>(b: Buf<T>): ViewOf[T] {
    return new VIEW[checkType(b.type) as T](this.k.memory.buffer, b.ptr, b.len);
  }

  /** A fresh f32 view of an f32 buffer. */
  f32(b: Buf<"f32">): Float32Array {
    if (b.type !== "f32") throw new TypeError(`engine.f32: the buffer holds ${b.type}`);
    return new Float32Array(this.k.memory.buffer, b.ptr, b.len);
  }

  /** A fresh i32 view of an i32 buffer (or of an f32 one, reinterpreted, as before buffers were typed). */
  i32(b: Buf<"i32" | "f32">): Int32Array {
    if (b.type !== "i32" && b.type !== "f32") throw new TypeError(`engine.i32: the buffer holds ${b.type}`);
    return new Int32Array(this.k.memory.buffer, b.ptr, b.len);
  }

  f64(b: Buf<"f64">): Float64Array {
    if (b.type !== "f64") throw new TypeError(`engine.f64: the buffer holds ${b.type}`);
    return new Float64Array(this.k.memory.buffer, b.ptr, b.len);
  }

  u8(b: Buf<"u8">): Uint8Array {
    if (b.type !== "u8") throw new TypeError(`engine.u8: the buffer holds ${b.type}`);
    return new Uint8Array(this.k.memory.buffer, b.ptr, b.len);
  }

  /** Copies `data` into `b` (as its element type) from element `offset`. */
  write(b: AnyBuf, data: ArrayLike<number>, offset = 0): void {
    if (offset + data.length > b.len) throw new RangeError(`engine.write: ${data.length} values into ${b.len - offset}`);
    this.view(b).set(data, offset);
  }

  /** A copy of `b` as its element type, safe to keep. */
  read<T extends ElementType>(b: Buf<T>): ViewOf[T] {
    return this.view(b).slice() as ViewOf[T];
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
