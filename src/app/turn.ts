// A turn of the event loop, as cheap as the runtime allows, so a long run lets timers, messages (a
// worker's "stop") and signals (Ctrl-C) through: setImmediate where it exists (Node, Bun), a
// MessageChannel in browsers and workers (no 4 ms clamp of nested timers), else setTimeout.
type Turn = () => Promise<void>;

function makeTurn(): Turn {
  const g = globalThis as { setImmediate?: (f: () => void) => unknown; document?: unknown;
    WorkerGlobalScope?: unknown };
  if (typeof g.setImmediate === "function") {
    const immediate = g.setImmediate;
    return () => new Promise((resolve) => void immediate(resolve));
  }
  if (typeof MessageChannel === "function" && (g.document !== undefined || g.WorkerGlobalScope !== undefined)) {
    const channel = new MessageChannel();
    const waiting: (() => void)[] = [];
    channel.port1.onmessage = () => waiting.shift()?.();
    return () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        channel.port2.postMessage(0);
      });
  }
  return () => new Promise((resolve) => setTimeout(resolve, 0));
}

let turn: Turn | undefined;

export function nextTurn(): Promise<void> {
  return (turn ??= makeTurn())();
}
