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
import {
  DENSE_4BIT_COMPUTE_EFFICIENCY,
  DEQUANT_4BIT_COMPUTE_EFFICIENCY,
  stepCostModel,
  THIN_EXPERT_COLUMNS,
  UNIT_SCALES,
  type Deployment,
  type StepScales,
} from './stepCost.ts';

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
function capacity(input: PerformanceInput, engine: Engine, kvBytesPerToken: number, weightsPerGpu: number) {
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
      maxModelLen: Math.max(tokensNeeded, Math.min(defaults.maxModelLen, 32768)),
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
  const free = visibleBytes(input.gpu) - weightsPerGpu - RUNTIME_RESERVE_BYTES;
  const kvBytes = Math.max(0, free * profile.kvMemoryFraction);
  const kvTokens = Math.floor(kvBytes / kvBytesPerToken);
  const maxRunning = input.maxNumSeqs ?? profile.maxSeqs;
  const maxBatchedTokens = input.maxNumBatchedTokens ?? profile.maxBatchedTokens;
  return {
    kvTokens,
    maxRunning,
    maxBatchedTokens,
    line: `KV cache ${profile.kvMemoryFraction * 100} % of the ${(free / GIB).toFixed(1)} GiB left per GPU after weights and a ${(RUNTIME_RESERVE_BYTES / GIB).toFixed(0)} GiB runtime reserve = ${kvTokens} tokens; at most ${maxRunning} sequences, ${maxBatchedTokens} tokens per step.`,
  };
}

