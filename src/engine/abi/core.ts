// Raw exports of assembly/memory.ts. Pointers are byte offsets into linear memory.
export interface CoreAbi {
  memory: WebAssembly.Memory;
  heapBase(): number;
}
