import { spawn } from 'node:child_process';
import { clip, safeLine } from '../core/text/safeText.ts';

export type RunResult =
  | { kind: 'exited'; code: number; stdout: string; stderr: string }
  | { kind: 'timedOut'; stdout: string }
  | { kind: 'outputTooLarge' }
  | { kind: 'notStarted'; message: string };

export interface RunOptions {
  timeoutMs: number;
  maxOutputBytes?: number;
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/** Node's timers hold a signed 32-bit millisecond count: past it they fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timeout as a timer can take it: whole milliseconds from 1 to 2^31-1 (NaN: the largest). */
export function timerMs(ms: number): number {
  if (!Number.isFinite(ms)) return MAX_TIMER_MS;
  return Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(ms)));
}

/**
 * Runs an executable with an argument array: never a shell, never execSync. The child leads its
 * own process group, and at the timeout (or when its output passes the cap) the whole group gets
 * SIGKILL: a wrapper script's children (`nvidia-smi` behind a shell, `ssh`'s proxy command) are
 * stopped with it, so a wedged tool costs its timeout and nothing more.
 */
export function runFile(executable: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const timeoutMs = timerMs(options.timeoutMs);
  const detached = process.platform !== 'win32';
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(executable, [...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
        env: options.env,
        detached,
      });
    } catch (error) {
      resolve({ kind: 'notStarted', message: (error as Error).message });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    let settled: RunResult | undefined;
    const killGroup = () => {
      try {
        if (detached && child.pid) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const finish = (result: RunResult) => {
      if (settled) return;
      settled = result;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      killGroup();
      finish({ kind: 'timedOut', stdout: Buffer.concat(out).toString('utf8') });
    }, timeoutMs);
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      bytes += chunk.byteLength;
      if (bytes > maxBytes) {
        killGroup();
        finish({ kind: 'outputTooLarge' });
        return;
      }
      into.push(chunk);
    };
    child.stdout?.on('data', collect(out));
    child.stderr?.on('data', collect(err));
    child.on('error', (error: NodeJS.ErrnoException) => {
      killGroup();
      finish({ kind: 'notStarted', message: `${error.code ?? 'error'}: ${error.message}` });
    });
    // The group may outlive its leader (a wrapper's background child holding the pipes open):
    // once the leader exits, the rest of the group is stopped, so its output ends too.
    child.on('exit', () => {
      if (!detached || !child.pid) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === null)
        finish({ kind: 'exited', code: -1, stdout, stderr: stderr || `killed by ${signal ?? 'a signal'}` });
      else finish({ kind: 'exited', code, stdout, stderr });
    });
  });
}

/** "timed out after 2 s", "exit 9: NVIDIA-SMI has failed ..." and the like, safe to print. */
export function describeFailure(result: RunResult, timeoutMs: number): string {
  switch (result.kind) {
    case 'timedOut':
      return `timed out after ${timeoutMs / 1000} s`;
    case 'outputTooLarge':
      return 'printed more output than allowed';
    case 'notStarted':
      return `could not start (${safeLine(clip(result.message, 300))})`;
    case 'exited': {
      const said = (result.stderr.trim() || result.stdout.trim()).split('\n')[0]?.slice(0, 300);
      return `exit ${result.code}${said ? `: ${safeLine(said)}` : ''}`;
    }
  }
}