export function estimatePerformance(input: PerformanceInput): PerformanceResult {
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
  const weights = weightBytes(input.model, countParameters(input.model), input.tp, pp, input.weightFormat).perGpu;
  const kvPerToken = cost.kvBytes(1000) / 1000;
  const cap = capacity(input, engine, kvPerToken, weights);
  const perRequest = input.inputTokens + input.outputTokens;
  if (cap.kvTokens < (profile.reserveWholeRequest ? perRequest : input.inputTokens + 1))
    return {
      ok: false,
      reason: `the KV cache holds ${cap.kvTokens} tokens, less than one request of ${perRequest}`,
    };
  const stepSeconds = (s: BatchStep) => {
    let kvBytes = 0;
    let context = 0;
    for (let i = 0; i < s.decodeContexts.length; i++) {
      const c = s.decodeContexts[i]!;
      kvBytes += cost.kvBytes(c);
      context += c;
    }
    return cost.seconds({
      decodeTokens: s.decodeTokens,
      decodeKvBytes: kvBytes,
      decodeContextTokens: context,
      prefillTokens: s.prefillTokens,
      prefillAttentionPairs: s.prefillAttentionPairs,
    });
  };
  // A steady state starts its clients one request duration apart in total (estimated from a step
  // holding every client), as a long benchmark run desynchronizes them.
  const clients = 'concurrency' in input.load ? input.load.concurrency : 1;
  const running = Math.min(clients, cap.maxRunning, Math.floor(cap.kvTokens / perRequest) || 1);
  const typicalStep = stepSeconds({
    decodeTokens: running,
    decodeContexts: Array.from({ length: running }, () => input.inputTokens + input.outputTokens / 2),
    prefillTokens: Math.min(cap.maxBatchedTokens, (running * input.inputTokens) / input.outputTokens),
    prefillAttentionPairs: 0,
  });
  const staggerSeconds =
    input.requests === undefined ? (typicalStep * (input.outputTokens + 1)) / Math.max(1, clients) : 0;
  const load =
    'concurrency' in input.load
      ? ({ kind: 'closed', concurrency: input.load.concurrency } as const)
      : ({ kind: 'open', requestsPerSecond: input.load.requestsPerSecond } as const);
  const sim = simulateContinuousBatching({
    inputTokens: input.inputTokens,
    outputTokens: input.outputTokens,
    load,
    kvCapacityTokens: cap.kvTokens,
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
  const moe = input.model.moe;
  const assumptions = [
    `Card: ${cost.rates.explanation}`,
    `Engine ${engine}: ${profile.stepOverheadS * 1000} ms CPU time per step, ${profile.serverOverheadS * 1000} ms fixed per request before the first token; ${profile.mixedBatches ? 'prefill chunks share steps with decodes' : 'prefill batches run apart from decodes'}; ${profile.reserveWholeRequest ? 'a request is admitted only when its prompt and whole output fit in the KV cache' : 'KV blocks are taken as tokens arrive; the newest request is preempted (recomputed) when they run out'}. ${profile.sources}`,
    cap.line,
    `Each step reads ${(cost.denseBytesPerGpu / GIB).toFixed(1)} GiB of ${deployment.weightFormat} weights per GPU${moe ? ` plus the routed experts its tokens touch (expected distinct of ${moe.numExperts} with top-${moe.expertsPerToken} routing: E x (1 - (1 - k/E)^tokens)) at ${profile.groupedGemmEfficiency * 100} % grouped-GEMM efficiency, and ${profile.moeLayerLatencyS * 1e6} µs of routing per MoE layer` : ''}, and each decoding request's KV cache at ${profile.attentionEfficiency * 100} % of the achieved bandwidth${input.model.mla ? ' (MLA: the compressed latent, on every TP rank)' : ''}.`,
    `Compute: 2 FLOPs per active parameter per token plus causal attention, at ${profile.prefillEfficiency * 100} % of the achieved ${deployment.weightFormat === 'fp8' || deployment.weightFormat === 'int8' ? 'fp8' : 'bf16'} GEMM rate${deployment.weightFormat === 'int4' || deployment.weightFormat === 'mxfp4' ? ` (4-bit weights dequantized in the GEMM: x ${DENSE_4BIT_COMPUTE_EFFICIENCY} dense, x ${DEQUANT_4BIT_COMPUTE_EFFICIENCY} in expert grouped GEMMs)` : ''}${moe ? `; routed experts at ${profile.groupedGemmComputeEfficiency * 100} % of that${profile.thinExpertPenalty ? `, less when TP slices each expert below ${THIN_EXPERT_COLUMNS} columns per GPU (Triton MoE tiles; MoE latency grows alike)` : ''}` : ''}; memory and compute overlap within a step.`,
    input.tp > 1
      ? `Tensor parallelism ${input.tp}: ${deployment.expertParallel ? 'one all-reduce per layer and two all-to-alls per MoE layer' : 'two all-reduces per layer'} over ${input.gpu.interconnect} at ${input.gpu.interconnectGBps} GB/s.`
      : 'One GPU per replica: no collective communication.',
    pp > 1
      ? `Pipeline parallelism ${pp}: a step passes the ${pp} stages in turn (no micro-batch overlap modelled: conservative).`
      : '',
    'concurrency' in input.load
      ? `Closed loop: ${input.load.concurrency} clients, each sending its next request when the last one ends; ${input.inputTokens} tokens in, ${input.outputTokens} out per request.`
      : `Open loop: Poisson arrivals at ${input.load.requestsPerSecond} requests/s; ${input.inputTokens} tokens in, ${input.outputTokens} out per request.`,
    input.requests !== undefined
      ? `Measured over a run of ${input.requests} requests from t = 0 (queueing of the whole run included).`
      : `Steady state: ${sim.measuredRequests} requests measured after a warm-up; mean decode batch ${sim.meanDecodeBatch.toFixed(1)}${sim.preemptions ? `, ${sim.preemptions} preemptions` : ''}.`,
    input.calibration
      ? `Calibrated from ${input.calibration.source.file}: step times x ${input.calibration.scales.step.toFixed(3)}, ${((input.calibration.scales.serverOverheadS ?? profile.serverOverheadS) * 1000).toFixed(0)} ms server overhead per request.`
      : 'Not calibrated: factors above are defaults; import a benchmark result to fit them to your setup.',
  ].filter(Boolean);
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
  if (!entry || !setting || entry.tp !== input.tp || (entry.source.runs ?? 1) > 1) return estimate;
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
