/**
 * Per-GPU memory of an SGLang deployment. SGLang sizes its KV pool from one fraction,
 * --mem-fraction-static: weights + KV pool = that share of the memory free when it starts
 * (python/sglang/srt/model_executor/model_runner.py, profile_max_num_token:
 * rest = free_after_weights - free_at_start x (1 - mem_fraction_static); tokens = rest / cell_size).
 * The remaining share is left for activations of a chunked-prefill step and the CUDA graphs.
 */
import type { ModelArchitecture } from '../catalog/architecture.ts';
import { visibleBytes, type GpuSpec } from '../catalog/gpus.ts';
import { kvLayout, requestKvBytes } from './kvCache.ts';
import { countParameters, mxfp4BackendFor, weightBytes } from './parameters.ts';
import { GIB, type ServingEstimate, type ServingSettings } from './servingMemory.ts';
import { atLeast, parseVllmVersion } from './vllmVersion.ts';

/** SGLang's own knobs, beside the shared serving settings. */
export interface SglangOptions {
  /** --mem-fraction-static; SGLang's default for the card when absent. */
  memFractionStatic?: number;
  /** --chunked-prefill-size; by card memory when absent. */
  chunkedPrefillSize?: number;
  /** --cuda-graph-max-bs; by card memory and TP when absent. */
  cudaGraphMaxBs?: number;
  /** The SGLang release, e.g. "0.4.3.post4": releases before 0.5.3 had fixed defaults by TP. */
  sglangVersion?: string;
}

export interface SglangDefaults {
  memFractionStatic: number;
  chunkedPrefillSize: number;
  cudaGraphMaxBs: number;
  /** MiB SGLang keeps outside the static share (activations, CUDA graphs, metadata). */
  reservedMiB: number;
}

/**
 * SGLang's defaults by card memory (python/sglang/srt/server_args.py, _handle_gpu_memory_settings,
 * from PR #10975 "General heuristics for --mem-fraction-static"): chunked prefill 2k/4k/8k/16k and
 * CUDA-graph batch 24-512 by memory bucket; reserved MiB = 512 + 1.5 x max(chunked prefill, 2048)
 * + 2 x cuda_graph_max_bs + TP x PP / 8 x 1024, at least 10 GiB on cards over 60 GiB;
 * mem_fraction_static = (card MiB - reserved) / card MiB, rounded to 0.001. Releases before that PR
 * used 0.88 / 0.87 / 0.85 / 0.81 / 0.79 for TP 1 / 2 / 4 / 8 / 16 (pass memFractionStatic).
 */
export function sglangDefaults(gpu: GpuSpec, tp: number, pp = 1, sglangVersion?: string): SglangDefaults {
  const mib = gpu.memoryMiB;
  const version = sglangVersion === undefined ? undefined : parseVllmVersion(sglangVersion.replace(/\.post\d+$/, ''));
  if (version && !atLeast(version, '0.5.3')) {
    // Before PR #10975 (first in 0.5.3): 0.88 / 0.87 / 0.85 / 0.81 / 0.79 by TP, chunked prefill 2048
    // below 25 GB (the QwQ-32B log on 4 L4s: mem_fraction_static=0.85, chunked_prefill_size=2048).
    const fraction = tp >= 16 ? 0.79 : tp >= 8 ? 0.81 : tp >= 4 ? 0.85 : tp >= 2 ? 0.87 : 0.88;
    return {
      memFractionStatic: fraction,
      chunkedPrefillSize: mib < 25 * 1024 ? 2048 : 8192,
      cudaGraphMaxBs: mib < 25 * 1024 ? (tp < 4 ? 8 : 80) : 160,
      reservedMiB: Math.round(mib * (1 - fraction)),
    };
  }
  const small = tp < 4;
  let chunk: number;
  let graphBs: number;
  if (mib < 35 * 1024) [chunk, graphBs] = [2048, small ? 24 : 80];
  else if (mib < 60 * 1024) [chunk, graphBs] = [4096, small ? 32 : 160];
  else if (mib < 160 * 1024) [chunk, graphBs] = [8192, small ? 256 : 512];
  else [chunk, graphBs] = [16384, 512];
  let reserved = 512 + Math.max(chunk, 2048) * 1.5 + graphBs * 2 + ((tp * pp) / 8) * 1024;
  if (mib > 60 * 1024) reserved = Math.max(reserved, 10 * 1024);
  return {
    memFractionStatic: Math.round(((mib - reserved) / mib) * 1000) / 1000,
    chunkedPrefillSize: chunk,
    cudaGraphMaxBs: graphBs,
    reservedMiB: reserved,
  };
}

/**
 * Memory gone before SGLang measures "avail mem" at weight loading: the CUDA context and NCCL,
 * 0.27 GiB plus ~0.043 GiB per peer (4 L4s: 22.03 GiB visible, "Load weight begin. avail
 * mem=21.63 GB").
 */
export const SGLANG_CONTEXT_BYTES = 0.27 * GIB;
export const SGLANG_PER_PEER_BYTES = 0.043 * GIB;
/** Buffers allocated while loading besides the weights (rotary caches, workspaces): 15.54 GB logged for 15.25 GiB of weights. */
export const SGLANG_LOAD_EXTRA_BYTES = 0.28 * GIB;

