import { execFile } from 'node:child_process';

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

/**
 * Runs an executable with an argument array: never a shell, never execSync. The child is killed
 * (SIGKILL) at the timeout or when its output passes the cap, so a wedged tool costs its timeout
 * and nothing more.
 */
export function runFile(executable: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const maxBuffer = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  return new Promise((resolve) => {
    execFile(
      executable,
      args,
      {
        timeout: options.timeoutMs,
        maxBuffer,
        killSignal: 'SIGKILL',
        windowsHide: true,
        encoding: 'utf8',
        env: options.env,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ kind: 'exited', code: 0, stdout, stderr });
        const failure = error as NodeJS.ErrnoException & { killed?: boolean; code?: number | string; signal?: string };
        if (failure.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return resolve({ kind: 'outputTooLarge' });
        if (failure.killed) return resolve({ kind: 'timedOut', stdout });
        if (typeof failure.code === 'number') return resolve({ kind: 'exited', code: failure.code, stdout, stderr });
        if (typeof failure.code === 'string')
          return resolve({ kind: 'notStarted', message: `${failure.code}: ${failure.message}` });
        resolve({ kind: 'exited', code: -1, stdout, stderr: stderr || `killed by ${failure.signal ?? 'a signal'}` });
      },
    );
  });
}

/** "timed out after 2 s", "exit 9: NVIDIA-SMI has failed ..." and the like. */
export function describeFailure(result: RunResult, timeoutMs: number): string {
  switch (result.kind) {
    case 'timedOut':
      return `timed out after ${timeoutMs / 1000} s`;
    case 'outputTooLarge':
      return 'printed more output than allowed';
    case 'notStarted':
      return `could not start (${result.message})`;
    case 'exited': {
      const said = (result.stderr.trim() || result.stdout.trim()).split('\n')[0]?.slice(0, 300);
      return `exit ${result.code}${said ? `: ${said}` : ''}`;
    }
  }
}
