// The command line's commands and flags (commander), separate from what they do so a test can read
// exactly the raw input a command line gives (test/app/doors.test.ts). src/cli.ts runs it.
import { Command, InvalidArgumentError } from "commander";
import { VERSION } from "../app/index.ts";
import { MODES } from "../train/modes.ts";

// Commander hands each action its flags as a loose object; the action types them.
type Opts = Record<string, any>;

/** What each command does with its parsed arguments and flags. */
export interface CliActions {
  train(opts: Opts): Promise<void>;
  draw(model: string, opts: Opts): Promise<void>;
  import(file: string, opts: Opts): Promise<void>;
  discover(model: string, opts: Opts): Promise<void>;
  study(opts: Opts): Promise<void>;
  serve(opts: Opts): Promise<void>;
}

const num = (v: string) => {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError(`"${v}" is not a number`);
  return n;
};

/** Where a command's data comes from when it is not a built-in task's (src/cli/data.ts). */
function dataOptions(cmd: Command): Command {
  return cmd
    .option("--data <file>", "your own data: .csv (header row) or .json (for discover: the data the model learned)")
    .option("--targets <cols>", "CSV target columns, comma-separated (default: the last column)")
    .option("--classification", "treat targets as class labels")
    .option("--test-fraction <x>", "held-out fraction of --data when it has no test set", num)
    .option("--mnist-dir <folder>", "MNIST from the standard IDX files in a folder (full 70,000 digits)");
}

/** Memory budget option of the commands that allocate (the app layer's default: 2 GiB). */
function budgetOption(cmd: Command): Command {
  return cmd.option("--memory-budget <MiB>", "refuse runs whose buffers would need more (default 2048)", num);
}

