import type { INotebookTracker } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { InsertIntoNotebook } from '../features/deployments/notebookInsert';

/**
 * "Insert into notebook" with JupyterLab's notebook tracker: a code cell below
 * the active cell of the notebook last focused (the tracker's current widget,
 * which stays set while the user is in this panel), which then comes to the
 * front with the new cell active. With no notebook open it says so and
 * changes nothing.
 */
export function notebookInserter(
  tracker: INotebookTracker | null,
  activate: (widgetId: string) => void,
  trans: TranslationBundle
): InsertIntoNotebook {
  return async code => {
    const panel = tracker?.currentWidget ?? null;
    // A notebook still loading would replace its cells with the file's: insert once it is loaded.
    await panel?.context.ready;
    const model = panel?.content.model ?? null;
    if (!panel || !model) {
      return { ok: false, message: trans.__('No notebook is open: open or create one, then insert again.') };
    }
    const notebook = panel.content;
    // activeCellIndex is -1 in a notebook without cells: the cell goes first.
    const index = Math.min(Math.max(notebook.activeCellIndex + 1, 0), model.cells.length);
    model.sharedModel.insertCell(index, { cell_type: 'code', source: code });
    notebook.activeCellIndex = index;
    activate(panel.id);
    return { ok: true, message: trans.__('Inserted into %1 as a new code cell.', panel.context.path) };
  };
}
