/**
 * Which Kubernetes workload a serving unit belongs to, and which pod names that workload's
 * controller gives its pods: what a Prometheus series' `namespace` and `pod` labels are matched on.
 */
import { readServingUnits } from '../lint/lint.ts';
import type { Located, ServingUnit, Span } from '../lint/types.ts';
import { child, num, parseYaml, path, spanOf, str } from '../lint/yamlSource.ts';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'LeaderWorkerSet' | 'InferenceService';

const KINDS: readonly WorkloadKind[] = ['Deployment', 'StatefulSet', 'LeaderWorkerSet', 'InferenceService'];

/** One workload of a manifest with the serving unit (container) that runs its engine. */
export interface Workload {
  kind: WorkloadKind;
  name: string;
  /** metadata.namespace; "default" when the manifest leaves it to `kubectl apply -n`. */
  namespace: string;
  /** Whether the namespace was written (otherwise the CLI's --namespace or "default"). */
  namespaceWritten: boolean;
  unit: ServingUnit;
  /** The whole document, for messages that point at the workload when no GPU line exists. */
  span: Span;
  /** spec.replicas (an InferenceService's spec.predictor.minReplicas) where written. */
  replicas?: Located<number>;
}

/** Kubernetes object names: DNS-1123 subdomains, so only `.` needs escaping in a regex. */
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** A namespace name: a DNS-1123 label (at most 63 characters, no dots). */
export function isNamespaceName(name: string): boolean {
  return /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name);
}

function escapeName(name: string): string {
  return name.replace(/\./g, '\\.');
}

/**
 * A PromQL regex (fully anchored by Prometheus) for the pods a controller names:
 * - Deployment: `<name>-<pod-template-hash>-<5>` (ReplicaSet hash up to 10 characters);
 * - StatefulSet: `<name>-<ordinal>`;
 * - LeaderWorkerSet: leader `<name>-<group>`, workers `<name>-<group>-<index>`;
 * - KServe InferenceService: the predictor's Deployment `<name>-predictor[-00001-deployment]-<hash>-<5>`.
 */
export function podNameRegex(kind: WorkloadKind, name: string): string {
  const n = escapeName(name);
  switch (kind) {
    case 'Deployment':
      return `${n}-[a-z0-9]{1,10}-[a-z0-9]{5}`;
    case 'StatefulSet':
      return `${n}-[0-9]+`;
    case 'LeaderWorkerSet':
      return `${n}-[0-9]+(-[0-9]+)?`;
    case 'InferenceService':
      return `${n}-predictor(-[0-9]{5}-deployment)?-[a-z0-9]{1,10}-[a-z0-9]{5}`;
  }
}

/**
 * podNameRegex as the body of a PromQL double-quoted string: PromQL strings follow Go's escaping
 * (promql/parser/lex.go rejects an unknown escape such as `\.`), so each backslash is doubled.
 */
export function promqlPodRegex(kind: WorkloadKind, name: string): string {
  return podNameRegex(kind, name).replace(/\\/g, '\\\\');
}

/** Workloads of a manifest that run a serving engine, each with the unit that runs it. */
export function readWorkloads(path_: string, text: string, defaultNamespace = 'default'): Workload[] {
  const { units } = readServingUnits(path_, text, 'yaml');
  const engineUnits = units.filter((u) => u.engine && u.role !== 'worker');
  const out: Workload[] = [];
  for (const doc of parseYaml(text).documents) {
    if (doc.errors.length > 0) continue;
    const root = doc.contents;
    const kind = str(child(root, 'kind'))?.value as WorkloadKind | undefined;
    if (!kind || !KINDS.includes(kind)) continue;
    const name = str(path(root, 'metadata', 'name'))?.value;
    if (!name || !NAME.test(name)) continue;
    const written = str(path(root, 'metadata', 'namespace'))?.value;
    const span = spanOf(root as Parameters<typeof spanOf>[0]);
    const unit = engineUnits.find((u) => u.name.span.start >= span.start && u.name.span.end <= span.end);
    if (!unit) continue;
    out.push({
      kind,
      name,
      namespace: written && NAME.test(written) ? written : defaultNamespace,
      namespaceWritten: Boolean(written),
      unit,
      span,
      replicas:
        kind === 'InferenceService'
          ? num(path(root, 'spec', 'predictor', 'minReplicas'))
          : num(path(root, 'spec', 'replicas')),
    });
  }
  return out;
}
