import * as React from 'react';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';

import { AquaApiError } from '../../../api/errors';
import { apiError } from '../../../test-support/errors';
import { ModelExplorer } from '../ModelExplorer';
import { FakeClient, LOCAL_TARGET, makeModel, manyModels, ociTarget } from '../../../test-support/fixtures';
import { TargetsContext } from '../../../ui/Targets';
import { trans } from '../../../test-support/trans';

function setup(client = new FakeClient()) {
  const onOpenModel = jest.fn();
  const onRegister = jest.fn();
  const utils = render(
    <ModelExplorer client={client} trans={trans} onOpenModel={onOpenModel} onRegister={onRegister} />
  );
  return { client, onOpenModel, onRegister, ...utils };
}

const cards = (): HTMLElement[] => Array.from(document.querySelectorAll<HTMLElement>('.jp-AquaExt-ModelCard'));

describe('ModelExplorer', () => {
  it('shows a loading state, then one card per model with its facts', async () => {
    const { client } = setup();
    expect(screen.getByText('Loading models…')).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Llama 3.1 8B Instruct' })).toBeInTheDocument();
    expect(cards()).toHaveLength(5);
    expect(screen.getByText('5 models')).toBeInTheDocument();
    expect(client.listModels).toHaveBeenCalledWith({});

    const llama = screen.getByRole('button', { name: 'Llama 3.1 8B Instruct' });
    expect(llama).toHaveClass('jp-AquaExt-ModelCard');
    expect(llama).toHaveAttribute('tabindex', '0');
    expect(within(llama).getByText('Meta · llama3.1')).toBeInTheDocument();
    expect(within(llama).getByText('Gated')).toBeInTheDocument();
    expect(within(llama).getByText('8.0B params')).toBeInTheDocument();
    expect(within(llama).getByText('16.1 GB')).toBeInTheDocument();
    expect(within(llama).getByText('Text generation')).toBeInTheDocument();

    const demo = screen.getByRole('button', { name: 'Aqua demo (tiny)' });
    expect(within(demo).getByText('Demo · random weights')).toBeInTheDocument();
    expect(within(demo).getByText('139.6K params')).toBeInTheDocument();
  });

  it('with several targets, names each card’s target and says which target the list misses', async () => {
    const client = new FakeClient();
    client.models = [makeModel(), makeModel({ id: 'ocid1.datasciencemodel.oc1..m', name: 'On OCI', target: 'oci' })];
    client.listModels.mockImplementation(async () => ({
      items: client.models,
      total: 2,
      problems: [{ target: 'genai', message: 'Not configured.' }]
    }));
    render(
      <TargetsContext.Provider value={[LOCAL_TARGET, ociTarget()]}>
        <ModelExplorer client={client} trans={trans} onOpenModel={jest.fn()} onRegister={jest.fn()} />
      </TargetsContext.Provider>
    );
    const card = await screen.findByRole('button', { name: 'On OCI' });
    expect(card.querySelector('.jp-AquaExt-TargetBadge')).toHaveTextContent('oci');
    expect(screen.getByRole('status', { name: 'Targets that did not answer' })).toHaveTextContent(
      'genai is missing from this list: Not configured.'
    );
  });

  it('opens a model on click and on Enter', async () => {
    const { onOpenModel } = setup();
    const card = await screen.findByRole('button', { name: 'BGE small en v1.5' });
    fireEvent.click(card);
    expect(onOpenModel).toHaveBeenLastCalledWith('catalog:BAAI--bge-small-en-v1.5');
    fireEvent.keyDown(screen.getByRole('button', { name: 'TinyLlama GGUF' }), { key: 'Enter' });
    expect(onOpenModel).toHaveBeenLastCalledWith('reg:tinyllama-gguf');
  });

  it('narrows the grid as the user types', async () => {
    setup();
    await screen.findByRole('button', { name: 'Llama 3.1 8B Instruct' });
    fireEvent.change(screen.getByLabelText('Search models'), { target: { value: 'llama' } });
    await waitFor(() => expect(cards()).toHaveLength(2));
    expect(screen.getByText('2 models')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Search models'), { target: { value: 'llama meta' } });
    await waitFor(() => expect(cards()).toHaveLength(1));
    expect(screen.getByPlaceholderText('Search models')).toHaveValue('llama meta');
  });

  it('filters with the selects and the fine-tune toggle', async () => {
    setup();
    await screen.findByRole('button', { name: 'Llama 3.1 8B Instruct' });
    fireEvent.change(screen.getByLabelText('Source'), { target: { value: 'registered' } });
    await waitFor(() => expect(cards()).toHaveLength(1));
    fireEvent.change(screen.getByLabelText('Source'), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('Capability'), { target: { value: 'EMBEDDING' } });
    await waitFor(() => expect(cards().map(c => c.getAttribute('aria-label'))).toEqual(['BGE small en v1.5']));
    fireEvent.change(screen.getByLabelText('Capability'), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('Format'), { target: { value: 'gguf' } });
    await waitFor(() => expect(cards()).toHaveLength(1));
    fireEvent.change(screen.getByLabelText('Format'), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('Max size'), { target: { value: '1' } });
    await waitFor(() => expect(cards()).toHaveLength(4));
    fireEvent.click(screen.getByLabelText('Ready to fine-tune'));
    await waitFor(() => expect(cards()).toHaveLength(2));
  });

  it('shows an empty state whose "Clear filters" button restores every model', async () => {
    setup();
    await screen.findByRole('button', { name: 'Llama 3.1 8B Instruct' });
    fireEvent.change(screen.getByLabelText('Search models'), { target: { value: 'no such model' } });
    expect(await screen.findByText('No models match “no such model”.')).toBeInTheDocument();
    expect(cards()).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(cards()).toHaveLength(5));
    expect(screen.getByLabelText('Search models')).toHaveValue('');
  });

  it('shows the server message and a Retry button when loading fails', async () => {
    const client = new FakeClient();
    client.listModels.mockRejectedValueOnce(apiError(502, 'The Hugging Face hub did not answer.', { requestId: 'r1' }));
    setup(client);
    expect(await screen.findByText('The Hugging Face hub did not answer.')).toBeInTheDocument();
    expect(screen.queryByText(/at .*\.ts/)).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(cards()).toHaveLength(5));
    expect(client.listModels).toHaveBeenCalledTimes(2);
  });

  it('explains a missing server extension', async () => {
    const client = new FakeClient();
    client.listModels.mockRejectedValue(AquaApiError.network());
    setup(client);
    expect(await screen.findByText(/server extension is not running/)).toBeInTheDocument();
  });

  it('refreshes with refresh=true and opens the register dialog', async () => {
    const { client, onRegister } = setup();
    await screen.findByRole('button', { name: 'Llama 3.1 8B Instruct' });
    fireEvent.click(screen.getByTitle('Refresh'));
    await waitFor(() => expect(client.listModels).toHaveBeenLastCalledWith({ refresh: true }));
    fireEvent.click(screen.getByRole('button', { name: 'Register model' }));
    expect(onRegister).toHaveBeenCalled();
  });

  it('lays the toolbar out in two rows: search and actions, then filters and a labelled sort', async () => {
    setup();
    await screen.findByRole('button', { name: 'Llama 3.1 8B Instruct' });
    const rows = document.querySelectorAll('.jp-AquaExt-ModelExplorer-toolbarRow');
    expect(rows).toHaveLength(2);
    const register = screen.getByRole('button', { name: 'Register model' });
    // JupyterLab's own primary button style, last in the first row.
    expect(register).toHaveClass('jp-mod-styled', 'jp-mod-accept');
    expect(rows[0].lastElementChild).toBe(register);
    expect(within(rows[0] as HTMLElement).getByLabelText('Search models')).toBeInTheDocument();
    const filters = within(rows[1] as HTMLElement).getByRole('group', { name: 'Filters' });
    for (const label of ['Source', 'Capability', 'Format', 'Max size', 'Ready to fine-tune']) {
      expect(within(filters).getByLabelText(label)).toBeInTheDocument();
    }
    // The sort order has a visible label, outside the filter group.
    const sort = within(rows[1] as HTMLElement).getByLabelText('Sort by');
    expect(sort.tagName).toBe('SELECT');
    expect(filters).not.toContainElement(sort);
    expect(within(rows[1] as HTMLElement).getByText('Sort by').tagName).toBe('LABEL');
    fireEvent.change(sort, { target: { value: 'size' } });
    expect(cards()[0]).toHaveAttribute('aria-label', 'Llama 3.1 8B Instruct');
  });

  it('keeps the last list and shows a banner when a refresh fails', async () => {
    const { client } = setup();
    await screen.findByRole('button', { name: 'Llama 3.1 8B Instruct' });
    client.listModels.mockRejectedValueOnce(apiError(502, 'Rescan failed.'));
    fireEvent.click(screen.getByTitle('Refresh'));
    expect(await screen.findByText('Rescan failed.')).toBeInTheDocument();
    expect(cards()).toHaveLength(5);
  });

  it('virtualizes 2,000 models: only the visible cards are in the DOM', async () => {
    const client = new FakeClient();
    client.models = manyModels(2000);
    setup(client);
    expect(await screen.findByText('2000 models')).toBeInTheDocument();
    const rendered = cards().length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(100);
    fireEvent.change(screen.getByLabelText('Search models'), { target: { value: 'model 1999' } });
    await waitFor(() => expect(cards().map(c => c.getAttribute('aria-label'))).toEqual(['Model 1999 Mistral AI']));
  });

  it('reloads when asked by the app', async () => {
    const client = new FakeClient();
    const props = { client, trans, onOpenModel: jest.fn(), onRegister: jest.fn() };
    const { rerender } = render(<ModelExplorer {...props} refreshRequest={0} />);
    await screen.findByRole('button', { name: 'Llama 3.1 8B Instruct' });
    await act(async () => {
      rerender(<ModelExplorer {...props} refreshRequest={1} />);
    });
    expect(client.listModels).toHaveBeenLastCalledWith({ refresh: true });
  });
});
