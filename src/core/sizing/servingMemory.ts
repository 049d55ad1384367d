/**
 * Per-GPU memory of a vLLM (V1 engine) deployment, as vLLM's own start-up profiling splits it
 * (vllm/v1/worker/gpu_worker.py, determine_available_memory): weights + peak activation of the
 * profiling run + non-torch memory (+ CUDA-graph memory in newer releases), and the KV cache gets
 * what is left of gpu_memory_utilization x the memory CUDA reports. The rules of the vLLM release
 * given in the settings apply (vllmVersion.ts).
 */
import type { ModelArchitecture, WeightFormat } from '../catalog/architecture.ts';
import { visibleBytes, type GpuSpec } from '../catalog/gpus.ts';
import { kvLayout, requestKvBytes, type KvCacheDtype, type KvLayout } from './kvCache.ts';
import { countParameters, mxfp4BackendFor, weightBytes } from './parameters.ts';
import { NEWEST_MODELED_VLLM, vllmRules, type VllmRules } from './vllmVersion.ts';

export const GIB = 1024 ** 3;

export interface ServingSettings {
  tp: number;
  pp: number;
  /** Overrides the checkpoint's weight format (e.g. "fp8" for on-the-fly quantization). */
  weightFormat?: WeightFormat;
  kvCacheDtype: KvCacheDtype;
  gpuMemoryUtilization: number;
  maxModelLen: number;
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  blockSize: number;
  /** The serving engine; vLLM when absent (sglangMemory.ts sizes SGLang). */
  engine?: 'vllm' | 'sglang';
  /** The vLLM release whose rules apply, e.g. "0.10.1.1"; the newest modeled when absent. */
  vllmVersion?: string;
  /** --disable-hybrid-kv-cache-manager: sliding-window layers hold max_model_len tokens. */
  disableHybridKvCacheManager?: boolean;
  /** --enforce-eager: no CUDA graphs, so none are taken from the KV budget. */
  enforceEager?: boolean;
  /** --enable-expert-parallel: experts are split across the TP ranks whole, with all-to-all buffers. */
  enableExpertParallel?: boolean;
  /** The sampler's top-k/top-p runs in FlashInfer (installed and enabled); PyTorch's when absent. */
  flashInferSampler?: boolean;
  /** MXFP4 MoE kernels on Hopper: "marlin" where triton_kernels is not installed (the log says which). */
  mxfp4Backend?: 'marlin' | 'triton';
  /** GPUs reach each other by peer-to-peer (NVLink, or PCIe P2P); defaults to the card's interconnect. */
  peerToPeer?: boolean;
}

/**
 * vLLM's defaults for the OpenAI server (vllm/engine/arg_utils.py, get_batch_defaults): on GPUs
 * with at least 70 GiB that are not A100s, 8192 batched tokens and 1024 sequences; otherwise 2048
 * and 256. gpu_memory_utilization 0.9; block size 16; max_model_len = the model's context. Before
 * the V1 engine (v0.8.0), 256 sequences and, without chunked prefill, max(max_model_len, 2048)
 * batched tokens (vllm/config.py, SchedulerConfig).
 */
export function vllmDefaults(a: ModelArchitecture, gpu: GpuSpec, vllmVersion?: string): ServingSettings {
  const big = visibleBytes(gpu) >= 70 * GIB && !/A100/i.test(gpu.name);
  const maxModelLen = a.maxPositionEmbeddings ?? 8192;
  const rules = vllmRules(vllmVersion);
  const settings: ServingSettings = {
    tp: 1,
    pp: 1,
    kvCacheDtype: 'auto',
    gpuMemoryUtilization: 0.9,
    maxModelLen,
    maxNumSeqs: rules.v1Engine && big ? 1024 : 256,
    maxNumBatchedTokens: rules.v1Engine ? (big ? 8192 : 2048) : Math.max(maxModelLen, 2048),
    blockSize: 16,
  };
  if (vllmVersion !== undefined) settings.vllmVersion = vllmVersion;
  return settings;
}

