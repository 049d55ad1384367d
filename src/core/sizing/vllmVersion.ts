/**
 * Which vLLM release's memory rules apply. vLLM changed how it splits GPU memory several times;
 * each rule below cites the change it follows, so an estimate can say "vLLM 0.10.1 rules".
 */

/** A vLLM release, compared numerically (0.10.1.1 > 0.10.1 > 0.9.2). */
export interface VllmVersion {
  parts: readonly number[];
  /** As the user or the image tag wrote it, without a leading "v". */
  text: string;
}

/** The newest release whose rules this estimator models (a published start-up log checks it). */
export const NEWEST_MODELED_VLLM = '0.22.1';

const VERSION = /^v?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?(?:\.(\d{1,3}))?(?:(?:rc|\.post|\.dev|-|\+)[0-9A-Za-z.+-]*)?$/;

/** "0.11.0", "v0.10.1.1", "0.9.2rc1" -> a version; anything else -> undefined. */
export function parseVllmVersion(text: string): VllmVersion | undefined {
  const trimmed = text.trim();
  if (trimmed.length > 40) return undefined;
  const m = VERSION.exec(trimmed);
  if (!m) return undefined;
  const parts = m.slice(1, 5).map((p) => (p === undefined ? 0 : Number(p)));
  return { parts, text: trimmed.replace(/^v/, '') };
}

export function compareVllmVersions(a: VllmVersion, b: VllmVersion): number {
  for (let i = 0; i < Math.max(a.parts.length, b.parts.length); i++) {
    const d = (a.parts[i] ?? 0) - (b.parts[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** True when `v` is `min` or later. */
export function atLeast(v: VllmVersion, min: string): boolean {
  const m = parseVllmVersion(min);
  return m !== undefined && compareVllmVersions(v, m) >= 0;
}

/** Repositories that publish vLLM's own server image (Docker Hub, its mirrors and AWS's public gallery). */
const VLLM_IMAGE = /(?:^|\/)vllm\/vllm-openai(?:-rocm)?$|(?:^|\/)vllm-openai$/i;

/**
 * The vLLM version an image reference pins, e.g. `vllm/vllm-openai:v0.11.0`,
 * `docker.io/vllm/vllm-openai:0.10.1.1-cu128`, `public.ecr.aws/q9t5s3a7/vllm-openai:v0.9.2`.
 * `latest`, `nightly`, digests and other images give undefined (the version is not in the text).
 */
export function vllmVersionFromImage(image: string): string | undefined {
  const ref = image.trim();
  if (ref.length === 0 || ref.length > 300 || /\s/.test(ref)) return undefined;
  const withoutDigest = ref.split('@')[0] ?? '';
  const colon = withoutDigest.lastIndexOf(':');
  if (colon < 0 || withoutDigest.indexOf('/', colon) >= 0) return undefined;
  const repository = withoutDigest.slice(0, colon);
  const tag = withoutDigest.slice(colon + 1);
  // AMD's ROCm builds: rocm/vllm:rocm6.4.1_vllm_0.10.1_20250909 names the vLLM release inside the tag.
  if (/(?:^|\/)rocm\/vllm(?:-dev)?$/i.test(repository))
    return /(?:^|_)vllm_v?(\d{1,3}\.\d{1,3}(?:\.\d{1,3}){0,2})(?:_|$)/i.exec(tag)?.[1];
  if (!VLLM_IMAGE.test(repository)) return undefined;
  const m = /^v?(\d{1,3}\.\d{1,3}(?:\.\d{1,3}){0,2})(?:$|[-+_.]?(?:rc\d+|post\d+)?(?:$|[-+_]))/.exec(tag);
  return m?.[1];
}

/** The memory rules of one vLLM release. */
export interface VllmRules {
  version: string;
  /**
   * Sliding-window layers keep only their window. From the hybrid KV-cache manager (PR #17996,
   * "[v1] Hybrid Memory Allocator", first released in v0.10.0); before it, and with
   * --disable-hybrid-kv-cache-manager, every layer holds max_model_len tokens.
   */
  hybridKvCacheManager: boolean;
  /**
   * The profiling run estimates CUDA-graph memory and takes it out of the KV budget: added by
   * PR #30515 behind VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS (off), on by default since v0.21.0
   * (gpu_worker.py logs "CUDA graph memory profiling is enabled (default since v0.21.0)").
   */
  cudaGraphInKvBudget: boolean;
  /**
   * Top-k/top-p through FlashInfer during the profiling sampler run (~10 B per logit) rather than
   * PyTorch's sort-based path (~38.6 B per logit). vLLM takes FlashInfer whenever the package is
   * installed (vllm/v1/sample/ops/topk_topp_sampler.py), which depends on the install, not the
   * release: published 0.10.1.1 logs show both "Using FlashInfer for top-p & top-k sampling" and
   * "FlashInfer is not available. Falling back to the PyTorch-native implementation", 0.10.2 and
   * 0.11.0 pip installs the latter. The estimate assumes PyTorch's (the larger peak, so a "fits" holds
   * either way); ServingSettings.flashInferSampler says otherwise.
   */
  flashInferSampler: boolean;
  /**
   * MXFP4 experts on Hopper through the Triton kernels (no padding of the intermediate size) rather
   * than Marlin. vLLM takes Triton when the triton_kernels package is importable (mxfp4.py,
   * get_mxfp4_backend), as in the vllm/vllm-openai images (v0.11.0: 64.38 GiB for gpt-oss-120b,
   * llm-d-benchmark; v0.14.1: "Using Triton backend"); bare pip installs of 0.10.1 and 0.11.0 logged
   * Marlin (65.97 GiB, vLLM issues 23278 and 27508). An install question, not a release one: Triton
   * unless ServingSettings.mxfp4Backend says "marlin".
   */
  mxfp4TritonOnHopper: boolean;
  /** V1 engine (v0.8.0 on by default): chunked prefill, so max_num_batched_tokens is small. */
  v1Engine: boolean;
  /**
   * "GPU KV cache size" of hybrid (sliding-window) models: before v0.21.0 the pages of every layer
   * group (num_blocks // groups x block_size); from v0.21.0 max_concurrency x max_model_len
   * (kv_cache_utils.py, _report_kv_cache_config; Gemma 4 showed ~10x more tokens for the same
   * memory between 0.20.0 and 0.21.0, vLLM issue 43308).
   */
  tokensFromConcurrency: boolean;
}

export function vllmRules(versionText: string = NEWEST_MODELED_VLLM): VllmRules {
  const v = parseVllmVersion(versionText) ?? (parseVllmVersion(NEWEST_MODELED_VLLM) as VllmVersion);
  return {
    version: v.text,
    hybridKvCacheManager: atLeast(v, '0.10.0'),
    cudaGraphInKvBudget: atLeast(v, '0.21.0'),
    flashInferSampler: false,
    mxfp4TritonOnHopper: true,
    v1Engine: atLeast(v, '0.8.0'),
    tokensFromConcurrency: atLeast(v, '0.21.0'),
  };
}
