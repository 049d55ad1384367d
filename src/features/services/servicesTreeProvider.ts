/**
 * The "Model services" view: serving engines among this machine's GPU processes (vLLM, SGLang, TGI
 * by command line), each with the GPUs it holds and live figures from its own /metrics; then the
 * engines in Kubernetes pods that the configured Prometheus scrapes.
 */
import * as vscode from 'vscode';
import { safeItem } from '../gpus/gpuTreeProvider.ts';
import { Commands } from '../../constants.ts';
import type { PodService } from '../../node/podServices.ts';
import { ENGINE_LABEL, figures, podFigures, type Figure, type ShownPod, type ShownService } from './serviceRows.ts';

export type ServiceNode =
  | { kind: 'service'; service: ShownService }
  | { kind: 'pod'; pod: PodService; shown: ShownPod }
  | ({ kind: 'figure' } & Figure);

export class ServicesTreeProvider implements vscode.TreeDataProvider<ServiceNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private services: ShownService[] = [];
  private pods: ShownPod[] = [];

  update(services: ShownService[], pods: ShownPod[] = this.pods): void {
    this.services = services;
    this.pods = pods;
    this.changed.fire();
  }

  getChildren(node?: ServiceNode): ServiceNode[] {
    if (!node)
      return [
        ...this.services.map((service): ServiceNode => ({ kind: 'service', service })),
        ...this.pods.map((shown): ServiceNode => ({ kind: 'pod', pod: shown.pod, shown })),
      ];
    if (node.kind === 'service') return figures(node.service).map((f) => ({ kind: 'figure', ...f }));
    if (node.kind === 'pod')
      return podFigures(node.pod, node.shown.gpus, node.shown.cost).map((f) => ({ kind: 'figure', ...f }));
    return [];
  }

  getTreeItem(node: ServiceNode): vscode.TreeItem {
    // Models, pods and figures come from servers: one sanitizer for every label, as the GPU tree does.
    return safeItem(this.item(node));
  }

  private item(node: ServiceNode): vscode.TreeItem {
    if (node.kind === 'figure') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.description = node.description;
      if (node.gpu) {
        // A click reveals the GPU in the GPUs view.
        const { hostId, uuid, index } = node.gpu;
        item.iconPath = new vscode.ThemeIcon('circuit-board');
        item.tooltip = `${node.gpu.name} on ${node.gpu.host}${uuid ? `\n${uuid}` : ''}\nClick to show it in the GPUs view`;
        item.command = {
          command: Commands.revealServiceGpu,
          title: 'Show in GPUs view',
          arguments: [{ hostId, uuid, index }],
        };
        item.contextValue = 'serviceGpu';
      }
      return item;
    }
    if (node.kind === 'pod') {
      const { pod } = node;
      const item = new vscode.TreeItem((pod.model ?? pod.pod).slice(0, 200), vscode.TreeItemCollapsibleState.Collapsed);
      item.description = `${pod.engine ? ENGINE_LABEL[pod.engine] : 'engine'} · pod ${pod.namespace}/${pod.pod}`;
      item.iconPath = new vscode.ThemeIcon('cloud');
      item.contextValue = 'modelServicePod';
      return item;
    }
    const { service } = node.service;
    const model = (service.snapshot?.model ?? service.model ?? 'unknown model').slice(0, 200);
    const item = new vscode.TreeItem(model, vscode.TreeItemCollapsibleState.Expanded);
    const where = service.host === undefined ? '' : ` · ${service.host}`;
    item.description = `${ENGINE_LABEL[service.engine]} · pid ${service.pid} · :${service.port}${where}`;
    item.iconPath = new vscode.ThemeIcon(service.snapshot ? 'server-process' : 'warning');
    item.contextValue = 'modelService';
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