/**
 * Bytes per (request x vocabulary entry) the profiling run's sampler holds at its peak with
 * PyTorch's sort-based top-k/top-p: fp32 logits, sorted values and int64 indices, probabilities,
 * the cumulative sum, masks. Fitted to vLLM's logged activation peaks at 1024 sequences on an
 * H100: 4.76 GiB for Llama-3.1-8B (vocab 128256), 5.56 GiB for Qwen3-0.6B and 5.58 GiB for
 * Qwen3-30B-A3B (vocab 151936; v0.10.2 log "Falling back to the PyTorch-native implementation").
 */
export const SAMPLER_BYTES_PER_LOGIT = 38.6;
/**
 * The same with FlashInfer's sampling kernels (no sort): fitted to Qwen2-7B on an A100 at 256
 * sequences, vLLM 0.10.1.1 ("Using FlashInfer for top-p & top-k sampling"): 0.50 GiB for
 * activations and non-torch memory together.
 */
export const FLASHINFER_SAMPLER_BYTES_PER_LOGIT = 10;
/** Buffers the profiling run holds besides the sampler's (kept for callers; folded into the fit). */
export const PROFILING_BASE_BYTES = 0;
/** CUDA/cuBLAS state outside PyTorch's allocator at TP=1: 0.07 GiB (v0.10.2) to 0.13 GiB logged. */
export const NON_TORCH_BYTES = 0.11 * GIB;
/**
 * NCCL and custom all-reduce buffers at TP=2 over NVLink (0.55 GiB logged in all on an H100 pair);
 * each further NVLink peer adds NON_TORCH_PER_NVLINK_PEER_BYTES (TP=8 on H100: ~2.35 GiB).
 */
export const NON_TORCH_TP_BYTES = 0.44 * GIB;
export const NON_TORCH_PER_NVLINK_PEER_BYTES = 0.3 * GIB;
/**
 * Without peer-to-peer (PCIe cards, or "Custom allreduce is disabled because your platform lacks
 * GPU P2P capability") only NCCL's buffers: ~0.1 GiB per peer (Qwen2-7B on 2 A100s without P2P:
 * 0.24 GiB; Llama-3-70B-AWQ on 2 L40S: 0.21 GiB; gpt-oss-120b on 4 A100s over Ray: ~0.37 GiB).
 */
export const NON_TORCH_PER_PCIE_PEER_BYTES = 0.1 * GIB;
/**
 * CUDA-graph memory that releases with cudaGraphInKvBudget take out of the KV budget: a fixed part
 * plus a part per layer, fitted to v0.22 logs (Qwen2.5-7B, 28 layers: ~0.5 GiB; Qwen3-30B-A3B,
 * 48 layers: ~0.6 GiB) and to the "Graph capturing finished ... took 0.50-0.69 GiB" lines of
 * earlier releases.
 */
export const CUDA_GRAPH_BASE_BYTES = 0.3 * GIB;
export const CUDA_GRAPH_PER_LAYER_BYTES = 0.006 * GIB;

export interface ServingEstimate {
  settings: ServingSettings;
  gpu: GpuSpec;
  usableBytes: number;
  weightsBytes: number;
  activationBytes: number;
  nonTorchBytes: number;
  /** CUDA-graph memory taken from the KV budget (0 where the release does not). */
  cudaGraphBytes?: number;
  kvCacheBytes: number;
  kvLayout: KvLayout;
  /** Tokens the KV cache holds for requests of max_model_len, whole blocks only. */
  kvCacheTokens: number;
  kvBytesPerToken: number;
  maxConcurrency: number;
  fits: boolean;
  /** Why it does not fit, in vLLM's terms; empty when it fits. */
  problems: string[];
  /** One line per number: where it comes from. */
  explanation: string[];
  /** The vLLM release whose rules were applied. */
  vllmVersion?: string;
}

