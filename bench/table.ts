// The cross-runtime table: a row per case, a column per runtime holding our time and the ratio to the
// case's reference baseline in that same runtime (tfjs-wasm where the case has it). A suite a runtime
// cannot run shows "n/a" with its reason under the table.
import { formatMs, formatRatio, textTable } from "./harness.ts";
import type { RowRecord, RuntimeReport } from "./report.ts";

/** The baseline a case's ratio is quoted against: tfjs-wasm, else its first target's, else its first. */
export function referenceBaseline(row: Pick<RowRecord, "baselines" | "targets">): string | undefined {
  if ("tfjs-wasm" in row.baselines) return "tfjs-wasm";
  return row.targets?.[0]?.baseline ?? Object.keys(row.baselines)[0];
}

export const rowKey = (r: { suite: string; case: string }) => `${r.suite}\u0000${r.case}`;

export function formatRuntimeTable(runs: readonly RuntimeReport[]): string {
  const keys: string[] = [];
  const first = new Map<string, RowRecord>();
  for (const run of runs) {
    for (const r of run.rows) {
      const k = rowKey(r);
      if (!first.has(k)) {
        first.set(k, r);
        keys.push(k);
      }
    }
  }
  const reasons: string[] = [];
  const head = ["suite", "case", "ratio vs", ...runs.map((r) => r.runtime.name)];
  const body = keys.map((k) => {
    const row = first.get(k)!;
    const base = referenceBaseline(row);
    const cells = runs.map((run) => {
      const r = run.rows.find((x) => rowKey(x) === k);
      if (r) return `${formatMs(r.ours.ms)} ms${base && r.ratios[base] !== undefined ? ` ${formatRatio(r.ratios[base])}` : ""}`;
      const skipped = run.suites.find((s) => s.name === row.suite)?.skipped;
      if (skipped) {
        const note = `${row.suite} on ${run.runtime.name}: ${skipped}`;
        if (!reasons.includes(note)) reasons.push(note);
        return `n/a (${reasons.indexOf(note) + 1})`;
      }
      return "–";
    });
    return [row.suite, row.case, base ?? "", ...cells];
  });
  const lines = [textTable(head, body)];
  reasons.forEach((r, i) => lines.push(`(${i + 1}) ${r}`));
  lines.push(...runs.map((r) => `${r.runtime.name}: ${r.runtime.version}, ${r.runtime.engine}`));
  return lines.join("\n");
}
