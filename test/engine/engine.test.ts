import { describe, expect, it } from "vitest";
import { bindKernels, KERNEL_ARITY } from "../../src/engine/abi/index.ts";
import { createEngine, createEngineSync, ELEMENT_BYTES, elementPtr, type ElementType } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";

describe("engine", () => {
  it("loads the module synchronously and asynchronously", async () => {
    const a = createEngineSync();
    const b = await createEngine();
    expect(a.k.heapBase()).toBe(b.k.heapBase());
    expect(a.k.expf(1)).toBe(Math.fround(Math.E));
  });

  it("allocates zeroed, aligned blocks and reuses freed memory", () => {
    const e = createEngineSync();
    const x = e.alloc(5);
    expect(x.ptr % 16).toBe(0);
    e.f32(x).fill(7);
    e.free(x);
    const y = e.alloc(5);
    expect(y.ptr).toBe(x.ptr);
    expect(Array.from(e.f32(y))).toEqual([0, 0, 0, 0, 0]);
    e.free(y);
    expect(e.memoryStats.inUse).toBe(0);
    expect(() => e.free(y)).toThrow(/not live/);
  });

  it("grows memory and keeps data across growth", () => {
    const e = createEngineSync();
    const before = e.memoryStats.linearMemory;
    const a = e.from([1, 2, 3]);
    const big = e.alloc(4 << 20); // 16 MiB forces growth
    expect(e.memoryStats.linearMemory).toBeGreaterThan(before);
    expect(Array.from(e.f32(a))).toEqual([1, 2, 3]);
    e.free(big, a);
  });

  it("does not leak across repeated alloc/free cycles", () => {
    const e = createEngineSync();
    const cycle = () => {
      const bufs = [100, 3, 4096, 17, 1 << 16].map((n) => e.alloc(n));
      e.free(...bufs.reverse());
    };
    cycle();
    const mem = e.memoryStats.linearMemory;
    for (let i = 0; i < 50; i++) cycle();
    expect(e.memoryStats.linearMemory).toBe(mem);
    expect(e.memoryStats.liveBuffers).toBe(0);
  });
});