interface RuntimeBytes {
  samplerBytes: number;
  forwardBytes: number;
  moeWorkspaceBytes: number;
  activationBytes: number;
  nonTorchBytes: number;
  cudaGraphBytes: number;
}

function peerToPeer(gpu: GpuSpec, settings: Pick<ServingSettings, 'peerToPeer'>): boolean {
  return settings.peerToPeer ?? gpu.interconnect !== 'pcie';
}

/** vLLM's profiling-run activation peak, the memory outside PyTorch and the CUDA graphs, per GPU. */
function runtimeBytes(
  a: ModelArchitecture,
  gpu: GpuSpec,
  settings: Omit<ServingSettings, 'gpuMemoryUtilization' | 'maxModelLen' | 'blockSize' | 'kvCacheDtype'>,
  rules: VllmRules,
  lastStage = true,
): RuntimeBytes {
  const tokens = settings.maxNumBatchedTokens;
  const tp = settings.tp;
  const flashInfer = settings.flashInferSampler ?? rules.flashInferSampler;
  // The sampler runs on the last pipeline stage only (the others hand hidden states on).
  const samplerBytes = lastStage
    ? settings.maxNumSeqs * a.vocabSize * (flashInfer ? FLASHINFER_SAMPLER_BYTES_PER_LOGIT : SAMPLER_BYTES_PER_LOGIT)
    : 0;
  // One layer's transient tensors for the profiling batch: residual, normed and attention
  // outputs (hidden-wide) and the MLP's gate/up output and activation (intermediate / TP wide).
  const mlpWidth =
    a.moe && a.moe.denseLayers === 0 ? a.moe.sharedExperts * a.moe.expertIntermediateSize : a.intermediateSize;
  const forwardDense = tokens * (4 * a.hiddenSize + (3 * mlpWidth) / tp) * 2;
  // Fused-MoE workspace (vllm/model_executor/layers/fused_moe/fused_moe.py: intermediate caches of
  // tokens x top_k x 2I, x I and x hidden), chunked at VLLM_FUSED_MOE_CHUNK_SIZE = 32768 tokens.
  let moeWorkspaceBytes = 0;
  if (a.moe) {
    const chunk = Math.min(tokens, 32768);
    const iPart = settings.enableExpertParallel ? a.moe.expertIntermediateSize : a.moe.expertIntermediateSize / tp;
    moeWorkspaceBytes = chunk * a.moe.expertsPerToken * (3 * iPart + a.hiddenSize) * 2;
    // Expert parallelism adds all-to-all dispatch and combine buffers of tokens x top_k x hidden.
    if (settings.enableExpertParallel && tp > 1)
      moeWorkspaceBytes += 2 * chunk * a.moe.expertsPerToken * a.hiddenSize * 2;
  }
  // FP8 (and NVFP4) experts run through vLLM's modular fused-MoE kernels, whose workspaces stay
  // allocated across the profiling run, so they add to the sampler's peak (Qwen3-235B-FP8 at TP 4);
  // the bf16 Triton path and MXFP4 through Marlin free theirs (Qwen3-30B-A3B bf16 logs 5.58 GiB, the
  // sampler's alone; gpt-oss-120b on an H100 -2.14 GiB of KV cache, vLLM issue 23278).
  const format = settings.weightFormat ?? a.quantization?.format ?? a.dtype;
  const persistentWorkspace = format === 'fp8' || format === 'nvfp4' ? moeWorkspaceBytes : 0;
  const forwardBytes = forwardDense + moeWorkspaceBytes;
  // The forward pass's transients are freed before the sampler runs: the peak is the larger.
  const activationBytes = Math.max(forwardBytes, samplerBytes + persistentWorkspace);
  const peers = tp - 1;
  const nonTorchBytes =
    NON_TORCH_BYTES +
    (peers > 0
      ? peerToPeer(gpu, settings)
        ? NON_TORCH_TP_BYTES + (peers - 1) * NON_TORCH_PER_NVLINK_PEER_BYTES
        : peers * NON_TORCH_PER_PCIE_PEER_BYTES
      : 0);
  const layersPerStage = Math.ceil(a.numLayers / settings.pp);
  const cudaGraphBytes =
    rules.cudaGraphInKvBudget && !settings.enforceEager
      ? CUDA_GRAPH_BASE_BYTES + layersPerStage * CUDA_GRAPH_PER_LAYER_BYTES
      : 0;
  return { samplerBytes, forwardBytes, moeWorkspaceBytes, activationBytes, nonTorchBytes, cudaGraphBytes };
}

