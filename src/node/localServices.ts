/** Serving engines among this machine's GPU processes: their command lines (/proc) and their own /metrics. */
import { readFile } from 'node:fs/promises';
import {
  engineSnapshot,
  parseExposition,
  recognizeEngine,
  type EngineSnapshot,
  type RecognizedEngine,
} from '../core/services/engineMetrics.ts';
import { errorMessage } from '../core/errors.ts';
import { clip, safeLine } from '../core/text/safeText.ts';
import { readResponseCapped } from './readLimited.ts';
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
  pid: number;
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
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    return { ok: false, message: safeLine(clip(errorMessage(cause), 200)) };
  }
}

/** Every recognised engine among the PIDs, with its metrics now. */
export async function localServices(pids: readonly number[], timeoutMs = 3000): Promise<LocalService[]> {
  const unique = [...new Set(pids)].slice(0, 256);
  const found = await Promise.all(
    unique.map(async (pid) => {
      const argv = await processArgv(pid);
      const engine = argv ? recognizeEngine(argv) : undefined;
      return engine ? { pid, ...engine } : undefined;
    }),
  );
  return Promise.all(
    found
      .filter((f): f is NonNullable<typeof f> => f !== undefined)
      .map(async (s) => {
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
