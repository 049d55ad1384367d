import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { Commands, Secrets } from '../../constants.ts';
import { parseSshConfigHosts, validateSshDestination } from '../../core/gpu/sshHosts.ts';
import { checkPrometheusUrl } from '../../node/prometheus.ts';
import { stopRemoteProcess } from '../../node/sshGpus.ts';
import { setting, updateUserSetting } from '../config/settings.ts';
import type { GpuNode } from './gpuTreeProvider.ts';
import type { InventoryController } from './inventoryController.ts';

/** Machine settings are written to the user's (or remote machine's) settings, never a workspace. */
async function sshConfigHosts(): Promise<string[]> {
  const file = setting('sshConfigFile') ?? join(homedir(), '.ssh', 'config');
  try {
    return parseSshConfigHosts(await readFile(file, 'utf8'));
  } catch {
    return [];
  }
}

async function addSshHost(controller: InventoryController): Promise<void> {
  const existing = setting('sshHosts');
  const fromConfig = (await sshConfigHosts()).filter((h) => !existing.includes(h));
  const pick = vscode.window.createQuickPick();
  pick.title = 'Add SSH Host';
  pick.placeholder = 'Pick a host from your ssh config, or type user@host';
  pick.items = fromConfig.map((label) => ({ label, description: 'from ssh config' }));
  const chosen = await new Promise<string | undefined>((resolve) => {
    pick.onDidChangeValue((value) => {
      const check = validateSshDestination(value);
      pick.items = [
        ...(value.trim() && !fromConfig.includes(value.trim())
          ? [{ label: value.trim(), description: check.ok ? 'typed host' : `not a valid host: ${check.reason}` }]
          : []),
        ...fromConfig.map((label) => ({ label, description: 'from ssh config' })),
      ];
    });
    pick.onDidAccept(() => resolve(pick.selectedItems[0]?.label ?? pick.value));
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  pick.dispose();
  if (!chosen) return;
  const check = validateSshDestination(chosen);
  if (!check.ok) {
    void vscode.window.showErrorMessage(`Not added: ${check.reason}.`);
    return;
  }
  if (!existing.includes(check.host)) await updateUserSetting('sshHosts', [...existing, check.host]);
  await controller.refresh();
}

async function removeSshHost(controller: InventoryController, node: GpuNode | undefined): Promise<void> {
  if (node?.kind !== 'host' || node.host.source !== 'ssh') return;
  const remaining = setting('sshHosts').filter((h) => h !== node.host.label);
  await updateUserSetting('sshHosts', remaining);
  await controller.refresh();
}

async function setPrometheusUrl(controller: InventoryController): Promise<void> {
  const url = await vscode.window.showInputBox({
    title: 'Prometheus URL',
    prompt: 'Base URL of a Prometheus that scrapes the DCGM exporter (empty to remove)',
    value: setting('prometheusUrl') ?? '',
    placeHolder: 'http://prometheus.monitoring:9090',
    validateInput: (value) =>
      value.trim() === ''
        ? undefined
        : checkPrometheusUrl(value).ok
          ? undefined
          : (checkPrometheusUrl(value) as { reason: string }).reason,
  });
  if (url === undefined) return;
  await updateUserSetting('prometheusUrl', url.trim() || undefined);
  await controller.refresh();
}

async function setPrometheusToken(secrets: vscode.SecretStorage, controller: InventoryController): Promise<void> {
  const token = await vscode.window.showInputBox({
    title: 'Prometheus bearer token',
    prompt: 'Kept in VS Code secret storage and sent only to the Prometheus URL in your settings (empty to remove)',
    password: true,
    ignoreFocusOut: true,
  });
  if (token === undefined) return;
  if (token.trim() === '') await secrets.delete(Secrets.prometheusToken);
  else await secrets.store(Secrets.prometheusToken, token.trim());
  await controller.refresh();
}

async function copyInventoryJson(controller: InventoryController, node: GpuNode | undefined): Promise<void> {
  const inventory = controller.inventory ?? (await controller.refresh());
  if (!inventory) {
    void vscode.window.showInformationMessage('No GPU inventory to copy (nothing runs in Restricted Mode).');
    return;
  }
  const value = node?.kind === 'host' ? node.host : inventory;
  await vscode.env.clipboard.writeText(JSON.stringify(value, null, 2));
  void vscode.window.setStatusBarMessage('GPU inventory copied as JSON', 3000);
}

async function stopProcess(
  controller: InventoryController,
  log: vscode.LogOutputChannel,
  node: GpuNode | undefined,
): Promise<void> {
  if (node?.kind !== 'process' || (node.host.source !== 'local' && node.host.source !== 'ssh')) return;
  const { pid, name } = node.process;
  const where = node.host.source === 'local' ? 'this machine' : node.host.label;
  const answer = await vscode.window.showWarningMessage(
    `Stop process ${pid} (${name}) on ${where}?`,
    {
      modal: true,
      detail: `It is sent SIGTERM and frees ${node.process.usedMemoryMiB ?? 'its'} MiB on GPU ${node.gpu.index ?? '?'} when it exits.`,
    },
    'Stop Process',
  );
  if (answer !== 'Stop Process') return;
  let problem: string | undefined;
  if (node.host.source === 'local') {
    try {
      process.kill(pid, 'SIGTERM');
    } catch (error) {
      problem =
        (error as NodeJS.ErrnoException).code === 'EPERM'
          ? 'permission denied (the process belongs to another user)'
          : 'the process no longer exists';
    }
  } else {
    const ssh = controller.sshOptions();
    problem = ssh ? await stopRemoteProcess(node.host.label, pid, ssh) : 'no ssh executable was found';
  }
  if (problem) {
    log.warn(`Stop process ${pid} on ${where}: ${problem}`);
    void vscode.window.showErrorMessage(`Could not stop process ${pid} on ${where}: ${problem}.`);
  } else {
    log.info(`Sent SIGTERM to process ${pid} (${name}) on ${where}`);
  }
  await controller.refresh();
}

export function registerGpuCommands(
  controller: InventoryController,
  secrets: vscode.SecretStorage,
  log: vscode.LogOutputChannel,
): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(Commands.addSshHost, () => addSshHost(controller)),
    vscode.commands.registerCommand(Commands.removeSshHost, (node?: GpuNode) => removeSshHost(controller, node)),
    vscode.commands.registerCommand(Commands.setPrometheusUrl, () => setPrometheusUrl(controller)),
    vscode.commands.registerCommand(Commands.setPrometheusToken, () => setPrometheusToken(secrets, controller)),
    vscode.commands.registerCommand(Commands.copyInventoryJson, (node?: GpuNode) =>
      copyInventoryJson(controller, node),
    ),
    vscode.commands.registerCommand(Commands.stopProcess, (node?: GpuNode) => stopProcess(controller, log, node)),
  );
}
