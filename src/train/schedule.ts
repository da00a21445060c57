// Piecewise-constant λ schedules (docs/data.md, the "λ schedule" column).
import type { LambdaPhase } from "../tasks/types.ts";

export function lambdaAt(phases: LambdaPhase[], step: number): number {
  let value = 0;
  for (const p of phases) if (step >= p.from) value = p.value;
  return value;
}

/** Parses "1e-3" or "1e-3,5000:1e-2,15000:1e-3" (value from step 0, then from:value pairs). */
export function parseLambda(text: string): LambdaPhase[] {
  const phases = text.split(",").map((part, i) => {
    const [a, b] = part.includes(":") ? part.split(":") : ["0", part];
    const from = Number(a);
    const value = Number(b);
    if (!Number.isInteger(from) || from < 0 || !Number.isFinite(value) || value < 0 || (i === 0 && from !== 0)) {
      throw new Error(`bad λ schedule "${text}": expected e.g. 1e-3 or 1e-3,5000:1e-2 (steps ascending, values ≥ 0)`);
    }
    return { from, value };
  });
  for (let i = 1; i < phases.length; i++) {
    if (phases[i].from <= phases[i - 1].from) throw new Error(`bad λ schedule "${text}": steps must ascend`);
  }
  return phases;
}