export function estimateSglangMemory(
  a: ModelArchitecture,
  gpu: GpuSpec,
  settings: ServingSettings,
  options: SglangOptions = {},
): ServingEstimate {
  const defaults = sglangDefaults(gpu, settings.tp, settings.pp, options.sglangVersion);
  const fraction = options.memFractionStatic ?? defaults.memFractionStatic;
  const startFree = visibleBytes(gpu) - SGLANG_CONTEXT_BYTES - (settings.tp - 1) * SGLANG_PER_PEER_BYTES;
  const weights = weightBytes(a, countParameters(a), settings.tp, settings.pp, settings.weightFormat, {
    mxfp4Backend: mxfp4BackendFor(gpu),
  });
  const loaded = weights.perGpu + SGLANG_LOAD_EXTRA_BYTES;
  const staticBytes = startFree * fraction;
  const kvCacheBytes = staticBytes - loaded;
  // SGLang keeps every layer's KV for every token (its hybrid sliding-window pool is off for
  // Gemma and gpt-oss, python/sglang/srt/server_args.py), one token per page.
  const layout = kvLayout(a, settings.tp, settings.pp, settings.kvCacheDtype, { slidingWindowKept: false });
  const cellBytes = layout.fullBytesPerToken;
  const kvCacheTokens = kvCacheBytes > 0 ? Math.floor(kvCacheBytes / cellBytes) : 0;
  const perRequest = requestKvBytes(layout, settings.maxModelLen);
  const maxConcurrency = kvCacheTokens / settings.maxModelLen;
  const reserveBytes = startFree - staticBytes;
  const gib = (bytes: number) => `${(bytes / GIB).toFixed(2)} GiB`;
  const problems: string[] = [];
  if (kvCacheBytes <= 0)
    problems.push(
      `The weights (${gib(loaded)}) take more than mem_fraction_static ${fraction} of the ${gib(startFree)} free at start: SGLang stops with "Not enough memory. Please try to increase --mem-fraction-static".`,
    );
  else if (kvCacheTokens < settings.maxModelLen)
    problems.push(
      `The KV pool holds ${kvCacheTokens} tokens, fewer than one request of context length ${settings.maxModelLen} (${gib(perRequest)}).`,
    );
  const explanation = [
    `SGLang rules: KV pool = mem_fraction_static x the memory free at start - the weights (model_runner.py, profile_max_num_token).`,
    `Memory CUDA reports: ${gib(visibleBytes(gpu))}; free at start ${gib(startFree)} after the CUDA context${settings.tp > 1 ? ` and NCCL for ${settings.tp - 1} peers` : ''}.`,
    `mem_fraction_static ${fraction}${options.memFractionStatic === undefined ? ` (SGLang's default for ${gpu.memoryMiB} MiB at TP ${settings.tp}: ${defaults.reservedMiB} MiB reserved for chunked prefill ${defaults.chunkedPrefillSize}, CUDA graphs up to batch ${defaults.cudaGraphMaxBs})` : ''}: static share ${gib(staticBytes)}; the other ${gib(reserveBytes)} stays for activations and CUDA graphs.`,
    `Weights: ${(weights.total / GIB).toFixed(2)} GiB in all as ${weights.format}${weights.paddingNote ? ` (${weights.paddingNote})` : ''}, / TP ${settings.tp} = ${gib(weights.perGpu)}, + ${gib(SGLANG_LOAD_EXTRA_BYTES)} of load-time buffers.`,
    `KV pool: ${gib(staticBytes)} - ${gib(loaded)} = ${gib(kvCacheBytes)}; / ${cellBytes} B per token (${layout.explanation}) = ${kvCacheTokens} tokens; / context ${settings.maxModelLen} = ${maxConcurrency.toFixed(2)} requests.`,
  ];
  return {
    settings: { ...settings, engine: 'sglang', gpuMemoryUtilization: fraction },
    gpu,
    usableBytes: staticBytes,
    weightsBytes: loaded,
    activationBytes: reserveBytes,
    nonTorchBytes: visibleBytes(gpu) - startFree,
    cudaGraphBytes: 0,
    kvCacheBytes,
    kvLayout: layout,
    kvCacheTokens,
    kvBytesPerToken: cellBytes,
    maxConcurrency,
    fits: problems.length === 0,
    problems,
    explanation,
  };
}

/** The SGLang release an image pins: lmsysorg/sglang:v0.4.9.post2-cu126 -> "0.4.9.post2"; latest/dev -> undefined. */
export function sglangVersionFromImage(image: string): string | undefined {
  const ref = image.trim();
  if (ref.length === 0 || ref.length > 300 || /\s/.test(ref)) return undefined;
  const m = /^(?:[^@]*\/)?lmsysorg\/sglang:v?(\d{1,3}\.\d{1,3}(?:\.\d{1,3})?(?:\.post\d{1,3})?)(?:$|[-_])/i.exec(ref);
  return m?.[1];
}

/** SGLang's "K size" (= "V size") in its log, GB meaning GiB there (bytes / 2^30). */
export function sglangKSizeGiB(e: ServingEstimate): number {
  return e.kvCacheBytes / 2 / GIB;
}
