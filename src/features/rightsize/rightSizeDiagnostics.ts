/**
 * Right-size diagnostics (rule gpu-right-size) on the manifests that declare a workload, from the
 * Prometheus of gpuWorkbench.prometheus.url. Prometheus is asked when a manifest opens or is saved,
 * and on "Right-Size from Prometheus"; an edit re-judges the cached observations without asking again.
 * Only in a trusted workspace: the queries go to a server named in user settings, with its token.
 */
import * as vscode from 'vscode';
import type { Finding } from '../../core/lint/types.ts';
import type { FleetCalibrationOutcome } from '../../node/fleetCalibration.ts';
import type { PrometheusClient } from '../../node/prometheusRange.ts';
import type { RightSizeRequest } from '../../node/rightsize.ts';
import { Secrets } from '../../constants.ts';
import { affects, setting } from '../config/settings.ts';
import { DocumentFindings } from '../lint/documentFindings.ts';
import { logError } from '../log/logError.ts';

const EDIT_DEBOUNCE_MS = 500;

type Modules = {
  node: typeof import('../../node/rightsize.ts');
  fleet: typeof import('../../node/fleetCalibration.ts');
  calibrationFile: typeof import('../../node/calibrationFile.ts');
  client: typeof import('../../node/prometheusRange.ts');
  queries: typeof import('../../core/rightsize/queries.ts');
  models: typeof import('../../core/catalog/models.ts');
  gpus: typeof import('../../core/catalog/gpus.ts');
};

let loaded: Promise<Modules> | undefined;
function load(): Promise<Modules> {
  loaded ??= Promise.all([
    import('../../node/rightsize.ts'),
    import('../../node/fleetCalibration.ts'),
    import('../../node/calibrationFile.ts'),
    import('../../node/prometheusRange.ts'),
    import('../../core/rightsize/queries.ts'),
    import('../../core/catalog/models.ts'),
    import('../../core/catalog/gpus.ts'),
  ]).then(([node, fleet, calibrationFile, client, queries, models, gpus]) => ({
    node,
    fleet,
    calibrationFile,
    client,
    queries,
    models,
    gpus,
  }));
  return loaded;
}

/** A YAML file on disk (by name, as the linter tells formats): untitled text has no workload to find in Prometheus. */
function isManifest(document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file' && /\.ya?ml$/i.test(document.uri.path);
}

export class RightSizeDiagnostics implements vscode.Disposable {
  private readonly findings: DocumentFindings;
  private readonly disposables: vscode.Disposable[] = [];
  private cache: InstanceType<Modules['node']['ObservationCache']> | undefined;
  private readonly analyzeNow = (document: vscode.TextDocument) => this.analyze(document);

