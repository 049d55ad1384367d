/** Right-sizing a set of manifests against a Prometheus: queries per workload, then the core's recommendation. */
import type { Finding } from '../core/lint/types.ts';
import { calibrationSample, type CalibrationSample } from '../core/rightsize/calibrate.ts';
import type { Result } from '../core/result.ts';
import { batchesOf, batchQueries, podWorkload, type Batch } from '../core/rightsize/batchQueries.ts';
import { calibrationQueries, namespacesQuery, stepSeconds, type Observed } from '../core/rightsize/queries.ts';
import { recommend, RIGHT_SIZE_RULE, type RightSizeOptions } from '../core/rightsize/recommend.ts';
import { isNamespaceName, readWorkloads, type Workload } from '../core/rightsize/workloads.ts';
import type { PrometheusClient } from './prometheusRange.ts';

export interface RightSizeRequest extends RightSizeOptions {
  windowSeconds: number;
  /** End of the window, Unix seconds (now). */
  endS: number;
  /** Namespace for manifests that do not name one. */
  namespace?: string;
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

type Seen =
  | { ok: true; observed: Observed; workload: Workload; calibration?: WorkloadCalibration }
  | { ok: false; message: string };

/** A manifest without a namespace: the one namespace whose pods have this workload's names, if only one does. */
async function withNamespace(w: Workload, client: PrometheusClient, r: RightSizeRequest): Promise<Result<Workload>> {
  if (w.namespaceWritten || r.namespace) return { ok: true, value: w };
  const found = await client.labelValues(namespacesQuery(w), r.endS, 'namespace');
  if (!found.ok) return found;
  if (found.value.length === 1 && isNamespaceName(found.value[0]!))
    return { ok: true, value: { ...w, namespace: found.value[0]! } };
  return { ok: true, value: w };
}

type Series = { labels: Record<string, string>; value: number }[];

/** The pod a series is about: DCGM-exporter's workload pod is exported_pod (kube-prometheus), else pod. */
function podOf(labels: Record<string, string>): [string, string] {
  return labels.exported_pod
    ? [labels.exported_namespace ?? '', labels.exported_pod]
    : [labels.namespace ?? '', labels.pod ?? ''];
}

/** Each workload's values among an answer's series (per pod or per GPU). */
function perWorkload(
  answer: Series,
  workloadOf: (namespace: string, pod: string) => Workload | undefined,
): Map<Workload, { pod: string; value: number; labels: Record<string, string> }[]> {
  const out = new Map<Workload, { pod: string; value: number; labels: Record<string, string> }[]>();
  for (const a of answer) {
    const [namespace, pod] = podOf(a.labels);
    const w = workloadOf(namespace, pod);
    if (w) out.set(w, [...(out.get(w) ?? []), { pod, value: a.value, labels: a.labels }]);
  }
  return out;
}

const VECTOR_KEYS = [
  'kvPeak',
  'kvP95',
  'runningP95',
  'waitingP95',
  'generationP95',
  'gpuUtilP95',
  'samples',
  'tpotP95',
  'ttftP95',
  'gpuName',
  'servedModel',
] as const;

const sum = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) : undefined);
const max = (xs: number[]) => (xs.length ? Math.max(...xs) : undefined);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

/**
 * One batch's figures, its window ending at `endS`: one query per figure for every pod of the
 * batch, added up per workload as batchQueries.ts says.
 */
async function observeBatch(
  batch: Batch,
  client: PrometheusClient,
  r: RightSizeRequest,
  endS: number,
): Promise<Result<Map<Workload, Observed>>> {
  const q = batchQueries(batch, r.window, stepSeconds(r.windowSeconds));
  const answers = await Promise.all(VECTOR_KEYS.map((k) => client.vector(q[k], endS)));
  const workloadOf = podWorkload(batch);
  const by = {} as Record<
    (typeof VECTOR_KEYS)[number],
    Map<Workload, { pod: string; value: number; labels: Record<string, string> }[]>
  >;
  for (const [i, k] of VECTOR_KEYS.entries()) {
    const a = answers[i]!;
    if (!a.ok) return a;
    by[k] =
      k === 'tpotP95' || k === 'ttftP95'
        ? new Map(
            a.value.flatMap((s) => {
              const w = batch.workloads.find((x) => x.namespace === s.labels.namespace && x.name === s.labels.workload);
              return w ? [[w, [{ pod: '', value: s.value, labels: s.labels }]] as const] : [];
            }),
          )
        : perWorkload(a.value, workloadOf);
  }
  const ms = (s: number | undefined) => (s !== undefined && Number.isFinite(s) ? s * 1000 : undefined);
  const out = new Map<Workload, Observed>();
  for (const w of batch.workloads) {
    const values = (k: (typeof VECTOR_KEYS)[number]) => (by[k].get(w) ?? []).map((x) => x.value);
    const reporting = (by.samples.get(w) ?? []).filter((x) => x.value > 0);
    const gpuName = by.gpuName.get(w)?.[0]?.labels.modelName;
    const servedModel = by.servedModel.get(w)?.[0]?.labels.model_name;
    out.set(w, {
      samples: max(values('samples')) ?? 0,
      pods: new Set(reporting.map((x) => x.pod)).size,
      kvPeak: max(values('kvPeak')),
      kvP95: max(values('kvP95')),
      kvSumP95: sum(values('kvP95')),
      runningP95: sum(values('runningP95')),
      waitingP95: sum(values('waitingP95')),
      generationTokensPerSecondP95: sum(values('generationP95')),
      gpuUtilP95: mean(values('gpuUtilP95')),
      tpotP95Ms: ms(values('tpotP95')[0]),
      ttftP95Ms: ms(values('ttftP95')[0]),
      ...(gpuName ? { gpuName: gpuName.slice(0, 200) } : {}),
      ...(servedModel ? { servedModel: servedModel.slice(0, 300) } : {}),
    });
  }
  return { ok: true, value: out };
}

