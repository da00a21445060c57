// Where a command's data come from when they are not a built-in task's: the user's CSV/JSON file or an
// MNIST IDX folder. The Node edge: files are read here and their contents go into the run's raw input.
import { UserError } from "../app/index.ts";
import { readIdxFolder, readText } from "./files.ts";

export interface DataFlags {
  data?: string;
  targets?: string;
  classification?: boolean;
  testFraction?: number;
  mnistDir?: string;
}

/** The raw input's `data` (contents, not paths), and the task it implies (mnist for --mnist-dir). */
export async function dataInput(f: DataFlags, task: string | undefined): Promise<{ task?: string; data?: unknown }> {
  for (const [flag, given] of [["--targets", f.targets], ["--classification", f.classification],
    ["--test-fraction", f.testFraction]] as const) {
    if (given !== undefined && !f.data) throw new UserError(flag, "applies to --data only");
  }
  if (f.data && f.mnistDir) throw new UserError("--mnist-dir", "give --data or --mnist-dir, not both");
  if (f.data) {
    const data: Record<string, unknown> = { name: f.data, text: await readText(f.data, "--data") };
    if (f.targets !== undefined) data.targets = f.targets;
    if (f.classification) data.classification = true;
    if (f.testFraction !== undefined) data.testFraction = f.testFraction;
    return { task, data };
  }
  if (f.mnistDir) {
    if (task !== undefined && task !== "mnist") throw new UserError("--mnist-dir", "only applies to --task mnist");
    return { task: "mnist", data: { format: "idx", files: await readIdxFolder(f.mnistDir, "--mnist-dir") } };
  }
  return { task };
}
