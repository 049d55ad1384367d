/**
 * One container of a pod spec -> a serving unit: its GPU requests and limits, its serving command
 * (command/args with `$(VAR)` from its env, `sh -c` scripts, or the image's own entrypoint), the
 * GPU product from node selectors or affinity, and whether /dev/shm is memory-backed.
 */
import { isMap, isSeq, type Node } from 'yaml';
import { acceleratorHintIn, acceleratorHintInEnv, findInCommands, withTgiEnv, type FoundCommand } from './commands.ts';
import { imageEngine, parseEngineArgs } from './engineArgs.ts';
import { alignedText, shellCommands, shellScriptIndex, type Env, type MappedText } from './shellParse.ts';
import { child, indentAt, items, mapEntries, num, pairOf, path, spanOf, str } from './yamlSource.ts';
import type { EngineCommand, GpuReservation, GpuTypeSource, Located, ServingUnit } from './types.ts';

const GPU_RESOURCES = ['nvidia.com/gpu', 'amd.com/gpu'];
const PRODUCT_LABELS = [
  'nvidia.com/gpu.product',
  'cloud.google.com/gke-accelerator',
  'node.kubernetes.io/instance-type',
  'beta.kubernetes.io/instance-type',
  'amd.com/gpu.product-name',
];

export function gpuProduct(podSpec: Node): { product: Located<string>; source: GpuTypeSource } | undefined {
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

function resourceLimits(container: Node): Node | undefined {
  return child(child(container, 'resources'), 'limits') ?? child(child(container, 'resources'), 'requests');
}

export function reservation(container: Node, text: string): GpuReservation | undefined {
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
  const acceleratorHint =
    found.find((f) => f.acceleratorHint)?.acceleratorHint ??
    acceleratorHintIn(image) ??
    acceleratorHintInEnv(env) ??
    (engine ? acceleratorHintIn(text.slice(engine.span.start, engine.span.end)) : undefined);
  return { engine, rayNode: found.find((f) => f.rayNode)?.rayNode, acceleratorHint };
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
  } else if (engine?.model && o.source === 'kserve' && /^\/mnt\/models\/?$/.test(engine.model.value)) {
    // A runtime on its own: KServe puts the InferenceService's storageUri at /mnt/models.
    const { model, ...rest } = engine;
    engine = {
      ...rest,
      unresolvedModel: { ...model, external: true, from: 'the storageUri of the InferenceService that uses it' },
      modelSource: 'unresolved',
      modelWritten: model.value,
    };
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
    acceleratorHint:
      gpus?.resource === 'amd.com/gpu'
        ? 'AMD: amd.com/gpu'
        : (run.acceleratorHint ??
          acceleratorHintIn(
            mapEntries(resourceLimits(container))
              .map(([k]) => k)
              .join(' '),
          )),
    sharedMemory: sharedMemory(podSpec, container),
    replicas: o.replicas,
    rayNode: run.rayNode,
    ...(image ? { image } : {}),
  };
}

/** `base` with every setting `top` states (the engine and its spans stay the base's). */
export function overlayEngine(base: EngineCommand, top: EngineCommand | undefined): EngineCommand {
  if (!top) return base;
  const merged = { ...base } as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(top))
    if (value !== undefined && key !== 'span' && key !== 'end' && key !== 'engine') merged[key] = value;
  return merged as unknown as EngineCommand;
}

/** KServe appends the predictor's args to its runtime container's command and args. */
function mergedContainer(runtime: Node, predictor: Node, text: string, env: Env): FoundCommand {
  const runtimeRun = containerCommand(runtime, text, env, true);
  const own = containerCommand(predictor, text, env, true);
  if (!runtimeRun.engine) return own.engine ? own : runtimeRun;
  return { ...runtimeRun, engine: overlayEngine(runtimeRun.engine, own.engine) };
}
