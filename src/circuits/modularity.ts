// Newman's modularity of a circuit's kept-edge graph (Newman & Girvan 2004; the measure the BIMT journal
// paper reports): Q = Σ_c [ L_c/m − (d_c/2m)² ], with m the total edge weight, L_c the weight inside
// community c and d_c the summed degree of its nodes.
// Choices (documented, stable):
// - The graph is undirected, one node per neuron (inputs, hidden, outputs), one edge per kept weight.
//   Weighted by |w| by default (BIMT's picture of a network is its weight magnitudes), or unweighted.
// - Communities: Newman's greedy agglomeration (Newman 2004, "Fast algorithm for detecting community
//   structure in networks"): start from singletons, repeatedly merge the two connected communities
//   with the largest ΔQ = 2(e_ij − a_i·a_j), stop when no merge raises Q; ties go to the lowest
//   (i, j). Or the connected components of the circuit. Nodes without kept edges add nothing to Q.
import type { Mlp } from "../model/mlp.ts";
import type { ModelSpec } from "../model/spec.ts";
import { checkMask } from "./sparse.ts";
import type { EdgeMask } from "./types.ts";

/** An undirected graph: nodes 0..nodes−1, edges as (u, v, weight ≥ 0). */
export interface Graph {
  nodes: number;
  edges: { u: number; v: number; w: number }[];
}

/** Node id of neuron `index` in neuron layer `layer`: layers laid end to end. */
export function neuronId(spec: ModelSpec, layer: number, index: number): number {
  let id = index;
  for (let l = 0; l < layer; l++) id += spec.shape[l];
  return id;
}

/** The kept-edge graph of a circuit, weighted by |w| or (weighted = false) by 1 per edge. */
export function circuitGraph(model: Mlp, mask: EdgeMask, weighted = true): Graph {
  const { spec } = model;
  checkMask(spec, mask);
  const p = model.readParams();
  const edges: Graph["edges"] = [];
  mask.forEach((m, l) => {
    const nIn = spec.shape[l];
    const from0 = neuronId(spec, l, 0);
    const to0 = neuronId(spec, l + 1, 0);
    for (let e = 0; e < m.length; e++) {
      if (!m[e]) continue;
      const w = weighted ? Math.abs(p[model.layout.weight[l] + e]) : 1;
      edges.push({ u: from0 + (e % nIn), v: to0 + Math.floor(e / nIn), w });
    }
  });
  return { nodes: spec.shape.reduce((a, n) => a + n, 0), edges };
}

/** Q of a community assignment (community[node] = any integer label). 0 for a graph without weight. */
export function modularity(g: Graph, community: ArrayLike<number>): number {
  const degree = new Float64Array(g.nodes);
  let m = 0;
  for (const { u, v, w } of g.edges) {
    degree[u] += w;
    degree[v] += w;
    m += w;
  }
  if (m === 0) return 0;
  const inside = new Map<number, number>();
  const total = new Map<number, number>();
  for (const { u, v, w } of g.edges) {
    if (community[u] === community[v]) inside.set(community[u], (inside.get(community[u]) ?? 0) + w);
  }
  for (let i = 0; i < g.nodes; i++) total.set(community[i], (total.get(community[i]) ?? 0) + degree[i]);
  let q = 0;
  for (const [c, d] of total) {
    const share = d / (2 * m); // a product, not ** 2: exponentiation need not round alike on every runtime
    q += (inside.get(c) ?? 0) / m - share * share;
  }
  return q;
}

