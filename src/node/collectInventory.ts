/** Polls every configured source at once and merges them into one inventory. */
import type { Host, Inventory } from '../core/gpu/inventory.ts';
import { redactUrl } from '../core/text/safeText.ts';
import { queryKubernetesNodes, type KubernetesOptions } from './kubectl.ts';
import { queryLocalHost, type LocalOptions } from './localGpus.ts';
import { queryPrometheusDcgm, type PrometheusOptions } from './prometheus.ts';
import { querySshHosts, type SshOptions } from './sshGpus.ts';
import { errorMessage } from '../core/errors.ts';

export interface InventoryConfig {
  local?: LocalOptions;
  ssh?: SshOptions & { hosts: readonly string[]; slowFirst?: ReadonlySet<string> };
  prometheus?: PrometheusOptions & { url: string };
  kubernetes?: KubernetesOptions;
}

/**
 * A Kubernetes node that Prometheus also reports (same name) keeps Prometheus's live GPUs and
 * gains the node's capacity; other nodes stay as Kubernetes hosts.
 */
export function mergeKubernetes(prometheusHosts: Host[], kubernetesHosts: Host[]): Host[] {
  const byName = new Map(prometheusHosts.map((h) => [h.label.toLowerCase(), h]));
  const merged = [...prometheusHosts];
  for (const node of kubernetesHosts) {
    const live = byName.get(node.label.toLowerCase());
    if (live && node.kubernetes) live.kubernetes = node.kubernetes;
    else merged.push(node);
  }
  return merged;
}

/** A source that throws (a parser bug on a hostile answer) costs its own entry, not the inventory. */
function isolated(id: string, label: string, source: Host['source'], query: () => Promise<Host[]>): Promise<Host[]> {
  return query().catch((error: unknown) => [
    {
      id,
      label,
      source,
      status: { kind: 'failed', reason: errorMessage(error) },
      gpus: [],
    },
  ]);
}

export async function collectInventory(config: InventoryConfig): Promise<Inventory> {
  const { local: localConfig, ssh: sshConfig, prometheus: promConfig, kubernetes: k8sConfig } = config;
  const [local, ssh, prometheus, kubernetes] = await Promise.all([
    localConfig ? isolated('local', 'This machine', 'local', async () => [await queryLocalHost(localConfig)]) : [],
    sshConfig && sshConfig.hosts.length > 0
      ? isolated('ssh', 'SSH hosts', 'ssh', () => querySshHosts(sshConfig.hosts, sshConfig, sshConfig.slowFirst))
      : [],
    promConfig?.url
      ? isolated(
          `prometheus:${redactUrl(promConfig.url)}`,
          `Prometheus ${redactUrl(promConfig.url)}`,
          'prometheus',
          () => queryPrometheusDcgm(promConfig.url, promConfig),
        )
      : [],
    k8sConfig ? isolated('kubernetes', 'Kubernetes', 'kubernetes', () => queryKubernetesNodes(k8sConfig)) : [],
  ]);
  return {
    hosts: [...local, ...ssh, ...mergeKubernetes(prometheus, kubernetes)],
    takenAt: new Date().toISOString(),
  };
}
