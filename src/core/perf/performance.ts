/**
 * Steady-state throughput and latency of one replica under continuous batching: the step-time
 * model (stepCost.ts) drives the request simulator (sched/continuousBatching.ts) at a closed-loop
 * concurrency or an open-loop arrival rate. Prefill is charged against throughput because its
 * chunks share steps with decodes; time to first token includes queueing, the decodes a prefill
 * shares its steps with, and the server's fixed overhead. Every figure carries its provenance.
 */
import type { ModelArchitecture, WeightFormat } from '../catalog/architecture.ts';
import { visibleBytes, type GpuSpec } from '../catalog/gpus.ts';
import { simulateContinuousBatching, type BatchStep } from '../sched/continuousBatching.ts';
import type { KvCacheDtype } from '../sizing/kvCache.ts';
import { countParameters, weightBytes } from '../sizing/parameters.ts';
import { estimateServingMemory, GIB, vllmDefaults } from '../sizing/servingMemory.ts';
import type { CalibrationEntry } from './calibration.ts';
import { ENGINE_PROFILES, type Engine } from './engines.ts';
import { assumptionsOf } from './assumptions.ts';
import { stepCostModel, UNIT_SCALES, type Deployment, type StepCostModel, type StepScales } from './stepCost.ts';

/** Memory TensorRT-LLM and SGLang keep outside weights and KV cache (activations, CUDA graphs, NCCL). */
export const RUNTIME_RESERVE_BYTES = 3 * GIB;

export type PerformanceLoad = { concurrency: number } | { requestsPerSecond: number };

export interface PerformanceInput {
  model: ModelArchitecture;
  gpu: GpuSpec;
  tp: number;
  pp?: number;
  expertParallel?: boolean;
  /** Overrides the checkpoint's weight format. */
  weightFormat?: WeightFormat;
  kvCacheDtype?: KvCacheDtype;
  engine?: Engine;
  inputTokens: number;
  outputTokens: number;
  load: PerformanceLoad;
  /** Measure exactly this many requests from t = 0, as a benchmark run does (burst and offline runs). */
  requests?: number;
  maxNumSeqs?: number;
  maxNumBatchedTokens?: number;
  /**
   * vLLM's --max-model-len, which its KV cache split depends on for sliding-window models: pass the
   * one the memory estimate beside this used. Default: the model's, up to 32768 (at least a request).
   */
  maxModelLen?: number;
  /** A shorter simulation, for sweeps over many layouts. */
  quick?: boolean;
  /** Fitted factors for this card x model x engine (from `.gpu-workbench/calibration.json`). */
  calibration?: CalibrationEntry;
  /**
   * At exactly the calibration's measured setting, report the measurement (tagged `measured`)
   * rather than the fitted model's prediction. Default true; the fit itself turns it off.
   */
  preferMeasured?: boolean;
}

/** Where a figure comes from. */
export type Provenance =
  { kind: 'roofline' } | { kind: 'calibrated'; file: string } | { kind: 'measured'; file: string };

export interface PerformanceEstimate {
  ok: true;
  engine: Engine;
  outputTokensPerSecond: number;
  requestsPerSecond: number;
  tpotMs: number;
  ttftMs: { mean: number; p50: number; p90: number; p99: number };
  e2eMs: number;
  /** Requests decoding together per step, on average. */
  meanBatch: number;
  kvCapacityTokens: number;
  maxRunning: number;
  provenance: Provenance;
  assumptions: string[];
}

export type PerformanceResult = PerformanceEstimate | { ok: false; reason: string };

function formatOf(input: PerformanceInput): WeightFormat {
  return input.weightFormat ?? input.model.quantization?.format ?? input.model.dtype;
}

