/** Right-sizing a set of manifests against a Prometheus: queries per workload, then the core's recommendation. */
import type { Finding } from '../core/lint/types.ts';
import { calibrationSample, type CalibrationSample } from '../core/rightsize/calibrate.ts';
import {
  calibrationQueries,
  namespacesQuery,
  observe,
  stepSeconds,
  workloadQueries,
  type Observed,
  type WorkloadQueries,
} from '../core/rightsize/queries.ts';
import { recommend, RIGHT_SIZE_RULE, type RightSizeOptions } from '../core/rightsize/recommend.ts';
import { readWorkloads, type Workload } from '../core/rightsize/workloads.ts';
import type { PrometheusClient } from './prometheusRange.ts';

export interface RightSizeRequest extends RightSizeOptions {
  windowSeconds: number;
  /** End of the window, Unix seconds (now). */
  endS: number;
  /** Namespace for manifests that do not name one. */
  namespace?: string;
  /** Workloads queried at once. */
  concurrency?: number;
  /** Also ask what calibration needs (per-pod running and tokens/s per step, request lengths). */
  calibrate?: boolean;
}

/** What one workload's window says for calibration, and when the window ended (Unix seconds). */
export interface WorkloadCalibration {
  sample: CalibrationSample;
  endS: number;
}

/** The calibration queries over the window that ends at `endS`. */
async function observeCalibration(
  w: Workload,
  client: PrometheusClient,
  r: RightSizeRequest,
  endS: number,
): Promise<{ ok: true; value: WorkloadCalibration } | { ok: false; message: string }> {
  const q = calibrationQueries(w, r.window);
  const step = stepSeconds(r.windowSeconds);
  const startS = endS - r.windowSeconds;
  const [running, tokens, input, output] = await Promise.all([
    client.rangePoints(q.runningPerPod, startS, endS, step),
    client.rangePoints(q.tokensPerSecondPerPod, startS, endS, step),
    client.instant(q.inputTokens, endS),
    client.instant(q.outputTokens, endS),
  ]);
  if (!running.ok) return running;
  if (!tokens.ok) return tokens;
  if (!input.ok) return input;
  if (!output.ok) return output;
  const sample = calibrationSample({
    runningPerPod: running.value,
    tokensPerSecondPerPod: tokens.value,
    stepS: step,
    inputTokens: input.value,
    outputTokens: output.value,
  });
  return { ok: true, value: { sample, endS } };
}

const RANGE_KEYS = ['kvMax', 'kvSum', 'running', 'waiting', 'generationRate', 'gpuUtil'] as const;
const INSTANT_KEYS = ['tpotP95', 'ttftP95', 'pods'] as const;

/** Every query of one workload; the first failure is the answer (Prometheus down, a bad URL). */
export async function observeWorkload(
  given: Workload,
  client: PrometheusClient,
  r: RightSizeRequest,
): Promise<
  | { ok: true; observed: Observed; workload: Workload; calibration?: WorkloadCalibration }
  | { ok: false; message: string }
> {
  let w = given;
  // A manifest without a namespace: the one namespace whose pods have this workload's names, if only one does.
  if (!w.namespaceWritten && !r.namespace) {
    const found = await client.labelValues(namespacesQuery(w), r.endS, 'namespace');
    if (!found.ok) return { ok: false, message: found.message };
    if (found.value.length === 1 && /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(found.value[0]!))
      w = { ...w, namespace: found.value[0]! };
  }
  const queries: WorkloadQueries = workloadQueries(w, r.window);
  // The window ends at the engine's last sample when that is over an hour old (it stopped, or the
  // history ends in the past); a live workload's window ends now.
  const last = await client.instant(queries.lastSeen, r.endS);
  if (!last.ok) return { ok: false, message: last.message };
  const endS = last.value !== undefined && last.value < r.endS - 3600 ? Math.ceil(last.value) + 60 : r.endS;
  const startS = endS - r.windowSeconds;
  const step = stepSeconds(r.windowSeconds);
  const ranges = await Promise.all(RANGE_KEYS.map((k) => client.range(queries[k], startS, endS, step)));
  const instants = await Promise.all(INSTANT_KEYS.map((k) => client.instant(queries[k], endS)));
  const [gpuName, servedModel] = await Promise.all([
    client.label(queries.gpuName, endS, 'modelName'),
    client.label(queries.servedModel, endS, 'model_name'),
  ]);
  const failed = [...ranges, ...instants].find((a) => !a.ok);
  if (failed && !failed.ok) return { ok: false, message: failed.message };
  const calibration = r.calibrate ? await observeCalibration(w, client, r, endS) : undefined;
  if (calibration && !calibration.ok) return calibration;
  const range: Partial<Record<(typeof RANGE_KEYS)[number], number[]>> = {};
  RANGE_KEYS.forEach((k, i) => {
    const a = ranges[i]!;
    if (a.ok) range[k] = a.value;
  });
  const instant: Partial<Record<(typeof INSTANT_KEYS)[number], number>> = {};
  INSTANT_KEYS.forEach((k, i) => {
    const a = instants[i]!;
    if (a.ok && a.value !== undefined) instant[k] = a.value;
  });
  return {
    ok: true,
    workload: w,
    calibration: calibration?.value,
    observed: observe(range, instant, {
      gpuName: gpuName.ok ? gpuName.value : undefined,
      servedModel: servedModel.ok ? servedModel.value : undefined,
    }),
  };
}

