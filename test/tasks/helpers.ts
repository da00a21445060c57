// Shared checks for the task tests: byte-level identity of datasets (determinism is about bits, not values).
import type { Dataset, Split } from "../../src/tasks/types.ts";

export function splitBytes(s: Split): Uint8Array[] {
  const bytes = (a: Float32Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return [bytes(s.x), bytes(s.y)];
}

/** All bytes of a dataset (train x, train y, test x, test y) as one array. */
export function datasetBytes(d: Dataset): Uint8Array {
  const parts = [...splitBytes(d.train), ...splitBytes(d.test)];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
