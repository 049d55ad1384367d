/** Every command, view and setting id of the extension, in one place (package.json must agree; a unit test checks). */
export const Commands = {
  openWorkbench: 'gpuWorkbench.openWorkbench',
  refreshGpus: 'gpuWorkbench.refreshGpus',
  showLog: 'gpuWorkbench.showLog',
} as const;

export const Views = {
  container: 'gpuWorkbench',
  gpus: 'gpuWorkbench.gpus',
} as const;

export const WebviewTypes = {
  workbench: 'gpuWorkbench.workbench',
} as const;

/** Setting keys relative to the `gpuWorkbench` section. */
export const Settings = {
  section: 'gpuWorkbench',
  nvidiaSmiPath: 'nvidiaSmiPath',
  commandTimeoutSeconds: 'commandTimeoutSeconds',
  solverTimeLimitSeconds: 'solver.timeLimitSeconds',
} as const;

export const LOG_CHANNEL_NAME = 'GPU Workbench';
