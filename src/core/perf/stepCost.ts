/**
 * The time of one engine step (one forward pass over a mixed batch of decode tokens and prefill
 * chunks) on one replica, from what the step must read and compute per GPU:
 * - weights: the dense part always, and for MoE only the experts the step's tokens touch
 *   (expected distinct experts of E for N tokens with top-k routing: E x (1 - (1 - k/E)^N)),
 *   read at the grouped-GEMM efficiency of the engine, plus a fixed routing/launch cost per MoE layer;
 * - the KV cache of every decoding request (MLA: the compressed latent, the same on every rank);
 * - 2 FLOPs per active parameter per token, plus attention over the context;
 * - two all-reduces per layer under tensor parallelism (all-to-all for expert parallelism).
 * Memory and compute overlap (the larger wins); communication, MoE launches and the engine's CPU
 * time per step add.
 */
import type { ModelArchitecture, WeightFormat } from '../catalog/architecture.ts';
import type { GpuSpec } from '../catalog/gpus.ts';
import { kvLayout, type KvCacheDtype, type KvLayout } from '../sizing/kvCache.ts';
import { bytesPerWeight, countParameters, weightBytes } from '../sizing/parameters.ts';
import type { EngineProfile } from './engines.ts';
import { cardRates, type CardRates } from './hardware.ts';

/** Share of streaming bandwidth a skinny (decode) GEMM reaches reading its weights. */
export const WEIGHT_STREAM_EFFICIENCY = 0.85;
/** 4-bit routed experts (MXFP4, int4) are dequantized to 16 bits inside grouped GEMMs: half the 16-bit rate. */
export const DEQUANT_4BIT_COMPUTE_EFFICIENCY = 0.5;
/** Dense 4-bit weights (AWQ/GPTQ through Marlin-style kernels) keep most of the 16-bit rate. */
export const DENSE_4BIT_COMPUTE_EFFICIENCY = 0.75;

/** Expert intermediate columns per GPU from which Triton MoE tiles run at full rate (see EngineProfile.thinExpertPenalty). */
export const THIN_EXPERT_COLUMNS = 1024;

/** Fixed cost of one all-reduce of a small message (launch + synchronization), seconds, at TP=2. */
export const ALLREDUCE_BASE_S = { nvlink: 10e-6, 'infinity-fabric': 14e-6, pcie: 30e-6 } as const;

export interface Deployment {
  model: ModelArchitecture;
  gpu: GpuSpec;
  tp: number;
  pp: number;
  /** Experts spread over the TP ranks (all-to-all) instead of each expert sharded (all-reduce). */
  expertParallel: boolean;
  weightFormat: WeightFormat;
  kvCacheDtype: KvCacheDtype;
  profile: EngineProfile;
}

/** Efficiency factors fitted to measurements; 1 = the roofline as modelled. */
export interface StepScales {
  /** Multiplies every step's time. */
  step: number;
  /** Replaces the engine's fixed per-request latency before the first token, seconds. */
  serverOverheadS?: number;
}

export const UNIT_SCALES: StepScales = { step: 1 };

/** What one step runs. */
export interface StepWork {
  decodeTokens: number;
  /** KV bytes per GPU the decoding requests read (sum over their contexts). */
  decodeKvBytes: number;
  /** Sum of decoding requests' context lengths (attention FLOPs). */
  decodeContextTokens: number;
  prefillTokens: number;
  /** Sum over prefill chunks of chunk x (tokens before it + chunk / 2): the causal attention pairs. */
  prefillAttentionPairs: number;
}

export interface StepCostModel {
  deployment: Deployment;
  rates: CardRates;
  layout: KvLayout;
  weightsPerGpuBytes: number;
  denseBytesPerGpu: number;
  /** Bytes of one routed expert's slice on one GPU, over all MoE layers of a stage. */
  expertSliceBytes: number;
  flopsPerSecond: number;
  seconds(work: StepWork): number;
  /** Bytes the KV cache of one request of `tokens` tokens takes on one GPU. */
  kvBytes(tokens: number): number;
}

function allReduceSeconds(gpu: GpuSpec, tp: number, bytes: number): number {
  if (tp <= 1) return 0;
  const latency = ALLREDUCE_BASE_S[gpu.interconnect] * (1 + 0.5 * Math.log2(tp / 2));
  return latency + (((2 * (tp - 1)) / tp) * bytes) / (gpu.interconnectGBps * 1e9);
}

/** Expected distinct experts of `experts` that `tokens` tokens touch, each routed to `topK` of them. */
export function expectedExpertsTouched(experts: number, topK: number, tokens: number): number {
  if (tokens <= 0) return 0;
  return experts * (1 - Math.pow(1 - topK / experts, tokens));
}

/** Attention FLOPs per (query token, context token) pair on one GPU, all layers of a stage. */
function attentionFlopsPerPair(a: ModelArchitecture, tp: number, layers: number): number {
  const headsPerGpu = Math.max(1, a.numAttentionHeads / tp);
  if (a.mla) return 2 * headsPerGpu * (2 * a.mla.kvLoraRank + a.mla.qkRopeHeadDim) * layers;
  return 4 * headsPerGpu * a.headDim * layers;
}

