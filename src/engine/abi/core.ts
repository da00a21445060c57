// Raw exports of assembly/memory.ts. Pointers are byte offsets into linear memory.
import type { Arity } from "./arity.ts";

export interface CoreAbi {
  memory: WebAssembly.Memory;
  heapBase(): number;
}

export const CORE_ARITY: Arity<CoreAbi> = {
  heapBase: 0,
};
