/**
 * Run… / Stop… / Logs for model services. Run… starts a serving command written in a file as a VS
 * Code task (a ProcessExecution: an argv, never a shell line) on this machine or an SSH host from
 * the settings, after showing its memory estimate and which GPUs are free. Stop… asks first and
 * re-reads the PID's command line before SIGTERM; a pod is only ever deleted when the user picks
 * "Delete Pod". Logs: the task's terminal, or `kubectl logs -f` for a pod.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../constants.ts';
import type { Runnable, RunnableCommand, RunnableComposeService } from '../../core/services/runCommand.ts';
import { safeLine } from '../../core/text/safeText.ts';
import { resolveExecutable } from '../../node/executables.ts';
import { setting } from '../config/settings.ts';
import type { InventoryController } from '../gpus/inventoryController.ts';
import { loadLinter } from '../lint/lintEngine.ts';
import { logError } from '../log/logError.ts';
import { ENGINE_LABEL } from './serviceRows.ts';
import type { ServiceNode } from './servicesTreeProvider.ts';

/** The task type Run… creates (contributed in package.json so VS Code knows its properties). */
export const SERVICE_TASK_TYPE = 'gpuWorkbench.service';

/** A task Run… started: where, and the port its engine serves on (to find its terminal for Logs). */
interface StartedTask {
  name: string;
  host: string | undefined;
  port: number;
  execution: vscode.TaskExecution;
}

const SERVING_LANGUAGES = ['shellscript', 'markdown', 'yaml', 'dockercompose'];

async function runnablesOf(document: vscode.TextDocument): Promise<Runnable[]> {
  const { runnableCommands } = await import('../../core/services/runCommand.ts');
  return runnableCommands(document.fileName, document.getText());
}

class RunCodeLensProvider implements vscode.CodeLensProvider {
  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!vscode.workspace.isTrusted || document.getText().length > 2 * 1024 * 1024) return [];
    const found = await runnablesOf(document);
    return found.slice(0, 100).map((r) => {
      const range = document.lineAt(document.positionAt(r.span.start).line).range;
      return new vscode.CodeLens(range, {
        title: r.kind === 'refused' ? '$(circle-slash) Run… (cannot run as written)' : '$(play) Run…',
        tooltip: r.kind === 'refused' ? safeLine(r.reason) : 'Start this model server as a task',
        command: Commands.runService,
        arguments: [document.uri, r.span.start],
      });
    });
  }
}

interface Target {
  label: string;
  /** undefined: this machine. */
  sshHost: string | undefined;
}

async function pickTarget(
  runnable: RunnableCommand | RunnableComposeService,
  controller: InventoryController,
  estimate: { gpus: number; perGpuGiB?: number; summary: string },
): Promise<Target | undefined> {
  const { describeFreeGpus } = await import('../../core/services/serviceTargets.ts');
  const inventory = controller.inventory ?? (await controller.refresh());
  const hosts = inventory?.hosts ?? [];
  const line = (id: string) => {
    const host = hosts.find((h) => h.id === id);
    return host ? describeFreeGpus(host, estimate.perGpuGiB, estimate.gpus) : 'GPUs not polled';
  };
  const items: (vscode.QuickPickItem & { target: Target })[] = [
    { label: '$(vm) This machine', detail: line('local'), target: { label: 'this machine', sshHost: undefined } },
  ];
  // A compose file is on this machine only; an SSH host would need its own copy.
  if (runnable.kind === 'command')
    for (const host of setting('sshHosts'))
      items.push({ label: `$(remote) ${host}`, detail: line(`ssh:${host}`), target: { label: host, sshHost: host } });
  const picked = await vscode.window.showQuickPick(items, {
    title: `Run ${ENGINE_LABEL[runnable.engine]} ${safeLine(runnable.model ?? '')}: ${safeLine(estimate.summary)}`,
    placeHolder: 'Where to start it (free GPUs as the GPUs view last saw them)',
    matchOnDetail: true,
  });
  return picked?.target;
}

