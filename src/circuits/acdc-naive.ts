// The naive ACDC reference (docs/discovery.md): the pseudocode of acdc.ts run literally, one forward pass
// of the pruned network over all examples per test. Kept as the cost to beat (bench/suites/acdc.ts) and
// as the reference the optimised acdc() and acdcNodes() must agree with (test/circuits/acdc.test.ts).
import type { Mlp } from "../model/mlp.ts";
import { type AcdcOptions, type AcdcResult, AcdcRun } from "./acdc.ts";
import type { AblatedNetwork } from "./forward-cache.ts";
import { receiverOrder, senderOrder } from "./graph.ts";
import type { DiscoveryData } from "./types.ts";

/**
 * Edge-level ACDC, one full forward pass per tested edge. `measure` computes the metric of the current
 * pruned network (default: the kernel metric of opts.metric); the library passes a user's function.
 */
export function acdcNaive(model: Mlp, data: DiscoveryData, opts: AcdcOptions,
  measure: (net: AblatedNetwork) => number = (net) => net.refreshMetric()): AcdcResult {
  const run = new AcdcRun(model, data, opts);
  const { net, deltas } = run;
  const { shape } = model.spec;
  const L = model.depth;
  try {
    let cur = measure(net);
    run.visit(receiverOrder(model.spec), ({ l, j }) => {
      const dIn = shape[l];
      if (l + 1 < L && !net.hasOutgoing(l + 1, j)) {
        net.dropIncoming(l, j);
        return 0;
      }
      let tests = 0;
      for (let i = 0; i < dIn; i++) {
        if (!net.kept(l, j * dIn + i)) continue;
        net.setEdge(l, j, i, false);
        net.forwardFrom(0);
        const next = measure(net);
        tests++;
        const delta = next - cur;
        deltas[l][j * dIn + i] = delta;
        if (delta < opts.tau) cur = next;
        else net.setEdge(l, j, i, true);
      }
      return tests;
    });
    net.forwardFrom(0);
    return { ...run.result(), metricValue: measure(net) };
  } finally {
    run.dispose();
  }
}

/**
 * Neuron-level ACDC, one full forward pass per tested neuron: senders in graph.ts order; a neuron
 * whose outgoing edges are all gone is skipped; removing a neuron removes its outgoing edges, and
 * its incoming edges go with it (they can no longer reach an output).
 */
export function acdcNodesNaive(model: Mlp, data: DiscoveryData, opts: AcdcOptions): AcdcResult {
  const run = new AcdcRun(model, data, opts);
  const { net, deltas } = run;
  const { shape } = model.spec;
  try {
    let cur = net.refreshMetric();
    run.visit(senderOrder(model.spec), ({ layer, index }) => {
      if (!net.hasOutgoing(layer, index)) {
        if (layer > 0) net.dropIncoming(layer - 1, index);
        return 0;
      }
      const out = net.outgoing(layer, index);
      net.setEdges(layer, out.map((j) => [j, index]), false);
      net.forwardFrom(0);
      const next = net.refreshMetric();
      const delta = next - cur;
      for (const j of out) deltas[layer][j * shape[layer] + index] = delta;
      if (delta < opts.tau) {
        cur = next;
        if (layer > 0) net.dropIncoming(layer - 1, index);
      } else {
        net.setEdges(layer, out.map((j) => [j, index]), true);
      }
      return 1;
    });
    net.forwardFrom(0);
    return run.result();
  } finally {
    run.dispose();
  }
}
