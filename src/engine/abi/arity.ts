// Parameter counts of a kernel family's functions, checked by the compiler against its interface:
// a table of type Arity<FamilyAbi> must list every kernel with exactly its interface's arity.
export type Arity<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends (...args: infer A) => unknown
    ? A["length"]
    : never;
};
