/**
 * Kubernetes workloads -> serving units: the pod specs of each kind (LeaderWorkerSet groups with
 * their leader and worker roles), one unit per container (container.ts); KServe kinds in kserve.ts.
 */
import type { Document, Node } from 'yaml';
import { containerUnit, reservation } from './container.ts';
import { inferenceServiceUnits, llmInferenceServiceUnits, servingRuntimes, usedRuntimeNames } from './kserve.ts';
import { child, items, num, path, str } from './yamlSource.ts';
import type { ServingUnit } from './types.ts';

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

/** The file's KServe runtimes and which of them an InferenceService uses: read once per file. */
export interface KServeFile {
  runtimes: Map<string, Node>;
  used: Set<string>;
}

/** A KServeFile computed on first use (most files have no InferenceService to ask for it). */
export function kserveFile(all: Document.Parsed[]): () => KServeFile {
  let file: KServeFile | undefined;
  return () => (file ??= { runtimes: servingRuntimes(all), used: usedRuntimeNames(all) });
}

export function kubernetesUnits(
  doc: Document.Parsed,
  text: string,
  kserve: () => KServeFile = kserveFile([doc]),
): ServingUnit[] {
  const root = doc.contents as Node | null;
  const kind = str(child(root, 'kind'))?.value;
  if (!root || !kind) return [];
  if (kind === 'InferenceService') return inferenceServiceUnits(root, text, kserve().runtimes);
  if (kind === 'LLMInferenceService') return llmInferenceServiceUnits(root, text);
  if (kind.includes('ServingRuntime') && kserve().used.has(str(path(root, 'metadata', 'name'))?.value ?? '')) return [];
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
