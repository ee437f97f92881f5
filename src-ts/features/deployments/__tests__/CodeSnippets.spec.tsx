import * as React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';

import { CodeSnippets } from '../CodeSnippets';
import { NotebookInsertContext, type InsertIntoNotebook } from '../notebookInsert';
import { trans } from '../../../test-support/trans';

const TARGET = {
  id: 'dep-7',
  baseUrl: 'http://localhost:8888/aqua-ext/deployments/dep-7/v1',
  model: '한국어 모델',
  mode: 'chat' as const
};

function renderWith(insert: InsertIntoNotebook | null) {
  return render(
    <NotebookInsertContext.Provider value={insert}>
      <CodeSnippets target={TARGET} trans={trans} copyToClipboard={jest.fn()} />
    </NotebookInsertContext.Provider>
  );
}

describe('CodeSnippets: Insert into notebook', () => {
  it('inserts the Python snippet and says where it went', async () => {
    const insert = jest.fn<ReturnType<InsertIntoNotebook>, Parameters<InsertIntoNotebook>>(async () => ({
      ok: true,
      message: 'Inserted into 分析.ipynb as a new code cell.'
    }));
    renderWith(insert);
    fireEvent.click(screen.getByRole('button', { name: 'Insert into notebook' }));
    const code = insert.mock.calls[0][0];
    expect(code).toContain('from aqua_ext import client');
    expect(code).toContain('client.openai_client("dep-7")');
    await waitFor(() =>
      expect(screen.getByRole('status')).toHaveTextContent('Inserted into 分析.ipynb as a new code cell.')
    );
    // LangChain too; curl is a shell command, not notebook code.
    fireEvent.click(screen.getByRole('tab', { name: 'LangChain' }));
    expect(screen.getByRole('status')).toHaveTextContent('');
    fireEvent.click(screen.getByRole('button', { name: 'Insert into notebook' }));
    expect(insert.mock.calls[1][0]).toContain('ChatOpenAI(');
    fireEvent.click(screen.getByRole('tab', { name: 'curl' }));
    expect(screen.queryByRole('button', { name: 'Insert into notebook' })).toBeNull();
  });

  it('shows why nothing was inserted', async () => {
    renderWith(async () => ({ ok: false, message: 'No notebook is open: open or create one, then insert again.' }));
    fireEvent.click(screen.getByRole('button', { name: 'Insert into notebook' }));
    const status = screen.getByRole('status');
    await waitFor(() => expect(status).toHaveTextContent('No notebook is open'));
    expect(status).toHaveClass('jp-AquaExt-fieldError');
  });

  it('offers no Insert without notebook support', () => {
    renderWith(null);
    expect(screen.queryByRole('button', { name: 'Insert into notebook' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Copy' })).toBeInTheDocument();
  });
});
