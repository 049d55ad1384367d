/**
 * `gpu-workbench`: the extension's core from a terminal or CI.
 *   gpu-workbench inventory [--ssh HOST]... [--ssh-config FILE] [--prometheus URL]
 *                           [--kubernetes] [--kubeconfig FILE] [--context NAME] [--no-local]
 *                           [--timeout SECONDS] [--json]
 * Exit codes: 0 all sources answered, 1 a host was unreachable or failed, 2 usage error.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { formatInventoryText } from './core/gpu/inventoryText.ts';
import { collectInventory, type InventoryConfig } from './node/collectInventory.ts';
import { resolveExecutable } from './node/executables.ts';

const USAGE = `Usage:
  gpu-workbench inventory [--ssh HOST]... [--ssh-config FILE] [--prometheus URL]
                          [--kubernetes] [--kubeconfig FILE] [--context NAME]
                          [--no-local] [--timeout SECONDS] [--json]
  gpu-workbench --help | --version

inventory  lists GPUs on this machine (nvidia-smi, rocm-smi), on SSH hosts (system ssh),
           from Prometheus (DCGM exporter metrics) and Kubernetes nodes (kubectl).
Exit codes: 0 every source answered, 1 a host was unreachable or failed, 2 usage error.`;

class UsageError extends Error {}

interface Io {
  out(text: string): void;
  err(text: string): void;
}

async function inventory(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ssh: { type: 'string', multiple: true },
      'ssh-config': { type: 'string' },
      prometheus: { type: 'string' },
      kubernetes: { type: 'boolean' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      'no-local': { type: 'boolean' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const timeoutSeconds = values.timeout === undefined ? 10 : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError(`--timeout must be a positive number of seconds, not "${values.timeout}"`);
  const timeoutMs = timeoutSeconds * 1000;
  const hosts = values.ssh ?? [];
  const sshPath = resolveExecutable('ssh', undefined);
  if (hosts.length > 0 && !sshPath) throw new UsageError('--ssh needs an ssh executable on PATH');
  const config: InventoryConfig = {
    local: values['no-local'] ? undefined : { nvidiaSmiPath: undefined, rocmSmiPath: undefined, timeoutMs, sysinfoWorkerPath: path.join(__dirname, 'sysinfo-worker.js') },
    ssh: sshPath && hosts.length > 0 ? { hosts, sshPath, configFile: values['ssh-config'], connectTimeoutSeconds: Math.min(timeoutSeconds, 10), commandTimeoutSeconds: timeoutSeconds, concurrency: 16 } : undefined,
    prometheus: values.prometheus ? { url: values.prometheus, timeoutMs } : undefined,
    kubernetes: values.kubernetes || values.kubeconfig || values.context ? { kubectlPath: undefined, kubeconfig: values.kubeconfig, context: values.context, timeoutMs } : undefined,
  };
  const result = await collectInventory(config);
  io.out(values.json ? JSON.stringify(result, null, 2) : formatInventoryText(result));
  return result.hosts.some((h) => h.status.kind !== 'ok') ? 1 : 0;
}

export async function main(argv: string[], io: Io): Promise<number> {
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
    if (command === 'inventory') return await inventory(rest, io);
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`gpu-workbench: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`gpu-workbench: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

declare const __GPU_WORKBENCH_VERSION__: string;
const VERSION = typeof __GPU_WORKBENCH_VERSION__ === 'string' ? __GPU_WORKBENCH_VERSION__ : 'development';

if (require.main === module) {
  main(process.argv.slice(2), { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`gpu-workbench: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
