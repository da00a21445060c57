// The typed surface of the WASM module: one interface per kernel family.
import type { CoreAbi } from "./core.ts";
import type { MathAbi } from "./math.ts";
import type { GemmAbi } from "./gemm.ts"; // assembly/gemm.ts
import type { OpsAbi } from "./ops.ts"; // assembly/{nn,loss,adam,cost,swap,data}.ts
import type { CircuitsAbi } from "./circuits.ts"; // assembly/{ablate,sparse}.ts

export type Kernels = CoreAbi & MathAbi & GemmAbi & OpsAbi & CircuitsAbi;
