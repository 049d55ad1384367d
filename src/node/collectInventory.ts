/** Polls every configured source at once and merges them into one inventory. */
import type { Host, Inventory } from '../core/gpu/inventory.ts';
import { queryKubernetesNodes, type KubernetesOptions } from './kubectl.ts';
import { queryLocalHost, type LocalOptions } from './localGpus.ts';
import { queryPrometheusDcgm, type PrometheusOptions } from './prometheus.ts';
import { querySshHosts, type SshOptions } from './sshGpus.ts';

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

export async function collectInventory(config: InventoryConfig): Promise<Inventory> {
  const [local, ssh, prometheus, kubernetes] = await Promise.all([
    config.local ? queryLocalHost(config.local) : undefined,
    config.ssh && config.ssh.hosts.length > 0 ? querySshHosts(config.ssh.hosts, config.ssh, config.ssh.slowFirst) : [],
    config.prometheus?.url ? queryPrometheusDcgm(config.prometheus.url, config.prometheus) : [],
    config.kubernetes ? queryKubernetesNodes(config.kubernetes) : [],
  ]);
  return {
    hosts: [...(local ? [local] : []), ...ssh, ...mergeKubernetes(prometheus, kubernetes)],
    takenAt: new Date().toISOString(),
  };
}
