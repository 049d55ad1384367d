import type { ModelArchitecture } from '../core/catalog/architecture.ts';
import { findGpu, type GpuSpec } from '../core/catalog/gpus.ts';
import { safeText } from '../core/text/safeText.ts';
import { hubEndpoint, resolveModel } from '../node/modelSource.ts';
import { formatBytes, InputError, readStreamCapped } from '../node/readLimited.ts';

export { InputError };

/** What a CLI command needs from its surroundings, so tests can run commands in-process. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Standard input; process.stdin unless a test gives its own. */
  stdin?: AsyncIterable<Buffer | string>;
}

/** A mistake in how the command was called: exit 2 with the usage text. */
export class UsageError extends Error {}

/**
 * The same Io with every line that reaches the terminal passed through the sanitizer. Text
 * printers give untrusted names as they are; JSON printers escape them already (safeJson), and
 * the sanitizer leaves that output unchanged.
 */
export function terminalSafeIo(io: Io): Io {
  return { ...io, out: (t) => io.out(safeText(t)), err: (t) => io.err(safeText(t)) };
}

export function positiveInteger(value: string | undefined, flag: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`${flag} is required`);
    return fallback;
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new UsageError(`${flag} must be a positive whole number, not "${value.slice(0, 40)}"`);
  return n;
}

export function positiveNumber(
  value: string | undefined,
  flag: string,
  fallback: number | undefined,
): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} must be a positive number, not "${value.slice(0, 40)}"`);
  return n;
}

/** A day: past this a timer is a mistake, and Node's timers overflow past 2^31-1 ms (24.8 days). */
export const MAX_SECONDS = 86_400;

/**
 * A duration flag in seconds, from 0.001 to a day; whole milliseconds (Node's child-process and
 * timer APIs throw on fractions and wrap round past 2^31-1 ms).
 */
export function secondsFlag(value: string | undefined, flag: string, fallback: number): number {
  const seconds = positiveNumber(value, flag, fallback) ?? fallback;
  if (seconds < 0.001 || seconds > MAX_SECONDS)
    throw new UsageError(`${flag} must be from 0.001 to ${MAX_SECONDS} seconds, not "${value?.slice(0, 40)}"`);
  return Math.round(seconds * 1000) / 1000;
}

/** Standard input up to `maxBytes`, counted as it arrives; past it, an InputError (nothing more is kept). */
export function readStdinCapped(io: Io, maxBytes: number, what = 'standard input'): Promise<string> {
  return readStreamCapped(
    io.stdin ?? (process.stdin as AsyncIterable<Buffer>),
    maxBytes,
    () => new InputError(`${what} is larger than ${formatBytes(maxBytes)}`),
  );
}

/** --model: a catalog id, a config.json or a Hub name; a model that cannot be read is bad input (exit 2). */
export async function loadModel(
  ref: string | undefined,
  io: Io,
  missing = '--model is required',
): Promise<ModelArchitecture> {
  if (!ref) throw new UsageError(missing);
  const model = await resolveModel(ref, {
    cwd: io.cwd,
    hubEndpoint: hubEndpoint(io.env),
    token: io.env.HF_TOKEN,
  });
  if (!model.ok) throw model.badInput ? new InputError(model.message) : new Error(model.message);
  return model.architecture;
}

/** --gpu: a catalog id or name. */
export function gpuOf(id: string | undefined, missing = '--gpu is required'): GpuSpec {
  if (!id) throw new UsageError(missing);
  const gpu = findGpu(id);
  if (!gpu) throw new UsageError(`unknown GPU "${id.slice(0, 80)}"`);
  return gpu;
}
