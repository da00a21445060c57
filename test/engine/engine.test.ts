import { describe, expect, it } from "vitest";
import { createEngine, createEngineSync } from "../../src/engine/engine.ts";
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
