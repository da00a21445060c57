// Node adapter: the only file under src/tasks/ that imports node:fs (and node:zlib). The core loaders take
// bytes or text so they run on every runtime; this file just reads them from disk for the CLI.
import { readFile, readdir } from "node:fs/promises";
import { extname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { IdxFiles } from "./idx.ts";
import { mnistFromIdx } from "./idx.ts";
import type { Dataset } from "./types.ts";
import { parseUserData, type UserDataOptions } from "./user-data.ts";

/** The standard file names (yann.lecun.com), and the "dot" spelling some mirrors use. */
const IDX_NAMES: Record<keyof IdxFiles, string[]> = {
  trainImages: ["train-images-idx3-ubyte", "train-images.idx3-ubyte"],
  trainLabels: ["train-labels-idx1-ubyte", "train-labels.idx1-ubyte"],
  testImages: ["t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"],
  testLabels: ["t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"],
};

/** The four MNIST IDX files of `dir` (each plain or .gz), as plain bytes. */
export async function readIdxFiles(dir: string): Promise<IdxFiles> {
  const present = new Set(await readdir(dir));
  const files = {} as IdxFiles;
  for (const key of Object.keys(IDX_NAMES) as (keyof IdxFiles)[]) {
    const candidates = IDX_NAMES[key].flatMap((n) => [n, `${n}.gz`]);
    const name = candidates.find((n) => present.has(n));
    if (!name) throw new Error(`MNIST folder ${dir}: missing ${IDX_NAMES[key][0]} (or ${IDX_NAMES[key][0]}.gz)`);
    const raw = new Uint8Array(await readFile(join(dir, name)));
    files[key] = name.endsWith(".gz") ? new Uint8Array(gunzipSync(raw)) : raw;
  }
  return files;
}

/** Reads the four MNIST IDX files of `dir` (each plain or .gz) into a Dataset: 60,000 train / 10,000 test. */
export async function readMnistFolder(dir: string): Promise<Dataset> {
  return mnistFromIdx(await readIdxFiles(dir));
}

/** Reads a user data file; the format comes from its extension (.csv or .json). */
export async function readUserDataFile(path: string, opts: UserDataOptions = {}): Promise<Dataset> {
  const ext = extname(path).toLowerCase();
  if (ext !== ".csv" && ext !== ".json") throw new Error(`${path}: expected a .csv or .json file`);
  return parseUserData(await readFile(path, "utf8"), ext === ".csv" ? "csv" : "json", { source: path, ...opts });
}
