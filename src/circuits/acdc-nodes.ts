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
import { type AcdcOptions, type AcdcResult, AcdcRun } from "./acdc.ts";
import { senderOrder } from "./graph.ts";
import type { DiscoveryData } from "./types.ts";

export function acdcNodes(model: Mlp, data: DiscoveryData, opts: AcdcOptions): AcdcResult {
  const run = new AcdcRun(model, data, opts);
  const { net, deltas } = run;
  const { k } = model.engine;
  const { shape } = model.spec;
  const L = model.depth;
  try {
    let listed = -1; // neuron layer whose sender deltas are listed
    run.visit(senderOrder(model.spec), ({ layer, index }) => {
      if (!net.hasOutgoing(layer, index)) {
        if (layer > 0) net.dropIncoming(layer - 1, index);
        return 0;
      }
      if (listed !== layer) {
        if (listed >= 0) {
          net.forwardFrom(listed);
          net.refreshMetric();
        }
        k.deltaLists(net.plan.ptr, layer);
        listed = layer;
      }
      const delta = k.acdcNeuron(net.plan.ptr, layer, index);
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
      return 1;
    });
    net.forwardFrom(0);
    return run.result();
  } finally {
    run.dispose();
  }
}
