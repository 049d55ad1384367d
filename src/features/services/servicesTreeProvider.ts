/**
 * The "Model services" view: serving engines among this machine's GPU processes (vLLM, SGLang, TGI
 * by command line), each with the GPUs it holds and live figures from its own /metrics; then the
 * engines in Kubernetes pods that the configured Prometheus scrapes.
 */
import * as vscode from 'vscode';
import { safeItem } from '../gpus/gpuTreeProvider.ts';
import type { PodService } from '../../node/podServices.ts';
import { ENGINE_LABEL, figures, podFigures, type ShownService } from './serviceRows.ts';

export type ServiceNode =
  | { kind: 'service'; service: ShownService }
  | { kind: 'pod'; pod: PodService }
  | { kind: 'figure'; label: string; description: string };

export class ServicesTreeProvider implements vscode.TreeDataProvider<ServiceNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private services: ShownService[] = [];
  private pods: PodService[] = [];

  update(services: ShownService[], pods: PodService[] = this.pods): void {
    this.services = services;
    this.pods = pods;
    this.changed.fire();
  }

  getChildren(node?: ServiceNode): ServiceNode[] {
    if (!node)
      return [
        ...this.services.map((service): ServiceNode => ({ kind: 'service', service })),
        ...this.pods.map((pod): ServiceNode => ({ kind: 'pod', pod })),
      ];
    if (node.kind === 'service') return figures(node.service).map((f) => ({ kind: 'figure', ...f }));
    if (node.kind === 'pod') return podFigures(node.pod).map((f) => ({ kind: 'figure', ...f }));
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
    item.description = `${ENGINE_LABEL[service.engine]} · pid ${service.pid} · :${service.port}`;
    item.iconPath = new vscode.ThemeIcon(service.snapshot ? 'server-process' : 'warning');
    item.contextValue = 'modelService';
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
