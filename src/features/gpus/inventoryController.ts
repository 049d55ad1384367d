import * as path from 'node:path';
import * as vscode from 'vscode';
import { Secrets } from '../../constants.ts';
import type { Inventory } from '../../core/gpu/inventory.ts';
import { collectInventory, type InventoryConfig } from '../../node/collectInventory.ts';
import { resolveExecutable } from '../../node/executables.ts';
import { timerMs } from '../../node/runFile.ts';
import type { SshOptions } from '../../node/sshGpus.ts';
import { setting } from '../config/settings.ts';

/**
 * Owns the latest inventory and the polling: one poll in flight at a time (a refresh asked for
 * meanwhile joins it), and periodic polls only while someone can see the result.
 */
export class InventoryController implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Inventory | undefined>();
  readonly onDidChange = this.changed.event;
  private latest: Inventory | undefined;
  private inFlight: Promise<Inventory | undefined> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly watchers = new Set<string>();

  constructor(
    private readonly extensionPath: string,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get inventory(): Inventory | undefined {
    return this.latest;
  }

  /** Polls now (or joins the poll under way). Nothing runs in Restricted Mode. */
  refresh(): Promise<Inventory | undefined> {
    this.inFlight ??= this.poll().finally(() => {
      this.inFlight = undefined;
      this.schedule();
    });
    return this.inFlight;
  }

  /** Something that shows the inventory (the views, the status bar) became visible or hidden. */
  setWatching(watcher: 'view' | 'statusBar' | 'services', visible: boolean): void {
    if (visible) this.watchers.add(watcher);
    else this.watchers.delete(watcher);
    if (visible && !this.latest && !this.inFlight) void this.refresh();
    else this.schedule();
  }

  /** What a poll looks at, for a view that found no GPU: which tools and sources were tried. */
  lookedFor(): string {
    const tool = (name: string, configured: string | undefined) =>
      resolveExecutable(name, configured) ? `${name} found` : `${name} not on PATH`;
    const hosts = setting('sshHosts').length;
    return [
      `Looked for: ${tool('nvidia-smi', setting('nvidiaSmiPath'))}, ${tool('rocm-smi', setting('rocmSmiPath'))}`,
      `other GPUs through the system's graphics adapters`,
      hosts > 0 ? `${hosts} SSH host${hosts === 1 ? '' : 's'}` : 'no SSH host',
      setting('prometheusUrl') ? 'Prometheus' : 'no Prometheus URL',
      setting('kubernetesEnabled') ? 'Kubernetes nodes' : 'Kubernetes off',
    ].join(', ');
  }

  sshOptions(): SshOptions | undefined {
    const sshPath = resolveExecutable('ssh', setting('sshPath'));
    if (!sshPath) return undefined;
    return {
      sshPath,
      configFile: setting('sshConfigFile'),
      connectTimeoutSeconds: setting('sshConnectTimeoutSeconds'),
      commandTimeoutSeconds: setting('commandTimeoutSeconds'),
      concurrency: Math.round(setting('sshConcurrency')),
    };
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.changed.dispose();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const seconds = setting('refreshIntervalSeconds');
    if (this.watchers.size === 0 || seconds === 0 || this.inFlight) return;
    // A settings.json value past the manifest's range must not wrap the timer round to a hot loop.
    this.timer = setTimeout(() => void this.refresh(), timerMs(Math.max(1, seconds) * 1000));
  }

  private unreachableSshHosts(): Set<string> {
    return new Set(
      (this.latest?.hosts ?? [])
        .filter((h) => h.source === 'ssh' && h.status.kind === 'unreachable')
        .map((h) => h.label),
    );
  }

  private async config(): Promise<InventoryConfig> {
    const timeoutMs = setting('commandTimeoutSeconds') * 1000;
    const ssh = this.sshOptions();
    const hosts = setting('sshHosts');
    if (hosts.length > 0 && !ssh) this.log.warn('SSH hosts are configured but no ssh executable was found');
    const prometheusUrl = setting('prometheusUrl');
    return {
      local: {
        nvidiaSmiPath: setting('nvidiaSmiPath'),
        rocmSmiPath: setting('rocmSmiPath'),
        timeoutMs,
        sysinfoWorkerPath: path.join(this.extensionPath, 'dist', 'sysinfo-worker.js'),
      },
      ssh: ssh && hosts.length > 0 ? { ...ssh, hosts, slowFirst: this.unreachableSshHosts() } : undefined,
      prometheus: prometheusUrl
        ? { url: prometheusUrl, timeoutMs, token: await this.secrets.get(Secrets.prometheusToken) }
        : undefined,
      kubernetes: setting('kubernetesEnabled')
        ? {
            kubectlPath: setting('kubectlPath'),
            kubeconfig: setting('kubeconfig'),
            context: setting('kubeContext'),
            timeoutMs,
          }
        : undefined,
    };
  }

  private async poll(): Promise<Inventory | undefined> {
    // Restricted Mode: every source runs an executable or contacts an endpoint.
    if (!vscode.workspace.isTrusted) {
      this.latest = undefined;
      this.changed.fire(undefined);
      return undefined;
    }
    const started = Date.now();
    const inventory = await collectInventory(await this.config());
    for (const host of inventory.hosts) {
      if (host.status.kind !== 'ok') this.log.warn(`${host.label}: ${host.status.kind}: ${host.status.reason}`);
    }
    // Every poll (each 15 s while the view is open) would fill the log at info level.
    this.log.debug(
      `Inventory: ${inventory.hosts.length} host(s), ${inventory.hosts.reduce((n, h) => n + h.gpus.length, 0)} GPU(s) in ${Date.now() - started} ms`,
    );
    this.latest = inventory;
    this.changed.fire(inventory);
    return inventory;
  }
}
