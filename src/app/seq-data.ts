// The user's own sequences in a run spec (docs/data.md, "Your own sequences"): a text file read with a
// character tokenizer, or token ids as JSON, for the transformer family. Like data-spec.ts for tables:
// the faces read the file and pass its contents; this layer resolves them into a plain-JSON spec, the
// task it makes, and what a model's meta records of it.
import { z } from "zod";
import { charDataset, tokenDataset, userSeqTask } from "../tasks/sequence/index.ts";
import type { SeqDataset, SeqTask } from "../tasks/sequence-types.ts";
import { textHash } from "./data-spec.ts";
import { oneOf, openUnit, text, wholeNumber } from "./schema-parts.ts";
import { blame, fromZod, UserError } from "./user-error.ts";

/** Resolved: the contents and how to read them. */
export interface SeqDataSpec {
  /** "text": characters are tokens (tokenizer "char"); "tokens": JSON token ids. */
  format: "text" | "tokens";
  tokenizer?: "char";
  text: string;
  name?: string;
  ctx?: number;
  testFraction?: number;
}

/** What a face may pass: the format follows from the tokenizer or the file name (.txt: text, .json: tokens). */
export const SeqDataInput = z.strictObject({
  format: oneOf(["text", "tokens"] as const).optional(),
  tokenizer: oneOf(["char"] as const).optional(),
  text: text(),
  name: text().optional(),
  ctx: wholeNumber(1, 4096).optional(),
  testFraction: openUnit().optional(),
});
export type SeqDataInput = z.input<typeof SeqDataInput>;

/** Does a raw `data` value mean sequences (a tokenizer, a sequence format, or a .txt file)? */
export function isSeqDataInput(raw: unknown): boolean {
  if (typeof raw !== "object" || raw === null) return false;
  const r = raw as Record<string, unknown>;
  return r.tokenizer !== undefined || r.format === "text" || r.format === "tokens" ||
    (typeof r.name === "string" && /\.txt$/i.test(r.name));
}

export function resolveSeqData(raw: unknown): SeqDataSpec {
  const r = SeqDataInput.safeParse(raw);
  if (!r.success) throw fromZod(r.error, "data");
  const d = r.data;
  const name = d.name ?? "";
  const format = d.format ?? (d.tokenizer !== undefined || /\.txt$/i.test(name) ? "text" : /\.json$/i.test(name) ? "tokens" : undefined);
  if (format === undefined) {
    throw new UserError("data", `${d.name ?? "the text"}: give a tokenizer (char) for text, or token ids as .json`);
  }
  if (format === "text" && d.tokenizer === undefined) {
    throw new UserError("data.tokenizer", 'text needs a tokenizer: "char" (each character a token)');
  }
  if (format === "tokens" && d.tokenizer !== undefined) {
    throw new UserError("data.tokenizer", "token ids need no tokenizer");
  }
  const out: SeqDataSpec = { format, text: d.text };
  if (d.tokenizer !== undefined) out.tokenizer = d.tokenizer;
  for (const k of ["name", "ctx", "testFraction"] as const) if (d[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = d[k];
  return out;
}

/** The dataset the spec reads; a problem in the file is a UserError of "data" naming the place. */
export function readSeqData(d: SeqDataSpec): SeqDataset {
  const opts = { ctx: d.ctx, testFraction: d.testFraction, source: d.name };
  return blame("data", () => (d.format === "text" ? charDataset(d.text, opts) : tokenDataset(d.text, opts)));
}

/** The task the user's sequences make, with the default settings of userSeqTask (docs/data.md). */
export function seqDataTask(d: SeqDataSpec): SeqTask {
  const data = readSeqData(d);
  const what = d.format === "text" ? "character-level language model" : "token sequences";
  return userSeqTask(data, d.format === "text" ? "user-text" : "user-tokens",
    `${what} on ${d.name ?? "your data"}: vocab ${data.vocab}, ctx ${data.ctx}, ${data.train.n} / ${data.test.n} windows`);
}

/** What a model's meta records of its sequences, so a later run can check it reads the same data. */
export interface SeqDataRecord {
  format: "text" | "tokens";
  tokenizer?: "char";
  name?: string;
  /** FNV-1a 64 of the text. */
  hash: string;
  ctx: number;
  vocab: number;
  testFraction?: number;
  windows: { train: number; test: number };
}

export function seqDataRecord(d: SeqDataSpec, data: SeqDataset): SeqDataRecord {
  const r: SeqDataRecord = { format: d.format, hash: textHash(d.text), ctx: data.ctx, vocab: data.vocab!,
    windows: { train: data.train.n, test: data.test.n } };
  if (d.tokenizer) r.tokenizer = d.tokenizer;
  if (d.name !== undefined) r.name = d.name;
  if (d.testFraction !== undefined) r.testFraction = d.testFraction;
  return r;
}
