import * as vscode from 'vscode';
import { Secrets } from '../../constants.ts';
import type { ModelArchitecture } from '../../core/catalog/architecture.ts';
import { findGpu, GPU_CATALOG, withPrices, type GpuSpec } from '../../core/catalog/gpus.ts';
import { MODEL_CATALOG } from '../../core/catalog/models.ts';
import { fitAdvice } from '../../core/sizing/advice.ts';
import { countParameters } from '../../core/sizing/parameters.ts';
import { estimateView, suggestionView } from '../workbench/views.ts';
import { estimateServingMemory, vllmDefaults, type ServingSettings } from '../../core/sizing/servingMemory.ts';
import { suggest } from '../../core/sizing/suggest.ts';
import { DEFAULT_WORKLOAD_TEXT, parseWorkload } from '../../core/sizing/workload.ts';
import { readCalibrationFile } from '../../node/calibrationFile.ts';
import { hubEndpoint, resolveModel, type ResolvedModel } from '../../node/modelSource.ts';
import { setting } from '../config/settings.ts';
import type { InventoryController } from '../gpus/inventoryController.ts';
import type { WorkbenchDeps } from '../workbench/deps.ts';
import { WorkbenchPanel } from '../workbench/workbenchPanel.ts';

/** A model id under the cursor: the selection, or `--model X`, `model: X`, `MODEL_ID=X` on the line. */
export function modelFromEditor(editor: vscode.TextEditor | undefined): string | undefined {
  if (!editor) return undefined;
  const selected = editor.document.getText(editor.selection).trim();
  if (selected && !/\s/.test(selected)) return selected.replace(/^["']|["']$/g, '');
  const line = editor.document.lineAt(editor.selection.active.line).text;
  const match = /(?:--model[= ]|\bmodel(?:_id)?\s*[:=]\s*|MODEL_ID=|vllm serve\s+)["']?([A-Za-z0-9_./-]+)/i.exec(line);
  return match?.[1];
}

async function pickModel(title = 'Estimate Model Memory (1/2): model'): Promise<string | undefined> {
  const fromEditor = modelFromEditor(vscode.window.activeTextEditor);
  type Item = vscode.QuickPickItem & { value: string };
  const items: Item[] = [
    ...(fromEditor ? [{ label: fromEditor, description: 'from the editor', value: fromEditor }] : []),
    ...MODEL_CATALOG.map((m) => {
      const params = countParameters(m.architecture).total / 1e9;
      return {
        label: m.id,
        description: `${params.toFixed(params < 10 ? 2 : 1)}B parameters · ${m.architecture.quantization?.format ?? m.architecture.dtype}`,
        value: m.id,
      };
    }),
    { label: '$(file) A config.json file…', value: '#file' },
    { label: '$(cloud) Another Hugging Face model (org/name)…', value: '#hub' },
  ];
  const picked = await new Promise<Item | undefined>((resolve) => {
    const pick = vscode.window.createQuickPick<Item>();
    Object.assign(pick, {
      title,
      placeholder: 'Type to filter, or type a Hub id (org/name)',
      matchOnDescription: true,
    });
    pick.items = items;
    // A typed org/name that is not in the list is a Hub id to fetch, not a dead end.
    pick.onDidChangeValue((value) => {
      const typed = value.trim();
      const known = items.some((i) => i.value === typed);
      pick.items =
        /^[\w.-]+\/[\w.-]+$/.test(typed) && !known
          ? [{ label: typed, description: 'Hugging Face model id, as typed', value: typed, alwaysShow: true }, ...items]
          : items;
    });
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
  if (!picked) return undefined;
  if (picked.value === '#file') {
    const file = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { 'Model config': ['json'] },
      title: 'A model config.json',
    });
    return file?.[0]?.fsPath;
  }
  if (picked.value === '#hub') {
    return vscode.window.showInputBox({
      ignoreFocusOut: true,
      title: 'Hugging Face model',
      placeHolder: 'org/name',
      validateInput: (v) => (/^[\w.-]+\/[\w.-]+$/.test(v.trim()) ? undefined : 'Write it as org/name'),
    });
  }
  return picked.value;
}

async function pickGpu(controller: InventoryController): Promise<GpuSpec | undefined> {
  const detected = new Map<string, string>();
  for (const host of controller.inventory?.hosts ?? []) {
    for (const gpu of host.gpus) {
      const spec = findGpu(gpu.name);
      if (spec && !detected.has(spec.id)) detected.set(spec.id, `on ${host.label}`);
    }
  }
  const ordered = [...GPU_CATALOG].sort((a, b) => Number(detected.has(b.id)) - Number(detected.has(a.id)));
  const picked = await vscode.window.showQuickPick(
    ordered.map((g) => ({
      label: g.id,
      description: g.name,
      detail: detected.get(g.id)
        ? `$(check) ${detected.get(g.id)}`
        : `${g.memoryBandwidthGBps} GB/s · $${g.pricePerHour}/h`,
      gpu: g,
    })),
    { title: 'Estimate Model Memory (2/2): GPU', matchOnDescription: true, ignoreFocusOut: true },
  );
  return picked?.gpu;
}

async function loadModel(ref: string, secrets: vscode.SecretStorage): Promise<ResolvedModel> {
  const trusted = vscode.workspace.isTrusted;
  return resolveModel(ref, {
    cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd(),
    // Restricted Mode fetches nothing: catalog, files and the local cache only.
    hubEndpoint: trusted ? hubEndpoint(process.env, setting('huggingFaceEndpoint')) : undefined,
    token: trusted ? await secrets.get(Secrets.huggingFaceToken) : undefined,
  });
}

export interface SizingDeps {
  workbench: WorkbenchDeps;
  controller: InventoryController;
  secrets: vscode.SecretStorage;
  log: vscode.LogOutputChannel;
}

/** "Estimate Model Memory…": optional arguments let other features (and tests) skip the pickers. */
export async function estimateModelMemory(deps: SizingDeps, modelArg?: unknown, gpuArg?: unknown): Promise<void> {
  const ref = typeof modelArg === 'string' ? modelArg : await pickModel();
  if (!ref) return;
  const gpu = typeof gpuArg === 'string' ? findGpu(gpuArg) : await pickGpu(deps.controller);
  if (!gpu) return;
  const model = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Reading ${ref}…` },
    () => loadModel(ref, deps.secrets),
  );
  if (!model.ok) {
    deps.log.warn(`Estimate Model Memory: ${model.message}`);
    void vscode.window.showErrorMessage(`Cannot estimate ${ref}: ${model.message}`);
    return;
  }
  const a = model.architecture;
  const fromCommand = await settingsUnderCursor(a, gpu);
  const estimate = estimateServingMemory(a, gpu, fromCommand ?? vllmDefaults(a, gpu, setting('vllmVersion')));
  deps.log.info(
    `Estimated ${a.id} (${model.source}: ${model.where}) on ${gpu.id}: KV cache ${(estimate.kvCacheBytes / 1024 ** 3).toFixed(2)} GiB, fits=${estimate.fits}`,
  );
  WorkbenchPanel.show(deps.workbench).showEstimate(estimateView(a, estimate, fitAdvice(a, gpu, estimate)));
}

/**
 * The serving settings of the command under the cursor (TP, PP, gpu_memory_utilization,
 * max_model_len, dtypes, engine), read the way the linter reads them, when that command serves this
 * model; otherwise undefined and the engine's defaults apply.
 */
export async function settingsUnderCursor(a: ModelArchitecture, gpu: GpuSpec): Promise<ServingSettings | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const [{ readServingUnits }, { sizeUnit }, { findModel }] = await Promise.all([
    import('../../core/lint/lint.ts'),
    import('../../core/lint/sizingLookup.ts'),
    import('../../core/catalog/models.ts'),
  ]);
  const offset = editor.document.offsetAt(editor.selection.active);
  const unit = readServingUnits(editor.document.uri.path, editor.document.getText()).units.find((u) =>
    [u.engine?.model?.span, u.engine?.span].some((s) => s && offset >= s.start && offset <= s.end),
  );
  if (!unit) return undefined;
  const sizing = sizeUnit(unit, {
    findModel: (id) => findModel(id)?.architecture,
    defaultGpu: gpu,
    vllmVersion: setting('vllmVersion'),
  });
  return sizing.ok && sizing.model.id === a.id ? sizing.settings : undefined;
}

/** The catalog with the user's prices from gpuWorkbench.gpuPricesPerHour. */
function pricedGpus(): GpuSpec[] {
  return withPrices(GPU_CATALOG, setting('gpuPricesPerHour'));
}

/** "Suggest Deployment…": model, target load, then the cheapest layout on every datacenter GPU type. */
export async function suggestDeployment(deps: SizingDeps, modelArg?: unknown, workloadArg?: unknown): Promise<void> {
  const ref = typeof modelArg === 'string' ? modelArg : await pickModel('Suggest Deployment (1/2): model');
  if (!ref) return;
  const text =
    typeof workloadArg === 'string'
      ? workloadArg
      : await vscode.window.showInputBox({
          ignoreFocusOut: true,
          title: 'Suggest Deployment (2/2): target load',
          prompt:
            'rps= or concurrency=, and optionally input=, output=, context= (tokens), ttft-ms=, tpot-ms= (latency targets)',
          value: DEFAULT_WORKLOAD_TEXT,
          validateInput: (value) => {
            const parsed = parseWorkload(value);
            return parsed.ok ? undefined : parsed.message;
          },
        });
  if (!text) return;
  const workload = parseWorkload(text);
  if (!workload.ok) {
    void vscode.window.showErrorMessage(`Suggest Deployment: ${workload.message}`);
    return;
  }
  const model = await loadModel(ref, deps.secrets);
  if (!model.ok) {
    void vscode.window.showErrorMessage(`Cannot size ${ref}: ${model.message}`);
    return;
  }
  // Throughput from the workspace's calibration where it has a fit (.gpu-workbench/calibration.json).
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const calibration = workspace ? await readCalibrationFile(workspace) : undefined;
  if (calibration?.warning) deps.log.warn(calibration.warning);
  const result = suggest(
    model.architecture,
    pricedGpus().filter((g) => g.datacenter),
    workload.value,
    { calibration: calibration?.file },
  );
  deps.log.info(
    `Suggested a deployment for ${model.architecture.id} (${text}): ${result.ok ? `${result.best.gpus} x ${result.best.gpu.id}` : 'nothing fits'}`,
  );
  WorkbenchPanel.show(deps.workbench).showSuggestion(suggestionView(model.architecture, text, result));
}

export async function setHuggingFaceToken(secrets: vscode.SecretStorage): Promise<void> {
  const token = await vscode.window.showInputBox({
    title: 'Hugging Face token',
    prompt:
      'For gated models. Kept in VS Code secret storage, sent only to the Hugging Face endpoint in your settings (empty to remove).',
    password: true,
    ignoreFocusOut: true,
  });
  if (token === undefined) return;
  if (token.trim() === '') await secrets.delete(Secrets.huggingFaceToken);
  else await secrets.store(Secrets.huggingFaceToken, token.trim());
}
