/** What the Model services view shows of each engine, without the editor (tested in Node). */
import type { Inventory } from '../../core/gpu/inventory.ts';
import type { EngineSnapshot } from '../../core/services/engineMetrics.ts';
import { safeLine } from '../../core/text/safeText.ts';
import type { LocalService } from '../../node/localServices.ts';
import type { PodService } from '../../node/podServices.ts';

export const ENGINE_LABEL = { vllm: 'vLLM', sglang: 'SGLang', tgi: 'TGI' } as const;

/** A service as shown: its latest snapshot, the GPUs it holds, and rates from the one before. */
export interface ShownService {
  service: LocalService;
  gpus: string[];
  generationTokensPerSecond?: number;
  promptTokensPerSecond?: number;
}

const ms = (s: number | undefined) => (s === undefined ? '?' : `${(s * 1000).toFixed(0)} ms`);

/** The GPUs (host GPU index and name) each PID appears on in the inventory. */
export function gpusByPid(inventory: Inventory | undefined): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const host of inventory?.hosts ?? []) {
    if (host.source !== 'local') continue;
    for (const gpu of host.gpus)
      for (const p of gpu.processes) out.set(p.pid, [...(out.get(p.pid) ?? []), `GPU ${gpu.index} ${gpu.name}`]);
  }
  return out;
}

function rate(now: number | undefined, before: number | undefined, seconds: number): number | undefined {
  return now !== undefined && before !== undefined && seconds > 0 && now >= before
    ? (now - before) / seconds
    : undefined;
}

/** Rates between two snapshots of the same process. */
export function withRates(service: LocalService, gpus: string[], previous: LocalService | undefined): ShownService {
  const seconds = previous ? (service.atMs - previous.atMs) / 1000 : 0;
  const a: EngineSnapshot | undefined = service.snapshot;
  const b: EngineSnapshot | undefined = previous?.snapshot;
  return {
    service,
    gpus,
    generationTokensPerSecond: rate(a?.generationTokensTotal, b?.generationTokensTotal, seconds),
    promptTokensPerSecond: rate(a?.promptTokensTotal, b?.promptTokensTotal, seconds),
  };
}

export function figures(shown: ShownService): { label: string; description: string }[] {
  const s = shown.service.snapshot;
  if (!s) return [{ label: 'metrics', description: safeLine(shown.service.error ?? 'not read yet') }];
  const rows: { label: string; description: string }[] = [];
  if (s.kvCacheUsage !== undefined)
    rows.push({ label: 'KV cache', description: `${(s.kvCacheUsage * 100).toFixed(1)} %` });
  rows.push({ label: 'requests', description: `${s.running ?? '?'} running, ${s.waiting ?? '?'} waiting` });
  if (shown.generationTokensPerSecond !== undefined || shown.promptTokensPerSecond !== undefined)
    rows.push({
      label: 'tokens/s',
      description: `${shown.promptTokensPerSecond?.toFixed(0) ?? '?'} prompt, ${shown.generationTokensPerSecond?.toFixed(0) ?? '?'} generated`,
    });
  if (s.ttftSeconds)
    rows.push({ label: 'TTFT', description: `p50 ${ms(s.ttftSeconds.p50)}, p95 ${ms(s.ttftSeconds.p95)}` });
  if (s.tpotSeconds)
    rows.push({ label: 'inter-token', description: `p50 ${ms(s.tpotSeconds.p50)}, p95 ${ms(s.tpotSeconds.p95)}` });
  if (s.e2eSeconds)
    rows.push({ label: 'end-to-end', description: `p50 ${ms(s.e2eSeconds.p50)}, p95 ${ms(s.e2eSeconds.p95)}` });
  if (s.preemptionsTotal !== undefined) rows.push({ label: 'preemptions', description: String(s.preemptionsTotal) });
  for (const gpu of shown.gpus) rows.push({ label: 'GPU', description: safeLine(gpu) });
  return rows;
}

/** A pod's figures, from Prometheus (instant values; rates over 10 minutes). */
export function podFigures(pod: PodService): { label: string; description: string }[] {
  const rows: { label: string; description: string }[] = [];
  if (pod.kvCacheUsage !== undefined)
    rows.push({ label: 'KV cache', description: `${(pod.kvCacheUsage * 100).toFixed(1)} %` });
  rows.push({ label: 'requests', description: `${pod.running ?? '?'} running, ${pod.waiting ?? '?'} waiting` });
  if (pod.generationTokensPerSecond !== undefined)
    rows.push({
      label: 'tokens/s',
      description: `${pod.generationTokensPerSecond.toFixed(0)} generated (10 min rate)`,
    });
  return rows;
}
