// The host owns linear memory above the module's static data (see src/engine/arena.ts).
export function heapBase(): usize {
  return __heap_base;
}