function taskFor(
  runnable: RunnableCommand | RunnableComposeService,
  target: Target,
  document: vscode.TextDocument,
  ssh: ReturnType<InventoryController['sshOptions']>,
  sshRunArgs: typeof import('../../node/remoteServices.ts').sshRunArgs,
): vscode.Task | string {
  const cwd = path.dirname(document.fileName);
  const where = target.sshHost ?? 'local';
  const name = `${ENGINE_LABEL[runnable.engine]} ${runnable.kind === 'compose' ? runnable.service : (runnable.model ?? '')} (${where})`;
  const definition = { type: SERVICE_TASK_TYPE, engine: runnable.engine, port: runnable.port, host: where };
  let execution: vscode.ProcessExecution;
  if (runnable.kind === 'compose') {
    const docker = resolveExecutable('docker', undefined);
    if (!docker) return 'docker is not on PATH';
    execution = new vscode.ProcessExecution(docker, ['compose', '--file', document.fileName, 'up', runnable.service], {
      cwd,
    });
  } else if (target.sshHost) {
    if (!ssh) return 'no ssh executable was found';
    const args = sshRunArgs(target.sshHost, ssh, runnable.env, runnable.argv);
    if (!args.ok) return args.reason;
    execution = new vscode.ProcessExecution(ssh.sshPath, args.args);
  } else {
    execution = new vscode.ProcessExecution(runnable.argv[0]!, runnable.argv.slice(1), {
      cwd,
      env: Object.fromEntries(runnable.env),
    });
  }
  const folder = vscode.workspace.getWorkspaceFolder(document.uri) ?? vscode.TaskScope.Workspace;
  const task = new vscode.Task(definition, folder, safeLine(name).slice(0, 120), 'GPU Workbench', execution);
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated };
  task.isBackground = true;
  return task;
}

async function runService(
  controller: InventoryController,
  started: StartedTask[],
  uri?: vscode.Uri,
  offset?: number,
): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showInformationMessage('Run… starts programs: it is off in Restricted Mode.');
    return;
  }
  const editor = vscode.window.activeTextEditor;
  const document = uri ? await vscode.workspace.openTextDocument(uri) : editor?.document;
  if (!document) {
    void vscode.window.showInformationMessage('Open a script, Markdown or compose file with a serving command.');
    return;
  }
  const at = offset ?? (editor ? document.offsetAt(editor.selection.active) : 0);
  const { runnableAt, runEstimate } = await import('../../core/services/runCommand.ts');
  const runnable = runnableAt(await runnablesOf(document), document.getText(), at);
  if (!runnable) {
    void vscode.window.showInformationMessage(
      'No vllm serve, sglang.launch_server or text-generation-launcher command (or compose service) here.',
    );
    return;
  }
  if (runnable.kind === 'refused') {
    void vscode.window.showErrorMessage(`Cannot run this line as written: ${safeLine(runnable.reason)}.`);
    return;
  }
  const { catalogs } = await loadLinter();
  const defaultGpu = setting('defaultGpu');
  const estimate = runEstimate(runnable.unit, {
    findModel: (id) => catalogs.models.findModel(id)?.architecture,
    defaultGpu: defaultGpu ? catalogs.gpus.findGpu(defaultGpu) : undefined,
    vllmVersion: setting('vllmVersion'),
  });
  const target = await pickTarget(runnable, controller, estimate);
  if (!target) return;
  const { sshRunArgs } = await import('../../node/remoteServices.ts');
  const task = taskFor(runnable, target, document, controller.sshOptions(), sshRunArgs);
  if (typeof task === 'string') {
    void vscode.window.showErrorMessage(`Not started: ${task}.`);
    return;
  }
  const execution = await vscode.tasks.executeTask(task);
  started.push({ name: task.name, host: target.sshHost, port: runnable.port, execution });
}

type ServiceRow = Extract<ServiceNode, { kind: 'service' | 'pod' }>;

function kubeOptions() {
  return {
    kubectlPath: setting('kubectlPath'),
    kubeconfig: setting('kubeconfig'),
    context: setting('kubeContext'),
    timeoutMs: setting('commandTimeoutSeconds') * 1000,
  };
}