function layoutFor(a: ModelArchitecture, settings: ServingSettings, rules: VllmRules): KvLayout {
  const keepsWindow = rules.hybridKvCacheManager && settings.disableHybridKvCacheManager !== true;
  const layout = kvLayout(a, settings.tp, settings.pp, settings.kvCacheDtype, { slidingWindowKept: keepsWindow });
  if (layout.window === undefined) return layout;
  // A sliding-window layer holds its window plus one scheduling step's new tokens
  // (vllm/v1/kv_cache_interface.py, SlidingWindowSpec.max_memory_usage_bytes:
  // min(sliding_window - 1 + max_num_batched_tokens, max_model_len)).
  const window = Math.min(layout.window - 1 + settings.maxNumBatchedTokens, settings.maxModelLen);
  return {
    ...layout,
    window,
    explanation: `${layout.explanation} (+ ${settings.maxNumBatchedTokens - 1} tokens of a step)`,
  };
}

/**
 * The memory one replica needs per GPU to start and hold `concurrency` requests of max_model_len:
 * weights / TP + activation peak + non-torch memory + that KV cache (whole blocks). What to pack
 * on a shared GPU, with --gpu-memory-utilization set to this over the GPU's memory. Without a GPU
 * the runtime is sized for a peer-to-peer card of compute capability 9.0.
 */
export function replicaFootprintBytes(
  a: ModelArchitecture,
  settings: Omit<ServingSettings, 'gpuMemoryUtilization' | 'pp'>,
  concurrency: number,
  gpu?: GpuSpec,
): number {
  const card: GpuSpec = gpu ?? FOOTPRINT_CARD;
  const rules = vllmRules(settings.vllmVersion);
  const full: ServingSettings = { ...settings, pp: 1, gpuMemoryUtilization: 1 };
  const weights = weightBytes(a, countParameters(a), settings.tp, 1, settings.weightFormat, {
    mxfp4Backend: mxfp4BackendFor(card, settings.mxfp4Backend !== 'marlin' && rules.mxfp4TritonOnHopper),
  });
  const layout = layoutFor(a, full, rules);
  const tokens = Math.ceil(settings.maxModelLen / settings.blockSize) * settings.blockSize;
  const r = runtimeBytes(a, card, full, rules);
  return (
    weights.perGpu +
    r.activationBytes +
    r.nonTorchBytes +
    r.cudaGraphBytes +
    requestKvBytes(layout, tokens) * concurrency
  );
}

const FOOTPRINT_CARD: GpuSpec = {
  id: 'generic',
  name: 'generic GPU',
  memoryMiB: 0,
  reservedMiB: 0,
  memoryBandwidthGBps: 0,
  bf16Tflops: 0,
  fp8Tflops: 0,
  hasFp8: true,
  interconnectGBps: 0,
  interconnect: 'nvlink',
  pricePerHour: 0,
  matches: /^$/,
  datacenter: true,
  computeCapability: 90,
};

