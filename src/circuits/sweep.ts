// τ sweeps: run a discovery at each τ of a log grid and summarise the faithfulness-vs-edges curve by
// the area under it.
// Area (normalised, lower = more discoverable): x = kept edges / all edges in [0, 1], y = faithfulness
// (KL or MSE of the circuit vs the full model, ≥ 0). Points are sorted by x (then y); the full model
// (x = 1, y = 0) closes the curve on the right, and the sparsest point's y extends flat to x = 0.
// The trapezoid rule over [0, 1] then gives the mean faithfulness over all circuit sizes, in the
// metric's units.

/** What a sweep needs from each run; anything else the run returns is kept in the points. */
export interface SweepResult {
  edges: number;
  totalEdges: number;
  faithfulness: number;
}

export interface SweepOptions {
  /** τ values (default logGrid()). */
  grid?: number[];
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * τ values m·10^k for each mantissa m and every decade k, within [from, to] (default 1e-6 … 1e-1 with
 * mantissas 1 and 3: 1e-6, 3e-6, 1e-5, …, 1e-1, about two points per decade). Each value is parsed from
 * its decimal text, which is correctly rounded everywhere, where Math.pow may differ by an ulp between
 * runtimes and so move a τ across a knife-edge decision.
 */
export function logGrid(from = 1e-6, to = 1e-1, mantissas: number[] = [1, 3]): number[] {
  if (!(from > 0 && to >= from && Number.isFinite(to)) || !mantissas.every((m) => m >= 1 && m < 10)) {
    throw new RangeError(`log grid: need 0 < from ≤ to and mantissas in [1, 10), got ${from}, ${to}, [${mantissas}]`);
  }
  const grid: number[] = [];
  const first = Math.floor(Math.log10(from)) - 1; // log10 may be off by an ulp: start a decade early
  for (let k = first; k <= Math.ceil(Math.log10(to)) + 1; k++) {
    for (const m of [...mantissas].sort((a, b) => a - b)) {
      const tau = Number(`${m}e${k}`);
      if (tau >= from && tau <= to) grid.push(tau);
    }
  }
  return grid;
}

/** Runs `run` at every τ of the grid, in order; returns the points and the area under the curve. */
export async function sweepTau<T extends SweepResult>(run: (tau: number) => T | Promise<T>, opts: SweepOptions = {}):
  Promise<{ points: (T & { tau: number })[]; area: number }> {
  const grid = opts.grid ?? logGrid();
  const points: (T & { tau: number })[] = [];
  for (const tau of grid) {
    opts.signal?.throwIfAborted();
    points.push({ ...(await run(tau)), tau });
    opts.onProgress?.(points.length, grid.length);
  }
  return { points, area: faithfulnessArea(points) };
}

/** The normalised area under faithfulness vs edge fraction (see the top of this file). */
export function faithfulnessArea(points: SweepResult[]): number {
  if (points.length === 0) throw new RangeError("faithfulness area: no sweep points");
  const xy = points.map((p) => {
    if (!(p.totalEdges > 0 && p.edges >= 0 && p.edges <= p.totalEdges) || !Number.isFinite(p.faithfulness)) {
      throw new RangeError(`faithfulness area: bad point (edges ${p.edges}/${p.totalEdges}, ${p.faithfulness})`);
    }
    return [p.edges / p.totalEdges, p.faithfulness];
  });
  xy.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  xy.unshift([0, xy[0][1]]);
  xy.push([1, 0]);
  let area = 0;
  for (let i = 1; i < xy.length; i++) area += ((xy[i][0] - xy[i - 1][0]) * (xy[i][1] + xy[i - 1][1])) / 2;
  return area;
}
