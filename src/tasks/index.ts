// The task registry: the seven reference tasks of docs/data.md by name, and the loaders for other data.
// node-files.ts (reading files from disk) is deliberately not re-exported: this module stays runtime-agnostic.
import { modularAddition, permutationS4 } from "./algorithmic.ts";
import { mnist } from "./mnist.ts";
import { symbolicComposition, symbolicIndependence, symbolicSharing } from "./symbolic.ts";
import { twoMoons } from "./two-moons.ts";
import type { Task } from "./types.ts";

export const tasks: Record<string, Task> = Object.fromEntries(
  [symbolicIndependence, symbolicSharing, symbolicComposition, twoMoons, modularAddition, permutationS4, mnist].map(
    (t) => [t.name, t],
  ),
);

export const taskNames: string[] = Object.keys(tasks);

export function getTask(name: string): Task {
  const task = Object.hasOwn(tasks, name) ? tasks[name] : undefined;
  if (!task) throw new Error(`unknown task "${name}"; the tasks are: ${taskNames.join(", ")}`);
  return task;
}

export type { Dataset, LambdaPhase, LossKind, Split, Task, TaskKind, TrainSettings } from "./types.ts";
export { composeS4, S4 } from "./algorithmic.ts";
export { mnistFromIdx, parseIdx, type IdxArray, type IdxFiles } from "./idx.ts";
export { mnistFromPackage, mnistSettings, mnistTask } from "./mnist.ts";
export { parseUserData, userTask, type UserDataOptions, type UserTaskOverrides } from "./user-data.ts";
