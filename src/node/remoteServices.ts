/**
 * Serving engines on SSH hosts and the commands that start, stop and follow them. Every ssh call
 * is an argv (sshArgs: fixed options, `--`, a validated host); the remote command line is built
 * from validated integers or from words quoted one by one (core/services/runCommand.ts shellQuote).
 *
 * Metrics: the engine's /metrics is read on the host itself with `curl` over ssh (the engine
 * listens on the host's 127.0.0.1 as often as not, so a forwarded port would be one more process
 * to keep; curl is on every image the engines publish).
 */
import { engineSnapshot, parseExposition, type RecognizedEngine } from '../core/services/engineMetrics.ts';
import { remoteCommandLine } from '../core/services/runCommand.ts';
import { isSameEngine } from '../core/services/serviceTargets.ts';
import { validateSshDestination } from '../core/gpu/sshHosts.ts';
import { clip, safeLine } from '../core/text/safeText.ts';
import { engineOwners, type LocalService } from './localServices.ts';
import { runFile, type RunResult } from './runFile.ts';
import { sshArgs, stopRemoteProcess, type SshOptions } from './sshGpus.ts';

/** An engine on an SSH host: a LocalService whose PID and port are the host's. */
export interface RemoteService extends LocalService {
  host: string;
}

const MAX_PIDS = 256;
/** Variable names that hold credentials (HF_TOKEN, OPENAI_API_KEY, AWS_SECRET_ACCESS_KEY, ...). */
const SECRET_NAME = /TOKEN|KEY|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH/i;
const MAX_METRICS_BYTES = 8 * 1024 * 1024;

function timeoutOf(options: SshOptions): number {
  return (options.connectTimeoutSeconds + options.commandTimeoutSeconds) * 1000;
}

function failure(result: RunResult): string {
  if (result.kind === 'timedOut') return 'no answer in time';
  if (result.kind === 'outputTooLarge') return 'the answer is too large';
  if (result.kind === 'notStarted') return `ssh could not start (${result.message})`;
  const last = result.stderr.trim().split('\n').at(-1) ?? '';
  return safeLine(clip(last.replace(/^ssh: /, '') || `exit code ${result.code}`, 200));
}

/** `ps -ww -o pid=,args= -p 1,2`: each PID's command line split at blanks (model names have none). */
export function parsePsArgs(stdout: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const line of stdout.split('\n').slice(0, MAX_PIDS)) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line.slice(0, 64 * 1024));
    if (m) out.set(Number(m[1]), m[2]!.trim().split(/\s+/));
  }
  return out;
}

/** The command lines of PIDs on a host, or why they could not be read. */
export async function remoteArgvs(
  host: string,
  pids: readonly number[],
  options: SshOptions,
): Promise<{ ok: true; argvs: Map<number, string[]> } | { ok: false; message: string }> {
  const checked = validateSshDestination(host);
  if (!checked.ok) return { ok: false, message: checked.reason };
  const valid = [...new Set(pids)].filter((p) => Number.isSafeInteger(p) && p > 1).slice(0, MAX_PIDS);
  if (valid.length === 0) return { ok: true, argvs: new Map() };
  const result = await runFile(
    options.sshPath,
    sshArgs(checked.host, options, `ps -ww -o pid=,args= -p ${valid.join(',')}`),
    { timeoutMs: timeoutOf(options), maxOutputBytes: 4 * 1024 * 1024 },
  );
  // ps exits 1 when none of the PIDs exists any more: an empty answer, not a failure.
  if (result.kind === 'exited' && (result.code === 0 || (result.code === 1 && result.stdout.trim() === '')))
    return { ok: true, argvs: parsePsArgs(result.stdout) };
  return { ok: false, message: failure(result) };
}

/** Lines of `ps -e` read at most (a host runs a few hundred to a few thousand processes). */
const MAX_PS_LINES = 50_000;

/** `ps -ww -e -o pid=,ppid=,args=`: each process's parent and command line (split at blanks). */
export function parsePsTable(stdout: string): Map<number, { ppid: number; argv: string[] }> {
  const out = new Map<number, { ppid: number; argv: string[] }>();
  for (const line of stdout.split('\n', MAX_PS_LINES)) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line.slice(0, 64 * 1024));
    if (m) out.set(Number(m[1]), { ppid: Number(m[2]), argv: m[3]!.trim().split(/\s+/) });
  }
  return out;
}

/**
 * The engines owning a host's GPU processes, found as on this machine (localServices.ts
 * engineOwners: the GPU process or one of its parents names the engine), from one `ps -e` listing.
 */