/** KV cache tokens and batch cap per engine: vLLM's profiled split, the others' memory fractions. */
function capacity(input: PerformanceInput, engine: Engine, kvBytesPerToken: number) {
  const profile = ENGINE_PROFILES[engine];
  const tokensNeeded = input.inputTokens + input.outputTokens;
  if (engine === 'vllm') {
    const defaults = vllmDefaults(input.model, input.gpu);
    const settings = {
      ...defaults,
      tp: input.tp,
      pp: input.pp ?? 1,
      weightFormat: input.weightFormat,
      kvCacheDtype: input.kvCacheDtype ?? 'auto',
      maxModelLen: Math.max(tokensNeeded, input.maxModelLen ?? Math.min(defaults.maxModelLen, 32768)),
      maxNumSeqs: input.maxNumSeqs ?? defaults.maxNumSeqs,
      maxNumBatchedTokens: input.maxNumBatchedTokens ?? defaults.maxNumBatchedTokens,
    };
    const estimate = estimateServingMemory(input.model, input.gpu, settings);
    return {
      kvTokens: estimate.kvCacheTokens,
      maxRunning: settings.maxNumSeqs,
      maxBatchedTokens: settings.maxNumBatchedTokens,
      line: `KV cache ${(estimate.kvCacheBytes / GIB).toFixed(1)} GiB per GPU = ${estimate.kvCacheTokens} tokens (vLLM's start-up split, gpu_memory_utilization ${settings.gpuMemoryUtilization}); at most ${settings.maxNumSeqs} sequences, ${settings.maxNumBatchedTokens} tokens per step.`,
    };
  }
  const pp = input.pp ?? 1;
  const weightsPerGpu = weightBytes(input.model, countParameters(input.model), input.tp, pp, input.weightFormat).perGpu;
  const free = visibleBytes(input.gpu) - weightsPerGpu - RUNTIME_RESERVE_BYTES;
  const kvBytes = Math.max(0, free * profile.kvMemoryFraction);
  const kvTokens = Math.floor(kvBytes / kvBytesPerToken);
  const maxRunning = input.maxNumSeqs ?? profile.maxSeqs;
  const maxBatchedTokens = input.maxNumBatchedTokens ?? profile.maxBatchedTokens;
  return {
    kvTokens,
    maxRunning,
    maxBatchedTokens,
    line: `KV cache ${profile.kvMemoryFraction * 100} % of the ${(free / GIB).toFixed(1)} GiB left per GPU after weights and a ${(RUNTIME_RESERVE_BYTES / GIB).toFixed(0)} GiB reserve for activations, CUDA graphs and NCCL (no per-part figures for this engine) = ${kvTokens} tokens; at most ${maxRunning} sequences, ${maxBatchedTokens} tokens per step.`,
  };
}

/** The simulator's step time from the cost model: KV bytes and attention context summed over decodes. */
function batchStepSeconds(cost: StepCostModel): (s: BatchStep) => number {
  const { fullBytesPerToken, slidingBytesPerToken } = cost.layout;
  return (s) =>
    cost.seconds({
      decodeTokens: s.decodeTokens,
      decodeKvBytes: s.decodeContextTokens * fullBytesPerToken + s.decodeWindowedContextTokens * slidingBytesPerToken,
      decodeContextTokens: s.decodeContextTokens,
      prefillTokens: s.prefillTokens,
      prefillAttentionPairs: s.prefillAttentionPairs,
    });
}

/**
 * A steady state starts its clients spread over one request's duration (estimated from a step
 * holding every client), as a long benchmark run desynchronizes them.
 */
function staggerOf(
  input: PerformanceInput,
  cap: { kvTokens: number; maxRunning: number; maxBatchedTokens: number },
  stepSeconds: (s: BatchStep) => number,
  window: number | undefined,
): number {
  const clients = 'concurrency' in input.load ? input.load.concurrency : 1;
  const perRequest = input.inputTokens + input.outputTokens;
  const running = Math.min(clients, cap.maxRunning, Math.floor(cap.kvTokens / perRequest) || 1);
  const context = input.inputTokens + input.outputTokens / 2;
  const typicalStep = stepSeconds({
    decodeTokens: running,
    decodeContextTokens: running * context,
    decodeWindowedContextTokens: running * Math.min(context, window ?? context),
    prefillTokens: Math.min(cap.maxBatchedTokens, (running * input.inputTokens) / input.outputTokens),
    prefillAttentionPairs: 0,
  });
  return (typicalStep * (input.outputTokens + 1)) / Math.max(1, clients);
}

/** Limits that keep one simulation under a few seconds. */
export const MAX_CLIENTS = 20_000;
export const MAX_REQUESTS = 100_000;
export const MAX_TOKENS_PER_REQUEST = 1_000_000;

function outOfRange(input: PerformanceInput): string | undefined {
  const load = 'concurrency' in input.load ? input.load.concurrency : input.load.requestsPerSecond;
  if (!(load > 0) || !Number.isFinite(load)) return 'the load must be a positive number';
  if ('concurrency' in input.load && (!Number.isInteger(load) || load > MAX_CLIENTS))
    return `concurrency must be a whole number up to ${MAX_CLIENTS}`;
  if (
    input.requests !== undefined &&
    !(Number.isInteger(input.requests) && input.requests >= 1 && input.requests <= MAX_REQUESTS)
  )
    return `a run is 1 to ${MAX_REQUESTS} requests`;
  for (const n of [input.inputTokens, input.outputTokens])
    if (!Number.isInteger(n) || n < 1 || n > MAX_TOKENS_PER_REQUEST)
      return `input and output lengths are whole numbers from 1 to ${MAX_TOKENS_PER_REQUEST}`;
  if (!Number.isInteger(input.tp) || input.tp < 1 || !Number.isInteger(input.pp ?? 1) || (input.pp ?? 1) < 1)
    return 'TP and PP are whole numbers of at least 1';
  return undefined;
}

