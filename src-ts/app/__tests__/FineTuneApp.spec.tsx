import * as React from 'react';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';

import { AquaApp } from '../AquaApp';
import { appProps } from '../../test-support/app';
import { FakeClient, makeFineTune, makeModel } from '../../test-support/fixtures';

jest.mock('uplot', () => ({ __esModule: true, default: require('../../test-support/fakeUplot').FakeUPlot }));

describe('AquaApp fine-tuning', () => {
  it('fine-tunes from a model’s detail, then shows the new job', async () => {
    const client = new FakeClient();
    render(<AquaApp {...appProps(client)} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Qwen2.5 0.5B Instruct' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Fine-tune' }));
    const dialog = screen.getByRole('dialog', { name: 'Fine-tune model' });
    expect(within(dialog).getByRole('heading', { name: 'Fine-tune “Qwen2.5 0.5B Instruct”' })).toBeInTheDocument();
    await waitFor(() =>
      expect(within(dialog).getByLabelText('Base model')).toHaveValue('catalog:Qwen--Qwen2.5-0.5B-Instruct')
    );
    fireEvent.change(within(dialog).getByLabelText('Dataset (JSONL)'), { target: { value: 'datasets/support.jsonl' } });
    await waitFor(() =>
      expect(within(dialog).getByRole('region', { name: 'Dataset check' })).toHaveAttribute('data-status', 'ok')
    );
    fireEvent.click(within(dialog).getByRole('button', { name: 'Start fine-tuning' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(screen.getByRole('tab', { name: 'Fine-tuning' })).toHaveAttribute('aria-selected', 'true');
    await waitFor(() => expect(client.getFineTune).toHaveBeenCalledWith('ftj-new'));
  });

  it('has no Fine-tune button on a model that cannot be fine-tuned', async () => {
    render(<AquaApp {...appProps(new FakeClient())} />);
    fireEvent.click(await screen.findByRole('button', { name: 'BGE small en v1.5' }));
    expect(await screen.findByRole('heading', { name: 'BGE small en v1.5' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Deploy' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Fine-tune' })).not.toBeInTheDocument();
  });

  it('opens the form prefilled with a dataset when a command asks', async () => {
    const client = new FakeClient();
    const props = appProps(client);
    render(<AquaApp {...props} />);
    act(() => props.navigator?.navigate({ to: 'finetunes', newJob: true, datasetPath: 'data/chats.jsonl' }));
    const dialog = await screen.findByRole('dialog', { name: 'Fine-tune model' });
    expect(screen.getByRole('tab', { name: 'Fine-tuning' })).toHaveAttribute('aria-selected', 'true');
    expect(within(dialog).getByLabelText('Dataset (JSONL)')).toHaveValue('data/chats.jsonl');
    expect(within(dialog).getByLabelText('Job name')).toHaveValue('chats');

    // With a model too: it is looked up and preselected.
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    act(() =>
      props.navigator?.navigate({ to: 'finetunes', newJob: true, modelId: 'demo:aqua-demo-tiny', datasetPath: null })
    );
    const again = await screen.findByRole('dialog', { name: 'Fine-tune model' });
    expect(client.getModel).toHaveBeenCalledWith('demo:aqua-demo-tiny');
    await waitFor(() => expect(within(again).getByLabelText('Base model')).toHaveValue('demo:aqua-demo-tiny'));
  });

  it('deploys the fine-tuned model of a job that succeeded, and opens it in Models', async () => {
    const client = new FakeClient();
    client.models = [...client.models, makeModel({ id: 'ft:ftj-0a1b2c', name: 'Qwen support', source: 'fine-tuned' })];
    client.finetunes = [makeFineTune({ state: 'SUCCEEDED', output_model_id: 'ft:ftj-0a1b2c', step: 120, progress: 1 })];
    const props = appProps(client);
    render(<AquaApp {...props} />);
    act(() => props.navigator?.navigate({ to: 'finetunes', finetuneId: 'ftj-0a1b2c' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Deploy' }));
    const dialog = await screen.findByRole('dialog', { name: 'Deploy model' });
    expect(client.getModel).toHaveBeenCalledWith('ft:ftj-0a1b2c');
    expect(within(dialog).getByRole('heading', { name: 'Deploy “Qwen support”' })).toBeInTheDocument();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    fireEvent.click(screen.getByRole('button', { name: 'View model' }));
    expect(screen.getByRole('tab', { name: 'Models' })).toHaveAttribute('aria-selected', 'true');
    expect(await screen.findByRole('heading', { name: 'Qwen support' })).toBeInTheDocument();
  });
});
