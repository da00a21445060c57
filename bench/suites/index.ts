// Every suite, in the order they run. New suites register here; they must run unchanged on every runtime
// (no runtime modules: the adapters in bench/runtimes/ hold those) or say which they cannot run on and why.
import type { Suite } from "../harness.ts";
import { acdcSuite } from "./acdc.ts";
import { circuitsSuite } from "./circuits.ts";
import { engineSuite } from "./engine.ts";
import { gemmSuite } from "./gemm.ts";
import { trainSuite } from "./train.ts";
import { transformerTrainSuite } from "./transformer-train.ts";

export const SUITES: readonly Suite[] = [engineSuite, gemmSuite, trainSuite, transformerTrainSuite, acdcSuite, circuitsSuite];