export function cliProgram(actions: CliActions): Command {
  const program = new Command("brainwire")
    .description("Readable neural networks: BIMT training and circuit discovery on a SIMD-WASM engine")
    .version(VERSION, "-V, --version", "print the version")
    .showHelpAfterError("(brainwire --help lists the commands; brainwire <command> --help their flags)")
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, "brainwire: ")) })
    .exitOverride();

  const train = program
    .command("train")
    .description("train a task (or your --data) in one mode; writes the model JSON and its network picture")
    .option("--task <name>", "task (symbolic-independence, symbolic-sharing, symbolic-composition, two-moons, modular-addition, permutation-s4, mnist; default two-moons)")
    .option("--mode <mode>", `training mode: ${MODES.join(", ")} (default bimt)`)
    .option("--seed <n>", "random seed, a whole number 0 … 2^32-1 (default 0)", num)
    .option("--out <file>", "where to write the model", "out/model.json")
    .option("--svg <file>", "where to write the network picture (default: next to --out)")
    .option("--steps <n>", "training steps", num)
    .option("--lr <x>", "Adam learning rate", num)
    .option("--lambda <schedule>", "λ schedule: 1e-3 or 1e-3,5000:1e-2,15000:1e-3")
    .option("--shape <sizes>", "layer sizes, e.g. 2,20,20,2 (input and output fixed by the task)")
    .option("--batch <n>", "batch size (default: the task's; full batch when it has none)", num)
    .option("--swap-every <n>", "steps between relocates", num)
    .option("--top-k <n>", "neurons considered per layer in a relocate", num)
    .option("--weight-factor <A>", "A: scale of in-layer distance in the cost", num)
    .option("--l0 <x>", "distance between adjacent layers", num)
    .option("--cost-form <form>", "sum or mean")
    .option("--permute-adam", "permute Adam's moments with each swap (the reference does not)")
    .option("--quiet", "no progress bar");
  budgetOption(dataOptions(train)).action((opts) => actions.train(opts));

  program
    .command("draw <model>")
    .description("draw a saved model as SVG: neurons at their coordinates, lines by |w| and sign")
    .option("--out <file>", "output SVG", "out/network.svg")
    .option("--title <text>", "picture title")
    .option("--circuit <file>", "draw this circuit over the network (kept edges solid, pruned faint)")
    .action((model, opts) => actions.draw(model, opts));

  const discover = program
    .command("discover <model>")
    .description("find the model's circuit (rebuilds its task's seeded data), print its scores, write it as JSON")
    .option("--method <m>", "acdc, acdc-nodes, eap, eap-ig or eap-acdc (default acdc)")
    .option("--tau <x>", "ACDC per-edge tolerance, or EAP |score| threshold (default by metric: 1e-3 for kl and nll, 1e-2 for mse and logit-diff)", num)
    .option("--ablation <a>", "zero, mean or resample (default resample)")
    .option("--metric <m>", "kl, mse, logit-diff or nll (default kl / mse; EAP: nll / mse)")
    .option("--outputs <list>", "restrict the metric to these original outputs, e.g. 0 or 0,2")
    .option("--top-k <n>", "EAP: keep the k highest-scoring edges instead of a threshold", num)
    .option("--fraction <x>", "EAP→ACDC: fraction of edges, by EAP rank, that ACDC tests (default 0.1)", num)
    .option("--ig-steps <n>", "EAP-IG interpolation points (default 5)", num)
    .option("--examples <n>", "training examples (transformers: sequences) used for discovery (default up to 1000; 500 sequences)", num)
    .option("--positions <list>", "transformers: score the metric at these positions only, e.g. 12,13")
    .option("--granularity <g>", "transformers: component (default), position (one edge per position) or fine (residual dimensions and MLP neurons)")
    .option("--seed <n>", "data seed (default: the model's)", num)
    .option("--task <name>", "the task the model learned (default: the model's)")
    .option("--clean <file>", "your own clean inputs (CSV, one row per example, in the model's input order)")
    .option("--corrupt <file>", "their corrupted partners, row by row (CSV); discovery and scores use these pairs")
    .option("--sweep", "also run a τ grid: print its table and write the faithfulness-vs-edges curve")
    .option("--grid <list>", "τ values for --sweep (default 1e-6, 3e-6, …, 1e-1)")
    .option("--out <file>", "circuit JSON (or sweep JSON with --sweep)")
    .option("--svg <file>", "also draw the circuit over the network")
    .option("--quiet", "no progress output");
  budgetOption(dataOptions(discover)).action((model, opts) => actions.discover(model, opts));

  program
    .command("import <file>")
    .description("import a PyTorch-trained MLP, or a GPT-2- or TransformerLens-named transformer, from .safetensors (tensor names: docs/formats.md)")
    .option("--out <file>", "output model JSON", "out/imported.json")
    .option("--layout <layout>", "coordinates: line or grid")
    .option("--in-fold <n>", "input groups sharing x-slots", num)
    .option("--prefix <text>", "tensor name prefix of the linear layers, e.g. linears.")
    .option("--heads <n>", "transformer: heads per layer (GPT-2 files do not record it; gpt2: 12)", num)
    .option("--act <fn>", "transformer: the MLP activation, gelu (default), silu or relu")
    .option("--norm <kind>", "TransformerLens file without LayerNorm weights (fold_ln): layernorm or none")
    .option("--ctx <n>", "TransformerLens file without positional embedding: the context length", num)
    .action((file, opts) => actions.import(file, opts));

  program
    .command("study")
    .description("the study (protocol and settings ours): train each task × mode × seed, discover circuits, time " +
      "inference; writes the report (Markdown, JSON, CSV, HTML)")
    .option("--tasks <list>", "tasks, comma-separated, or all (default: the symbolic tasks and two-moons)")
    .option("--modes <list>", "modes, comma-separated, or ladder for all five (default: vanilla,l1,bimt)")
    .option("--seeds <n>", "seeds 0 … n-1", num, 3)
    .option("--quick", "every schedule step × 0.1 (steps, λ phases, swap period): a demo in seconds")
    .option("--step-scale <x>", "every schedule step × x, in (0, 1]", num)
    .option("--tau-grid <list>", "τ values of the sweep (default 1e-6, 3e-6, …, 1e-1)")
    .option("--ablation <a>", "zero, mean or resample", "resample")
    .option("--fraction <x>", "EAP→ACDC: fraction of edges, by EAP rank, that ACDC tests", num)
    .option("--out <dir>", "report folder", "out/study")
    .option("--quiet", "no progress output")
    .action((opts) => actions.study(opts));

  program
    .command("serve")
    .description("serve the page (train and discover live in your browser) and the JSON API")
    .option("--port <n>", "port (0 picks a free one)", num, 8787)
    .option("--host <name>", "interface to listen on", "127.0.0.1")
    .action((opts) => actions.serve(opts));
  return program;
}
