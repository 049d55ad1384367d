import * as vscode from 'vscode';
import {
  formatMemoryGiB,
  memoryBar,
  summarizeInventory,
  type Gpu,
  type GpuProcess,
  type Host,
  type Inventory,
  type MigInstance,
} from '../../core/gpu/inventory.ts';
import { safeLine, safeText } from '../../core/text/safeText.ts';

export type GpuNode =
  | { kind: 'host'; host: Host }
  | { kind: 'gpu'; host: Host; gpu: Gpu }
  | { kind: 'process'; host: Host; gpu: Gpu; process: GpuProcess }
  | { kind: 'mig'; gpu: Gpu; mig: MigInstance }
  | { kind: 'workload'; gpu: Gpu; label: string };

/** Hosts worth showing: any with GPUs or a problem; a local machine with no GPU is left out. */
export function visibleHosts(inventory: Inventory | undefined): Host[] {
  return (inventory?.hosts ?? []).filter((h) => h.gpus.length > 0 || h.status.kind !== 'ok' || h.source !== 'local');
}

/**
 * The "GPUs" view: hosts -> GPUs -> processes, MIG instances and pods. With nothing to show it
 * returns no nodes, so the view's welcome content offers the next step instead of an error.
 */
export class GpuTreeProvider implements vscode.TreeDataProvider<GpuNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private inventory: Inventory | undefined;
  /** Model servers by "hostId|pid" (from the Model services view), written beside their processes and GPUs. */
  private services = new Map<string, string>();

  update(inventory: Inventory | undefined): void {
    this.inventory = inventory;
    this.changed.fire();
  }

  setServices(services: Map<string, string>): void {
    const same = services.size === this.services.size && [...services].every(([k, v]) => this.services.get(k) === v);
    this.services = services;
    if (!same) this.changed.fire();
  }

  /** The node of a GPU, by host and UUID (or index when the source gives no UUID). */
  findGpu(hostId: string, uuid: string | undefined, index: number | undefined): GpuNode | undefined {
    const host = this.inventory?.hosts.find((h) => h.id === hostId);
    const gpu = host?.gpus.find(
      (g) => (uuid !== undefined && g.uuid === uuid) || (uuid === undefined && g.index === index),
    );
    return host && gpu ? { kind: 'gpu', host, gpu } : undefined;
  }

  /** Parents for reveal(): a GPU's host; hosts are roots. */
  getParent(node: GpuNode): GpuNode | undefined {
    return node.kind === 'gpu' || node.kind === 'process' ? { kind: 'host', host: node.host } : undefined;
  }

  private servicesOn(host: Host, gpu: Gpu): string[] {
    return gpu.processes.flatMap((p) => this.services.get(`${host.id}|${p.pid}`) ?? []);
  }

  getChildren(node?: GpuNode): GpuNode[] {
    if (!node) return visibleHosts(this.inventory).map((host) => ({ kind: 'host', host }));
    if (node.kind === 'host') return node.host.gpus.map((gpu) => ({ kind: 'gpu', host: node.host, gpu }));
    if (node.kind !== 'gpu') return [];
    return [
      ...node.gpu.processes.map((process): GpuNode => ({ kind: 'process', host: node.host, gpu: node.gpu, process })),
      ...node.gpu.migInstances.map((mig): GpuNode => ({ kind: 'mig', gpu: node.gpu, mig })),
      ...node.gpu.workloads.map((w): GpuNode => ({
        kind: 'workload',
        gpu: node.gpu,
        label: `${w.namespace}/${w.pod}${w.container ? ` (${w.container})` : ''}`,
      })),
    ];
  }

  getTreeItem(node: GpuNode): vscode.TreeItem {
    return safeItem(this.item(node));
  }

  private item(node: GpuNode): vscode.TreeItem {
    switch (node.kind) {
      case 'host':
        return hostItem(node.host);
      case 'gpu': {
        const item = gpuItem(node.host, node.gpu);
        const services = this.servicesOn(node.host, node.gpu);
        if (services.length > 0) {
          item.description = `${typeof item.description === 'string' ? item.description : ''} · ${services.join(', ')}`;
          item.tooltip = `${typeof item.tooltip === 'string' ? item.tooltip : ''}\nModel services: ${services.join(', ')}`;
        }
        return item;
      }
      case 'process': {
        const item = new vscode.TreeItem(`${node.process.pid} ${node.process.name}`);
        const memory =
          node.process.usedMemoryMiB === undefined ? 'memory not reported' : `${node.process.usedMemoryMiB} MiB`;
        const service = this.services.get(`${node.host.id}|${node.process.pid}`);
        item.description = service ? `${memory} · ${service}` : memory;
        item.iconPath = new vscode.ThemeIcon('pulse');
        item.contextValue =
          node.host.source === 'local' || node.host.source === 'ssh' ? `process.${node.host.source}` : 'process.remote';
        return item;
      }
      case 'mig': {
        const item = new vscode.TreeItem(`MIG ${node.mig.profile}`);
        item.description =
          node.mig.memoryTotalMiB === undefined
            ? (node.mig.uuid ?? '')
            : formatMemoryGiB(node.mig.memoryUsedMiB, node.mig.memoryTotalMiB);
        item.iconPath = new vscode.ThemeIcon('split-horizontal');
        return item;
      }
      case 'workload': {
        const item = new vscode.TreeItem(node.label);
        item.iconPath = new vscode.ThemeIcon('package');
        return item;
      }
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Names and reasons come from tools and servers: label and description on one line, no control characters. */
export function safeItem(item: vscode.TreeItem): vscode.TreeItem {
  if (typeof item.label === 'string') item.label = safeLine(item.label);
  if (typeof item.description === 'string') item.description = safeLine(item.description);
  if (typeof item.tooltip === 'string') item.tooltip = safeText(item.tooltip);
  return item;
}

function hostItem(host: Host): vscode.TreeItem {
  const item = new vscode.TreeItem(host.label, vscode.TreeItemCollapsibleState.Expanded);
  item.id = host.id;
  item.contextValue = `host.${host.source}`;
  if (host.status.kind !== 'ok') {
    item.description = `${host.status.kind}: ${host.status.reason}`;
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    item.tooltip = `${host.label} (${host.source})\n${host.status.kind}: ${host.status.reason}`;
    item.collapsibleState = vscode.TreeItemCollapsibleState.None;
    return item;
  }
  const summary = summarizeInventory({ hosts: [host], takenAt: '' });
  const parts = [`${summary.gpus} GPU${summary.gpus === 1 ? '' : 's'}`, `${summary.busy} busy`];
  if (host.gpus.some((g) => g.memoryFreeMiB !== undefined))
    parts.push(`${(summary.freeMiB / 1024).toFixed(0)} GiB free`);
  if (host.kubernetes) parts.push(`k8s ${host.kubernetes.allocatable}/${host.kubernetes.capacity} allocatable`);
  item.description = parts.join(' · ');
  item.iconPath = new vscode.ThemeIcon(
    host.source === 'local'
      ? 'vm'
      : host.source === 'ssh'
        ? 'remote'
        : host.source === 'kubernetes'
          ? 'server-environment'
          : 'graph',
  );
  item.tooltip = `${host.label} (${host.source})`;
  return item;
}

function gpuItem(host: Host, gpu: Gpu): vscode.TreeItem {
  const hasChildren = gpu.processes.length + gpu.migInstances.length + gpu.workloads.length > 0;
  const item = new vscode.TreeItem(
    `${gpu.index ?? '?'}: ${gpu.name}`,
    hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
  );
  item.id = `${host.id}/${gpu.uuid ?? gpu.index}`;
  item.iconPath = new vscode.ThemeIcon('circuit-board');
  const utilization = gpu.utilizationPercent === undefined ? 'util ?' : `${gpu.utilizationPercent}%`;
  const bar = memoryBar(gpu.memoryUsedMiB, gpu.memoryTotalMiB);
  item.description = `${bar ? `${bar} ` : ''}${formatMemoryGiB(gpu.memoryUsedMiB, gpu.memoryTotalMiB)} · ${utilization}`;
  const rows: [string, string | number | undefined][] = [
    ['Host', `${host.label} (${host.source})`],
    ['UUID', gpu.uuid],
    ['PCI bus', gpu.pciBusId],
    [
      'Memory used / total (MiB)',
      gpu.memoryTotalMiB === undefined && gpu.memoryUsedMiB === undefined
        ? undefined
        : `${gpu.memoryUsedMiB ?? '?'} / ${gpu.memoryTotalMiB ?? '?'}`,
    ],
    ['Memory free (MiB)', gpu.memoryFreeMiB],
    ['Utilization (%)', gpu.utilizationPercent],
    ['Temperature (°C)', gpu.temperatureC],
    [
      'Power draw / limit (W)',
      gpu.powerDrawW === undefined && gpu.powerLimitW === undefined
        ? undefined
        : `${gpu.powerDrawW ?? '?'} / ${gpu.powerLimitW ?? '?'}`,
    ],
    [
      'SM / memory clock (MHz)',
      gpu.smClockMHz === undefined ? undefined : `${gpu.smClockMHz} / ${gpu.memoryClockMHz ?? '?'}`,
    ],
    [
      'MIG',
      gpu.migMode === undefined
        ? undefined
        : `${gpu.migMode}${gpu.migInstances.length ? `, ${gpu.migInstances.map((m) => m.profile).join(', ')}` : ''}`,
    ],
    ['Driver', gpu.driverVersion],
    ['CUDA', gpu.cudaVersion],
    ['Processes', gpu.processes.length || undefined],
  ];
  item.tooltip = [gpu.name, ...rows.map(([label, value]) => `${label}: ${value ?? 'not reported'}`)].join('\n');
  return item;
}
