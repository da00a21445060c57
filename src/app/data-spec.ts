// User data in a run spec: the file's contents (faces read files, this layer never does), how to read
// them, and the seed of the held-out split. Built-in tasks need no data: their seed makes it.
import { z } from "zod";
import { mnistFromIdx, type IdxFiles } from "../tasks/idx.ts";
import { mnistTask } from "../tasks/mnist.ts";
import { fnv1a64 } from "../model/io.ts";
import { parseUserData, userTask } from "../tasks/user-data.ts";
import type { Dataset, Task, TaskKind } from "../tasks/types.ts";
import { bool, listOf, oneOf, openUnit, seed, text } from "./schema-parts.ts";
import { UserError } from "./user-error.ts";

/** A CSV or JSON table (docs/data.md): the text, and how to read it. */
export interface TableData {
  format: "csv" | "json";
  text: string;
  /** Where the text came from (a file name), for messages only. */
  name?: string;
  /** CSV target columns (default: the last column), trimmed. */
  targets?: string[];
  /** Default: as docs/data.md infers it. */
  kind?: TaskKind;
  /** Held-out fraction of a table without a test set, chosen by a shuffle seeded with splitSeed. */
  testFraction?: number;
  splitSeed: number;
}

/** The four MNIST IDX files (plain, not gzipped), base64, so the spec stays JSON. */
export interface IdxData {
  format: "idx";
  files: Record<keyof IdxFiles, string>;
}

export type DataSpec = TableData | IdxData;

/** What a face may pass as `data`: the same fields, with the format guessed from the name. */
export const DataInput = z.strictObject({
  format: oneOf(["csv", "json"] as const).optional(),
  text: text(),
  name: text().optional(),
  targets: listOf(text().min(1, "must not be empty"), false).optional(),
  classification: bool().optional(),
  testFraction: openUnit().optional(),
  splitSeed: seed().optional(),
});
export type DataInput = z.input<typeof DataInput>;

export const IdxInput = z.strictObject({
  format: z.literal("idx"),
  files: z.strictObject({ trainImages: text(), trainLabels: text(), testImages: text(), testLabels: text() }),
});

/** The table a run reads; the split seed defaults to the run's seed (what the model's meta then records). */
export function tableData(d: z.output<typeof DataInput>, runSeed: number): TableData {
  const format = d.format ?? formatOf(d.name);
  const out: TableData = { format, text: d.text, splitSeed: d.splitSeed ?? runSeed };
  if (d.name !== undefined) out.name = d.name;
  if (d.targets !== undefined) out.targets = d.targets;
  if (d.classification) out.kind = "classification";
  if (d.testFraction !== undefined) out.testFraction = d.testFraction;
  return out;
}

function formatOf(name: string | undefined): "csv" | "json" {
  const ext = name?.toLowerCase().match(/\.(csv|json)$/)?.[1];
  if (ext === "csv" || ext === "json") return ext;
  throw new UserError("data", name === undefined ? 'give its format ("csv" or "json")' :
    `expected a .csv or .json file, got ${JSON.stringify(name)}`);
}

/** Parses the table; a problem in it is a UserError of "data" naming the line or path. */
export function readTable(d: TableData): Dataset {
  try {
    return parseUserData(d.text, d.format, { targets: d.targets, kind: d.kind, testFraction: d.testFraction,
      seed: d.splitSeed, source: d.name });
  } catch (err) {
    throw new UserError("data", (err as Error).message);
  }
}

/** The task a run's data make: user data with the user-task defaults, or MNIST from IDX files. */
export function dataTask(d: DataSpec): Task {
  if (d.format === "idx") {
    const dataset = blameData(() => mnistFromIdx(decodeIdx(d.files)));
    return mnistTask(() => dataset, `MNIST from IDX files: ${dataset.train.n} train / ${dataset.test.n} test`);
  }
  return userTask(readTable(d));
}

/** What a model's meta records of its data, so discovery reads it the same way (and checks it is the same). */
export interface DataRecord {
  format: "csv" | "json" | "idx";
  name?: string;
  /** FNV-1a 64 of the text (tables). */
  hash?: string;
  targets?: string[];
  kind?: TaskKind;
  testFraction?: number;
  splitSeed?: number;
  rows: { train: number; test: number };
}

export function dataRecord(d: DataSpec, data: Dataset): DataRecord {
  const rows = { train: data.train.n, test: data.test.n };
  if (d.format === "idx") return { format: "idx", rows };
  const r: DataRecord = { format: d.format, hash: textHash(d.text), kind: data.kind, splitSeed: d.splitSeed, rows };
  if (d.name !== undefined) r.name = d.name;
  if (d.targets !== undefined) r.targets = d.targets;
  if (d.testFraction !== undefined) r.testFraction = d.testFraction;
  return r;
}

export function textHash(t: string): string {
  return fnv1a64(new TextEncoder().encode(t));
}

function decodeIdx(files: Record<keyof IdxFiles, string>): IdxFiles {
  const out = {} as IdxFiles;
  for (const key of Object.keys(files) as (keyof IdxFiles)[]) {
    const bin = atob(files[key]);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    out[key] = bytes;
  }
  return out;
}

function blameData<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw new UserError("data", (err as Error).message);
  }
}
