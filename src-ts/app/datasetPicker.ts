/**
 * "Browse…" for the dataset: JupyterLab's own open-file dialog over the
 * Jupyter root, showing folders and JSON Lines files only.
 */
import type { IDocumentManager } from '@jupyterlab/docmanager';
import { FileDialog } from '@jupyterlab/filebrowser';
import type { ITranslator } from '@jupyterlab/translation';

import { isDatasetFile } from './datasetFiles';

/** The chosen file's path relative to the Jupyter root, or null when the dialog was dismissed. */
export async function pickDatasetFile(
  manager: IDocumentManager,
  options: { translator?: ITranslator; title: string; label?: string; defaultPath?: string }
): Promise<string | null> {
  const result = await FileDialog.getOpenFiles({
    manager,
    translator: options.translator,
    title: options.title,
    label: options.label,
    defaultPath: options.defaultPath,
    filter: model => (model.type === 'directory' || isDatasetFile(model.name) ? {} : null)
  });
  if (!result.button.accept || !result.value) {
    return null;
  }
  const file = result.value.find(item => item.type !== 'directory');
  return file ? file.path : null;
}
