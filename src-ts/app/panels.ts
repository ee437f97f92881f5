/**
 * What the panel and the playground tabs need, loaded by the plugin with a dynamic
 * `import()` when one first opens: React and every feature stay out of the bundle
 * that JupyterLab loads on each page.
 */
export { AquaClient } from '../api/client';
export { AquaPanel } from './AquaPanel';
export { PlaygroundWidget } from './PlaygroundWidget';
export { notebookInserter } from './notebookCells';
export { kernelToolRunner } from './kernelTools';
export { pickDatasetFile } from './datasetPicker';
export { uploadDataset } from './datasetFiles';
export { browserStorage, clearPlayground } from '../features/playground/storage';
export { settingsPresetStore } from '../features/playground/presets';
