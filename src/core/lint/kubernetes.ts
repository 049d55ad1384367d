/**
 * Kubernetes and KServe manifests -> serving units: every container with its GPU requests and
 * limits, its serving command (command/args, or TGI's environment variables), the GPU product
 * from node selectors or affinity, and whether /dev/shm is memory-backed.
 */
import { isMap, type Document, type Node } from 'yaml';
import { parseEngineCommand, TGI_ENV } from './engineArgs.ts';
import { child, commandWords, indentAt, items, num, pairOf, path, spanOf, str } from './yamlSource.ts';
import type { EngineCommand, GpuReservation, Located, ServingUnit } from './types.ts';

const GPU_RESOURCE = 'nvidia.com/gpu';
const PRODUCT_LABELS = [
  'nvidia.com/gpu.product',
  'cloud.google.com/gke-accelerator',
  'node.kubernetes.io/instance-type',
  'beta.kubernetes.io/instance-type',
];

/** Pod specs of a workload, by kind. */
function podSpecs(doc: Node, kind: string): { spec: Node; replicas?: number }[] {
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
      const lw = path(spec, 'leaderWorkerTemplate');
      return [path(lw, 'leaderTemplate', 'spec'), path(lw, 'workerTemplate', 'spec')]
        .filter((n): n is Node => Boolean(n))
        .map((pod) => ({ spec: pod, replicas }));
    }
    case 'ServingRuntime':
    case 'ClusterServingRuntime':
      return spec ? [{ spec }] : [];
    default:
      return [];
  }
}

function gpuProduct(podSpec: Node): Located<string> | undefined {
  const selector = child(podSpec, 'nodeSelector');
  for (const label of PRODUCT_LABELS) {
    const value = str(child(selector, label));
    if (value) return value;
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
        if (value) return value;
      }
    }
  }
  return undefined;
}

function reservation(container: Node, text: string): GpuReservation | undefined {
  const resources = child(container, 'resources');
  const limit = num(child(child(resources, 'limits'), GPU_RESOURCE));
  const request = num(child(child(resources, 'requests'), GPU_RESOURCE));
  if (!limit && !request) return undefined;
  const result: GpuReservation = { kind: 'kubernetes', limit, request };
  const requestsPair = pairOf(resources, 'requests');
  if (!limit && requestsPair && isMap(resources) && !child(resources, 'limits')) {
    const keyStart = spanOf(requestsPair.key as Node).start;
    result.insertLimits = { offset: text.lastIndexOf('\n', keyStart) + 1, indent: indentAt(text, keyStart) };
  }
  return result;
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

/** TGI configured through environment variables instead of flags. */
function engineFromEnv(
  container: Node,
  command: EngineCommand | undefined,
  whole: { start: number; end: number },
): EngineCommand | undefined {
  const env = items(child(container, 'env'));
  const found = env.flatMap((e) => {
    const name = str(child(e, 'name'))?.value ?? '';
    const key = TGI_ENV[name];
    const value = str(child(e, 'value'));
    return key && value ? [[key, value] as const] : [];
  });
  if (found.length === 0) return command;
  const base: EngineCommand = command ?? { engine: 'tgi', span: whole, end: whole.end };
  const result = { ...base } as unknown as Record<string, unknown>;
  for (const [key, value] of found) {
    if (result[key]) continue;
    const n = value.value.trim() === '' ? NaN : Number(value.value);
    result[key] =
      key === 'model' || key === 'quantization' || key === 'kvCacheDtype'
        ? value
        : Number.isFinite(n)
          ? { value: n, span: value.span }
          : undefined;
  }
  return result as unknown as EngineCommand;
}

function containerUnit(
  podSpec: Node,
  container: Node,
  source: ServingUnit['source'],
  text: string,
  replicas?: number,
  product?: Located<string>,
): ServingUnit {
  const name = str(child(container, 'name')) ?? { value: 'container', span: spanOf(container) };
  const words = commandWords(child(container, 'command'), child(container, 'args'));
  const whole = spanOf(container);
  let engine = parseEngineCommand(words, whole);
  const image = str(child(container, 'image'))?.value ?? '';
  if (!engine && /text-generation-inference/.test(image))
    engine = engineFromEnv(container, { engine: 'tgi', span: whole, end: whole.end }, whole);
  else if (engine?.engine === 'tgi') engine = engineFromEnv(container, engine, whole);
  // The vLLM image's entrypoint is the OpenAI server, and KServe's Hugging Face runtime runs vLLM:
  // their args alone are the engine's flags.
  if (!engine && (/vllm-openai|vllm\/vllm/.test(image) || (source === 'kserve' && !image)) && words.length > 0)
    engine = parseEngineCommand([{ text: 'vllm', span: whole }, { text: 'serve', span: whole }, ...words], whole);
  return {
    name,
    source,
    engine,
    gpus: reservation(container, text),
    gpuProduct: product ?? gpuProduct(podSpec),
    sharedMemory: sharedMemory(podSpec, container),
    replicas,
    ...(image ? { image } : {}),
  };
}

export function kubernetesUnits(doc: Document.Parsed, text: string): ServingUnit[] {
  const root = doc.contents as Node | null;
  const kind = str(child(root, 'kind'))?.value;
  if (!root || !kind) return [];
  const units: ServingUnit[] = [];
  if (kind === 'InferenceService') {
    const predictor = path(root, 'spec', 'predictor');
    const product = predictor ? gpuProduct(predictor) : undefined;
    const model = child(predictor, 'model');
    if (model)
      units.push({
        ...containerUnit(predictor!, model, 'kserve', text, undefined, product),
        name: str(child(path(root, 'metadata'), 'name')) ?? { value: 'predictor', span: spanOf(model) },
      });
    for (const container of items(child(predictor, 'containers')))
      units.push(containerUnit(predictor!, container, 'kserve', text, undefined, product));
    return units;
  }
  for (const { spec, replicas } of podSpecs(root, kind)) {
    for (const container of items(child(spec, 'containers'))) {
      units.push(
        containerUnit(spec, container, kind.includes('ServingRuntime') ? 'kserve' : 'kubernetes', text, replicas),
      );
    }
  }
  return units;
}

export function looksLikeKubernetes(doc: Document.Parsed): boolean {
  const root = doc.contents as Node | null;
  return Boolean(str(child(root, 'apiVersion')) && str(child(root, 'kind')));
}
