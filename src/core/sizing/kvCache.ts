/** KV cache bytes per token, per GPU, the way vLLM lays it out. */
import type { ModelArchitecture } from '../catalog/architecture.ts';

export type KvCacheDtype = 'auto' | 'bf16' | 'fp16' | 'fp8';
export const KV_CACHE_DTYPES: readonly KvCacheDtype[] = ['auto', 'bf16', 'fp16', 'fp8'];

export function kvBytesPerElement(a: ModelArchitecture, dtype: KvCacheDtype): number {
  if (dtype === 'fp8') return 1;
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
  /** KV heads each GPU holds (heads are replicated when there are fewer than the TP degree). */
  kvHeadsPerGpu: number;
  explanation: string;
}

/**
 * MHA/GQA/MQA: 2 (K and V) x layers x kv_heads_per_gpu x head_dim x bytes. MLA (DeepSeek) caches
 * one compressed latent of kv_lora_rank + qk_rope_head_dim per layer, replicated on every TP rank.
 * Pipeline parallelism gives each GPU its stage's layers.
 */
export function kvLayout(a: ModelArchitecture, tp: number, pp: number, dtype: KvCacheDtype): KvLayout {
  const bytes = kvBytesPerElement(a, dtype);
  const layers = Math.ceil(a.numLayers / pp);
  if (a.mla) {
    const latent = a.mla.kvLoraRank + a.mla.qkRopeHeadDim;
    return {
      fullBytesPerToken: layers * latent * bytes,
      slidingBytesPerToken: 0,
      window: undefined,
      kvHeadsPerGpu: 1,
      explanation: `MLA: ${layers} layers x (${a.mla.kvLoraRank} + ${a.mla.qkRopeHeadDim}) latent x ${bytes} B, the same on every TP rank`,
    };
  }
  const kvHeadsPerGpu = Math.max(1, a.numKeyValueHeads / tp);
  const perLayer = 2 * kvHeadsPerGpu * a.headDim * bytes;
  const slidingLayers = a.slidingWindow ? Math.ceil(a.slidingWindow.layers / pp) : 0;
  const fullLayers = layers - slidingLayers;
  const formula = `2 x ${kvHeadsPerGpu} KV heads x ${a.headDim} head_dim x ${bytes} B`;
  return {
    fullBytesPerToken: fullLayers * perLayer,
    slidingBytesPerToken: slidingLayers * perLayer,
    window: a.slidingWindow?.window,
    kvHeadsPerGpu,
    explanation: a.slidingWindow
      ? `${fullLayers} full-attention layers + ${slidingLayers} sliding-window layers (last ${a.slidingWindow.window} tokens) x ${formula}`
      : `${fullLayers} layers x ${formula}`,
  };
}

/** KV bytes one request of `tokens` tokens holds on one GPU. */
export function requestKvBytes(layout: KvLayout, tokens: number): number {
  return tokens * layout.fullBytesPerToken + Math.min(tokens, layout.window ?? tokens) * layout.slidingBytesPerToken;
}
