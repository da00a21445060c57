// Host-side signatures of the 'ops' kernels. Pointers are byte offsets (Buf.ptr).
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface OpsAbi {}