export function stepCostModel(d: Deployment, scales: StepScales = UNIT_SCALES): StepCostModel {
  const { model: a, gpu, tp, pp, profile } = d;
  const rates = cardRates(gpu);
  const params = countParameters(a);
  const weights = weightBytes(a, params, tp, pp, d.weightFormat);
  const layersPerStage = Math.ceil(a.numLayers / pp);
  const moeLayersPerStage = a.moe ? Math.ceil((a.numLayers - a.moe.denseLayers) / pp) : 0;
  const expertFormat = a.quantization?.expertsOnly && !d.weightFormat ? a.quantization.format : weights.format;
  const expertBytesPerGpu = (params.experts * bytesPerWeight(expertFormat, a.quantization?.groupSize)) / tp / pp;
  const expertSliceBytes = a.moe ? expertBytesPerGpu / a.moe.numExperts : 0;
  const denseBytesPerGpu = weights.perGpu - expertBytesPerGpu;
  // W8A8 runs fp8 tensor cores; 4-bit formats dequantize to 16 bits (W4A16).
  const fp8Math = weights.format === 'fp8' || weights.format === 'int8';
  const flopsPerSecond = (fp8Math ? rates.fp8FlopsPerSecond : rates.bf16FlopsPerSecond) * profile.prefillEfficiency;
  const activeExpertParams = a.moe ? (params.experts / a.moe.numExperts) * a.moe.expertsPerToken : 0;
  const expertFlopsPerToken = (2 * activeExpertParams) / tp / pp;
  const denseFlopsPerToken = (2 * (params.activePerToken - activeExpertParams)) / tp / pp;
  const fourBit = (f: WeightFormat) => f === 'int4' || f === 'mxfp4';
  // Tensor parallelism slices each expert's intermediate dimension; expert parallelism keeps it whole.
  const expertColumns = a.moe ? a.moe.expertIntermediateSize / (d.expertParallel ? 1 : tp) : THIN_EXPERT_COLUMNS;
  const thin = profile.thinExpertPenalty ? Math.max(0.25, Math.min(1, expertColumns / THIN_EXPERT_COLUMNS)) : 1;
  const expertFlopsPerSecond =
    thin *
    flopsPerSecond *
    profile.groupedGemmComputeEfficiency *
    (fourBit(expertFormat) ? DEQUANT_4BIT_COMPUTE_EFFICIENCY : 1);
  const denseFlopsPerSecond =
    flopsPerSecond * (fourBit(weights.format) && !a.quantization?.expertsOnly ? DENSE_4BIT_COMPUTE_EFFICIENCY : 1);
  const attnPerPair = attentionFlopsPerPair(a, tp, layersPerStage);
  const layout = kvLayout(a, tp, pp, d.kvCacheDtype);
  const hiddenBytesPerToken = a.hiddenSize * 2;
  const collectives = d.expertParallel && a.moe ? 2 * moeLayersPerStage + (layersPerStage - moeLayersPerStage) : 0;
  const allReduces = d.expertParallel && a.moe ? layersPerStage : 2 * layersPerStage;
  const moe = (moeLayersPerStage * profile.moeLayerLatencyS) / thin;
  const mla = a.mla ? profile.mlaStepLatencyS[gpu.interconnect === 'infinity-fabric' ? 'amd' : 'nvidia'] : 0;
  // What depends only on the step's token count, kept for the next step: a simulation's decode-only
  // steps repeat the same count thousands of times.
  let lastTokens = -1;
  let lastExpertBytes = 0;
  let lastComm = 0;
  const seconds = (w: StepWork): number => {
    const tokens = w.decodeTokens + w.prefillTokens;
    if (tokens === 0) return 0;
    if (tokens !== lastTokens) {
      lastTokens = tokens;
      lastExpertBytes = a.moe
        ? expectedExpertsTouched(a.moe.numExperts, a.moe.expertsPerToken, tokens) * expertSliceBytes
        : 0;
      lastComm = (allReduces + collectives) * allReduceSeconds(gpu, tp, tokens * hiddenBytesPerToken);
    }
    const memory =
      (denseBytesPerGpu / WEIGHT_STREAM_EFFICIENCY +
        lastExpertBytes / profile.groupedGemmEfficiency +
        w.decodeKvBytes / profile.attentionEfficiency) /
      rates.bytesPerSecond;
    const attentionPairs = w.decodeContextTokens + w.prefillAttentionPairs;
    const compute =
      (denseFlopsPerToken * tokens + attnPerPair * attentionPairs) / denseFlopsPerSecond +
      (a.moe ? (expertFlopsPerToken * tokens) / expertFlopsPerSecond : 0);
    const comm = lastComm;
    const stage = Math.max(memory, compute) + comm + moe;
    return (pp * stage + profile.stepOverheadS + mla) * scales.step;
  };
  return {
    deployment: d,
    rates,
    layout,
    weightsPerGpuBytes: weights.perGpu,
    denseBytesPerGpu,
    expertSliceBytes,
    flopsPerSecond,
    seconds,
    kvBytes: (tokens) =>
      tokens * layout.fullBytesPerToken + Math.min(tokens, layout.window ?? tokens) * layout.slidingBytesPerToken,
  };
}
