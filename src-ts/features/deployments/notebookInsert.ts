/**
 * "Insert into notebook": the snippet goes into the notebook the user last worked
 * in. The app implements it with JupyterLab's notebook tracker
 * (`app/notebookCells.ts`) and provides it through this context, so the
 * snippet panel stays plain React and tests pass a fake.
 */
import * as React from 'react';

export interface IInsertResult {
  ok: boolean;
  /** What happened, for the user: where the cell went, or why nothing was inserted. */
  message: string;
}

/** Insert `code` as a code cell below the active cell of the active notebook (once it is loaded). */
export type InsertIntoNotebook = (code: string) => Promise<IInsertResult>;

/** Null where no notebook support is available (tests, a lab without notebooks). */
export const NotebookInsertContext = React.createContext<InsertIntoNotebook | null>(null);
