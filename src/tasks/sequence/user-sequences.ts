// The user's own sequences as a language-modelling task (docs/data.md): a text file read with a
// character tokenizer (`--data corpus.txt --tokenizer char`), or token ids as JSON. Text in, task out:
// reading the file is the caller's job. Every stream of tokens is cut into windows of ctx + 1 tokens
// that overlap by one (inputs are the first ctx, targets the last ctx), so each token is predicted
// once; the last window of a stream is padded with token 0 and its padded positions are masked out.
import type { TransformerSpec } from "../../model/transformer-spec.ts";
import type { SeqDataset, SeqSplit, SeqTask } from "../sequence-types.ts";
import { seqSettings, threePhaseLambda } from "./reference-settings.ts";

export interface UserSequenceOptions {
  /** Context length (default 64, or shorter when every stream is shorter). */
  ctx?: number;
  /** Held-out share: the tail of the text, or the last sequences of a JSON file without "test" (default 0.1). */
  testFraction?: number;
  /** Prefix for error messages, e.g. the file name. */
  source?: string;
}

export const DEFAULT_USER_CTX = 64;
const DEFAULT_TEST_FRACTION = 0.1;

/** A character-level dataset: the alphabet is the text's distinct code points in code-point order. */
export function charDataset(text: string, opts: UserSequenceOptions = {}): SeqDataset {
  return withSource(opts.source, () => {
    const chars = Array.from(text);
    if (chars.length < 4) throw new Error(`the text has ${chars.length} characters; a language model needs at least 4`);
    const alphabet = [...new Set(chars)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    const id = new Map(alphabet.map((c, i) => [c, i]));
    const ids = Int32Array.from(chars, (c) => id.get(c)!);
    const f = testFraction(opts.testFraction);
    const nTest = Math.max(2, Math.floor(f * ids.length));
    const train = ids.subarray(0, ids.length - nTest);
    const test = ids.subarray(ids.length - nTest);
    if (train.length < 2) throw new Error(`the text has ${chars.length} characters: too few to hold out a tail of ${nTest}`);
    const ctx = chooseCtx(opts.ctx, [train, test]);
    return {
      kind: "classification", ctx, vocab: alphabet.length, outDim: alphabet.length,
      train: windows([train], ctx), test: windows([test], ctx), tokenNames: alphabet,
    };
  });
}

/**
 * Token sequences as JSON: `{"sequences": [[ids…], …]}` or `{"train": […], "test": […]}`, with optional
 * `"vocab"` (default: the largest id + 1) and `"tokenNames"` (one per token).
 */
export function tokenDataset(jsonText: string, opts: UserSequenceOptions = {}): SeqDataset {
  return withSource(opts.source, () => {
    let value: unknown;
    try {
      value = JSON.parse(jsonText);
    } catch (e) {
      throw new Error(`not valid JSON: ${(e as Error).message}`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new Error('expected a JSON object with "sequences" (or "train" and optionally "test")');
    }
    const o = value as Record<string, unknown>;
    const known = ["sequences", "train", "test", "vocab", "tokenNames"];
    const extra = Object.keys(o).filter((k) => !known.includes(k));
    if (extra.length > 0) throw new Error(`unknown key "${extra[0]}" (known: ${known.join(", ")})`);
    if ((o.sequences === undefined) === (o.train === undefined)) {
      throw new Error('give exactly one of "sequences" (the tail is held out) and "train"');
    }
    if (o.sequences !== undefined && o.test !== undefined) throw new Error('"test" goes with "train", not with "sequences"');
    let train: Int32Array[];
    let test: Int32Array[];
    if (o.sequences !== undefined) {
      const all = sequenceList(o.sequences, "sequences");
      if (all.length < 2) throw new Error(`"sequences" has ${all.length} sequence(s); at least 2 are needed to hold one out`);
      const nTest = Math.min(all.length - 1, Math.max(1, Math.floor(testFraction(opts.testFraction) * all.length)));
      train = all.slice(0, all.length - nTest);
      test = all.slice(all.length - nTest);
    } else {
      if (opts.testFraction !== undefined) throw new Error('the test fraction applies to "sequences" only; this file gives "train"');
      train = sequenceList(o.train, "train");
      test = o.test === undefined ? [] : sequenceList(o.test, "test");
    }
    let largest = 0;
    for (const seq of [...train, ...test]) for (const t of seq) if (t > largest) largest = t;
    let vocab = largest + 1;
    if (o.vocab !== undefined) {
      if (!Number.isInteger(o.vocab) || (o.vocab as number) < 1) throw new Error(`vocab: expected a whole number ≥ 1, got ${JSON.stringify(o.vocab)}`);
      vocab = o.vocab as number;
      if (largest >= vocab) throw new Error(`token id ${largest} is not below vocab = ${vocab}`);
    }
    let tokenNames: string[] | undefined;
    if (o.tokenNames !== undefined) {
      const names = o.tokenNames;
      if (!Array.isArray(names) || names.length !== vocab || !names.every((n) => typeof n === "string")) {
        throw new Error(`tokenNames: expected ${vocab} strings (one per token)`);
      }
      tokenNames = names as string[];
    }
    const ctx = chooseCtx(opts.ctx, [...train, ...test]);
    const ds: SeqDataset = {
      kind: "classification", ctx, vocab, outDim: vocab, train: windows(train, ctx), test: windows(test, ctx),
    };
    if (tokenNames) ds.tokenNames = tokenNames;
    return ds;
  });
}

/** A model C–sized language model for the user's data (ours): 2 layers, 4 heads × 32, MLP 512. */
export function userLmModel(vocab: number, ctx: number): TransformerSpec {
  return {
    kind: "transformer", vocab, outDim: vocab, ctx, dModel: 128, nHeads: 4, dHead: 32, nLayers: 2, dMlp: 512,
    norm: "layernorm", act: "gelu", positions: true, unembedBias: false,
  };
}

const STEPS = 2000;

/** A SeqTask over a dataset made from the user's file (ours: the settings; the seed does not change the data). */
export function userSeqTask(dataset: SeqDataset, name = "user-text", description = "your own sequences"): SeqTask {
  const settings = seqSettings({
    model: userLmModel(dataset.vocab!, dataset.ctx),
    loss: "ce",
    steps: STEPS,
    batch: 32,
    lambda: threePhaseLambda(STEPS, [1e-3, 1e-2, 1e-1]),
  });
  return { family: "transformer", name, description, settings, make: () => dataset };
}

// ---- helpers ----

function withSource<T>(source: string | undefined, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (source && e instanceof Error) e.message = `${source}: ${e.message}`;
    throw e;
  }
}

function testFraction(f: number | undefined): number {
  const v = f ?? DEFAULT_TEST_FRACTION;
  if (!(v > 0 && v < 1)) throw new Error(`test fraction must lie strictly between 0 and 1, got ${v}`);
  return v;
}

function chooseCtx(ctx: number | undefined, streams: ArrayLike<number>[]): number {
  if (ctx !== undefined) {
    if (!Number.isInteger(ctx) || ctx < 1) throw new Error(`ctx must be a whole number ≥ 1, got ${ctx}`);
    return ctx;
  }
  let longest = 0;
  for (const s of streams) longest = Math.max(longest, s.length);
  return Math.max(1, Math.min(DEFAULT_USER_CTX, longest - 1));
}

function sequenceList(v: unknown, key: string): Int32Array[] {
  if (!Array.isArray(v)) throw new Error(`${key}: expected an array of token sequences`);
  return v.map((s, i) => {
    if (!Array.isArray(s)) throw new Error(`${key}[${i}]: expected an array of token ids`);
    if (s.length < 2) throw new Error(`${key}[${i}]: has ${s.length} token(s); a sequence needs at least 2`);
    s.forEach((t, j) => {
      if (!Number.isInteger(t) || t < 0 || t > 0x7fffffff) {
        throw new Error(`${key}[${i}][${j}]: ${JSON.stringify(t)} is not a token id (a whole number ≥ 0)`);
      }
    });
    return Int32Array.from(s as number[]);
  });
}

/** Windows of ctx + 1 tokens with stride ctx over each stream; a stream's last window is padded and masked. */
function windows(streams: ArrayLike<number>[], ctx: number): SeqSplit {
  const count = streams.reduce((n, s) => n + Math.max(0, Math.ceil((s.length - 1) / ctx)), 0);
  const x = new Int32Array(count * ctx);
  const y = new Int32Array(count * ctx);
  const mask = new Uint8Array(count * ctx);
  let row = 0;
  for (const s of streams) {
    for (let start = 0; start + 1 < s.length; start += ctx) {
      const base = row * ctx;
      for (let t = 0; t < ctx && start + t + 1 < s.length; t++) {
        x[base + t] = s[start + t];
        y[base + t] = s[start + t + 1];
        mask[base + t] = 1;
      }
      row++;
    }
  }
  return { n: count, x, y, mask };
}