async function stopService(
  controller: InventoryController,
  log: vscode.LogOutputChannel,
  node: ServiceRow | undefined,
): Promise<void> {
  if (!node) return;
  if (node.kind === 'pod') {
    const { namespace, pod } = node.pod;
    const answer = await vscode.window.showWarningMessage(
      `Delete pod ${safeLine(namespace)}/${safeLine(pod)}?`,
      {
        modal: true,
        detail: `Runs kubectl delete pod -n ${safeLine(namespace)} ${safeLine(pod)}. Its Deployment or StatefulSet, if any, starts a new pod.`,
      },
      'Delete Pod',
    );
    if (answer !== 'Delete Pod') return;
    const { deletePod } = await import('../../node/kubectl.ts');
    const problem = await deletePod(namespace, pod, kubeOptions());
    report(log, `Delete pod ${namespace}/${pod}`, problem);
    return;
  }
  const { service } = node.service;
  const host = 'host' in service && typeof service.host === 'string' ? service.host : undefined;
  const where = host ?? 'this machine';
  const answer = await vscode.window.showWarningMessage(
    `Stop ${ENGINE_LABEL[service.engine]} ${safeLine(service.snapshot?.model ?? service.model ?? '')} (pid ${service.pid}) on ${safeLine(where)}?`,
    {
      modal: true,
      detail: `SIGTERM to process ${service.pid}, once its command line is read again and still is this server on port ${service.port}.`,
    },
    'Stop Server',
  );
  if (answer !== 'Stop Server') return;
  const expected = { engine: service.engine, port: service.port, ...(service.model ? { model: service.model } : {}) };
  let problem: string | undefined;
  if (host) {
    const ssh = controller.sshOptions();
    const { stopRemoteService } = await import('../../node/remoteServices.ts');
    problem = ssh ? await stopRemoteService(host, service.pid, expected, ssh) : 'no ssh executable was found';
  } else {
    const { stopLocalService } = await import('../../node/localServices.ts');
    problem = await stopLocalService(service.pid, expected);
  }
  report(log, `Stop pid ${service.pid} on ${where}`, problem);
  await controller.refresh();
}

function report(log: vscode.LogOutputChannel, what: string, problem: string | undefined): void {
  if (problem) {
    log.warn(`${what}: ${safeLine(problem)}`);
    void vscode.window.showErrorMessage(`${what}: ${safeLine(problem)}.`);
  } else log.info(`${what}: done`);
}

async function showLogs(started: readonly StartedTask[], node: ServiceRow | undefined): Promise<void> {
  if (!node) return;
  if (node.kind === 'pod') {
    const { namespace, pod } = node.pod;
    const options = kubeOptions();
    const kubectl = resolveExecutable('kubectl', options.kubectlPath);
    if (!kubectl) {
      void vscode.window.showErrorMessage('Logs: kubectl is not on PATH (or gpuWorkbench.kubectlPath is not usable).');
      return;
    }
    const { kubectlPodArgs } = await import('../../node/kubectl.ts');
    const args = kubectlPodArgs('logs', namespace, pod, options);
    if (typeof args === 'string') {
      void vscode.window.showErrorMessage(`Logs: ${safeLine(args)}.`);
      return;
    }
    // kubectl itself is the terminal's process: its argv, no shell in between.
    vscode.window
      .createTerminal({ name: safeLine(`logs ${namespace}/${pod}`).slice(0, 80), shellPath: kubectl, shellArgs: args })
      .show();
    return;
  }
  const { service } = node.service;
  const host = 'host' in service && typeof service.host === 'string' ? service.host : undefined;
  const task = started.find((s) => s.host === host && s.port === service.port);
  const terminal = task && vscode.window.terminals.find((t) => t.name === task.name || t.name.endsWith(task.name));
  if (terminal) {
    terminal.show();
    return;
  }
  void vscode.window.showInformationMessage(
    `This server (pid ${service.pid}) was not started with Run… in this window: its output is where it was started.`,
  );
}

export function registerRunCommands(controller: InventoryController, log: vscode.LogOutputChannel): vscode.Disposable {
  const started: StartedTask[] = [];
  const guarded =
    <A extends unknown[]>(what: string, fn: (...args: A) => Promise<void> | void) =>
    async (...args: A) => {
      try {
        await fn(...args);
      } catch (error) {
        logError(log, what, error);
        void vscode.window.showErrorMessage(`${what} failed; see the GPU Workbench log.`);
      }
    };
  return vscode.Disposable.from(
    vscode.languages.registerCodeLensProvider(
      SERVING_LANGUAGES.map((language) => ({ language, scheme: 'file' })),
      new RunCodeLensProvider(),
    ),
    vscode.commands.registerCommand(
      Commands.runService,
      guarded('Run', (uri?: vscode.Uri, offset?: number) =>
        runService(controller, started, uri instanceof vscode.Uri ? uri : undefined, offset),
      ),
    ),
    vscode.commands.registerCommand(
      Commands.stopService,
      guarded('Stop', (node?: ServiceRow) => stopService(controller, log, node)),
    ),
    vscode.commands.registerCommand(
      Commands.showServiceLogs,
      guarded('Logs', (node?: ServiceRow) => showLogs(started, node)),
    ),
    vscode.tasks.onDidEndTask((e) => {
      const i = started.findIndex((s) => s.execution === e.execution);
      if (i >= 0) started.splice(i, 1);
    }),
  );
}
