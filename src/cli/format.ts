// Human-readable numbers for the terminal.

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1 << 20)).toFixed(1)} MiB`;
}

export function seconds(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function metric(name: "accuracy" | "mse", v: number): string {
  if (Number.isNaN(v)) return "n/a (no held-out split; pass --test-fraction)";
  return name === "accuracy" ? `accuracy ${(v * 100).toFixed(2)}%` : `MSE ${v.toExponential(3)}`;
}

export function table(rows: [string, string][]): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join("\n");
}
