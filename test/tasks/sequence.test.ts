import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { transformerTensors } from "../../src/model/transformer-spec.ts";
import { modularAddition } from "../../src/tasks/algorithmic.ts";
import type { SeqDataset, SeqSplit } from "../../src/tasks/sequence-types.ts";
import {
  charDataset, getSeqTask, iclRegressionDataset, inductionDataset, modularAdditionSeqDataset, seqTaskNames,
  tokenDataset, userSeqTask,
} from "../../src/tasks/sequence/index.ts";
import type { Dataset } from "../../src/tasks/types.ts";
import { sameBytes } from "./helpers.ts";

const engine = createEngineSync();

/** Collects the first few failed conditions, so a check over 20,000 sequences is one cheap assertion. */
function violations() {
  const found: string[] = [];
  return {
    check(ok: boolean, what: () => string) {
      if (!ok && found.length < 5) found.push(what());
    },
    found,
  };
}

function seqBytes(d: SeqDataset): Uint8Array {
  const parts: ArrayBufferView[] = [];
  for (const s of [d.train, d.test]) {
    parts.push(s.x, s.y, s.mask);
    if (s.corrupted) parts.push(s.corrupted);
    if (s.repeat) parts.push(s.repeat.first, s.repeat.copy, s.repeat.length);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
    at += p.byteLength;
  }
  return out;
}

describe("sequence task registry", () => {
  it("names the three built-in tasks and refuses others, listing them", () => {
    expect(seqTaskNames).toEqual(["icl-regression", "induction", "modular-addition-seq"]);
    expect(getSeqTask("induction").family).toBe("transformer");
    expect(() => getSeqTask("inductoin")).toThrow(/icl-regression, induction, modular-addition-seq/);
  });

  it.each(seqTaskNames)("%s: same seed gives the same bytes, another seed others; the model fits the data", async (name) => {
    const task = getSeqTask(name);
    const a = await task.make(engine, 5);
    expect(sameBytes(seqBytes(a), seqBytes(await task.make(engine, 5)))).toBe(true);
    expect(sameBytes(seqBytes(a), seqBytes(await task.make(engine, 6)))).toBe(false);
    const m = task.settings.model;
    expect([m.vocab, m.inDim, m.outDim, m.ctx]).toEqual([a.vocab, a.inDim, a.outDim, a.ctx]);
    expect(task.settings.loss).toBe(a.kind === "regression" ? "mse" : "ce");
    for (const s of [a.train, a.test]) {
      const width = a.inDim ?? 1;
      expect(s.x.length).toBe(s.n * a.ctx * width);
      expect(s.mask.length).toBe(s.n * a.ctx);
      expect(s.y.length).toBe(s.n * a.ctx * (a.kind === "regression" ? a.outDim : 1));
    }
  });
});

describe("icl-regression", () => {
  const d = iclRegressionDataset(1);
  const at = (s: SeqSplit, r: number, t: number, c: number) => s.x[(r * 3 + t) * 2 + c];

  it("has the reference's sizes: 10,000 draws, 80/20, tokens x1, y1, x2 of width 2, y read from output 0", () => {
    expect([d.train.n, d.test.n, d.ctx, d.inDim, d.outDim, d.lossOutputs]).toEqual([8000, 2000, 3, 2, 2, 1]);
    expect(Array.from(d.train.mask.subarray(0, 6))).toEqual([1, 0, 1, 1, 0, 1]);
  });

  it("x-tokens are [0, x] with x in [1, 3), y-tokens [w·x, 0] with one w in [-1, 1) per sequence; targets are the next tokens", () => {
    const v = violations();
    for (const s of [d.train, d.test]) {
      const y = s.y as Float32Array;
      for (let r = 0; r < s.n; r++) {
        const [x1, y1, x2] = [at(s, r, 0, 1), at(s, r, 1, 0), at(s, r, 2, 1)];
        v.check(at(s, r, 0, 0) === 0 && at(s, r, 1, 1) === 0 && at(s, r, 2, 0) === 0, () => `zeros ${r}`);
        v.check(x1 >= 1 && x1 < 3 && x2 >= 1 && x2 < 3, () => `x range ${r}`);
        const w = y1 / x1;
        v.check(Math.abs(w) <= 1, () => `w ${r} = ${w}`);
        // the target of x1 is y1's token, of y1 the x2 token, of x2 the token [y2, 0] with y2 = w·x2
        v.check(y[r * 6] === y1 && y[r * 6 + 1] === 0 && y[r * 6 + 2] === 0 && y[r * 6 + 3] === x2, () => `targets ${r}`);
        v.check(Math.abs(y[r * 6 + 4] - w * x2) < 1e-5 && y[r * 6 + 5] === 0, () => `y2 ${r}`);
      }
    }
    expect(v.found).toEqual([]);
  });

  it("uses model B of the bench (25,314 parameters; ctx 3 = 2T − 1 positions)", () => {
    const task = getSeqTask("icl-regression");
    expect(transformerTensors(task.settings.model).total).toBe(25_314);
    const s = task.settings;
    expect([s.steps, s.lr, s.batch, s.weightDecay, s.weightFactor, s.l0]).toEqual([40000, 1e-3, 64, 0, 2, 0.5]);
    expect(s.lambda).toEqual([{ from: 0, value: 1e-3 }, { from: 10000, value: 1e-2 }, { from: 30000, value: 1e-1 }]);
  });
});

