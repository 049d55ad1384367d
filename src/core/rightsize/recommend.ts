/**
 * Right-sizing: what a workload's observed load says about its GPUs. The sizing engine gives the
 * KV cache each layout holds and the performance model the tokens/s it sustains; the observation
 * says how much of either was used. Findings are the linter's, rule `gpu-right-size`.
 */
import { findGpu, GPU_CATALOG, type GpuSpec } from '../catalog/gpus.ts';
import { findCalibration, type CalibrationFile } from '../perf/calibration.ts';
import { estimatePerformance } from '../perf/performance.ts';
import { flagName } from '../lint/engineArgs.ts';
import { estimateFor, sizeUnit } from '../lint/sizingLookup.ts';
import type { Finding, LintOptions, ServingUnit, Span, TextEdit } from '../lint/types.ts';
import { enginePlan, reservedGpus, setGpuCount, spreadsOverRanks, thousands } from '../lint/unitHelpers.ts';
import { validTensorParallel } from '../sizing/suggest.ts';
import type { Observed } from './queries.ts';
import type { Workload } from './workloads.ts';

export const RIGHT_SIZE_RULE = 'gpu-right-size';

/** A smaller layout must hold the observed peak within this share of its KV cache (20 % headroom). */
export const KV_HEADROOM = 0.8;
/** "Needs more": requests wait (p95 of the queue at least one) while the KV cache is this full. */
export const KV_FULL = 0.9;
/** Token lengths assumed for the throughput check (the observation gives tokens/s, not lengths). */
export const ASSUMED_INPUT_TOKENS = 1024;
/** A cheaper card is suggested only below this KV-cache peak. */
export const CARD_KV_PEAK = 0.5;
/** Sold only in China (export-control variants): not a card most fleets can move to. */
const REGIONAL_GPUS = new Set(['h20', 'h800', 'a800', 'l20']);
export const ASSUMED_OUTPUT_TOKENS = 256;

export interface RightSizeOptions extends LintOptions {
  /** The window as the user wrote it (`7d`), for messages. */
  window: string;
  /** TPOT target (ms): a smaller layout must stay under it. */
  tpotTargetMs?: number;
  /** The workspace's calibration: a smaller layout's tokens/s are the calibrated model's where it has an entry. */
  calibration?: CalibrationFile;
}

const pct = (x: number) => `${Math.round(x * 100)} %`;
const dollars = (x: number) => `$${x.toFixed(2)}/h`;
const one = (x: number | undefined) =>
  x === undefined ? '?' : x < 10 ? x.toFixed(1).replace(/\.0$/, '') : thousands(x);

function observedText(o: Observed, window: string): string {
  const parts = [`over ${window}`];
  if (o.kvPeak !== undefined) parts.push(`KV-cache use peaked at ${pct(o.kvPeak)} (p95 ${pct(o.kvP95 ?? 0)})`);
  parts.push(`p95 ${one(o.runningP95)} running and ${one(o.waitingP95)} waiting requests`);
  if (o.generationTokensPerSecondP95 !== undefined)
    parts.push(`p95 ${one(o.generationTokensPerSecondP95)} generated tokens/s`);
  if (o.gpuUtilP95 !== undefined) parts.push(`p95 GPU utilization ${Math.round(o.gpuUtilP95)} %`);
  if (o.tpotP95Ms !== undefined) parts.push(`p95 TPOT ${o.tpotP95Ms.toFixed(0)} ms`);
  return parts.join(', ');
}

function label(w: Workload): string {
  return `${w.kind} ${w.namespace}/${w.name}`;
}

/** The line to put a finding on: the TP flag, else the GPU count, else the workload's name. */
function anchor(w: Workload): Span {
  return (
    w.unit.engine?.tensorParallel?.span ?? w.unit.gpus?.limit?.span ?? w.unit.gpus?.request?.span ?? w.unit.name.span
  );
}

/**
 * What Prometheus saw fills what the file leaves open: the GPU type from DCGM's `modelName` when no
 * selector names one (observed beats the default GPU), the model from the engine's `model_name` when
 * the file gives it through a variable.
 */
export function withObserved(
  w: Workload,
  o: Observed,
  options: RightSizeOptions,
): { unit: ServingUnit; options: RightSizeOptions; notes: string[] } {
  const notes: string[] = [];
  let unit = w.unit;
  let opts = options;
  const observedGpu = !unit.gpuProduct && o.gpuName ? findGpu(o.gpuName) : undefined;
  if (observedGpu) {
    opts = { ...options, defaultGpu: observedGpu };
    notes.push(`GPU type ${observedGpu.name} from DCGM`);
  }
  const e = unit.engine;
  if (e && (!e.model || e.unresolvedModel) && o.servedModel && options.findModel(o.servedModel)) {
    unit = {
      ...unit,
      engine: {
        ...e,
        model: { value: o.servedModel, span: e.span },
        modelSource: 'literal',
        unresolvedModel: undefined,
      },
    };
    notes.push(`model ${o.servedModel} from the engine's model_name`);
  }
  return { unit, options: opts, notes };
}

