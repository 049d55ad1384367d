/**
 * GPUs on SSH hosts through the system `ssh`, so the user's ~/.ssh/config, agent and ProxyJump
 * apply. The argument list is fixed; the host is validated first; the remote command is a
 * constant. All hosts are polled at once up to a concurrency cap, each within its own timeout.
 */
import { parseNvidiaSmi, REMOTE_NVIDIA_SMI_COMMAND, splitRemoteOutput } from '../core/gpu/nvidiaSmi.ts';
import type { Host } from '../core/gpu/inventory.ts';
import { validateSshDestination } from '../core/gpu/sshHosts.ts';
import { runFile, type RunResult } from './runFile.ts';
import { errorMessage } from '../core/errors.ts';

export interface SshOptions {
  /** Absolute path of ssh. */
  sshPath: string;
  /** An ssh_config file passed with -F, or undefined for the user's own. */
  configFile: string | undefined;
  connectTimeoutSeconds: number;
  /** Time for the remote nvidia-smi once connected. */
  commandTimeoutSeconds: number;
  concurrency: number;
}

/** ssh's argument list: fixed options, `--`, then the validated host and the constant command. */
export function sshArgs(
  host: string,
  options: Pick<SshOptions, 'configFile' | 'connectTimeoutSeconds'>,
  command: string,
): string[] {
  return [
    ...(options.configFile ? ['-F', options.configFile] : []),
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${Math.max(1, Math.round(options.connectTimeoutSeconds))}`,
    '-o',
    'StrictHostKeyChecking=accept-new',
    '--',
    host,
    command,
  ];
}

function unreachable(host: string, reason: string): Host {
  return { id: `ssh:${host}`, label: host, source: 'ssh', status: { kind: 'unreachable', reason }, gpus: [] };
}

/** ssh exits 255 for its own errors (refused, timeout, auth); the reason is its last stderr line. */
function sshReason(result: RunResult, timeoutMs: number): string {
  if (result.kind === 'timedOut') return `no answer within ${timeoutMs / 1000} s`;
  if (result.kind === 'outputTooLarge') return 'the host printed more output than allowed';
  if (result.kind === 'notStarted') return `ssh could not start (${result.message})`;
  const lines = result.stderr
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('Warning: Permanently added'));
  return (
    lines
      .at(-1)
      ?.replace(/^ssh: /, '')
      .slice(0, 300) || `ssh exited ${result.code}`
  );
}

export async function querySshHost(host: string, options: SshOptions): Promise<Host> {
  const checked = validateSshDestination(host);
  if (!checked.ok) return unreachable(host, `not polled: ${checked.reason}`);
  const timeoutMs = (options.connectTimeoutSeconds + options.commandTimeoutSeconds) * 1000;
  const result = await runFile(options.sshPath, sshArgs(checked.host, options, REMOTE_NVIDIA_SMI_COMMAND), {
    timeoutMs,
    maxOutputBytes: 1024 * 1024,
  });
  if (result.kind !== 'exited' || result.code === 255) return unreachable(checked.host, sshReason(result, timeoutMs));
  const base = { id: `ssh:${checked.host}`, label: checked.host, source: 'ssh' as const };
  if (result.code === 127 || /nvidia-smi: (command )?not found/.test(result.stderr)) {
    return { ...base, status: { kind: 'failed', reason: 'nvidia-smi is not installed on this host' }, gpus: [] };
  }
  const parsed = parseNvidiaSmi(splitRemoteOutput(result.stdout));
  if (!parsed.ok) return { ...base, status: { kind: 'failed', reason: parsed.message }, gpus: [] };
  return { ...base, status: { kind: 'ok' }, gpus: parsed.value };
}

/** Maps with at most `limit` calls in flight, keeping order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * Polls every host, at most `concurrency` at a time, answers in the order given. Hosts in
 * `slowFirst` (those unreachable last time) start first, so their timeouts run alongside the
 * live hosts' work instead of after it.
 */
export async function querySshHosts(
  hosts: readonly string[],
  options: SshOptions,
  slowFirst: ReadonlySet<string> = new Set(),
): Promise<Host[]> {
  const unique = [...new Set(hosts.map((h) => h.trim()).filter(Boolean))];
  const order = [...unique.filter((h) => slowFirst.has(h)), ...unique.filter((h) => !slowFirst.has(h))];
  // Each host on its own: one that breaks the parser is marked failed, the others still show.
  const results = await mapWithConcurrency(order, options.concurrency, (host) =>
    querySshHost(host, options).catch((error: unknown): Host => ({
      id: `ssh:${host}`,
      label: host,
      source: 'ssh',
      status: { kind: 'failed', reason: errorMessage(error) },
      gpus: [],
    })),
  );
  const byHost = new Map(order.map((host, i) => [host, results[i] as Host]));
  return unique.map((host) => byHost.get(host) as Host);
}

/** Sends SIGTERM to one process on an SSH host: `kill -TERM -- <pid>` with a validated pid. */
export async function stopRemoteProcess(host: string, pid: number, options: SshOptions): Promise<string | undefined> {
  const checked = validateSshDestination(host);
  if (!checked.ok) return checked.reason;
  if (!Number.isSafeInteger(pid) || pid <= 1) return `refusing to stop pid ${pid}`;
  const timeoutMs = (options.connectTimeoutSeconds + options.commandTimeoutSeconds) * 1000;
  const result = await runFile(options.sshPath, sshArgs(checked.host, options, `kill -TERM -- ${pid}`), { timeoutMs });
  return result.kind === 'exited' && result.code === 0 ? undefined : sshReason(result, timeoutMs);
}