describe("induction", () => {
  const d = inductionDataset(3);
  const { train } = d;
  const ctx = 24;
  const tok = (s: SeqSplit, r: number, t: number) => (t < ctx ? s.x[r * ctx + t] : s.y[r * ctx + ctx - 1]);

  it("each sequence holds a segment of distinct tokens and its copy; no other position uses a segment token", () => {
    const v = violations();
    for (const s of [d.train, d.test]) {
      const { first, copy, length } = s.repeat!;
      for (let r = 0; r < s.n; r++) {
        const [p, c, L] = [first[r], copy[r], length[r]];
        v.check(L >= 4 && L <= 10 && c >= p + L && c + L <= ctx + 1, () => `layout ${r}: ${p}, ${c}, ${L}`);
        const seg = Array.from({ length: L }, (_, i) => tok(s, r, p + i));
        v.check(new Set(seg).size === L, () => `segment ${r} repeats a token`);
        for (let i = 0; i < L; i++) v.check(tok(s, r, c + i) === seg[i], () => `copy ${r}[${i}]`);
        for (let t = 0; t <= ctx; t++) {
          if ((t >= p && t < p + L) || (t >= c && t < c + L)) continue;
          v.check(!seg.includes(tok(s, r, t)), () => `filler ${r}[${t}] is a segment token`);
        }
        for (let t = 0; t + 1 < ctx; t++) v.check(s.y[r * ctx + t] === s.x[r * ctx + t + 1], () => `target ${r}[${t}]`);
      }
    }
    expect(v.found).toEqual([]);
  });

  it("scores exactly the positions whose next token is copy token 1 … L−1", () => {
    const v = violations();
    const { copy, length } = train.repeat!;
    for (let r = 0; r < train.n; r++) {
      for (let t = 0; t < ctx; t++) {
        const want = t >= copy[r] && t <= copy[r] + length[r] - 2 ? 1 : 0;
        v.check(train.mask[r * ctx + t] === want, () => `mask ${r}[${t}]`);
      }
    }
    expect(v.found).toEqual([]);
  });

  it("the induction rule (predict what followed the earlier occurrence) is right on every scored position", () => {
    const v = violations();
    let scored = 0;
    for (let r = 0; r < train.n; r++) {
      for (let t = 0; t < ctx; t++) {
        if (!train.mask[r * ctx + t]) continue;
        const cur = train.x[r * ctx + t];
        let prev = -1;
        for (let u = t - 1; u >= 0 && prev < 0; u--) if (train.x[r * ctx + u] === cur) prev = u;
        v.check(prev >= 0 && train.x[r * ctx + prev + 1] === train.y[r * ctx + t], () => `sequence ${r}, position ${t}`);
        scored++;
      }
    }
    expect(v.found).toEqual([]);
    expect(scored).toBeGreaterThan(train.n * 3);
  });

  it("varies the layout so that position alone or the current token alone predicts badly (< 0.2 on test)", () => {
    const { copy, length } = train.repeat!;
    expect(new Set(length).size).toBe(7);
    expect(new Set(copy).size).toBeGreaterThan(12);
    // best constant per position, and per current token, fitted on train, scored on the test copy
    const fit = (key: (s: SeqSplit, r: number, t: number) => number, keys: number) => {
      const counts = Array.from({ length: keys }, () => new Int32Array(32));
      for (let r = 0; r < train.n; r++) {
        for (let t = 0; t < ctx; t++) if (train.mask[r * ctx + t]) counts[key(train, r, t)][train.y[r * ctx + t]]++;
      }
      const best = counts.map((c) => c.indexOf(Math.max(...c)));
      let right = 0;
      let n = 0;
      for (let r = 0; r < d.test.n; r++) {
        for (let t = 0; t < ctx; t++) {
          if (!d.test.mask[r * ctx + t]) continue;
          n++;
          if (best[key(d.test, r, t)] === d.test.y[r * ctx + t]) right++;
        }
      }
      return right / n;
    };
    expect(fit((_s, _r, t) => t, ctx)).toBeLessThan(0.2);
    expect(fit((s, r, t) => s.x[r * ctx + t], 32)).toBeLessThan(0.2);
  });

  it("corrupted inputs re-draw the segment's first occurrence (every token changes) and keep everything else", () => {
    const v = violations();
    for (const s of [d.train, d.test]) {
      const { first, length } = s.repeat!;
      const bad = s.corrupted!;
      for (let r = 0; r < s.n; r++) {
        const seg = new Set(Array.from({ length: length[r] }, (_, i) => s.x[r * ctx + first[r] + i]));
        for (let t = 0; t < ctx; t++) {
          const inFirst = t >= first[r] && t < first[r] + length[r];
          v.check(inFirst ? !seg.has(bad[r * ctx + t]) : bad[r * ctx + t] === s.x[r * ctx + t], () => `${r}[${t}]`);
        }
      }
    }
    expect(v.found).toEqual([]);
  });
});