/** When each workload of the batch last reported, for those with no sample in the hour before `r.endS`. */
async function lastReported(
  batch: Batch,
  client: PrometheusClient,
  r: RightSizeRequest,
): Promise<Result<Map<Workload, number>>> {
  const stepS = stepSeconds(r.windowSeconds);
  const recent = await client.vector(batchQueries(batch, r.window, stepS).recent, r.endS);
  if (!recent.ok) return recent;
  const live = new Set(
    [...perWorkload(recent.value, podWorkload(batch))].filter(([, p]) => p.some((x) => x.value > 0)).map(([w]) => w),
  );
  const quiet = batch.workloads.filter((w) => !live.has(w));
  const out = new Map<Workload, number>();
  if (quiet.length === 0) return { ok: true, value: out };
  const quietBatch = { kind: batch.kind, workloads: quiet };
  const last = await client.vector(batchQueries(quietBatch, r.window, stepS).lastSeen, r.endS);
  if (!last.ok) return last;
  for (const [w, pods] of perWorkload(last.value, podWorkload(quietBatch)))
    out.set(w, Math.max(...pods.map((p) => p.value)));
  return { ok: true, value: out };
}

/** `run` over the items, at most `limit` at once; the answers in the items' order. */
async function inTurns<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const k = next++;
      out[k] = await run(items[k]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Every workload's observation, in the given order, asked in batches (batchQueries.ts): about 15
 * queries per hundred workloads of a kind. A batch Prometheus refuses fails its workloads only.
 */
export async function observeWorkloads(
  given: readonly Workload[],
  client: PrometheusClient,
  r: RightSizeRequest,
): Promise<Seen[]> {
  const named = await Promise.all(given.map((w) => withNamespace(w, client, r)));
  const seen: Seen[] = named.map((n) => (n.ok ? { ok: false, message: 'not asked' } : n));
  const index = new Map<Workload, number>();
  named.forEach((n, i) => n.ok && index.set(n.value, i));
  // Two batches at a time: up to 24 queries in flight, enough to keep Prometheus's cores busy.
  await inTurns(batchesOf([...index.keys()]), 2, async (batch) => {
    // The window ends at the engine's last sample when that is over an hour old (it stopped, or the
    // history ends in the past); a live workload's window ends now. Only a workload with no sample in
    // the last hour is asked when it last reported (a subquery over 30 days).
    const lastSeen = await lastReported(batch, client, r);
    if (!lastSeen.ok) {
      for (const w of batch.workloads) seen[index.get(w)!] = lastSeen;
      return;
    }
    const ends = new Map<number, Workload[]>();
    for (const w of batch.workloads) {
      const t = lastSeen.value.get(w);
      const endS = t !== undefined && t < r.endS - 3600 ? Math.ceil(t) + 60 : r.endS;
      ends.set(endS, [...(ends.get(endS) ?? []), w]);
    }
    for (const [endS, workloads] of ends) {
      const observed = await observeBatch({ kind: batch.kind, workloads }, client, r, endS);
      // Calibration needs each workload's steps (range queries per workload): eight workloads at a time.
      const calibrations =
        r.calibrate && observed.ok ? await inTurns(workloads, 8, (w) => observeCalibration(w, client, r, endS)) : [];
      for (const [k, w] of workloads.entries()) {
        const i = index.get(w)!;
        const calibration = calibrations[k];
        if (!observed.ok) seen[i] = observed;
        else if (calibration && !calibration.ok) seen[i] = calibration;
        else seen[i] = { ok: true, workload: w, observed: observed.value.get(w)!, calibration: calibration?.value };
      }
    }
  });
  return seen;
}

/** One workload's observation (observeWorkloads for one). */
export async function observeWorkload(w: Workload, client: PrometheusClient, r: RightSizeRequest): Promise<Seen> {
  const [seen] = await observeWorkloads([w], client, r);
  return seen!;
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
  const cachedOf = jobs.map(({ w }) => cache?.get(w, r.window));
  const asked = jobs.filter((_, i) => !cachedOf[i]);
  const answers = await observeWorkloads(
    asked.map((j) => j.w),
    client,
    r,
  );
  const answerOf = new Map(asked.map((j, i) => [j, answers[i]!]));
  for (const [i, job] of jobs.entries()) {
    const { fileIndex, w } = job;
    const cached = cachedOf[i];
    const seen: Seen = cached
      ? { ok: true, observed: cached.observed, workload: { ...w, namespace: cached.namespace } }
      : answerOf.get(job)!;
    if (seen.ok && !cached) cache?.set(w, r.window, seen.observed, seen.workload.namespace);
    if (seen.ok && !cached && seen.calibration)
      calibrations[fileIndex]!.push({ workload: seen.workload, observed: seen.observed, ...seen.calibration });
    findings[fileIndex]!.push(
      ...(seen.ok
        ? recommend(seen.workload, seen.observed, r)
        : [
            {
              ruleId: RIGHT_SIZE_RULE,
              severity: 'info' as const,
              span: w.unit.name.span,
              message: `Not right-sized: Prometheus did not answer for ${w.kind} ${w.namespace}/${w.name}: ${seen.message}`,
            },
          ]),
    );
  }
  return files.map((f, i) => ({
    path: f.path,
    text: f.text,
    findings: findings[i]!.sort((a, b) => a.span.start - b.span.start),
    workloads: jobs.filter((j) => j.fileIndex === i).length,
    calibrations: calibrations[i]!,
  }));
}
