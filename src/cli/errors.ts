// One error style for the command line: "brainwire: <where>: <what>", where <where> is the flag (or the
// file) the user gave. A user's mistake exits with 2, anything else (a bug, a full disk) with 1.
import { UserError } from "../app/index.ts";

/** App fields whose flag is not simply --kebab-case of the field. */
const FLAGS: Record<string, string> = {
  data: "--data",
  "data.targets": "--targets",
  "data.testFraction": "--test-fraction",
  "data.classification": "--classification",
  "pairs.clean": "--clean",
  "pairs.corrupted": "--corrupt",
  pairs: "--clean/--corrupt",
  sweep: "--grid",
  family: "--task",
  "(options)": "options",
};

/** A user's mistake whose field is already what the user typed: a flag, or a file given as an argument. */
export class CliError extends UserError {
  override name = "CliError";
}

/** The flag a field was given as: "topK" → "--top-k", "outputs[1]" → "--outputs (item 2)". */
export function flagOf(field: string): string {
  if (field.startsWith("--") || field.includes("/") || field.includes(" ")) return field;
  if (FLAGS[field]) return FLAGS[field];
  const m = field.match(/^([A-Za-z]+)\[(\d+)\]$/);
  if (m) return `${flagOf(m[1])} (item ${Number(m[2]) + 1})`;
  return `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** A UserError about the model (field "model…") renamed to the file it came from. */
export function inFile(err: unknown, path: string): unknown {
  if (!(err instanceof UserError) || !err.field.startsWith("model")) return err;
  const rest = err.field.slice("model".length).replace(/^\./, " ");
  return new CliError(`${path}${rest}`, err.problem);
}

/** Prints the error the CLI's way; returns the exit code. */
export function report(err: unknown): number {
  if (err instanceof UserError) {
    console.error(`brainwire: ${err instanceof CliError ? err.field : flagOf(err.field)}: ${err.problem}`);
    return 2;
  }
  console.error(`brainwire: ${err instanceof Error ? err.message : String(err)}`);
  return 1;
}
