/**
 * Kubernetes and KServe manifests -> serving units: every container with its GPU requests and
 * limits, its serving command (command/args with `$(VAR)` from its env, `sh -c` scripts, or the
 * image's own entrypoint), the GPU product from node selectors or affinity, multi-pod groups, and
 * whether /dev/shm is memory-backed.
 */
import { isMap, isSeq, type Document, type Node } from 'yaml';
import { amdHintIn, findInCommands, withTgiEnv, type FoundCommand } from './commands.ts';
import { imageEngine, parseEngineArgs } from './engineArgs.ts';
import { alignedText, shellCommands, shellScriptIndex, type Env, type MappedText } from './shellParse.ts';
import { child, indentAt, items, num, pairOf, path, spanOf, str } from './yamlSource.ts';
import type { EngineCommand, GpuReservation, GpuTypeSource, Located, ServingUnit } from './types.ts';

const GPU_RESOURCES = ['nvidia.com/gpu', 'amd.com/gpu'];
const PRODUCT_LABELS = [
  'nvidia.com/gpu.product',
  'cloud.google.com/gke-accelerator',
  'node.kubernetes.io/instance-type',
  'beta.kubernetes.io/instance-type',
  'amd.com/gpu.product-name',
];

interface PodSpec {
  spec: Node;
  replicas?: number;
  role?: 'leader' | 'worker';
  podsPerGroup?: number;
}

/** Pod specs of a workload, by kind. */
function podSpecs(doc: Node, kind: string): PodSpec[] {
  const spec = child(doc, 'spec');
  const replicas = num(child(spec, 'replicas'))?.value;
  const template = (n: Node | undefined) => path(n, 'template', 'spec');
  switch (kind) {
    case 'Pod':
      return spec ? [{ spec }] : [];
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet':
    case 'DaemonSet':
    case 'Job': {
      const pod = template(spec);
      return pod ? [{ spec: pod, replicas }] : [];
    }
    case 'CronJob': {
      const pod = path(spec, 'jobTemplate', 'spec', 'template', 'spec');
      return pod ? [{ spec: pod }] : [];
    }
    case 'LeaderWorkerSet': {
      // kubernetes-sigs/lws api/leaderworkerset/v1/leaderworkerset_types.go: `size` is the pods per
      // group, leader included (default 1); without a leaderTemplate the leader uses workerTemplate.
      const lw = path(spec, 'leaderWorkerTemplate');
      const size = num(child(lw, 'size'))?.value ?? 1;
      const leader = path(lw, 'leaderTemplate', 'spec');
      const worker = path(lw, 'workerTemplate', 'spec');
      const pods: PodSpec[] = [];
      if (leader) pods.push({ spec: leader, replicas, role: 'leader', podsPerGroup: size });
      if (worker) pods.push({ spec: worker, replicas, role: leader ? 'worker' : 'leader', podsPerGroup: size });
      return pods;
    }
    case 'ServingRuntime':
    case 'ClusterServingRuntime':
      return spec ? [{ spec }] : [];
    default:
      return [];
  }
}

function gpuProduct(podSpec: Node): { product: Located<string>; source: GpuTypeSource } | undefined {
  const selector = child(podSpec, 'nodeSelector');
  for (const label of PRODUCT_LABELS) {
    const value = str(child(selector, label));
    if (value) return { product: value, source: 'selector' };
  }
  const terms = path(
    podSpec,
    'affinity',
    'nodeAffinity',
    'requiredDuringSchedulingIgnoredDuringExecution',
    'nodeSelectorTerms',
  );
  for (const term of items(terms)) {
    for (const expression of items(child(term, 'matchExpressions'))) {
      const key = str(child(expression, 'key'))?.value;
      if (key && PRODUCT_LABELS.includes(key)) {
        const value = str(items(child(expression, 'values'))[0]);
        if (value) return { product: value, source: 'affinity' };
      }
    }
  }
  return undefined;
}

