import * as vscode from 'vscode';
import { formatMemoryGiB, type NvidiaGpu } from '../../core/gpu/nvidiaSmiCsv.ts';
import type { LocalGpuQuery } from '../../node/nvidiaSmi.ts';

type Node = { kind: 'host'; label: string; query: LocalGpuQuery } | { kind: 'gpu'; gpu: NvidiaGpu } | { kind: 'message'; text: string };

/**
 * The "GPUs" view. With no GPU it returns no nodes, so the view's welcome content explains
 * what was looked for and offers the next step, instead of an error.
 */
export class GpuTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private local: LocalGpuQuery | undefined;

  constructor(private readonly query: () => Promise<LocalGpuQuery | undefined>) {}

  async refresh(): Promise<LocalGpuQuery | undefined> {
    this.local = await this.query();
    this.changed.fire();
    return this.local;
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      if (!this.local || this.local.kind === 'noNvidiaSmi') return [];
      if (this.local.kind === 'gpus' && this.local.gpus.length === 0) return [];
      return [{ kind: 'host', label: 'This machine', query: this.local }];
    }
    if (node.kind !== 'host') return [];
    if (node.query.kind === 'gpus') return node.query.gpus.map((gpu) => ({ kind: 'gpu', gpu }));
    if (node.query.kind === 'failed') return [{ kind: 'message', text: node.query.message }];
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'host': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('vm');
        if (node.query.kind === 'gpus') item.description = `${node.query.gpus.length} GPU${node.query.gpus.length === 1 ? '' : 's'}`;
        if (node.query.kind === 'failed') item.description = 'nvidia-smi failed';
        return item;
      }
      case 'gpu':
        return gpuItem(node.gpu);
      case 'message': {
        const item = new vscode.TreeItem(node.text);
        item.iconPath = new vscode.ThemeIcon('warning');
        return item;
      }
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function gpuItem(gpu: NvidiaGpu): vscode.TreeItem {
  const item = new vscode.TreeItem(`${gpu.index}: ${gpu.name}`);
  item.id = gpu.uuid;
  item.iconPath = new vscode.ThemeIcon('circuit-board');
  const utilization = gpu.utilizationPercent === undefined ? 'util ?' : `${gpu.utilizationPercent}%`;
  item.description = `${formatMemoryGiB(gpu.memoryUsedMiB, gpu.memoryTotalMiB)} · ${utilization}`;
  const tooltip = new vscode.MarkdownString();
  tooltip.appendText(`${gpu.name}\n`);
  const rows: [string, string | number | undefined][] = [
    ['UUID', gpu.uuid],
    ['PCI bus', gpu.pciBusId],
    ['Memory used / total (MiB)', `${gpu.memoryUsedMiB ?? '?'} / ${gpu.memoryTotalMiB ?? '?'}`],
    ['Memory free (MiB)', gpu.memoryFreeMiB],
    ['Utilization (%)', gpu.utilizationPercent],
    ['Temperature (°C)', gpu.temperatureC],
    ['Power draw / limit (W)', `${gpu.powerDrawW ?? '?'} / ${gpu.powerLimitW ?? '?'}`],
    ['Driver', gpu.driverVersion],
  ];
  for (const [label, value] of rows) tooltip.appendText(`\n${label}: ${value ?? 'not reported'}`);
  item.tooltip = tooltip;
  return item;
}
