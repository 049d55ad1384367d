/**
 * How each serving engine schedules and what it costs outside the GPU kernels: CPU time per step,
 * the fixed latency of a request (HTTP, tokenization, detokenization), the chunked-prefill token
 * budget, how it reserves KV cache, and the efficiency of its MoE and attention kernels.
 */

export type Engine = 'vllm' | 'sglang' | 'trtllm';
export const ENGINES: readonly Engine[] = ['vllm', 'sglang', 'trtllm'];

export interface EngineProfile {
  engine: Engine;
  /** Scheduler, sampling and launch time per step that the GPU does not hide, seconds. */
  stepOverheadS: number;
  /** Fixed per-request latency before the first token reaches the client (HTTP, tokenizer, detokenizer), seconds. */
  serverOverheadS: number;
  /** Prefill chunks and decodes share one step (vLLM V1, TensorRT-LLM); SGLang runs prefill batches apart. */
  mixedBatches: boolean;
  /**
   * Whether a request is admitted only if the KV cache can hold its prompt and its whole output
   * (TensorRT-LLM's GUARANTEED_NO_EVICT); otherwise prompt blocks are taken on admission and decode
   * blocks as they grow, with preemption (recompute) of the newest request when they run out.
   */
  reserveWholeRequest: boolean;
  /** Share of the card's achieved bandwidth that the routed-expert grouped GEMMs reach. */
  groupedGemmEfficiency: number;
  /** Share of the achieved GEMM rate that routed-expert grouped GEMMs reach in prefill-sized batches. */
  groupedGemmComputeEfficiency: number;
  /** Fixed time of one MoE layer's routing, permutation and grouped-GEMM launches, seconds. */
  moeLayerLatencyS: number;
  /**
   * The MoE kernels are Triton tiles that lose efficiency (and gain latency) on thin expert shards:
   * below THIN_EXPERT_COLUMNS intermediate columns per GPU, compute efficiency falls and MoE layer
   * latency rises in proportion (at most 4x). CUTLASS grouped GEMMs (TensorRT-LLM) are not modelled so.
   */
  thinExpertPenalty: boolean;
  /**
   * Fixed time per step for MLA models (DeepSeek-V2/V3/R1), by vendor: the latency floor the
   * engine's early-2025 DeepSeek path showed at batch 4 beyond what its kernels explain (launch
   * overhead of many small MLA and MoE kernels). Fitted to dstack's DeepSeek-R1 runs on 8 x H200
   * and 8 x MI300X (see DSTACK below), not measured per kernel.
   */
  mlaStepLatencyS: { nvidia: number; amd: number };
  /** Share of achieved bandwidth that paged-attention decode kernels reach reading the KV cache. */
  attentionEfficiency: number;
  /** Share of achieved GEMM throughput prefill reaches over a whole layer (norms, rotary, attention included). */
  prefillEfficiency: number;
  /** Default chunked-prefill budget (max_num_batched_tokens / max_num_tokens / chunked_prefill_size). */
  maxBatchedTokens: number;
  /** Default cap on requests in one batch. */
  maxSeqs: number;
  /** Share of the memory left after weights that the engine gives the KV cache (engines that do not profile). */
  kvMemoryFraction: number;
  sources: string;
}

/** dstack's DeepSeek-R1 serving runs (3200 in / 800 out, concurrency 4-128) on 8 x H200 and 8 x MI300X. */
export const DSTACK_DEEPSEEK_R1 =
  'https://github.com/dstackai/benchmarks/blob/7f37e6697725e58dd09b9ef190b62ce19f01d45e/Deepseek-R1/raw_data/online_results.csv';

export const ENGINE_PROFILES: Readonly<Record<Engine, EngineProfile>> = {
  vllm: {
    engine: 'vllm',
    stepOverheadS: 0.8e-3,
    serverOverheadS: 0.045,
    mixedBatches: true,
    reserveWholeRequest: false,
    groupedGemmEfficiency: 0.7,
    groupedGemmComputeEfficiency: 0.4,
    moeLayerLatencyS: 50e-6,
    mlaStepLatencyS: { nvidia: 0, amd: 0.02 },
    thinExpertPenalty: true,
    attentionEfficiency: 0.8,
    prefillEfficiency: 0.6,
    maxBatchedTokens: 8192,
    maxSeqs: 1024,
    kvMemoryFraction: 0.9,
    sources:
      'vLLM V1 scheduler (vllm/v1/core/sched/scheduler.py): decodes first, then prefill chunks up to max_num_batched_tokens; preemption by recompute. Memory from the vLLM estimator of this project.',
  },
  sglang: {
    engine: 'sglang',
    stepOverheadS: 1.0e-3,
    serverOverheadS: 0.035,
    mixedBatches: false,
    reserveWholeRequest: false,
    groupedGemmEfficiency: 0.7,
    groupedGemmComputeEfficiency: 0.5,
    moeLayerLatencyS: 40e-6,
    mlaStepLatencyS: { nvidia: 0.025, amd: 0.012 },
    thinExpertPenalty: true,
    attentionEfficiency: 0.85,
    prefillEfficiency: 0.6,
    maxBatchedTokens: 8192,
    maxSeqs: 1024,
    kvMemoryFraction: 0.88,
    sources:
      'SGLang scheduler: a prefill batch (chunked_prefill_size 8192 on 80 GB+ cards) runs apart from decode batches unless --enable-mixed-chunk; mem_fraction_static ~0.88.',
  },
  trtllm: {
    engine: 'trtllm',
    stepOverheadS: 0.8e-3,
    serverOverheadS: 0.015,
    mixedBatches: true,
    reserveWholeRequest: true,
    groupedGemmEfficiency: 0.6,
    groupedGemmComputeEfficiency: 0.6,
    moeLayerLatencyS: 60e-6,
    mlaStepLatencyS: { nvidia: 0.042, amd: 0.042 },
    thinExpertPenalty: false,
    attentionEfficiency: 0.75,
    prefillEfficiency: 0.75,
    maxBatchedTokens: 8192,
    maxSeqs: 2048,
    kvMemoryFraction: 0.9,
    sources:
      'TensorRT-LLM PyTorch backend: in-flight batching with chunked context, GUARANTEED_NO_EVICT capacity scheduler, kv_cache_free_gpu_mem_fraction 0.9, max_num_tokens 8192, max_batch_size 2048.',
  },
};

/** Engine named in free text ("NIM 1.8.0 (TensorRT-LLM)", "vLLM 0.7.4", "sglang"). */
export function engineOf(text: string): Engine | undefined {
  if (/tensorrt|trt-?llm|\bnim\b/i.test(text)) return 'trtllm';
  if (/sglang/i.test(text)) return 'sglang';
  if (/vllm/i.test(text)) return 'vllm';
  return undefined;
}
