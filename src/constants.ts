/** Every command and view id of the extension, in one place (package.json must agree; a unit test checks). Settings: features/config/settingsTable.ts. */
export const Commands = {
  openWorkbench: 'gpuWorkbench.openWorkbench',
  refreshGpus: 'gpuWorkbench.refreshGpus',
  copyInventoryJson: 'gpuWorkbench.copyInventoryJson',
  addSshHost: 'gpuWorkbench.addSshHost',
  removeSshHost: 'gpuWorkbench.removeSshHost',
  setPrometheusUrl: 'gpuWorkbench.setPrometheusUrl',
  setPrometheusToken: 'gpuWorkbench.setPrometheusToken',
  stopProcess: 'gpuWorkbench.stopProcess',
  estimateModelMemory: 'gpuWorkbench.estimateModelMemory',
  suggestDeployment: 'gpuWorkbench.suggestDeployment',
  importBenchmarkResult: 'gpuWorkbench.importBenchmarkResult',
  setHuggingFaceToken: 'gpuWorkbench.setHuggingFaceToken',
  showLog: 'gpuWorkbench.showLog',
  lintWorkspace: 'gpuWorkbench.lintWorkspace',
  setDefaultGpu: 'gpuWorkbench.setDefaultGpu',
  rightSize: 'gpuWorkbench.rightSize',
  calibrateFromPrometheus: 'gpuWorkbench.calibrateFromPrometheus',
  refreshServices: 'gpuWorkbench.refreshServices',
  runService: 'gpuWorkbench.runService',
  stopService: 'gpuWorkbench.stopService',
  showServiceLogs: 'gpuWorkbench.showServiceLogs',
  revealServiceGpu: 'gpuWorkbench.revealServiceGpu',
} as const;

export const Views = {
  container: 'gpuWorkbench',
  gpus: 'gpuWorkbench.gpus',
  services: 'gpuWorkbench.services',
} as const;

/** VS Code's own command that reveals a view: `<view id>.focus`. */
export const FOCUS_GPUS_VIEW = `${Views.gpus}.focus`;

export const WebviewTypes = {
  workbench: 'gpuWorkbench.workbench',
} as const;

/** SecretStorage keys. */
export const Secrets = {
  prometheusToken: 'gpuWorkbench.prometheus.token',
  huggingFaceToken: 'gpuWorkbench.huggingFace.token',
} as const;

/** Workspace storage (Memento) keys. */
export const PLAN_MEMENTO_KEY = 'gpuWorkbench.plan';

export const LOG_CHANNEL_NAME = 'GPU Workbench';
