import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { formatInventoryText } from '../core/gpu/inventoryText.ts';
import { collectInventory, type InventoryConfig } from '../node/collectInventory.ts';
import { resolveExecutable } from '../node/executables.ts';
import { safeJson } from '../core/text/safeText.ts';
import { secondsFlag, UsageError, type Io } from './io.ts';

export const INVENTORY_USAGE = `  gpu-workbench inventory [--ssh HOST]... [--ssh-config FILE] [--prometheus URL]
                          [--kubernetes] [--kubeconfig FILE] [--context NAME]
                          [--no-local] [--timeout SECONDS] [--json]`;

/** Exit 0 when every source answered, 1 when a host was unreachable or failed. */
export async function inventoryCommand(args: string[], io: Io): Promise<number> {
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
  const timeoutSeconds = secondsFlag(values.timeout, '--timeout', 10);
  const timeoutMs = Math.round(timeoutSeconds * 1000);
  const hosts = values.ssh ?? [];
  const sshPath = resolveExecutable('ssh', undefined, io.env.PATH);
  if (hosts.length > 0 && !sshPath) throw new UsageError('--ssh needs an ssh executable on PATH');
  const config: InventoryConfig = {
    local: values['no-local']
      ? undefined
      : {
          nvidiaSmiPath: undefined,
          rocmSmiPath: undefined,
          timeoutMs,
          sysinfoWorkerPath: path.join(__dirname, 'sysinfo-worker.js'),
        },
    ssh:
      sshPath && hosts.length > 0
        ? {
            hosts,
            sshPath,
            configFile: values['ssh-config'],
            connectTimeoutSeconds: Math.min(timeoutSeconds, 10),
            commandTimeoutSeconds: timeoutSeconds,
            concurrency: 16,
          }
        : undefined,
    prometheus: values.prometheus ? { url: values.prometheus, timeoutMs } : undefined,
    kubernetes:
      values.kubernetes || values.kubeconfig || values.context
        ? { kubectlPath: undefined, kubeconfig: values.kubeconfig, context: values.context, timeoutMs }
        : undefined,
  };
  const result = await collectInventory(config);
  io.out(values.json ? safeJson(result) : formatInventoryText(result));
  return result.hosts.some((h) => h.status.kind !== 'ok') ? 1 : 0;
}