describe("modular-addition-seq", () => {
  it("a b = → (a + b) mod 59, only the answer scored, with the MLP task's split", () => {
    const d = modularAdditionSeqDataset(59, 2);
    const mlp = modularAddition.make(engine, 2) as Dataset;
    expect([d.train.n, d.test.n, d.vocab, d.outDim, d.tokenNames![59]]).toEqual([2784, 697, 60, 60, "="]);
    for (const [s, m] of [[d.train, mlp.train], [d.test, mlp.test]] as const) {
      for (let r = 0; r < s.n; r++) {
        const [a, b, eq] = s.x.subarray(r * 3, r * 3 + 3);
        expect([a, b, eq]).toEqual([m.x[2 * r], m.x[2 * r + 1], 59]);
        expect(Array.from(s.y.subarray(r * 3, r * 3 + 3))).toEqual([b, 59, (a + b) % 59]);
        expect(Array.from(s.mask.subarray(r * 3, r * 3 + 3))).toEqual([0, 0, 1]);
      }
    }
  });

  it("takes p = 113 too: all pairs once", () => {
    const d = modularAdditionSeqDataset(113, 0);
    const seen = new Set<number>();
    for (const s of [d.train, d.test]) for (let r = 0; r < s.n; r++) seen.add(s.x[r * 3] * 113 + s.x[r * 3 + 1]);
    expect([seen.size, d.train.n]).toEqual([113 * 113, Math.floor(0.8 * 113 * 113)]);
    expect(() => modularAdditionSeqDataset(1, 0)).toThrow(/modulus/);
  });
});

/** The text a split's windows encode: the first window's inputs, then every scored target. */
function decode(s: SeqSplit, ctx: number, names: string[]): string {
  let out = "";
  for (let r = 0; r < s.n; r++) {
    if (r === 0) out += names[s.x[0]];
    for (let t = 0; t < ctx; t++) if (s.mask[r * ctx + t]) out += names[s.y[r * ctx + t]];
  }
  return out;
}