describe("rng", () => {
  it("is reproducible per seed and differs across seeds", () => {
    const draw = (seed: number) => Array.from({ length: 8 }, (() => { const r = new Rng(seed); return () => r.nextU32(); })());
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it("gives standard normals with mean ≈ 0 and variance ≈ 1", () => {
    const e = createEngineSync();
    const r = new Rng(3);
    let s = 0;
    let s2 = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const z = r.normal(e);
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.05);
  });

  it("permutations contain every index once", () => {
    const p = Array.from(new Rng(5).permutation(100)).sort((a, b) => a - b);
    expect(p).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe("engine.from", () => {
  it("copies a view of its own memory even when the allocation grows memory", () => {
    const e = createEngineSync();
    // As large as all of memory, so its copy cannot fit without growing it.
    const src = e.alloc(e.memoryStats.linearMemory / 4);
    e.f32(src).set([1, 2, 3, 4]);
    const before = e.memoryStats.linearMemory;
    const copy = e.from(e.f32(src));
    expect(e.memoryStats.linearMemory).toBeGreaterThan(before);
    expect(Array.from(e.f32(copy).subarray(0, 5))).toEqual([1, 2, 3, 4, 0]);
    e.free(src, copy);
  });
});

describe("typed buffers", () => {
  const TYPES: ElementType[] = ["f32", "f64", "i32", "u8"];

  it("alloc(len) is f32, as before; alloc(len, type) sizes by the element type", () => {
    const e = createEngineSync();
    const f = e.alloc(3);
    expect(f.type).toBe("f32");
    for (const type of TYPES) {
      for (const len of [0, 1, 5, 17]) {
        const before = e.memoryStats.inUse;
        const b = e.alloc(len, type);
        expect(b.type).toBe(type);
        expect(b.ptr % 16).toBe(0);
        // the arena rounds blocks up to 16 bytes (and gives an empty buffer one block)
        expect(e.memoryStats.inUse - before).toBe(Math.max(16, Math.ceil((len * ELEMENT_BYTES[type]) / 16) * 16));
        const v = e.view(b);
        expect(v.length).toBe(len);
        expect(v.byteLength).toBe(len * ELEMENT_BYTES[type]);
        expect(Array.from(v)).toEqual(new Array(len).fill(0));
        e.free(b);
      }
    }
    e.free(f);
    expect(e.memoryStats.liveBuffers).toBe(0);
  });

  it("from, write and read keep each type's values (f64 exact, i32 and u8 as integers)", () => {
    const e = createEngineSync();
    const values = { f32: [1.5, -2, 1e-7], f64: [Math.PI, 1e-300, -1 / 3], i32: [-7, 2 ** 31 - 1, 0], u8: [0, 200, 255] };
    for (const type of TYPES) {
      const b = e.from(values[type], type);
      expect(b.len).toBe(3);
      const got = Array.from(e.read(b));
      const want = type === "f32" ? values.f32.map(Math.fround) : values[type];
      expect(got).toEqual(want);
      e.write(b, [want[2]], 1);
      expect(e.read(b)[1]).toBe(want[2]);
      expect(e.read(b)).toBeInstanceOf({ f32: Float32Array, f64: Float64Array, i32: Int32Array, u8: Uint8Array }[type]);
      e.free(b);
    }
  });

  it("each view refuses a buffer of another width, naming its type; i32 may view an f32 buffer as before", () => {
    const e = createEngineSync();
    const f = e.alloc(2);
    const d = e.alloc(2, "f64");
    const u = e.alloc(2, "u8");
    const i = e.alloc(2, "i32");
    expect(e.i32(f).length).toBe(2); // the pre-typed way to get i32 scratch
    // @ts-expect-error an f64 buffer has no f32 view
    expect(() => e.f32(d)).toThrow(/holds f64/);
    // @ts-expect-error an i32 buffer has no f32 view
    expect(() => e.f32(i)).toThrow(/holds i32/);
    // @ts-expect-error a u8 buffer has no f64 view
    expect(() => e.f64(u)).toThrow(/holds u8/);
    // @ts-expect-error an f32 buffer has no u8 view
    expect(() => e.u8(f)).toThrow(/holds f32/);
    // @ts-expect-error not an element type
    expect(() => e.alloc(2, "f16")).toThrow(/unknown element type "f16"/);
    expect(e.f64(d).length).toBe(2);
    expect(e.u8(u).length).toBe(2);
    e.free(f, d, u, i);
  });

  it("elementPtr gives byte offsets by element, up to one past the end", () => {
    const e = createEngineSync();
    for (const type of TYPES) {
      const b = e.alloc(10, type);
      expect(elementPtr(b, 0)).toBe(b.ptr);
      expect(elementPtr(b, 3)).toBe(b.ptr + 3 * ELEMENT_BYTES[type]);
      expect(elementPtr(b, 10)).toBe(b.ptr + 10 * ELEMENT_BYTES[type]);
      expect(() => elementPtr(b, 11)).toThrow(/index 11 outside a .* buffer of 10/);
      expect(() => elementPtr(b, -1)).toThrow(/index -1/);
      e.free(b);
    }
  });
});

describe("kernel table", () => {
  it("the module exports exactly the kernels of the ABI tables, with their parameter counts", () => {
    const e = createEngineSync();
    const fns = Object.entries(e.k).filter(([, v]) => typeof v === "function") as [string, (...a: never[]) => unknown][];
    const declared = KERNEL_ARITY as Record<string, number>;
    expect(fns.map(([n]) => n).filter((n) => !(n in declared)), "exports missing from the ABI tables").toEqual([]);
    for (const [name, arity] of Object.entries(declared)) {
      const f = (e.k as unknown as Record<string, unknown>)[name];
      expect(typeof f, name).toBe("function");
      expect((f as (...a: never[]) => unknown).length, `${name}'s parameters`).toBe(arity);
    }
  });

  it("binding refuses a module that lacks a kernel or declares it with another arity", () => {
    const e = createEngineSync();
    const real = Object.fromEntries(Object.entries(e.k)) as WebAssembly.Exports;
    expect(bindKernels(real)).toBe(real);
    const { gemm: _, ...noGemm } = real;
    expect(() => bindKernels(noGemm)).toThrow(/kernel gemm is missing/);
    expect(() => bindKernels({ ...real, gemm: (a: number) => a })).toThrow(/gemm takes 1 parameters, the ABI says 12/);
    expect(() => bindKernels({ ...real, memory: {} as WebAssembly.Memory })).toThrow(/no exported memory/);
  });
});
