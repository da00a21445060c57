// The task registry, family-aware: every task a run can name, with the model family that trains it.
// MLP tasks (src/tasks) and sequence tasks (src/tasks/sequence, family "transformer") are registered here;
// a task added later goes in with registerTask({ family, task }).
import { tasks as mlpTasks } from "../tasks/index.ts";
import { seqTasks } from "../tasks/sequence/index.ts";
import type { SeqTask } from "../tasks/sequence-types.ts";
import type { Task, TaskKind } from "../tasks/types.ts";
import { UserError } from "./user-error.ts";

export type Family = "mlp" | "transformer";

export type RegisteredTask = { family: "mlp"; task: Task } | { family: "transformer"; task: SeqTask };

const registry = new Map<string, RegisteredTask>();

export function registerTask(entry: RegisteredTask): void {
  if (registry.has(entry.task.name)) throw new Error(`registerTask: task "${entry.task.name}" is registered already`);
  registry.set(entry.task.name, entry);
}

for (const task of Object.values(mlpTasks)) registerTask({ family: "mlp", task });
// Sequence tasks are known by name now; they run once the transformer family registers its runner.
for (const task of Object.values(seqTasks)) registerTask({ family: "transformer", task });

export function registeredTasks(): RegisteredTask[] {
  return [...registry.values()];
}

export function registeredTaskNames(): string[] {
  return [...registry.keys()];
}

/** The task `name`, or a UserError of `field` that lists the tasks. */
export function findTask(name: string, field = "task"): RegisteredTask {
  const entry = registry.get(name);
  if (!entry) throw new UserError(field, `unknown task ${JSON.stringify(name)}; the tasks are: ${registeredTaskNames().join(", ")}`);
  return entry;
}

export function taskKind(entry: RegisteredTask): TaskKind {
  return entry.task.settings.loss === "mse" ? "regression" : "classification";
}