export function estimatePerformance(input: PerformanceInput): PerformanceResult {
  const invalid = outOfRange(input);
  if (invalid) return { ok: false, reason: invalid };
  const engine = input.engine ?? 'vllm';
  const profile = ENGINE_PROFILES[engine];
  const pp = input.pp ?? 1;
  const deployment: Deployment = {
    model: input.model,
    gpu: input.gpu,
    tp: input.tp,
    pp,
    expertParallel: input.expertParallel ?? false,
    weightFormat: formatOf(input),
    kvCacheDtype: input.kvCacheDtype ?? 'auto',
    profile,
  };
  const scales: StepScales = input.calibration?.scales ?? UNIT_SCALES;
  const cost = stepCostModel(deployment, scales);
  const kvPerToken = cost.kvBytes(1000) / 1000;
  const cap = capacity(input, engine, kvPerToken);
  const perRequest = input.inputTokens + input.outputTokens;
  if (cap.kvTokens < (profile.reserveWholeRequest ? perRequest : input.inputTokens + 1))
    return {
      ok: false,
      reason: `the KV cache holds ${cap.kvTokens} tokens, less than one request of ${perRequest}`,
    };
  const stepSeconds = batchStepSeconds(cost);
  const staggerSeconds = input.requests === undefined ? staggerOf(input, cap, stepSeconds, cost.layout.window) : 0;
  const load =
    'concurrency' in input.load
      ? ({ kind: 'closed', concurrency: input.load.concurrency } as const)
      : ({ kind: 'open', requestsPerSecond: input.load.requestsPerSecond } as const);
  const sim = simulateContinuousBatching({
    inputTokens: input.inputTokens,
    outputTokens: input.outputTokens,
    load,
    kvCapacityTokens: cap.kvTokens,
    slidingWindowTokens: cost.layout.window,
    maxRunning: cap.maxRunning,
    maxBatchedTokens: cap.maxBatchedTokens,
    mixedBatches: profile.mixedBatches,
    reserveWholeRequest: profile.reserveWholeRequest,
    requests: input.requests,
    quick: input.quick,
    staggerSeconds,
    stepSeconds,
    serverOverheadS: scales.serverOverheadS ?? profile.serverOverheadS,
  });
  const provenance: Provenance = input.calibration
    ? { kind: 'calibrated', file: input.calibration.source.file }
    : { kind: 'roofline' };
  const assumptions = assumptionsOf({ input, deployment, cost, capacityLine: cap.line, sim });
  const estimate: PerformanceEstimate = {
    ok: true,
    engine,
    outputTokensPerSecond: sim.outputTokensPerSecond,
    requestsPerSecond: sim.requestsPerSecond,
    tpotMs: sim.tpotMs,
    ttftMs: sim.ttftMs,
    e2eMs: sim.e2eMs,
    meanBatch: sim.meanDecodeBatch,
    kvCapacityTokens: cap.kvTokens,
    maxRunning: cap.maxRunning,
    provenance,
    assumptions,
  };
  return input.preferMeasured === false ? estimate : measuredAt(input, estimate);
}

/** The measurement itself where the request is exactly the calibration's measured setting. */
function measuredAt(input: PerformanceInput, estimate: PerformanceEstimate): PerformanceEstimate {
  const entry = input.calibration;
  const setting = entry?.source.setting;
  // A fleet's observation is a median over mixed request lengths, not one controlled run: the
  // fitted model stands for it (provenance "calibrated"), never a figure reported as measured.
  if (!entry || !setting || entry.tp !== input.tp || (entry.source.runs ?? 1) > 1 || entry.source.observed)
    return estimate;
  const sameLoad =
    'concurrency' in input.load
      ? setting.concurrency === input.load.concurrency
      : setting.concurrency === undefined && setting.requestsPerSecond === input.load.requestsPerSecond;
  if (!sameLoad || setting.inputTokens !== input.inputTokens || setting.outputTokens !== input.outputTokens)
    return estimate;
  const m = entry.source.measured;
  const ttftShift = m.ttftMs === undefined ? 0 : m.ttftMs - estimate.ttftMs.mean;
  return {
    ...estimate,
    outputTokensPerSecond: m.outputTokensPerSecond,
    requestsPerSecond: m.outputTokensPerSecond / input.outputTokens,
    tpotMs: m.tpotMs ?? estimate.tpotMs,
    ttftMs: {
      mean: m.ttftMs ?? estimate.ttftMs.mean,
      p50: estimate.ttftMs.p50 + ttftShift,
      p90: estimate.ttftMs.p90 + ttftShift,
      p99: estimate.ttftMs.p99 + ttftShift,
    },
    provenance: { kind: 'measured', file: entry.source.file },
    assumptions: [
      ...estimate.assumptions,
      `Measured: this is the setting of ${entry.source.file}; its output tokens/s${m.tpotMs !== undefined ? ', TPOT' : ''}${m.ttftMs !== undefined ? ' and mean TTFT' : ''} are reported as measured (TTFT percentiles: the calibrated model's, shifted to the measured mean).`,
    ],
  };
}
