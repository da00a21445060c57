// The CLI's files: reading inputs (a missing or unreadable file is one line naming the flag and the
// path, never a raw ENOENT) and checking outputs before any work starts (folders are created; a
// directory, or a place that cannot be written, is refused up front).
import { access, constants, mkdir, readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { CliError } from "./errors.ts";
import type { IdxFiles } from "../tasks/idx.ts";
import { readIdxFiles } from "../tasks/node-files.ts";

/** A file named by a flag (or an argument) could not be used. `field` is how the user gave it. */
export class FileError extends CliError {
  override name = "FileError";
}

function why(err: unknown, path: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return `no such file: ${path}`;
  if (code === "EISDIR") return `${path} is a folder, not a file`;
  if (code === "EACCES" || code === "EPERM") return `permission denied: ${path}`;
  return `cannot read ${path}: ${(err as Error).message}`;
}

export async function readText(path: string, field: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw new FileError(field, why(err, path));
  }
}

export async function readBytes(path: string, field: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    throw new FileError(field, why(err, path));
  }
}

/** Makes sure `path` can be written: its folder exists (created), it is not a folder, and it is writable. */
export async function prepareOutput(path: string, field: string): Promise<void> {
  const dir = dirname(path);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new FileError(field, `cannot create the folder ${dir}: ${(err as Error).message}`);
  }
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new FileError(field, `${path} is a folder; give a file name`);
  try {
    await access(existing ? path : dir, constants.W_OK);
  } catch {
    throw new FileError(field, `cannot write ${existing ? path : `in ${dir}`}: permission denied`);
  }
}

/** The four IDX files of an MNIST folder (each plain or .gz), base64, as the run spec carries them. */
export async function readIdxFolder(dir: string, field: string): Promise<Record<keyof IdxFiles, string>> {
  let files: IdxFiles;
  try {
    files = await readIdxFiles(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FileError(field, code ? why(err, dir).replace("no such file", "no such folder") : (err as Error).message);
  }
  const out = {} as Record<keyof IdxFiles, string>;
  for (const key of Object.keys(files) as (keyof IdxFiles)[]) out[key] = Buffer.from(files[key]).toString("base64");
  return out;
}