/**
 * The cheapest other card of the same vendor (with a GPU feature discovery label, so a node selector
 * can name it) on which `t` GPUs per stage hold the load, if it costs less per stage than `costNow`.
 */
function cheaperCard(
  current: GpuSpec,
  costNow: number,
  tps: readonly number[],
  holds: (card: GpuSpec, t: number) => boolean,
): { gpu: GpuSpec; t: number } | undefined {
  const candidates = GPU_CATALOG.filter(
    (g) =>
      g.id !== current.id &&
      !REGIONAL_GPUS.has(g.id) &&
      g.datacenter &&
      g.nodeLabel &&
      (g.computeCapability === undefined) === (current.computeCapability === undefined),
  )
    .flatMap((g) => tps.map((t) => ({ gpu: g, t, cost: g.pricePerHour * t })))
    .filter((c) => c.cost < costNow)
    .sort((a, b) => a.cost - b.cost);
  const found = candidates.find((c) => holds(c.gpu, c.t));
  return found ? { gpu: found.gpu, t: found.t } : undefined;
}

/** One workload's finding, or none when it is sized right (or could not be judged: then an info says why). */
export function recommend(w: Workload, o: Observed, options: RightSizeOptions): Finding[] {
  const base = { ruleId: RIGHT_SIZE_RULE, span: anchor(w) };
  if (o.samples === 0 || o.pods === 0)
    return [
      {
        ...base,
        severity: 'info',
        message: `Not right-sized: Prometheus has no engine metrics for ${label(w)} over ${options.window} (series with namespace="${w.namespace}" and a pod name of this ${w.kind}).`,
      },
    ];
  const filled = withObserved(w, o, options);
  const sizing = sizeUnit(filled.unit, filled.options);
  if (!sizing.ok)
    return [
      { ...base, severity: 'info', message: `Not right-sized: ${sizing.reason} (${observedText(o, options.window)}).` },
    ];
  const notes = filled.notes.length ? ` (${filled.notes.join('; ')})` : '';
  const { model, gpu, settings, estimate } = sizing;
  const plan = enginePlan(w.unit);
  const tp = plan.tp ?? 1;
  const gpusPerReplica = w.unit.groupGpus ?? reservedGpus(w.unit) ?? plan.total ?? tp * plan.pp;
  const replicas = w.replicas?.value ?? w.unit.replicas ?? 1;
  const perGpu = gpu.pricePerHour;
  const waiting = o.waitingP95 ?? 0;

  if (waiting >= 1 && (o.kvPeak ?? 0) >= KV_FULL) {
    const running = Math.max(1, o.runningP95 ?? 1);
    const extra = Math.max(1, Math.ceil((replicas * waiting) / running));
    const cost = extra * gpusPerReplica * perGpu;
    const edits: TextEdit[] = w.replicas ? [{ span: w.replicas.span, newText: String(replicas + extra) }] : [];
    return [
      {
        ...base,
        span: w.replicas?.span ?? base.span,
        severity: 'warning',
        message: `${label(w)} needs more GPUs: ${observedText(o, options.window)}. Requests queue while the KV cache is full; ${extra} more replica${extra === 1 ? '' : 's'} (${extra * gpusPerReplica} ${gpu.name} GPUs) would take the queue: +${dollars(cost)} at list price.`,
        ...(edits.length ? { fix: { title: `Use ${replicas + extra} replicas`, edits } } : {}),
      },
    ];
  }
  if (waiting >= 1 || o.kvPeak === undefined) return [];

  const peakTokens = o.kvPeak * estimate.kvCacheTokens;
  const runningPerReplica = Math.max(1, Math.ceil((o.runningP95 ?? 0) / replicas));
  const tokensPerReplica = (o.generationTokensPerSecondP95 ?? 0) / replicas;
  const e = w.unit.engine;
  // Data/expert parallelism is sized for throughput across ranks; a pod whose GPUs are not TP x PP is not rewritten.
  const plain = !spreadsOverRanks(e) && reservedGpus(w.unit) === tp * plan.pp;
  /** Whether `t` GPUs of `card` per stage hold the observed peak with headroom and sustain the observed load. */
  const holds = (card: GpuSpec, t: number): boolean => {
    const smaller = estimateFor(model, card, { ...settings, tp: t });
    if (!smaller.fits || smaller.kvCacheTokens * KV_HEADROOM < peakTokens || smaller.maxConcurrency < 1) return false;
    const engine = e?.engine === 'sglang' ? 'sglang' : 'vllm';
    const perf = estimatePerformance({
      model,
      gpu: card,
      tp: t,
      pp: plan.pp,
      engine,
      calibration: findCalibration(options.calibration, model, card, engine, t),
      weightFormat: settings.weightFormat,
      inputTokens: ASSUMED_INPUT_TOKENS,
      outputTokens: ASSUMED_OUTPUT_TOKENS,
      load: { concurrency: runningPerReplica },
      quick: true,
    });
    if (!perf.ok) return true;
    if (perf.outputTokensPerSecond * KV_HEADROOM < tokensPerReplica) return false;
    return options.tpotTargetMs === undefined || perf.tpotMs <= options.tpotTargetMs;
  };
  const tps = validTensorParallel(model);
  const lower = plain && e?.tensorParallel ? tps.filter((t) => t < tp).find((t) => holds(gpu, t)) : undefined;
  // A card change is a bigger move than a flag: only for a workload that used at most half its KV
  // cache and whose generated tokens/s are known (the smaller card must be shown to keep up).
  const cardWorthIt = plain && o.kvPeak <= CARD_KV_PEAK && o.generationTokensPerSecondP95 !== undefined;
  const card = cardWorthIt
    ? cheaperCard(
        gpu,
        (lower ?? tp) * perGpu,
        tps.filter((t) => t <= tp),
        holds,
      )
    : undefined;
  const perReplicaNow = tp * plan.pp * replicas;
  const cardText = (c: NonNullable<typeof card>) =>
    `${c.t} x ${c.gpu.name} per stage (${flagName(e?.engine ?? 'vllm', 'tensorParallel')} ${c.t}) for ${dollars(c.t * c.gpu.pricePerHour * plan.pp * replicas)} instead of ${dollars(perReplicaNow * perGpu)}, on nodes with that GPU`;
  if (lower !== undefined && e?.tensorParallel) {
    const saved = (tp - lower) * plan.pp * replicas;
    const flag = flagName(e.engine, 'tensorParallel');
    const smaller = estimateFor(model, gpu, { ...settings, tp: lower });
    return [
      {
        ...base,
        severity: 'warning',
        message: `${label(w)} can run on fewer GPUs: ${observedText(o, options.window)}. That peak is ${thousands(peakTokens)} of ${thousands(estimate.kvCacheTokens)} KV tokens; at ${flag} ${lower} one replica of ${model.id} on ${gpu.name} holds ${thousands(smaller.kvCacheTokens)} (${pct(peakTokens / smaller.kvCacheTokens)} at the peak). ${saved} fewer ${gpu.name} GPU${saved === 1 ? '' : 's'}: saves ${dollars(saved * perGpu)} at list price${notes}.${card ? ` A cheaper card also holds it: ${cardText(card)}.` : ''}`,
        fix: {
          title: `Use ${flag} ${lower} and ${lower * plan.pp} GPU${lower * plan.pp === 1 ? '' : 's'} per pod`,
          edits: [{ span: e.tensorParallel.span, newText: String(lower) }, ...setGpuCount(w.unit, lower * plan.pp)],
        },
      },
    ];
  }
  if (replicas > 1 && w.replicas) {
    const byKv = Math.ceil((o.kvSumP95 ?? 0) / KV_HEADROOM);
    const byRunning = Math.ceil((o.runningP95 ?? 0) / (KV_HEADROOM * settings.maxNumSeqs));
    const needed = Math.max(1, byKv, byRunning);
    if (needed < replicas) {
      const saved = (replicas - needed) * gpusPerReplica;
      return [
        {
          ...base,
          span: w.replicas.span,
          severity: 'warning',
          message: `${label(w)} can run on fewer GPUs, with fewer replicas: ${observedText(o, options.window)}. The pods together used at most ${(o.kvSumP95 ?? 0).toFixed(2)} replicas' worth of KV cache (p95): ${needed} replica${needed === 1 ? ' keeps' : 's keep'} it under ${pct(KV_HEADROOM)}. ${saved} fewer ${gpu.name} GPUs: saves ${dollars(saved * perGpu)} at list price${notes}.`,
          fix: {
            title: `Use ${needed} replica${needed === 1 ? '' : 's'}`,
            edits: [{ span: w.replicas.span, newText: String(needed) }],
          },
        },
      ];
    }
  }
  if (card && e) {
    const saved = perReplicaNow * perGpu - card.t * plan.pp * replicas * card.gpu.pricePerHour;
    const edits: TextEdit[] = [];
    // The card is rewritten only where the file names it by its GPU feature discovery label.
    if (
      w.unit.gpuProduct &&
      w.unit.gpuProductSource === 'selector' &&
      w.unit.gpuProduct.value === gpu.nodeLabel &&
      card.gpu.nodeLabel
    ) {
      edits.push({ span: w.unit.gpuProduct.span, newText: card.gpu.nodeLabel });
      if (card.t !== tp && e.tensorParallel) edits.push({ span: e.tensorParallel.span, newText: String(card.t) });
      if (card.t !== tp) edits.push(...setGpuCount(w.unit, card.t * plan.pp));
      if (card.t !== tp && !e.tensorParallel) edits.length = 0;
    }
    return [
      {
        ...base,
        severity: 'warning',
        message: `${label(w)} can run on a cheaper GPU: ${observedText(o, options.window)}. That peak is ${thousands(peakTokens)} of ${thousands(estimate.kvCacheTokens)} KV tokens on ${gpu.name}; it fits ${cardText(card)}: saves ${dollars(saved)} at list price${notes}.`,
        ...(edits.length ? { fix: { title: `Use ${card.gpu.name} (${card.t} per stage)`, edits } } : {}),
      },
    ];
  }
  return [];
}