export async function remoteEngineOwners(
  host: string,
  gpuPids: readonly number[],
  options: SshOptions,
): Promise<{ ok: true; owners: Awaited<ReturnType<typeof engineOwners>> } | { ok: false; message: string }> {
  const checked = validateSshDestination(host);
  if (!checked.ok) return { ok: false, message: checked.reason };
  const valid = [...new Set(gpuPids)].filter((p) => Number.isSafeInteger(p) && p > 1).slice(0, MAX_PIDS);
  if (valid.length === 0) return { ok: true, owners: [] };
  const result = await runFile(options.sshPath, sshArgs(checked.host, options, 'ps -ww -e -o pid=,ppid=,args='), {
    timeoutMs: timeoutOf(options),
    maxOutputBytes: 16 * 1024 * 1024,
  });
  if (result.kind !== 'exited' || result.code !== 0) return { ok: false, message: failure(result) };
  const table = parsePsTable(result.stdout);
  const owners = await engineOwners(
    valid,
    async (pid) => table.get(pid)?.argv,
    async (pid) => {
      const ppid = table.get(pid)?.ppid;
      return ppid !== undefined && ppid > 1 ? ppid : undefined;
    },
  );
  return { ok: true, owners };
}

/** The engine's /metrics read on the host by curl, capped and timed out on both ends. */
export async function readRemoteMetrics(
  host: string,
  port: number,
  options: SshOptions,
): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  const checked = validateSshDestination(host);
  if (!checked.ok) return { ok: false, message: checked.reason };
  if (!Number.isInteger(port) || port <= 0 || port >= 65536) return { ok: false, message: `bad port ${port}` };
  const seconds = Math.max(1, Math.round(options.commandTimeoutSeconds));
  const command = `curl -sS --fail --max-time ${seconds} --max-filesize ${MAX_METRICS_BYTES} http://127.0.0.1:${port}/metrics`;
  const result = await runFile(options.sshPath, sshArgs(checked.host, options, command), {
    timeoutMs: timeoutOf(options),
    maxOutputBytes: MAX_METRICS_BYTES,
  });
  if (result.kind === 'exited' && result.code === 0) return { ok: true, text: result.stdout };
  if (result.kind === 'exited' && result.code === 127)
    return { ok: false, message: 'curl is not installed on the host' };
  return { ok: false, message: failure(result) };
}

/** Every recognised engine among a host's GPU processes, with its metrics now. */
export async function remoteServices(
  host: string,
  pids: readonly number[],
  options: SshOptions,
): Promise<{ ok: true; services: RemoteService[] } | { ok: false; message: string }> {
  const read = await remoteEngineOwners(host, pids, options);
  if (!read.ok) return read;
  const engines = read.owners;
  const services = await Promise.all(
    engines.map(async (e): Promise<RemoteService> => {
      const metrics = await readRemoteMetrics(host, e.port, options);
      return metrics.ok
        ? { ...e, host, snapshot: engineSnapshot(parseExposition(metrics.text)), atMs: Date.now() }
        : { ...e, host, error: metrics.message, atMs: Date.now() };
    }),
  );
  return { ok: true, services };
}

/**
 * Stops an engine on a host after reading its command line again: SIGTERM only when the PID is
 * still that engine. Undefined when sent; otherwise why not.
 */
export async function stopRemoteService(
  host: string,
  pid: number,
  expected: RecognizedEngine,
  options: SshOptions,
): Promise<string | undefined> {
  const read = await remoteArgvs(host, [pid], options);
  if (!read.ok) return read.message;
  if (!isSameEngine(expected, read.argvs.get(pid)))
    return read.argvs.has(pid)
      ? `process ${pid} is no longer the ${expected.engine} server on port ${expected.port}`
      : `process ${pid} is no longer running`;
  return stopRemoteProcess(host, pid, options);
}

/**
 * ssh's argv for running a serving command in a terminal: `-t` so that closing the terminal (or
 * Ctrl+C) hangs up the remote engine too, then the quoted command line.
 */
export function sshRunArgs(
  host: string,
  options: Pick<SshOptions, 'configFile' | 'connectTimeoutSeconds'>,
  env: readonly [string, string][],
  argv: readonly string[],
): { ok: true; args: string[] } | { ok: false; reason: string } {
  const checked = validateSshDestination(host);
  if (!checked.ok) return checked;
  if (argv.length === 0) return { ok: false, reason: 'the command is empty' };
  // ssh carries the command line in its own argv, which every user of this machine can read (ps)
  // while the server runs, and the task terminal prints it: no secret goes that way.
  const secret = env.find(([name]) => SECRET_NAME.test(name));
  if (secret)
    return {
      ok: false,
      reason: `${secret[0]} would be visible in the ssh command line on this machine; set it in the host's environment instead and remove it from the line`,
    };
  return { ok: true, args: ['-t', ...sshArgs(checked.host, options, remoteCommandLine(env, argv))] };
}
