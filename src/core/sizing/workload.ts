/** A target load written as `rps=5 input=1000 output=200 context=8192 tpot-ms=50`. */
import type { Result } from '../result.ts';
import type { Workload } from './suggest.ts';

export const DEFAULT_WORKLOAD_TEXT = 'rps=2 input=1000 output=200 context=8192';

const KEYS: Record<string, keyof Workload> = {
  rps: 'requestsPerSecond',
  concurrency: 'concurrency',
  input: 'inputTokens',
  output: 'outputTokens',
  context: 'contextLength',
  'ttft-ms': 'ttftMsMax',
  'tpot-ms': 'tpotMsMax',
};
const WHOLE = new Set<keyof Workload>(['concurrency', 'inputTokens', 'outputTokens', 'contextLength']);

export function parseWorkload(text: string): Result<Workload> {
  const workload: Partial<Workload> = {};
  for (const part of text
    .trim()
    .split(/[\s,]+/)
    .filter(Boolean)) {
    const match = /^([a-z-]+)=(.+)$/.exec(part);
    const key = match ? KEYS[match[1] ?? ''] : undefined;
    if (!match || !key)
      return {
        ok: false,
        message: `"${part}" is not one of ${Object.keys(KEYS)
          .map((k) => `${k}=`)
          .join(', ')}`,
      };
    const value = Number(match[2]);
    if (!Number.isFinite(value) || value <= 0 || (WHOLE.has(key) && !Number.isInteger(value)))
      return { ok: false, message: `${match[1]} must be a positive ${WHOLE.has(key) ? 'whole ' : ''}number` };
    workload[key] = value;
  }
  if (workload.requestsPerSecond === undefined && workload.concurrency === undefined)
    return { ok: false, message: 'give rps= or concurrency=' };
  const contextLength = workload.contextLength ?? 8192;
  const inputTokens = workload.inputTokens ?? Math.min(1000, contextLength - 1);
  const outputTokens = workload.outputTokens ?? 200;
  if (inputTokens + outputTokens > contextLength)
    return {
      ok: false,
      message: `input + output (${inputTokens + outputTokens}) is longer than context (${contextLength})`,
    };
  return { ok: true, value: { ...workload, contextLength, inputTokens, outputTokens } };
}