/** Community = connected component, labelled by its lowest node. */
export function componentCommunities(g: Graph): Int32Array {
  const parent = Int32Array.from({ length: g.nodes }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (const { u, v } of g.edges) {
    const a = find(u);
    const b = find(v);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  return parent.map((_, i) => find(i));
}

/**
 * e[i].get(j): fraction of edge ends between communities i and j (each undirected edge counts 1/2m
 * each way); a[i]: fraction of edge ends in community i. Every node starts as its own community.
 */
export interface CommunityShares {
  e: Map<number, number>[];
  a: Float64Array;
}

export function communityShares(g: Graph): CommunityShares {
  const m = g.edges.reduce((s, e) => s + e.w, 0);
  const e = Array.from({ length: g.nodes }, () => new Map<number, number>());
  const a = new Float64Array(g.nodes);
  for (const { u, v, w } of g.edges) {
    if (u === v) continue;
    e[u].set(v, (e[u].get(v) ?? 0) + w / (2 * m));
    e[v].set(u, (e[v].get(u) ?? 0) + w / (2 * m));
    a[u] += w / (2 * m);
    a[v] += w / (2 * m);
  }
  return { e, a };
}

/** Merges community bj into bi: bi takes bj's edge ends, bj is left empty. */
export function mergeCommunities({ e, a }: CommunityShares, bi: number, bj: number): void {
  for (const [k, ejk] of e[bj]) {
    e[k].delete(bj);
    if (k === bi) continue;
    e[bi].set(k, (e[bi].get(k) ?? 0) + ejk);
    e[k].set(bi, (e[k].get(bi) ?? 0) + ejk);
  }
  e[bj].clear();
  a[bi] += a[bj];
  a[bj] = 0;
}

/**
 * Newman's greedy agglomeration; labels are the lowest node of each community. Each community keeps
 * its best merge (largest ΔQ, ties to the lowest partner); a merge changes only the ΔQ of pairs that
 * involve the merged communities, so only those bests are revisited, instead of rescanning every pair.
 */
export function greedyCommunities(g: Graph): Int32Array {
  const m = g.edges.reduce((s, e) => s + e.w, 0);
  const N = g.nodes;
  const label = Int32Array.from({ length: N }, (_, i) => i);
  if (m === 0) return label;
  const { e, a } = communityShares(g);
  const dq = (i: number, j: number, eij: number) => 2 * (eij - a[i] * a[j]);
  const bestDq = new Float64Array(N).fill(-Infinity);
  const bestJ = new Int32Array(N).fill(-1);
  const refresh = (i: number) => {
    bestDq[i] = -Infinity;
    bestJ[i] = -1;
    for (const [j, eij] of e[i]) offer(i, j, dq(i, j, eij));
  };
  const offer = (i: number, j: number, d: number) => {
    if (d > bestDq[i] || (d === bestDq[i] && j < bestJ[i])) {
      bestDq[i] = d;
      bestJ[i] = j;
    }
  };
  for (let i = 0; i < N; i++) refresh(i);
  for (;;) {
    // the pair with the largest ΔQ > 0; ties go to the lowest (min, max) pair
    let bi = -1;
    let bj = -1;
    let best = 0;
    for (let i = 0; i < N; i++) {
      const j = bestJ[i];
      const d = bestDq[i];
      if (j < 0 || !(d > 0)) continue;
      const [p, q] = i < j ? [i, j] : [j, i];
      if (d > best || (d === best && (p < bi || (p === bi && q < bj)))) {
        best = d;
        bi = p;
        bj = q;
      }
    }
    if (bi < 0) break;
    mergeCommunities({ e, a }, bi, bj);
    bestJ[bj] = -1;
    bestDq[bj] = -Infinity;
    refresh(bi);
    // a neighbour's ΔQ with bi changed (e and a[bi]); its other pairs did not
    for (const [k, eki] of e[bi]) {
      if (bestJ[k] === bi || bestJ[k] === bj) refresh(k);
      else offer(k, bi, dq(k, bi, eki));
    }
    for (let n = 0; n < N; n++) if (label[n] === bj) label[n] = bi;
  }
  return label;
}

export interface ModularityOptions {
  /** Weight edges by |w| (default) or count each edge once. */
  weighted?: boolean;
  communities?: "greedy" | "components";
}

/** Q of a circuit's kept-edge graph and the communities it was measured with. */
export function circuitModularity(model: Mlp, mask: EdgeMask, opts: ModularityOptions = {}):
  { q: number; communities: Int32Array } {
  const g = circuitGraph(model, mask, opts.weighted ?? true);
  const communities = (opts.communities ?? "greedy") === "greedy" ? greedyCommunities(g) : componentCommunities(g);
  return { q: modularity(g, communities), communities };
}
