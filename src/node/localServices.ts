/** Serving engines among this machine's GPU processes: their command lines (/proc) and their own /metrics. */
import { readFile } from 'node:fs/promises';
import {
  engineSnapshot,
  parseExposition,
  recognizeEngine,
  type EngineSnapshot,
  type RecognizedEngine,
} from '../core/services/engineMetrics.ts';
import { clip } from '../core/text/safeText.ts';
import { fetchFailure, readResponseCapped } from './readLimited.ts';
import { isSameEngine } from '../core/services/serviceTargets.ts';

/** A process's argv from /proc/<pid>/cmdline (Linux); undefined elsewhere or when it is gone. */
export async function processArgv(pid: number): Promise<string[] | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`);
    return raw
      .subarray(0, 64 * 1024)
      .toString('utf8')
      .split('\0')
      .filter(Boolean);
  } catch {
    return undefined;
  }
}

export interface LocalService extends RecognizedEngine {
  /** The engine's own process: the one whose command line names it (`vllm serve ...`). */
  pid: number;
  /** The GPU processes it runs as: its children (vLLM's EngineCore and TP workers), or only itself when absent. */
  gpuPids?: number[];
  snapshot?: EngineSnapshot;
  /** Why the metrics could not be read (said in the view, sanitized). */
  error?: string;
  /** When the snapshot was taken, ms since the epoch (for rates between two). */
  atMs: number;
}

/** The engine's /metrics on 127.0.0.1, capped and timed out. */
export async function readEngineMetrics(
  url: string,
  timeoutMs = 3000,
  maxBytes = 8 * 1024 * 1024,
): Promise<{ ok: true; snapshot: EngineSnapshot } | { ok: false; message: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (!response.ok) return { ok: false, message: `HTTP ${response.status}` };
    const text = await readResponseCapped(response, maxBytes, 'the metrics page is too large');
    return { ok: true, snapshot: engineSnapshot(parseExposition(text)) };
  } catch (error) {
    return { ok: false, message: clip(fetchFailure(error, timeoutMs), 200) };
  }
}

/** A process's parent from /proc/<pid>/stat (the field after the command name's closing parenthesis). */
export async function parentPid(pid: number): Promise<number | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 1) return undefined;
  try {
    const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).slice(0, 4096);
    const ppid = Number(
      stat
        .slice(stat.lastIndexOf(')') + 1)
        .trim()
        .split(' ')[1],
    );
    return Number.isSafeInteger(ppid) && ppid > 1 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** How far up from a GPU process its engine's command line is looked for. */
const MAX_ANCESTORS = 6;

/**
 * The engines that own these GPU processes. A GPU is often held by a child of the process that was
 * started: vLLM V1 runs the model in an "EngineCore" process and, under tensor parallelism, one
 * worker per GPU, each renamed with setproctitle to `VLLM::EngineCore` / `VLLM::Worker_TP<n>`
 * (vllm/utils/system_utils.py `set_process_title`), and TGI's launcher starts one
 * `text-generation-server` shard per GPU. So each GPU process's own command line is tried first,
 * then its parents', up to six levels; the engine is the first one recognised, with every GPU
 * process under it.
 */
export async function engineOwners(
  gpuPids: readonly number[],
  argvOf: (pid: number) => Promise<string[] | undefined> = processArgv,
  parentOf: (pid: number) => Promise<number | undefined> = parentPid,
): Promise<(RecognizedEngine & { pid: number; gpuPids: number[] })[]> {
  const owners = new Map<number, RecognizedEngine & { pid: number; gpuPids: number[] }>();
  const seen = new Map<number, (RecognizedEngine & { pid: number }) | undefined>();
  const ownerOf = async (pid: number) => {
    let at: number | undefined = pid;
    for (let level = 0; at !== undefined && level <= MAX_ANCESTORS; level++) {
      if (seen.has(at)) return seen.get(at);
      const argv = await argvOf(at);
      const engine = argv ? recognizeEngine(argv) : undefined;
      if (engine) {
        seen.set(at, { pid: at, ...engine });
        return seen.get(at);
      }
      at = await parentOf(at);
    }
    return undefined;
  };
  for (const pid of [...new Set(gpuPids)].slice(0, 256)) {
    const owner = await ownerOf(pid);
    if (!owner) continue;
    const entry = owners.get(owner.pid) ?? { ...owner, gpuPids: [] };
    entry.gpuPids.push(pid);
    owners.set(owner.pid, entry);
  }
  return [...owners.values()];
}

/** Every recognised engine among the GPU processes (or their parents), with its metrics now. */
export async function localServices(pids: readonly number[], timeoutMs = 3000): Promise<LocalService[]> {
  const found = await engineOwners(pids);
  return Promise.all(
    found.map(async (s) => {
      const read = await readEngineMetrics(`http://127.0.0.1:${s.port}/metrics`, timeoutMs);
      return read.ok
        ? { ...s, snapshot: read.snapshot, atMs: Date.now() }
        : { ...s, error: read.message, atMs: Date.now() };
    }),
  );
}

/**
 * SIGTERM to a local engine after reading its command line again: only when the PID still is the
 * engine the view showed (a PID reused by another program is left alone). Undefined when sent.
 */
export async function stopLocalService(pid: number, expected: RecognizedEngine): Promise<string | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 1) return `refusing to stop pid ${pid}`;
  const argv = await processArgv(pid);
  if (!argv) return `process ${pid} is no longer running`;
  if (!isSameEngine(expected, argv))
    return `process ${pid} is no longer the ${expected.engine} server on port ${expected.port}`;
  try {
    process.kill(pid, 'SIGTERM');
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
      ? 'permission denied (the process belongs to another user)'
      : 'the process no longer exists';
  }
}
