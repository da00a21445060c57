// Neuron-level ACDC (docs/discovery.md "Node pruning"): ACDC's greedy loop (acdc.ts) over neurons instead
// of edges. Each sender neuron, last hidden layer first down to the inputs (graph.ts order), is tested by
// removing all its kept outgoing edges at once; if the metric rises by less than τ the neuron goes, and
// its incoming edges with it. Far fewer tests than edge-level ACDC, coarser circuits.
//
// A test is one kernel call (assembly/ablate-nodes.ts acdcNeuron): the neuron's change ã − a reaches the next
// layer as a rank-1 update, then the rest of the network, for the examples where it is nonzero only.
// An accepted removal is written into the caches (neuronCommit, then GEMM refreshes of the later
// layers), and each layer's pre-activations are recomputed in full when its senders are done, so
// rounding from the in-place updates never carries over to the next layer's tests.
// acdcNodesNaive (acdc-naive.ts) is the reference it must agree with.
import type { Mlp } from "../model/mlp.ts";
import { type AcdcOptions, type AcdcResult, acdcResult, checkAcdcOptions } from "./acdc.ts";
import { AblatedNetwork } from "./forward-cache.ts";
import { edgeScores, senderOrder } from "./graph.ts";
import type { DiscoveryData } from "./types.ts";

export function acdcNodes(model: Mlp, data: DiscoveryData, opts: AcdcOptions): AcdcResult {
  checkAcdcOptions(opts);
  const t0 = performance.now();
  const net = new AblatedNetwork(model, data, opts);
  const { k } = model.engine;
  const { shape } = model.spec;
  const L = model.depth;
  const deltas = edgeScores(model.spec, NaN);
  let evaluations = 0;
  try {
    const order = senderOrder(model.spec);
    let listed = -1; // neuron layer whose sender deltas are listed
    for (let t = 0; t < order.length; t++) {
      opts.signal?.throwIfAborted();
      const { layer, index } = order[t];
      if (!net.hasOutgoing(layer, index)) {
        if (layer > 0) net.dropIncoming(layer - 1, index);
      } else {
        if (listed !== layer) {
          if (listed >= 0) {
            net.forwardFrom(listed);
            net.refreshMetric();
          }
          k.deltaLists(net.plan.ptr, layer);
          listed = layer;
        }
        const delta = k.acdcNeuron(net.plan.ptr, layer, index);
        evaluations++;
        const out = net.outgoing(layer, index);
        for (const j of out) deltas[layer][j * shape[layer] + index] = delta;
        if (delta < opts.tau) {
          const changes = net.changedExamples(index) > 0;
          if (changes) k.neuronCommit(net.plan.ptr, layer, index);
          net.setEdges(layer, out.map((j) => [j, index]), false);
          if (layer > 0) net.dropIncoming(layer - 1, index);
          if (changes) {
            if (layer + 1 < L) net.forwardFrom(layer + 1);
            net.refreshMetric();
          }
        }
      }
      opts.onProgress?.(t + 1, order.length);
    }
    net.forwardFrom(0);
    return acdcResult(model, net, deltas, evaluations, t0);
  } finally {
    net.dispose();
  }
}
