// Which weights of one layer a picture draws, and in what order. A 784→100 layer has 78,400 weights,
// far too many lines to read, so only the strongest are kept; the order is fully determined by the
// data (ties go to the lower index) so the same model always gives the same picture.

export interface EdgeSelection {
  /** Indices into the row-major (out × in) weights, in drawing order: weakest first, strongest on top. */
  kept: number[];
  pruned: number[];
}

/**
 * Picks at most `max` non-zero edges: circuit edges (mask 1) before pruned ones, each by |w|
 * descending. Without a mask every edge counts as kept; with `showPruned` false pruned edges are
 * never drawn. Zero weights draw nothing and are skipped.
 */
export function selectEdges(
  weight: ArrayLike<number>,
  mask: Uint8Array | undefined,
  max: number,
  showPruned: boolean,
): EdgeSelection {
  const candidates: number[] = [];
  for (let e = 0; e < weight.length; e++) {
    if (weight[e] !== 0 && (showPruned || !mask || mask[e])) candidates.push(e);
  }
  const isKept = (e: number): number => (!mask || mask[e] ? 1 : 0);
  candidates.sort((a, b) => isKept(b) - isKept(a) || Math.abs(weight[b]) - Math.abs(weight[a]) || a - b);
  const chosen = candidates.slice(0, Math.max(0, max)).reverse();
  return { kept: chosen.filter((e) => isKept(e)), pruned: chosen.filter((e) => !isKept(e)) };
}
