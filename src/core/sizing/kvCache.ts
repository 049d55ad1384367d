/** KV cache bytes per token, per GPU, the way vLLM lays it out. */
import type { ModelArchitecture } from '../catalog/architecture.ts';

/** vLLM's --kv-cache-dtype values: fp8 is fp8_e4m3 on CUDA; fp8_e5m2 trades mantissa for range. */
export type KvCacheDtype = 'auto' | 'bf16' | 'fp16' | 'fp8' | 'fp8_e4m3' | 'fp8_e5m2';
export const KV_CACHE_DTYPES: readonly KvCacheDtype[] = ['auto', 'bf16', 'fp16', 'fp8', 'fp8_e4m3', 'fp8_e5m2'];

export function kvBytesPerElement(a: ModelArchitecture, dtype: KvCacheDtype): number {
  if (dtype === 'fp8' || dtype === 'fp8_e4m3' || dtype === 'fp8_e5m2') return 1;
  if (dtype === 'bf16' || dtype === 'fp16') return 2;
  // "auto" follows the model's activation dtype, which is 16-bit even for fp8/int4 weights.
  return a.dtype === 'fp32' ? 4 : 2;
}

export interface KvLayout {
  /** Bytes per token in layers that keep every token (full attention), per GPU. */
  fullBytesPerToken: number;
  /** Bytes per token in sliding-window layers, per GPU; they keep at most `window` tokens. */
  slidingBytesPerToken: number;
  window: number | undefined;
  /** Bytes of recurrent state one request holds in linear-attention layers, per GPU (0 for none). */
  stateBytesPerRequest?: number;
  /** KV heads each GPU holds (heads are replicated when there are fewer than the TP degree). */
  kvHeadsPerGpu: number;
  explanation: string;
}

export interface KvLayoutOptions {
  /**
   * Sliding-window layers keep only their window (vLLM's hybrid KV-cache manager, v0.10.0 on);
   * false: they hold every token like full-attention layers. Default true.
   */
  slidingWindowKept?: boolean;
}

/**
 * MHA/GQA/MQA: 2 (K and V) x layers x kv_heads_per_gpu x head_dim x bytes. MLA (DeepSeek) caches
 * one compressed latent of kv_lora_rank + qk_rope_head_dim per layer, replicated on every TP rank.
 * Linear-attention layers (Qwen3-Next's Gated DeltaNet) keep a fixed recurrent state per request
 * instead. Pipeline parallelism gives each GPU its stage's layers.
 */
export function kvLayout(
  a: ModelArchitecture,
  tp: number,
  pp: number,
  dtype: KvCacheDtype,
  options: KvLayoutOptions = {},
): KvLayout {
  const bytes = kvBytesPerElement(a, dtype);
  const linearLayers = a.linearAttention ? Math.ceil(a.linearAttention.layers / pp) : 0;
  const layers = Math.ceil(a.numLayers / pp) - linearLayers;
  const stateBytesPerRequest = a.linearAttention
    ? (linearLayers * a.linearAttention.stateBytesPerLayer) / Math.min(tp, a.linearAttention.heads)
    : 0;
  if (a.mla) {
    const latent = a.mla.kvLoraRank + a.mla.qkRopeHeadDim;
    // DeepSeek-V3.2's indexer keys: fp8 of index_head_dim plus a 4-byte scale per layer and token.
    const indexer = a.mla.indexHeadDim ? a.mla.indexHeadDim + 4 : 0;
    return {
      fullBytesPerToken: layers * (latent * bytes + indexer),
      slidingBytesPerToken: 0,
      window: undefined,
      kvHeadsPerGpu: 1,
      stateBytesPerRequest,
      explanation: `MLA: ${layers} layers x (${a.mla.kvLoraRank} + ${a.mla.qkRopeHeadDim}) latent x ${bytes} B${indexer ? ` + ${indexer} B of indexer keys` : ''}, the same on every TP rank`,
    };
  }
  const kvHeadsPerGpu = Math.max(1, a.numKeyValueHeads / tp);
  const perLayer = 2 * kvHeadsPerGpu * a.headDim * bytes;
  const kept = options.slidingWindowKept !== false;
  const slidingLayers = a.slidingWindow && kept ? Math.ceil(a.slidingWindow.layers / pp) : 0;
  const fullLayers = layers - slidingLayers;
  const formula = `2 x ${kvHeadsPerGpu} KV heads x ${a.headDim} head_dim x ${bytes} B`;
  const state =
    stateBytesPerRequest > 0
      ? `; + ${linearLayers} linear-attention layers' recurrent state, ${(stateBytesPerRequest / 2 ** 20).toFixed(1)} MiB per request`
      : '';
  return {
    fullBytesPerToken: fullLayers * perLayer,
    slidingBytesPerToken: slidingLayers * perLayer,
    window: slidingLayers > 0 ? a.slidingWindow?.window : undefined,
    kvHeadsPerGpu,
    stateBytesPerRequest,
    explanation:
      (slidingLayers > 0
        ? `${fullLayers} full-attention layers + ${slidingLayers} sliding-window layers (last ${a.slidingWindow?.window} tokens) x ${formula}`
        : a.slidingWindow
          ? `${fullLayers} layers (sliding-window layers hold every token: no hybrid KV-cache manager) x ${formula}`
          : `${fullLayers} layers x ${formula}`) + state,
  };
}

/** KV bytes one request of `tokens` tokens holds on one GPU. */
export function requestKvBytes(layout: KvLayout, tokens: number): number {
  return (
    tokens * layout.fullBytesPerToken +
    Math.min(tokens, layout.window ?? tokens) * layout.slidingBytesPerToken +
    (layout.stateBytesPerRequest ?? 0)
  );
}
