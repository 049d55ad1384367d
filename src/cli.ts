/**
 * `gpu-workbench`: the extension's core from a terminal or CI.
 * Exit codes: 0 success, 1 a finding (an unreachable host, a model that does not fit, no layout
 * that fits) or a runtime error, 2 a usage error.
 */
import { inventoryCommand, INVENTORY_USAGE } from './cli/inventory.ts';
import { InputError, terminalSafeIo, UsageError, type Io } from './cli/io.ts';
import { lintCommand, LINT_USAGE } from './cli/lint.ts';
import { calibrateCommand } from './cli/perf.ts';
import { planCommand, PLAN_USAGE } from './cli/plan.ts';
import { rightsizeCommand, RIGHTSIZE_USAGE } from './cli/rightsize.ts';
import { estimateCommand, SIZING_USAGE, suggestCommand, trainCommand } from './cli/sizing.ts';
import { redactCredentials, redactSecrets, safeText } from './core/text/safeText.ts';
import { errorMessage } from './core/errors.ts';

const USAGE = `Usage:
${LINT_USAGE}
${INVENTORY_USAGE}
${SIZING_USAGE}
${PLAN_USAGE}
${RIGHTSIZE_USAGE}
  gpu-workbench --help | --version

lint       GPU over-provisioning and misconfiguration in Kubernetes/KServe manifests, vLLM/TGI
           command lines, Triton config.pbtxt, Ray Serve and docker-compose files (exit 1 on errors).
inventory  GPUs on this machine (nvidia-smi, rocm-smi), SSH hosts (system ssh), Prometheus
           (DCGM exporter metrics) and Kubernetes nodes (kubectl).
estimate   per-GPU memory of a vLLM deployment: weights, activation peak, KV cache, fit; with
           --concurrency or --rps, output tokens/s, TPOT and TTFT (continuous batching, queueing).
calibrate  fits the throughput model to a vllm bench serve result (.gpu-workbench/calibration.json).
suggest    parallelism and batch settings (vLLM, TGI, Triton) for a target load.
train      per-GPU memory of full, LoRA and QLoRA fine-tuning with ZeRO sharding.
plan       places model replicas on a GPU pool at least cost (GLPK), beside first-fit and one-per-GPU.
rightsize  fewer GPUs, fewer replicas or more, from the engines' own metrics in Prometheus over a window.
Models: a built-in id, a config.json path, or org/name (local Hugging Face cache, then the Hub
at $HF_ENDPOINT with $HF_TOKEN; HF_HUB_OFFLINE=1 never contacts it).`;

declare const __GPU_WORKBENCH_VERSION__: string;
const VERSION = typeof __GPU_WORKBENCH_VERSION__ === 'string' ? __GPU_WORKBENCH_VERSION__ : 'development';

const COMMANDS: Record<string, (args: string[], io: Io) => Promise<number>> = {
  lint: (args, io) => lintCommand(args, io, VERSION),
  inventory: inventoryCommand,
  estimate: estimateCommand,
  suggest: suggestCommand,
  train: trainCommand,
  plan: planCommand,
  calibrate: calibrateCommand,
  rightsize: rightsizeCommand,
};

/** An error's message without a secret in it (HF_TOKEN, a URL's password). */
function errorText(error: unknown, env: NodeJS.ProcessEnv): string {
  const message = errorMessage(error);
  return redactCredentials(redactSecrets(message, [env.HF_TOKEN]));
}

/** For bin/gpu-workbench.js: its last-resort error line is printed as every other line is. */
export { safeLine } from './core/text/safeText.ts';

export async function main(argv: string[], given: Io): Promise<number> {
  const io = terminalSafeIo(given);
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version') {
      io.out(VERSION);
      return 0;
    }
    // Own properties only: "constructor" or "toString" is an unknown command, not Object's method.
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!run) throw new UsageError(`unknown command "${command.slice(0, 80)}"`);
    return await run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string })?.code?.startsWith?.('ERR_PARSE_ARGS')) {
      io.err(`gpu-workbench: ${errorText(error, io.env)}\n\n${USAGE}`);
      return 2;
    }
    io.err(`gpu-workbench: ${errorText(error, io.env)}`);
    // Bad input is exit 2, as a usage error is; anything else is 1.
    return error instanceof InputError ? 2 : 1;
  }
}

export function processIo(): Io {
  return {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    cwd: process.cwd(),
    env: process.env,
  };
}

if (require.main === module) {
  main(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`gpu-workbench: ${safeText(redactSecrets(String(error), [process.env.HF_TOKEN]))}\n`);
      process.exitCode = 1;
    },
  );
}
