/** Node GPU capacity through `kubectl get nodes -o json` with the user's kubeconfig and context. */
import type { Host } from '../core/gpu/inventory.ts';
import { parseKubectlNodes } from '../core/gpu/kubernetesNodes.ts';
import { resolveExecutable } from './executables.ts';
import { describeFailure, runFile } from './runFile.ts';

export interface KubernetesOptions {
  kubectlPath: string | undefined;
  kubeconfig: string | undefined;
  context: string | undefined;
  timeoutMs: number;
}

function failed(reason: string): Host[] {
  return [
    { id: 'kubernetes', label: 'Kubernetes', source: 'kubernetes', status: { kind: 'unreachable', reason }, gpus: [] },
  ];
}

export function kubectlArgs(
  options: Pick<KubernetesOptions, 'kubeconfig' | 'context' | 'timeoutMs'>,
): string[] | string {
  if (options.context?.startsWith('-')) return `context "${options.context}" starts with "-"`;
  if (options.kubeconfig?.startsWith('-')) return `kubeconfig "${options.kubeconfig}" starts with "-"`;
  return [
    'get',
    'nodes',
    '-o',
    'json',
    `--request-timeout=${Math.max(1, Math.round(options.timeoutMs / 1000))}s`,
    ...(options.kubeconfig ? [`--kubeconfig=${options.kubeconfig}`] : []),
    ...(options.context ? [`--context=${options.context}`] : []),
  ];
}

export async function queryKubernetesNodes(options: KubernetesOptions): Promise<Host[]> {
  const exe = resolveExecutable('kubectl', options.kubectlPath);
  if (!exe)
    return failed(
      options.kubectlPath
        ? `kubectlPath "${options.kubectlPath}" is not an absolute path to an executable`
        : 'kubectl is not on PATH',
    );
  const args = kubectlArgs(options);
  if (typeof args === 'string') return failed(args);
  const result = await runFile(exe, args, { timeoutMs: options.timeoutMs + 2000, maxOutputBytes: 64 * 1024 * 1024 });
  if (result.kind !== 'exited' || result.code !== 0)
    return failed(`kubectl ${describeFailure(result, options.timeoutMs + 2000)}`);
  const parsed = parseKubectlNodes(result.stdout);
  return parsed.ok ? parsed.value : failed(parsed.message);
}

/** A Kubernetes object name (RFC 1123 label or subdomain), as namespaces and pods are named. */
const KUBE_NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/**
 * kubectl's argv for one pod: `delete pod -n NS NAME` (only when the user asked for it) or
 * `logs -f -n NS NAME`; names checked as Kubernetes names first, so none reads as an option.
 */
export function kubectlPodArgs(
  action: 'delete' | 'logs',
  namespace: string,
  pod: string,
  options: Pick<KubernetesOptions, 'kubeconfig' | 'context'>,
): string[] | string {
  if (!KUBE_NAME.test(namespace)) return `"${namespace.slice(0, 80)}" is not a Kubernetes namespace name`;
  if (!KUBE_NAME.test(pod)) return `"${pod.slice(0, 80)}" is not a Kubernetes pod name`;
  if (options.context?.startsWith('-')) return `context "${options.context}" starts with "-"`;
  if (options.kubeconfig?.startsWith('-')) return `kubeconfig "${options.kubeconfig}" starts with "-"`;
  return [
    ...(options.kubeconfig ? [`--kubeconfig=${options.kubeconfig}`] : []),
    ...(options.context ? [`--context=${options.context}`] : []),
    ...(action === 'delete' ? ['delete', 'pod', '-n', namespace, pod] : ['logs', '-f', '-n', namespace, pod]),
  ];
}

/** `kubectl delete pod -n NS NAME`; undefined when kubectl said it was deleted, else why not. */
export async function deletePod(
  namespace: string,
  pod: string,
  options: KubernetesOptions,
): Promise<string | undefined> {
  const exe = resolveExecutable('kubectl', options.kubectlPath);
  if (!exe)
    return options.kubectlPath ? `kubectlPath "${options.kubectlPath}" is not usable` : 'kubectl is not on PATH';
  const args = kubectlPodArgs('delete', namespace, pod, options);
  if (typeof args === 'string') return args;
  const result = await runFile(exe, [...args, '--wait=false'], { timeoutMs: options.timeoutMs + 2000 });
  return result.kind === 'exited' && result.code === 0
    ? undefined
    : `kubectl ${describeFailure(result, options.timeoutMs + 2000)}`;
}
