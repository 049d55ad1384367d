/** The linter's model: documents in, findings (with offsets, not editor ranges) and fixes out. */
import type { ModelArchitecture } from '../catalog/architecture.ts';
import type { GpuSpec } from '../catalog/gpus.ts';

export type Severity = 'error' | 'warning' | 'info';

/** Character offsets into the document text, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

export interface TextEdit {
  span: Span;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  span: Span;
  fix?: Fix;
  /** The check could not run for want of a GPU type: setting the default GPU lets it run (the editor offers that). */
  missing?: 'gpu-type';
  /** GPUs reserved and never used, over every replica, and why in a few words (the hover's "wastes N GPUs"). */
  waste?: { gpus: number; why: string };
}

/** A value read from a file, and where it stands. */
export interface Located<T> {
  value: T;
  span: Span;
}

export type EngineName = 'vllm' | 'tgi' | 'sglang';

/** How the model name was found: as written, from an environment variable, a `${X:-default}`, or not at all. */
export type ModelSource = 'literal' | 'env' | 'default' | 'unresolved';

/** A serving engine's command line (vLLM, TGI or SGLang), wherever it was written. */
export interface EngineCommand {
  engine: EngineName;
  span: Span;
  /** Only a model name that could be resolved; see `modelSource` and `unresolvedModel`. */
  model?: Located<string>;
  modelSource?: ModelSource;
  /** The model argument as written (`$(MODEL_ID)`, `${MODEL:-x}`) when it came through variables. */
  modelWritten?: string;
  /** The variable (or placeholder) that names the model when its value is not in the file. */
  unresolvedModel?: Located<string> & { external?: boolean; from?: string };
  dataParallel?: Located<number>;
  dataParallelLocal?: Located<number>;
  expertParallel?: Located<number>;
  /** SGLang --enable-dp-attention: DP ranks live inside the TP group, no extra GPUs. */
  dpAttention?: boolean;
  nnodes?: Located<number>;
  distributedBackend?: Located<string>;
  loadFormat?: Located<string>;
  tensorParallel?: Located<number>;
  pipelineParallel?: Located<number>;
  maxModelLen?: Located<number>;
  gpuMemoryUtilization?: Located<number>;
  maxNumSeqs?: Located<number>;
  maxNumBatchedTokens?: Located<number>;
  kvCacheDtype?: Located<string>;
  quantization?: Located<string>;
  /** Where a new flag can be appended (after the last token). */
  end: number;
}

/** GPUs a unit reserves: Kubernetes requests/limits, compose device reservations, Ray num_gpus. */
export interface GpuReservation {
  kind: 'kubernetes' | 'compose' | 'ray' | 'docker';
  /** The resource name (`nvidia.com/gpu`, `amd.com/gpu`) for Kubernetes. */
  resource?: string;
  limit?: Located<number>;
  request?: Located<number>;
  /** compose: `count: all` */
  all?: Located<string>;
  /** Ray: ray_actor_options.num_gpus (may be fractional) */
  fractional?: Located<number>;
  /** The count is written elsewhere (a compose `<<: *anchor`): editing it would change other services too. */
  shared?: boolean;
  /** Where to insert `limits:` when only requests exist (indentation and offset). */
  insertLimits?: { offset: number; indent: string };
}

/** One thing that serves a model on GPUs: a container, a compose service, a Ray deployment, a script line. */
export interface ServingUnit {
  name: Located<string>;
  source: 'kubernetes' | 'kserve' | 'compose' | 'ray-serve' | 'script' | 'vllm-config';
  engine?: EngineCommand;
  gpus?: GpuReservation;
  gpuProduct?: Located<string>;
  /** Where the GPU type came from. */
  gpuProductSource?: GpuTypeSource;
  /**
   * The file says the accelerator is not an NVIDIA GPU, as "vendor: what was seen" (AMD: HIP_VISIBLE_DEVICES,
   * Intel Gaudi: HABANA_VISIBLE_DEVICES, AWS Neuron, Google TPU, Intel GPU).
   */
  acceleratorHint?: string;
  /** A multi-pod group (LeaderWorkerSet size, LLMInferenceService workers): pods per replica. */
  podsPerGroup?: number;
  /** GPUs of the whole group (leader + workers), when the unit is a group's leader. */
  groupGpus?: number;
  role?: 'leader' | 'worker';
  /** The unit starts a Ray node (`ray start`): the engine may span nodes the file does not show. */
  rayNode?: 'head' | 'worker';
  /** Kubernetes: whether a memory-backed volume is mounted at /dev/shm. */
  sharedMemory?: 'memory-backed' | 'missing' | 'not-applicable';
  replicas?: number;
  /** A command in a Markdown code block (the GPU can be named in a heading above it). */
  inMarkdown?: boolean;
  /** The container image (Kubernetes, compose): vllm/vllm-openai:v0.11.0 pins vLLM's memory rules. */
  image?: string;
}

export interface TritonConfig {
  maxBatchSize?: Located<number>;
  dynamicBatching?: Span;
  instanceGroups: { count?: Located<number>; kind?: Located<string>; span: Span }[];
  backend?: Located<string>;
}

export type GpuTypeSource = 'selector' | 'affinity' | 'label' | 'heading' | 'accelerator_type' | 'hint' | 'default';

export interface LintOptions {
  /** GPU assumed when a file does not name one (gpuWorkbench.defaultGpu / --default-gpu). */
  defaultGpu?: GpuSpec;
  /** Finds a model's architecture by id (the catalog, or what the caller could load). */
  findModel(id: string): ModelArchitecture | undefined;
  /** vLLM release whose memory rules apply when an image tag does not say (gpuWorkbench.vllmVersion). */
  vllmVersion?: string;
}

export interface LintContext {
  path: string;
  text: string;
  units: ServingUnit[];
  triton?: TritonConfig;
  options: LintOptions;
}

export interface RuleDocs {
  title: string;
  /** Markdown file under docs/rules/. */
  page: string;
}

export interface Rule {
  id: string;
  severity: Severity;
  docs: RuleDocs;
  check(context: LintContext): Finding[];
}
