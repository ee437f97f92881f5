import type { INotebookTracker } from '@jupyterlab/notebook';

import { notebookInserter } from '../notebookCells';
import { trans } from '../../test-support/trans';

/** The parts of a notebook panel the inserter touches. */
function fakeTracker(activeCellIndex: number, cells: number) {
  const insertCell = jest.fn();
  const panel = {
    id: 'nb-1',
    context: { path: '노트북/ノート.ipynb', ready: Promise.resolve() },
    content: { activeCellIndex, model: { cells: { length: cells }, sharedModel: { insertCell } } }
  };
  return { tracker: { currentWidget: panel } as unknown as INotebookTracker, panel, insertCell };
}

describe('Insert into notebook', () => {
  it('adds a code cell below the active cell, makes it active and brings the notebook forward', async () => {
    const { tracker, panel, insertCell } = fakeTracker(1, 3);
    const activate = jest.fn();
    const result = await notebookInserter(tracker, activate, trans)('from aqua_ext import client\nprint("안녕")');
    expect(insertCell).toHaveBeenCalledWith(2, {
      cell_type: 'code',
      source: 'from aqua_ext import client\nprint("안녕")'
    });
    expect(panel.content.activeCellIndex).toBe(2);
    expect(activate).toHaveBeenCalledWith('nb-1');
    expect(result).toEqual({ ok: true, message: 'Inserted into 노트북/ノート.ipynb as a new code cell.' });
  });

  it('puts the first cell of an empty notebook at the top', async () => {
    const { tracker, insertCell } = fakeTracker(-1, 0);
    await notebookInserter(tracker, jest.fn(), trans)('x = 1');
    expect(insertCell).toHaveBeenCalledWith(0, expect.objectContaining({ source: 'x = 1' }));
  });

  it('says so when no notebook is open, and changes nothing', async () => {
    const activate = jest.fn();
    for (const tracker of [null, { currentWidget: null } as unknown as INotebookTracker]) {
      const result = await notebookInserter(tracker, activate, trans)('x = 1');
      expect(result.ok).toBe(false);
      expect(result.message).toMatch(/No notebook is open/);
    }
    expect(activate).not.toHaveBeenCalled();
  });
});
