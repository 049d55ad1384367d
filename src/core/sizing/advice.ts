/** When a deployment does not fit: the changes that would make it fit, each checked by re-estimating. */
import type { ModelArchitecture } from '../catalog/architecture.ts';
import type { GpuSpec } from '../catalog/gpus.ts';
import { estimateServingMemory, GIB, type ServingEstimate } from './servingMemory.ts';
import { validTensorParallel } from './suggest.ts';

export function fitAdvice(a: ModelArchitecture, gpu: GpuSpec, e: ServingEstimate): string[] {
  if (e.fits) return [];
  const advice: string[] = [];
  const s = e.settings;
  if (e.kvCacheTokens >= s.blockSize) {
    advice.push(
      `Set max_model_len to ${e.kvCacheTokens} or less: that is all the KV cache holds (${(e.kvCacheBytes / GIB).toFixed(2)} GiB).`,
    );
  }
  const tp = validTensorParallel(a).find((t) => t > s.tp && estimateServingMemory(a, gpu, { ...s, tp: t }).fits);
  if (tp) {
    const fitted = estimateServingMemory(a, gpu, { ...s, tp });
    advice.push(
      `Use tensor parallel ${tp} (${tp} GPUs): ${(fitted.weightsBytes / GIB).toFixed(1)} GiB of weights per GPU leaves ${(fitted.kvCacheBytes / GIB).toFixed(1)} GiB of KV cache, ${fitted.maxConcurrency.toFixed(1)} requests of ${s.maxModelLen} tokens.`,
    );
  }
  const current = s.weightFormat ?? a.quantization?.format ?? a.dtype;
  for (const format of gpu.hasFp8 ? (['fp8', 'int4'] as const) : (['int8', 'int4'] as const)) {
    if (current === format || (current === 'int4' && format !== 'int4') || current === 'mxfp4') continue;
    const q = estimateServingMemory(a, gpu, { ...s, weightFormat: format });
    if (q.fits) {
      advice.push(
        `Quantize the weights to ${format}${format === 'int4' ? ' (AWQ or GPTQ)' : ''}: ${(q.weightsBytes / GIB).toFixed(1)} GiB per GPU, ${(q.kvCacheBytes / GIB).toFixed(1)} GiB of KV cache.`,
      );
      break;
    }
  }
  // The profiling sampler's peak grows with max_num_seqs (seqs x vocabulary x ~38.6 B with PyTorch's
  // top-k/top-p): fewer sequences often free gigabytes.
  for (const seqs of [256, 128, 64]) {
    if (seqs >= s.maxNumSeqs) continue;
    const fewer = estimateServingMemory(a, gpu, {
      ...s,
      maxNumSeqs: seqs,
      maxNumBatchedTokens: Math.max(seqs, s.maxNumBatchedTokens),
    });
    if (fewer.fits) {
      advice.push(
        `Set --max-num-seqs ${seqs}: vLLM's profiling run then peaks ${((e.activationBytes - fewer.activationBytes) / GIB).toFixed(1)} GiB lower, leaving ${(fewer.kvCacheBytes / GIB).toFixed(1)} GiB of KV cache.`,
      );
      break;
    }
  }
  if ((e.cudaGraphBytes ?? 0) > 0 && !s.enforceEager) {
    const eager = estimateServingMemory(a, gpu, { ...s, enforceEager: true });
    if (eager.fits)
      advice.push(
        `Run with --enforce-eager (slower decoding): vLLM ${e.vllmVersion ?? ''} then keeps the ${((e.cudaGraphBytes ?? 0) / GIB).toFixed(2)} GiB it sets aside for CUDA graphs.`,
      );
  }
  if (s.kvCacheDtype !== 'fp8' && gpu.hasFp8) {
    const kv8 = estimateServingMemory(a, gpu, { ...s, kvCacheDtype: 'fp8' });
    if (kv8.fits)
      advice.push(
        `Store the KV cache in fp8 (--kv-cache-dtype fp8): half the bytes per token, ${kv8.kvCacheTokens} tokens.`,
      );
  }
  if (advice.length === 0)
    advice.push(
      'No single change on this GPU type makes it fit: try a GPU with more memory, or pipeline parallelism across nodes.',
    );
  return advice;
}