  constructor(
    extensionUri: vscode.Uri,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.findings = new DocumentFindings('gpu-workbench-rightsize', extensionUri);
    this.disposables.push(
      this.findings,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidSaveTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, EDIT_DEBOUNCE_MS)),
      vscode.workspace.onDidCloseTextDocument((d) => this.findings.forget(d.uri)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.refreshAll()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, 'lint') || e.affectsConfiguration('gpuWorkbench.prometheus.url')) {
          this.cache?.clear();
          this.refreshAll();
        }
      }),
    );
    this.refreshAll();
  }

  findingsFor(document: vscode.TextDocument): Finding[] {
    return this.findings.findingsFor(document);
  }

  /** Asks Prometheus again for every open manifest (the command). Resolves to how many workloads were judged. */
  async refreshNow(): Promise<number> {
    this.cache?.clear();
    let count = 0;
    for (const document of vscode.workspace.textDocuments) count += await this.analyze(document);
    return count;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private refreshAll(): void {
    for (const document of vscode.workspace.textDocuments) this.schedule(document, 0);
  }

  private schedule(document: vscode.TextDocument, delayMs: number): void {
    if (isManifest(document)) this.findings.schedule(document, delayMs, this.analyzeNow);
  }

  /** The client and the request the settings describe, or undefined (logged) when they describe none. */
  private async request(url: string): Promise<
    | {
        m: Modules;
        client: PrometheusClient;
        request: RightSizeRequest;
      }
    | undefined
  > {
    const m = await load();
    const window = setting('rightSizeWindow') ?? '7d';
    const seconds = m.queries.windowSeconds(window);
    if (seconds === undefined) {
      this.log.warn(
        `gpuWorkbench.rightSize.window "${window.slice(0, 40)}" is not a duration such as 7d; right-sizing is off.`,
      );
      return undefined;
    }
    const timeoutMs = setting('commandTimeoutSeconds') * 1000;
    const client = m.client.prometheusClient(url, {
      timeoutMs,
      token: await this.secrets.get(Secrets.prometheusToken),
    });
    if (!client.ok) {
      this.log.warn(`Right-sizing: ${client.message}`);
      return undefined;
    }
    const defaultGpu = setting('defaultGpu');
    const tpot = setting('rightSizeTpotTargetMs');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const calibration = folder ? await m.calibrationFile.readCalibrationFile(folder) : undefined;
    if (calibration?.warning) this.log.warn(calibration.warning);
    return {
      m,
      client: client.value,
      request: {
        window,
        windowSeconds: seconds,
        endS: Math.floor(Date.now() / 1000),
        tpotTargetMs: tpot > 0 ? tpot : undefined,
        findModel: (id) => m.models.findModel(id)?.architecture,
        defaultGpu: defaultGpu ? m.gpus.findGpu(defaultGpu) : undefined,
        vllmVersion: setting('vllmVersion'),
        calibration: calibration?.file,
      },
    };
  }

  /**
   * "Calibrate from Prometheus": every open manifest's workloads, asked afresh, fitted into the
   * workspace's calibration.json. Undefined when the settings name no usable Prometheus.
   */
  async calibrate(workspace: string): Promise<{ outcome: FleetCalibrationOutcome; workloads: number } | undefined> {
    const url = setting('prometheusUrl');
    if (!url) return undefined;
    const asked = await this.request(url);
    if (!asked) return undefined;
    const files = vscode.workspace.textDocuments
      .filter((d) => !d.isClosed && isManifest(d))
      .map((d) => ({ path: d.uri.fsPath, text: d.getText() }));
    const results = await asked.m.node.rightSizeFiles(files, asked.client, { ...asked.request, calibrate: true });
    const outcome = await asked.m.fleet.calibrateFleet(
      workspace,
      results.flatMap((r) => r.calibrations),
      { prometheusUrl: url, window: asked.request.window, options: asked.request },
    );
    return { outcome, workloads: results.reduce((n, r) => n + r.workloads, 0) };
  }

  private async analyze(document: vscode.TextDocument): Promise<number> {
    if (document.isClosed || !isManifest(document)) return 0;
    const url = setting('prometheusUrl');
    if (!url || !setting('rightSizeEnabled') || !vscode.workspace.isTrusted) {
      this.findings.clear(document.uri);
      return 0;
    }
    const version = document.version;
    const text = document.getText();
    try {
      const asked = await this.request(url);
      if (!asked) return 0;
      this.cache ??= new asked.m.node.ObservationCache();
      const [result] = await asked.m.node.rightSizeFiles(
        [{ path: document.uri.fsPath, text }],
        asked.client,
        asked.request,
        this.cache,
      );
      // No workload in this file (rightSizeFiles read it once, asking Prometheus nothing): nothing to show.
      if (result?.workloads === 0) {
        this.findings.forget(document.uri);
        return 0;
      }
      if (!result || !this.findings.show(document, version, result.findings)) return 0;
      return result.workloads;
    } catch (error) {
      logError(this.log, `Right-sizing ${document.uri.fsPath} failed`, error);
      return 0;
    }
  }
}
