import { execFile } from 'node:child_process';
import { parseNvidiaSmiGpuCsv, QUERY_GPU_FIELDS, type NvidiaGpu } from '../core/gpu/nvidiaSmiCsv.ts';
import { resolveExecutable } from './executables.ts';

export type LocalGpuQuery =
  | { kind: 'gpus'; gpus: NvidiaGpu[]; executable: string }
  | { kind: 'noNvidiaSmi'; reason: string }
  | { kind: 'failed'; message: string };

const MAX_OUTPUT_BYTES = 1024 * 1024;

/** Runs nvidia-smi asynchronously (never a shell, never execSync) with a timeout and an output cap. */
export function queryLocalGpus(configuredPath: string | undefined, timeoutMs: number): Promise<LocalGpuQuery> {
  const executable = resolveExecutable('nvidia-smi', configuredPath);
  if (!executable) {
    return Promise.resolve({
      kind: 'noNvidiaSmi',
      reason: configuredPath ? `${configuredPath} is not an absolute path to an executable file` : 'nvidia-smi is not on PATH',
    });
  }
  const args = [`--query-gpu=${QUERY_GPU_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];
  return new Promise((resolve) => {
    execFile(executable, args, { timeout: timeoutMs, maxBuffer: MAX_OUTPUT_BYTES, killSignal: 'SIGKILL', windowsHide: true }, (error, stdout, stderr) => {
      if (error && error.killed) {
        resolve({ kind: 'failed', message: `${executable} timed out after ${timeoutMs / 1000} s` });
        return;
      }
      if (error && error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
        resolve({ kind: 'failed', message: `${executable} printed more than ${MAX_OUTPUT_BYTES} bytes` });
        return;
      }
      const parsed = parseNvidiaSmiGpuCsv(String(stdout));
      if (error) {
        const detail = (String(stdout) || String(stderr)).trim().split('\n')[0] || error.message;
        resolve({ kind: 'failed', message: `${executable} failed: ${detail}` });
        return;
      }
      resolve(parsed.ok ? { kind: 'gpus', gpus: parsed.gpus, executable } : { kind: 'failed', message: parsed.message });
    });
  });
}