function reservation(container: Node, text: string): GpuReservation | undefined {
  const resources = child(container, 'resources');
  for (const resource of GPU_RESOURCES) {
    const limit = num(child(child(resources, 'limits'), resource));
    const request = num(child(child(resources, 'requests'), resource));
    if (!limit && !request) continue;
    const result: GpuReservation = { kind: 'kubernetes', resource, limit, request };
    const requestsPair = pairOf(resources, 'requests');
    if (!limit && requestsPair && isMap(resources) && !child(resources, 'limits')) {
      const keyStart = spanOf(requestsPair.key as Node).start;
      result.insertLimits = { offset: text.lastIndexOf('\n', keyStart) + 1, indent: indentAt(text, keyStart) };
    }
    return result;
  }
  return undefined;
}

function sharedMemory(podSpec: Node, container: Node): ServingUnit['sharedMemory'] {
  const shmVolumes = new Set(
    items(child(container, 'volumeMounts'))
      .filter((m) => str(child(m, 'mountPath'))?.value === '/dev/shm')
      .map((m) => str(child(m, 'name'))?.value),
  );
  const memoryBacked = items(child(podSpec, 'volumes')).some(
    (v) => shmVolumes.has(str(child(v, 'name'))?.value) && str(path(v, 'emptyDir', 'medium'))?.value === 'Memory',
  );
  return memoryBacked ? 'memory-backed' : 'missing';
}

/** A container's env: literal values, and names whose value lives in a Secret, ConfigMap or the pod. */
function containerEnv(container: Node): Env {
  const env: Env = new Map();
  for (const e of items(child(container, 'env'))) {
    const name = str(child(e, 'name'))?.value;
    if (!name) continue;
    const value = str(child(e, 'value'));
    const from = child(e, 'valueFrom');
    if (value) env.set(name, { value: value.value, span: value.span });
    else if (from)
      env.set(name, {
        external: child(from, 'secretKeyRef') ? 'a Secret' : child(from, 'configMapKeyRef') ? 'a ConfigMap' : 'the pod',
        span: str(child(e, 'name'))?.span,
      });
  }
  return env;
}

/** command/args elements, each mapped back onto the file (block scalars included). */
function argv(text: string, ...nodes: (Node | undefined)[]): MappedText[] {
  const out: MappedText[] = [];
  for (const node of nodes) {
    for (const element of isSeq(node) ? items(node) : node ? [node] : []) {
      const value = str(element);
      if (!value) continue;
      const range = spanOf(element);
      out.push(alignedText(value.value, text, range.start, range.end));
    }
  }
  return out;
}

/** What a container runs: its command and args, or its image's entrypoint given the args. */
export function containerCommand(container: Node, text: string, env: Env, kserveVllm = false): FoundCommand {
  const commandNode = child(container, 'command');
  const args = argv(text, commandNode, child(container, 'args'));
  const image = str(child(container, 'image'))?.value ?? '';
  const whole = spanOf(container);
  let found: FoundCommand[] = [];
  const script = shellScriptIndex(args);
  if (script >= 0) {
    found = findInCommands(shellCommands(args[script]!, new Map(env), { kubernetes: true }), env, true);
  } else if (args.length > 0) {
    const words = args.flatMap((a) =>
      shellCommands(a, new Map(env), { kubernetes: true, shell: /\s/.test(a.text.trim()) }).flat(),
    );
    found = findInCommands([words], env, true);
    const entry = imageEngine(image) ?? (kserveVllm ? 'vllm' : undefined);
    if (!found.some((f) => f.engine || f.rayNode) && entry && !commandNode) {
      found = [{ engine: parseEngineArgs(entry, words, whole) }];
    }
  }
  let engine = found.find((f) => f.engine)?.engine;
  if (!engine && args.length === 0 && imageEngine(image) === 'tgi')
    engine = { engine: 'tgi', span: whole, end: whole.end };
  if (engine?.engine === 'tgi') engine = withTgiEnv(engine, env, str(child(container, 'name'))?.span ?? whole);
  const amdHint =
    found.find((f) => f.amdHint)?.amdHint ??
    amdHintIn(image) ??
    [...env.keys()].map(amdHintIn).find(Boolean) ??
    (engine ? amdHintIn(text.slice(engine.span.start, engine.span.end)) : undefined);
  return { engine, rayNode: found.find((f) => f.rayNode)?.rayNode, amdHint };
}