export function estimateServingMemory(a: ModelArchitecture, gpu: GpuSpec, settings: ServingSettings): ServingEstimate {
  const rules = vllmRules(settings.vllmVersion);
  const params = countParameters(a);
  const backend = mxfp4BackendFor(gpu, settings.mxfp4Backend !== 'marlin' && rules.mxfp4TritonOnHopper);
  const weights = weightBytes(a, params, settings.tp, settings.pp, settings.weightFormat, { mxfp4Backend: backend });
  const usableBytes = visibleBytes(gpu) * settings.gpuMemoryUtilization;
  let r = runtimeBytes(a, gpu, settings, rules);
  let weightsPerGpu = weights.perGpu;
  if (settings.pp > 1 && weights.firstStagePerGpu !== undefined && weights.lastStagePerGpu !== undefined) {
    // Every stage sizes its own KV cache and vLLM keeps the smallest (kv_cache_utils.py): the first
    // stage holds the embedding but runs no sampler, the last the LM head and the sampler.
    const first = runtimeBytes(a, gpu, settings, rules, false);
    const left = (w: number, x: RuntimeBytes) => w + x.activationBytes + x.nonTorchBytes + x.cudaGraphBytes;
    if (left(weights.firstStagePerGpu, first) > left(weights.lastStagePerGpu, r)) {
      r = first;
      weightsPerGpu = weights.firstStagePerGpu;
    } else weightsPerGpu = weights.lastStagePerGpu;
  }
  const { activationBytes, nonTorchBytes, cudaGraphBytes } = r;
  const kvCacheBytes = usableBytes - weightsPerGpu - activationBytes - nonTorchBytes - cudaGraphBytes;
  const layout = layoutFor(a, settings, rules);
  const perRequest = requestKvBytes(layout, settings.maxModelLen);
  // Average bytes per token for a request of max_model_len (sliding layers keep only their window).
  const kvBytesPerToken = perRequest / settings.maxModelLen;
  const blocks = (bytesPerToken: number) =>
    kvCacheBytes > 0 ? Math.floor(kvCacheBytes / (bytesPerToken * settings.blockSize)) * settings.blockSize : 0;
  // vLLM's "GPU KV cache size" for hybrid models counts a token once in every layer group (the
  // sliding-window group's pages too: kv_cache_utils.py, num_blocks // groups x block_size),
  // while the concurrency it prints charges sliding layers only their window.
  const hybrid = layout.slidingBytesPerToken > 0;
  const maxConcurrency = blocks(kvBytesPerToken) / settings.maxModelLen;
  const kvCacheTokens =
    hybrid && !rules.tokensFromConcurrency
      ? blocks(layout.fullBytesPerToken + layout.slidingBytesPerToken)
      : blocks(kvBytesPerToken);
  const problems: string[] = [];
  if (kvCacheBytes <= 0) {
    problems.push(
      `No memory is left for the KV cache: ${gib(kvCacheBytes)} after weights, activations and runtime (vLLM stops with "No available memory for the cache blocks").`,
    );
  } else if (maxConcurrency < 1) {
    problems.push(
      `One request of max_model_len ${settings.maxModelLen} needs ${gib(perRequest)} of KV cache, more than the ${gib(kvCacheBytes)} available (vLLM refuses to start; at most ${blocks(kvBytesPerToken)} tokens fit).`,
    );
  }
  if (a.maxPositionEmbeddings && settings.maxModelLen > a.maxPositionEmbeddings) {
    problems.push(
      `max_model_len ${settings.maxModelLen} is beyond the model's max_position_embeddings ${a.maxPositionEmbeddings}.`,
    );
  }
  const explanation = explain(a, gpu, settings, rules, {
    params: params.total,
    weights,
    weightsPerGpu,
    backend,
    usableBytes,
    r,
    kvCacheBytes,
    layout,
    kvBytesPerToken,
    kvCacheTokens,
    maxConcurrency,
  });
  return {
    settings,
    gpu,
    usableBytes,
    weightsBytes: weightsPerGpu,
    activationBytes,
    nonTorchBytes,
    cudaGraphBytes,
    kvCacheBytes,
    kvLayout: layout,
    kvCacheTokens,
    kvBytesPerToken,
    maxConcurrency,
    fits: problems.length === 0,
    problems,
    explanation,
    vllmVersion: rules.version,
  };
}

const gib = (bytes: number) => `${(bytes / GIB).toFixed(2)} GiB`;