describe("character-level text", () => {
  const text = "the cat sat on the mat; the dog sat on the log. ünïcødé 🙂 too\n".repeat(5);

  it("builds the alphabet in code-point order and holds out the tail; every character is predicted once", () => {
    const d = charDataset(text, { ctx: 16 });
    const chars = Array.from(text);
    expect(d.tokenNames).toEqual([...new Set(chars)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
    expect(d.tokenNames).toContain("🙂");
    const nTest = Math.floor(0.1 * chars.length);
    expect(decode(d.train, 16, d.tokenNames!)).toBe(chars.slice(0, chars.length - nTest).join(""));
    expect(decode(d.test, 16, d.tokenNames!)).toBe(chars.slice(chars.length - nTest).join(""));
    // windows overlap by one token: each window's first input is the last target of the one before
    for (let r = 1; r < d.train.n; r++) expect(d.train.x[r * 16]).toBe(d.train.y[r * 16 - 1]);
    // the last window is padded and masked
    const last = d.train.n - 1;
    const scored = d.train.mask.subarray(last * 16, last * 16 + 16).reduce((a, b) => a + b, 0);
    expect(scored).toBe((chars.length - nTest - 1) % 16 || 16);
  });

  it("defaults ctx to 64, or shorter for a short text; a task over it gets a language model", () => {
    expect(charDataset("x".repeat(1000)).ctx).toBe(64);
    expect(charDataset("abcdefghij").ctx).toBe(7);
    const task = userSeqTask(charDataset(text, { ctx: 32 }));
    expect([task.settings.model.vocab, task.settings.model.ctx, task.settings.loss]).toEqual([
      charDataset(text).vocab, 32, "ce"]);
  });

  it("refuses too little text and bad fractions, naming the file", () => {
    expect(() => charDataset("ab", { source: "c.txt" })).toThrow(/c\.txt: the text has 2 characters/);
    expect(() => charDataset(text, { testFraction: 1 })).toThrow(/test fraction/);
  });
});

describe("token sequences as JSON", () => {
  it("holds out the last sequences, infers vocab, pads short sequences", () => {
    const d = tokenDataset(JSON.stringify({ sequences: [[1, 2, 3, 4], [4, 3], [0, 1, 2], [2, 2, 2, 2, 2]] }),
      { testFraction: 0.25 });
    expect([d.vocab, d.ctx, d.train.n, d.test.n]).toEqual([5, 4, 3, 1]);
    expect(Array.from(d.train.x.subarray(4, 8))).toEqual([4, 0, 0, 0]);
    expect(Array.from(d.train.mask.subarray(4, 8))).toEqual([1, 0, 0, 0]);
    expect(Array.from(d.test.y)).toEqual([2, 2, 2, 2]);
  });

  it("takes train and test with vocab and token names", () => {
    const d = tokenDataset(JSON.stringify({ train: [[0, 1, 2]], test: [[2, 1, 0]], vocab: 4, tokenNames: ["a", "b", "c", "d"] }));
    expect([d.vocab, d.ctx, d.train.n, d.test.n, d.tokenNames![3]]).toEqual([4, 2, 1, 1, "d"]);
  });

  it.each([
    ["{", /not valid JSON/],
    [JSON.stringify([[1, 2]]), /expected a JSON object/],
    [JSON.stringify({ sequences: [[1, 2]], train: [[1, 2]] }), /exactly one of "sequences"/],
    [JSON.stringify({ sequences: [[1, 2], [3]] }), /sequences\[1\]: has 1 token/],
    [JSON.stringify({ sequences: [[1, 2], [3, -1]] }), /sequences\[1\]\[1\]: -1 is not a token id/],
    [JSON.stringify({ train: [[1, 2]], vocab: 2 }), /token id 2 is not below vocab = 2/],
    [JSON.stringify({ train: [[1, 2]], tokenNames: ["a"] }), /tokenNames: expected 3 strings/],
    [JSON.stringify({ train: [[1, 2]], tokens: 3 }), /unknown key "tokens"/],
  ])("refuses %s", (text, message) => {
    expect(() => tokenDataset(text, { source: "t.json" })).toThrow(message);
    expect(() => tokenDataset(text, { source: "t.json" })).toThrow(/^t\.json: /);
  });
});
