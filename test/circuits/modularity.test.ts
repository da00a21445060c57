import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Mlp } from "../../src/model/mlp.ts";
import {
  circuitGraph,
  circuitModularity,
  communityShares,
  componentCommunities,
  greedyCommunities,
  mergeCommunities,
  modularity,
  type Graph,
} from "../../src/circuits/modularity.ts";

/** Complete graphs on the given node ranges, every edge of weight w. */
function cliques(nodes: number, parts: { from: number; size: number; w: number }[]): Graph {
  const edges: Graph["edges"] = [];
  for (const { from, size, w } of parts) {
    for (let u = from; u < from + size; u++) for (let v = u + 1; v < from + size; v++) edges.push({ u, v, w });
  }
  return { nodes, edges };
}

describe("Newman modularity", () => {
  it("two disconnected cliques K3 + K4: Q = 3/9 − (6/18)² + 6/9 − (12/18)² = 4/9", () => {
    const g = cliques(7, [{ from: 0, size: 3, w: 1 }, { from: 3, size: 4, w: 1 }]);
    const want = [0, 0, 0, 3, 3, 3, 3];
    expect(Array.from(componentCommunities(g))).toEqual(want);
    expect(Array.from(greedyCommunities(g))).toEqual(want);
    expect(modularity(g, want)).toBeCloseTo(4 / 9, 12);
    // everything in one community: Q = 1 − 1 = 0
    expect(modularity(g, new Int32Array(7))).toBeCloseTo(0, 12);
  });

  it("weights count: triangles of weight 1 and 2 give 3/9 − (6/18)² + 6/9 − (12/18)² = 4/9 as well", () => {
    const g = cliques(6, [{ from: 0, size: 3, w: 1 }, { from: 3, size: 3, w: 2 }]);
    expect(modularity(g, greedyCommunities(g))).toBeCloseTo(4 / 9, 12);
  });

  it("greedy splits two triangles joined by a bridge (Q = 2·(3/7 − (7/14)²) = 5/14); components cannot", () => {
    const g = cliques(6, [{ from: 0, size: 3, w: 1 }, { from: 3, size: 3, w: 1 }]);
    g.edges.push({ u: 2, v: 3, w: 1 });
    expect(Array.from(greedyCommunities(g))).toEqual([0, 0, 0, 3, 3, 3]);
    expect(modularity(g, greedyCommunities(g))).toBeCloseTo(5 / 14, 12);
    expect(modularity(g, componentCommunities(g))).toBeCloseTo(0, 12);
  });

  it("a graph without edges has Q = 0", () => {
    const g: Graph = { nodes: 3, edges: [] };
    expect(modularity(g, greedyCommunities(g))).toBe(0);
  });

  it("measures a circuit's kept-edge graph: two separate paths x0→h0→y0, x1→h1→y1", () => {
    const e = createEngineSync();
    const m = Mlp.init(e, { shape: [2, 2, 2], layout: "line", inFold: 1 }, new Rng(3));
    // W (out × in): keep [0,0] and [1,1] in both layers
    const mask = [Uint8Array.from([1, 0, 0, 1]), Uint8Array.from([1, 0, 0, 1])];
    const g = circuitGraph(m, mask, false);
    expect(g.edges).toEqual([{ u: 0, v: 2, w: 1 }, { u: 1, v: 3, w: 1 }, { u: 2, v: 4, w: 1 }, { u: 3, v: 5, w: 1 }]);
    // unweighted: m = 4, each path L = 2, d = 4: Q = 2·(2/4 − (4/8)²) = 1/2
    expect(circuitModularity(m, mask, { weighted: false }).q).toBeCloseTo(0.5, 12);
    // weighted by |w|: Q = Σ_c (x_c − x_c²), x_c = the path's share of the total weight
    const p = m.readParams();
    const w = (l: number, i: number) => Math.abs(p[m.layout.weight[l] + i]);
    const path0 = w(0, 0) + w(1, 0);
    const path1 = w(0, 3) + w(1, 3);
    const x = [path0 / (path0 + path1), path1 / (path0 + path1)];
    const { q, communities } = circuitModularity(m, mask, { communities: "components" });
    expect(q).toBeCloseTo(x[0] - x[0] ** 2 + x[1] - x[1] ** 2, 6);
    expect(Array.from(communities)).toEqual([0, 1, 0, 1, 0, 1]);
    m.dispose();
  });
});

/**
 * The plain greedy agglomeration: rescan every pair for the largest ΔQ after each merge. It shares
 * the shares and the merge step with the library, so the test checks the choice of pair.
 */
function greedyByRescan(g: Graph): Int32Array {
  const label = Int32Array.from({ length: g.nodes }, (_, i) => i);
  const shares = communityShares(g);
  const { e, a } = shares;
  for (;;) {
    let [best, bi, bj] = [0, -1, -1];
    for (let i = 0; i < g.nodes; i++) {
      for (const [j, eij] of e[i]) {
        const d = 2 * (eij - a[i] * a[j]);
        const lower = bi >= 0 && (i < bi || (i === bi && j < bj));
        if (j > i && (d > best || (d === best && lower))) [best, bi, bj] = [d, i, j];
      }
    }
    if (bi < 0) return label;
    mergeCommunities(shares, bi, bj);
    for (let n = 0; n < g.nodes; n++) if (label[n] === bj) label[n] = bi;
  }
}

describe("greedy communities", () => {
  it("merge like a full rescan after every merge, on random weighted and unweighted graphs", () => {
    const rng = new Rng(9);
    for (let t = 0; t < 30; t++) {
      const nodes = 5 + rng.int(40);
      const edges: Graph["edges"] = [];
      const count = rng.int(3 * nodes);
      for (let k = 0; k < count; k++) {
        const u = rng.int(nodes);
        const v = rng.int(nodes);
        if (u !== v) edges.push({ u, v, w: t % 2 ? 1 : rng.uniform() });
      }
      const g = { nodes, edges };
      expect(Array.from(greedyCommunities(g)), `graph ${t}`).toEqual(Array.from(greedyByRescan(g)));
    }
  });
});