export interface ContainerOptions {
  source: ServingUnit['source'];
  text: string;
  replicas?: number;
  product?: { product: Located<string>; source: GpuTypeSource };
  /** KServe's Hugging Face runtime runs vLLM: its args alone are vLLM's flags. */
  kserveVllm?: boolean;
  /** KServe storageUri (hf://org/name, s3://.../name) names the model when the args do not. */
  storageUri?: Located<string>;
  /** A ServingRuntime's container, whose command and args the predictor extends. */
  runtime?: Node;
}

export function containerUnit(podSpec: Node, container: Node, o: ContainerOptions): ServingUnit {
  const name = str(child(container, 'name')) ?? { value: 'container', span: spanOf(container) };
  const env = containerEnv(container);
  let run: FoundCommand;
  if (o.runtime) {
    for (const [k, v] of containerEnv(o.runtime)) if (!env.has(k)) env.set(k, v);
    const merged = mergedContainer(o.runtime, container, o.text, env);
    run = merged;
  } else run = containerCommand(container, o.text, env, o.kserveVllm);
  let engine = run.engine;
  // KServe's Hugging Face runtime with no args serves the storageUri's model with vLLM's defaults.
  if (!engine && o.kserveVllm && o.storageUri && !o.runtime)
    engine = { engine: 'vllm', span: o.storageUri.span, end: o.storageUri.span.end };
  if (
    engine &&
    o.storageUri &&
    (!engine.model || /^\/mnt\/models\/?$/.test(engine.model.value)) &&
    !engine.unresolvedModel
  ) {
    const uri = o.storageUri.value.replace(/^hf:\/\//, '');
    engine = { ...engine, model: { value: uri, span: o.storageUri.span }, modelSource: 'literal' };
  }
  const gpus = reservation(container, o.text) ?? (o.runtime ? reservation(o.runtime, o.text) : undefined);
  // The image tells which vLLM release's memory rules apply (sizing/vllmVersion.ts).
  const image =
    str(child(container, 'image'))?.value ?? (o.runtime ? str(child(o.runtime, 'image'))?.value : undefined);
  const product = o.product ?? gpuProduct(podSpec);
  return {
    name,
    source: o.source,
    engine,
    gpus,
    gpuProduct: product?.product,
    gpuProductSource: product?.source,
    amdHint: gpus?.resource === 'amd.com/gpu' ? 'amd.com/gpu' : run.amdHint,
    sharedMemory: sharedMemory(podSpec, container),
    replicas: o.replicas,
    rayNode: run.rayNode,
    ...(image ? { image } : {}),
  };
}

/** KServe appends the predictor's args to its runtime container's command and args. */
function mergedContainer(runtime: Node, predictor: Node, text: string, env: Env): FoundCommand {
  const runtimeRun = containerCommand(runtime, text, env, true);
  const own = containerCommand(predictor, text, env, true);
  if (!runtimeRun.engine) return own.engine ? own : runtimeRun;
  if (!own.engine) return runtimeRun;
  const merged: EngineCommand = { ...runtimeRun.engine };
  for (const [key, value] of Object.entries(own.engine)) {
    if (value !== undefined && key !== 'span' && key !== 'end' && key !== 'engine')
      (merged as unknown as Record<string, unknown>)[key] = value;
  }
  return { ...runtimeRun, engine: merged };
}

/** Frameworks a KServe predictor names directly; only huggingface runs an LLM engine (vLLM). */
const KSERVE_FRAMEWORKS = [
  'huggingface',
  'pytorch',
  'tensorflow',
  'sklearn',
  'xgboost',
  'onnx',
  'triton',
  'lightgbm',
  'paddle',
  'pmml',
];

function inferenceServiceUnits(root: Node, text: string, runtimes: Map<string, Node>): ServingUnit[] {
  const units: ServingUnit[] = [];
  const predictor = path(root, 'spec', 'predictor');
  if (!predictor) return units;
  const product = gpuProduct(predictor);
  const replicas = num(child(predictor, 'minReplicas'))?.value;
  const serviceName = str(child(path(root, 'metadata'), 'name'));
  const model = child(predictor, 'model');
  if (model) {
    const format = str(path(model, 'modelFormat', 'name'))?.value?.toLowerCase();
    const runtimeName = str(child(model, 'runtime'))?.value;
    const runtime =
      (runtimeName ? runtimes.get(runtimeName) : undefined) ?? (format ? runtimes.get(`format:${format}`) : undefined);
    const unit = containerUnit(predictor, model, {
      source: 'kserve',
      text,
      replicas,
      product,
      kserveVllm: !format || format === 'huggingface' || format === 'vllm',
      storageUri: str(child(model, 'storageUri')),
      runtime,
    });
    units.push({ ...unit, name: serviceName ?? unit.name });
  }
  for (const framework of KSERVE_FRAMEWORKS) {
    const spec = child(predictor, framework);
    if (!spec) continue;
    const unit = containerUnit(predictor, spec, {
      source: 'kserve',
      text,
      replicas,
      product,
      kserveVllm: framework === 'huggingface',
      storageUri: str(child(spec, 'storageUri')),
    });
    units.push({
      ...unit,
      name: serviceName ?? unit.name,
      engine: framework === 'huggingface' ? unit.engine : undefined,
    });
  }
  for (const container of items(child(predictor, 'containers')))
    units.push(containerUnit(predictor, container, { source: 'kserve', text, replicas, product }));
  return units;
}

/**
 * KServe's LLMInferenceService (serving.kserve.io/v1alpha1; kserve pkg/apis/serving/v1alpha1
 * llm_inference_service_types.go): `model.uri`, `replicas`, `parallelism` {tensor, data,
 * dataLocal, expert}, a pod `template` and, for multi-node, a `worker` pod spec; `prefill` holds
 * the same fields for disaggregated prefill.
 */
function llmInferenceServiceUnits(root: Node, text: string): ServingUnit[] {
  const name = str(child(path(root, 'metadata'), 'name'));
  const uri = str(path(root, 'spec', 'model', 'uri'));
  const units: ServingUnit[] = [];
  const part = (spec: Node | undefined, label: string) => {
    const template = child(spec, 'template');
    if (!spec || !template) return;
    const container =
      items(child(template, 'containers')).find((c) => str(child(c, 'name'))?.value === 'main') ??
      items(child(template, 'containers'))[0];
    if (!container) return;
    const unit = containerUnit(template, container, {
      source: 'kserve',
      text,
      replicas: num(child(spec, 'replicas'))?.value,
      kserveVllm: true,
    });
    const p = child(spec, 'parallelism');
    const base: EngineCommand = unit.engine ?? { engine: 'vllm', span: spanOf(container), end: spanOf(container).end };
    const engine: EngineCommand = {
      ...base,
      model: base.model ?? (uri ? { value: uri.value.replace(/^hf:\/\//, ''), span: uri.span } : undefined),
      modelSource: base.model ? base.modelSource : uri ? 'literal' : base.modelSource,
      tensorParallel: num(child(p, 'tensor')) ?? base.tensorParallel,
      pipelineParallel: num(child(p, 'pipeline')) ?? base.pipelineParallel,
      dataParallel: num(child(p, 'data')) ?? base.dataParallel,
      dataParallelLocal: num(child(p, 'dataLocal')) ?? base.dataParallelLocal,
      expertParallel: child(p, 'expert') ? { value: 1, span: spanOf(child(p, 'expert')) } : base.expertParallel,
    };
    const worker = child(spec, 'worker');
    const workerContainer = items(child(worker, 'containers'))[0];
    const workerGpus = workerContainer ? reservation(workerContainer, text) : undefined;
    const perPod = unit.gpus?.limit?.value ?? unit.gpus?.request?.value;
    let podsPerGroup: number | undefined;
    let groupGpus: number | undefined;
    if (worker) {
      const dp = engine.dataParallel?.value ?? 1;
      const dpLocal = engine.dataParallelLocal?.value ?? dp;
      podsPerGroup = Math.max(1, Math.round(dp / dpLocal));
      const w = workerGpus?.limit?.value ?? workerGpus?.request?.value ?? perPod;
      if (perPod !== undefined && w !== undefined) groupGpus = perPod + (podsPerGroup - 1) * w;
    }
    units.push({
      ...unit,
      name: { value: `${name?.value ?? 'llm'}${label}`, span: name?.span ?? unit.name.span },
      engine,
      podsPerGroup,
      groupGpus,
      role: worker ? 'leader' : undefined,
    });
  };
  const spec = child(root, 'spec');
  part(spec, '');
  part(child(spec, 'prefill'), ' (prefill)');
  return units;
}

/** ServingRuntimes of a file by name and by the model formats they support. */
export function servingRuntimes(docs: Document.Parsed[]): Map<string, Node> {
  const runtimes = new Map<string, Node>();
  for (const doc of docs) {
    const root = doc.contents as Node | null;
    const kind = str(child(root, 'kind'))?.value;
    if (kind !== 'ServingRuntime' && kind !== 'ClusterServingRuntime') continue;
    const container = items(path(root, 'spec', 'containers'))[0];
    if (!container) continue;
    const name = str(path(root, 'metadata', 'name'))?.value;
    if (name) runtimes.set(name, container);
    for (const f of items(path(root, 'spec', 'supportedModelFormats'))) {
      const format = str(child(f, 'name'))?.value?.toLowerCase();
      if (format && !runtimes.has(`format:${format}`)) runtimes.set(`format:${format}`, container);
    }
  }
  return runtimes;
}

/** Runtimes that an InferenceService of the same file uses: linted through it, not alone. */
function usedRuntimeNames(docs: Document.Parsed[]): Set<string> {
  const used = new Set<string>();
  for (const doc of docs) {
    const model = path(doc.contents, 'spec', 'predictor', 'model');
    const runtime = str(child(model, 'runtime'))?.value;
    if (runtime) used.add(runtime);
  }
  return used;
}

export function kubernetesUnits(doc: Document.Parsed, text: string, all: Document.Parsed[] = [doc]): ServingUnit[] {
  const root = doc.contents as Node | null;
  const kind = str(child(root, 'kind'))?.value;
  if (!root || !kind) return [];
  if (kind === 'InferenceService') return inferenceServiceUnits(root, text, servingRuntimes(all));
  if (kind === 'LLMInferenceService') return llmInferenceServiceUnits(root, text);
  if (kind.includes('ServingRuntime') && usedRuntimeNames(all).has(str(path(root, 'metadata', 'name'))?.value ?? ''))
    return [];
  const units: ServingUnit[] = [];
  const pods = podSpecs(root, kind);
  const gpusOf = (p: PodSpec) =>
    items(child(p.spec, 'containers'))
      .map((c) => reservation(c, text))
      .reduce((sum, g) => sum + (g?.limit?.value ?? g?.request?.value ?? 0), 0);
  const leader = pods.find((p) => p.role === 'leader');
  const worker = pods.find((p) => p.role === 'worker') ?? leader;
  const groupGpus =
    leader && worker && leader.podsPerGroup ? gpusOf(leader) + (leader.podsPerGroup - 1) * gpusOf(worker) : undefined;
  for (const pod of pods) {
    for (const container of items(child(pod.spec, 'containers'))) {
      const unit = containerUnit(pod.spec, container, {
        source: kind.includes('ServingRuntime') ? 'kserve' : 'kubernetes',
        text,
        replicas: pod.replicas,
      });
      if (pod.role) {
        unit.role = pod.role;
        unit.podsPerGroup = pod.podsPerGroup;
        if (pod.role === 'leader' && unit.engine) unit.groupGpus = groupGpus;
        // Workers run the leader's engine as followers (`--node-rank`, `ray start`): checked once, on the leader.
        if (pod.role === 'worker' && leader) unit.engine = undefined;
      }
      units.push(unit);
    }
  }
  return units;
}

export function looksLikeKubernetes(doc: Document.Parsed): boolean {
  const root = doc.contents as Node | null;
  return Boolean(str(child(root, 'apiVersion')) && str(child(root, 'kind')));
}