function explain(
  a: ModelArchitecture,
  gpu: GpuSpec,
  s: ServingSettings,
  rules: VllmRules,
  x: {
    params: number;
    weights: ReturnType<typeof weightBytes>;
    weightsPerGpu: number;
    backend: ReturnType<typeof mxfp4BackendFor>;
    usableBytes: number;
    r: RuntimeBytes;
    kvCacheBytes: number;
    layout: KvLayout;
    kvBytesPerToken: number;
    kvCacheTokens: number;
    maxConcurrency: number;
  },
): string[] {
  const { r } = x;
  const flashInfer = s.flashInferSampler ?? rules.flashInferSampler;
  const perLogit = flashInfer ? FLASHINFER_SAMPLER_BYTES_PER_LOGIT : SAMPLER_BYTES_PER_LOGIT;
  const lines = [
    `vLLM ${rules.version} rules${s.vllmVersion === undefined ? ` (the newest modeled, ${NEWEST_MODELED_VLLM}; set the version you run)` : ''}: hybrid KV-cache manager ${rules.hybridKvCacheManager && !s.disableHybridKvCacheManager ? 'on' : 'off'}, CUDA graphs ${rules.cudaGraphInKvBudget ? 'taken from' : 'not counted in'} the KV budget, ${flashInfer ? 'FlashInfer' : 'PyTorch'} sampler.`,
    `Memory CUDA reports: ${gib(visibleBytes(gpu))} (${gpu.memoryMiB} MiB on nvidia-smi minus ${gpu.reservedMiB} MiB reserved); x gpu_memory_utilization ${s.gpuMemoryUtilization} = ${gib(x.usableBytes)}.`,
    `Weights: ${(x.params / 1e9).toFixed(2)}B parameters (computed from config.json) as ${x.weights.format}, embeddings in 16 bits${x.weights.paddingNote ? `; ${x.weights.paddingNote}` : ''}; / TP ${s.tp}${s.pp > 1 ? `, tightest of ${s.pp} pipeline stages` : ''} = ${gib(x.weightsPerGpu)} per GPU.`,
    `Activation peak of vLLM's profiling run: the larger of the sampler (${s.maxNumSeqs} seqs x ${a.vocabSize} vocab x ${perLogit} B = ${gib(r.samplerBytes)}${s.pp > 1 ? ', last pipeline stage' : ''}) and the forward pass over ${s.maxNumBatchedTokens} tokens (${gib(r.forwardBytes)}${r.moeWorkspaceBytes > 0 ? `, of which fused-MoE workspace ${gib(r.moeWorkspaceBytes)}` : ''}) = ${gib(r.activationBytes)}.`,
    `Non-torch memory (CUDA, cuBLAS${s.tp > 1 ? `, NCCL${peerToPeer(gpu, s) ? ' and custom all-reduce' : ''} buffers for ${s.tp - 1} peers` : ''}): ${gib(r.nonTorchBytes)}.`,
  ];
  if (r.cudaGraphBytes > 0)
    lines.push(`CUDA graphs (estimated during profiling since v0.21.0): ${gib(r.cudaGraphBytes)}.`);
  lines.push(
    `KV cache${s.pp > 1 ? ' (the tightest pipeline stage)' : ''}: ${gib(x.usableBytes)} - ${gib(x.weightsPerGpu)} - ${gib(r.activationBytes)} - ${gib(r.nonTorchBytes)}${r.cudaGraphBytes > 0 ? ` - ${gib(r.cudaGraphBytes)}` : ''} = ${gib(x.kvCacheBytes)}.`,
    `KV per token: ${x.layout.explanation} = ${Math.round(x.kvBytesPerToken)} B (${(x.kvBytesPerToken / 1024).toFixed(1)} KiB); in blocks of ${s.blockSize} tokens: ${x.kvCacheTokens} tokens; / max_model_len ${s.maxModelLen} = ${x.maxConcurrency.toFixed(2)} concurrent requests.`,
  );
  return lines;
}