/** Observations by workload (kind, namespace, name, window), reused while fresh: an edit re-judges, it does not re-query. */
export class ObservationCache {
  private readonly entries = new Map<string, { atMs: number; observed: Observed; namespace: string }>();
  constructor(private readonly ttlMs = 10 * 60_000) {}

  private key(w: Workload, window: string): string {
    return `${w.kind}\u0000${w.namespace}\u0000${w.name}\u0000${window}`;
  }
  /** The observation and the namespace it was found in (a manifest may name none). */
  get(w: Workload, window: string, nowMs = Date.now()): { observed: Observed; namespace: string } | undefined {
    const entry = this.entries.get(this.key(w, window));
    return entry && nowMs - entry.atMs < this.ttlMs ? entry : undefined;
  }
  set(w: Workload, window: string, observed: Observed, namespace: string, nowMs = Date.now()): void {
    if (this.entries.size > 2000) this.entries.clear();
    this.entries.set(this.key(w, window), { atMs: nowMs, observed, namespace });
  }
  clear(): void {
    this.entries.clear();
  }
}

/** A workload observed with `calibrate` set: what its window says for calibration. */
export interface CalibratedWorkload extends WorkloadCalibration {
  workload: Workload;
  observed: Observed;
}

export interface RightSizeFile {
  path: string;
  text: string;
}

/** Findings per file (rule gpu-right-size), in the files' order. */
export async function rightSizeFiles(
  files: RightSizeFile[],
  client: PrometheusClient,
  r: RightSizeRequest,
  cache?: ObservationCache,
): Promise<
  { path: string; text: string; findings: Finding[]; workloads: number; calibrations: CalibratedWorkload[] }[]
> {
  const jobs = files.flatMap((f, fileIndex) =>
    readWorkloads(f.path, f.text, r.namespace).map((w) => ({ fileIndex, w })),
  );
  const findings: Finding[][] = files.map(() => []);
  const calibrations: CalibratedWorkload[][] = files.map(() => []);
  const limit = Math.max(1, r.concurrency ?? 8);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const { fileIndex, w } = jobs[next++]!;
      const cached = cache?.get(w, r.window);
      const seen = cached
        ? { ok: true as const, observed: cached.observed, workload: { ...w, namespace: cached.namespace } }
        : await observeWorkload(w, client, r);
      if (seen.ok && !cached) cache?.set(w, r.window, seen.observed, seen.workload.namespace);
      if (seen.ok && !cached && seen.calibration)
        calibrations[fileIndex]!.push({ workload: seen.workload, observed: seen.observed, ...seen.calibration });
      const found: Finding[] = seen.ok
        ? recommend(seen.workload, seen.observed, r)
        : [
            {
              ruleId: RIGHT_SIZE_RULE,
              severity: 'info',
              span: w.unit.name.span,
              message: `Not right-sized: Prometheus did not answer for ${w.kind} ${w.namespace}/${w.name}: ${seen.message}`,
            },
          ];
      findings[fileIndex]!.push(...found);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return files.map((f, i) => ({
    path: f.path,
    text: f.text,
    findings: findings[i]!.sort((a, b) => a.span.start - b.span.start),
    workloads: jobs.filter((j) => j.fileIndex === i).length,
    calibrations: calibrations[i]!,
  }));
}
