// The term lists txAssemble reads (assembly/tx-patch.ts): each receiver's input is a sum of terms, one
// per upstream sender (its current or ablated contribution) and one per always-present bias, written
// as TERM_WORDS i32 words each. The word layout and the codes below mirror the kernel file.
import type { Engine } from "../../engine/engine.ts";

export const TERM_WORDS = 6;

/** Where row i of a receiver's input (global row g, position t = g mod T) is read in a source. */
export const SRC = { rows: 0, compact: 1, byPos: 2, one: 3 } as const;
export type SrcMode = (typeof SRC)[keyof typeof SRC];

/** Which of cur and alt a row (or column) reads. */
export const SEL = { cur: 0, alt: 1, pos: 2, col: 3 } as const;
export type Sel = (typeof SEL)[keyof typeof SEL];

/** One term; pointers are byte offsets into the engine's memory, 0 for zeros / no mask. */
export interface Term {
  cur: number;
  curMode: SrcMode;
  alt: number;
  altMode: SrcMode;
  sel: Sel;
  mask: number;
}

/** A term that always reads `ptr` (a bias row, or a contribution that is never patched). */
export function fixedTerm(ptr: number, mode: SrcMode): Term {
  return { cur: ptr, curMode: mode, alt: 0, altMode: mode, sel: SEL.cur, mask: 0 };
}

/** Writes terms into an i32 view from word 0; returns their number. */
export function writeTerms(view: Int32Array, terms: Term[]): number {
  if (terms.length * TERM_WORDS > view.length) {
    throw new RangeError(`terms: ${terms.length} terms do not fit a list of ${view.length / TERM_WORDS}`);
  }
  terms.forEach((t, m) => {
    const w = m * TERM_WORDS;
    view[w] = t.cur;
    view[w + 1] = t.curMode;
    view[w + 2] = t.alt;
    view[w + 3] = t.altMode;
    view[w + 4] = t.sel;
    view[w + 5] = t.mask;
  });
  return terms.length;
}

/** Runs txAssemble over `terms` (written into `list`, an i32 buffer of room for them). */
export function assemble(e: Engine, list: { ptr: number; len: number; type: "i32" }, dst: number, rows: number,
  rowIdx: number, T: number, d: number, terms: Term[]): void {
  const n = writeTerms(e.i32(list), terms);
  e.k.txAssemble(dst, rows, rowIdx, T, d, list.ptr, n);
}
