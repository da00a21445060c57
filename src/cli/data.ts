// Where a command's data comes from: a built-in task by name, the user's CSV/JSON file, or an MNIST
// IDX folder. The Node edge: files are read here and handed to the runtime-agnostic loaders.
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { getTask, parseUserData, userTask } from "../tasks/index.ts";
import { readMnistFolder } from "../tasks/node-files.ts";
import type { Task } from "../tasks/types.ts";

export interface DataFlags {
  data?: string;
  targets?: string;
  classification?: boolean;
  testFraction?: number;
  mnistDir?: string;
}

export async function resolveTask(taskName: string, seed: number, f: DataFlags): Promise<Task> {
  if (f.data) {
    const ext = extname(f.data).toLowerCase();
    if (ext !== ".csv" && ext !== ".json") throw new Error(`--data: expected a .csv or .json file, got "${f.data}"`);
    const text = await readFile(f.data, "utf8");
    const dataset = parseUserData(text, ext === ".csv" ? "csv" : "json", {
      targets: f.targets?.split(","),
      kind: f.classification ? "classification" : undefined,
      testFraction: f.testFraction,
      seed,
    });
    return userTask(dataset);
  }
  const task = getTask(taskName);
  if (f.mnistDir) {
    if (task.name !== "mnist") throw new Error("--mnist-dir only applies to --task mnist");
    const dataset = await readMnistFolder(f.mnistDir);
    return { ...task, make: () => dataset };
  }
  return task;
}
