import * as React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';

import { AquaApiError } from '../../../api/errors';
import { Playground } from '../Playground';
import { answerEvents, FakeClient } from '../../../test-support/fixtures';
import { trans } from '../../../test-support/trans';

async function answered(client: FakeClient, prompt: string, pieces: string[]): Promise<void> {
  client.chatEvents = answerEvents(pieces);
  render(
    <Playground
      client={client}
      trans={trans}
      deploymentId="dep-1"
      renderMarkdown={async (host, markdown) => {
        host.textContent = markdown;
      }}
      copyToClipboard={jest.fn()}
      storage={null}
      saveDelayMs={0}
    />
  );
  await screen.findByRole('heading', { name: 'Qwen chat' });
  const box = screen.getByRole('textbox', { name: 'Message' });
  fireEvent.change(box, { target: { value: prompt } });
  fireEvent.keyDown(box, { key: 'Enter' });
  await screen.findByRole('button', { name: 'Save to dataset' });
}

function dialog(): HTMLElement {
  return screen.getByRole('dialog', { name: 'Save the turn to a dataset' });
}

describe('Playground: save a turn to a dataset', () => {
  it('saves the prompt and the edited answer as an instruction row and says where', async () => {
    const client = new FakeClient();
    client.saveDatasetRow.mockResolvedValueOnce({
      saved: true,
      path: 'data/ko.jsonl',
      created: true,
      line: 1,
      rows: 1,
      warnings: [],
      checked_files: 2,
      checked_all: true
    });
    await answered(client, '서울의 인구는?', ['약 ', '1000만']);
    fireEvent.click(screen.getByRole('button', { name: 'Save to dataset' }));
    const form = within(dialog());
    expect(form.getByRole('textbox', { name: 'Prompt' })).toHaveValue('서울의 인구는?');
    expect(form.getByRole('textbox', { name: 'Answer' })).toHaveValue('약 1000만');
    expect(form.getByRole('combobox', { name: 'Row format' })).toHaveValue('instruction');
    fireEvent.change(form.getByRole('textbox', { name: 'Dataset' }), { target: { value: 'data/ko.jsonl' } });
    fireEvent.change(form.getByRole('textbox', { name: 'Answer' }), { target: { value: '약 940만 명입니다.' } });
    fireEvent.click(form.getByRole('button', { name: 'Save row' }));

    expect(await screen.findByText('Saved as line 1 of data/ko.jsonl (a new file).')).toBeInTheDocument();
    expect(client.saveDatasetRow).toHaveBeenCalledWith({
      path: 'data/ko.jsonl',
      format: 'instruction',
      prompt: '서울의 인구는?',
      completion: '약 940만 명입니다.',
      category: null,
      allow_duplicate: false,
      allow_leakage: false
    });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows the duplicate and leakage warnings and saves anyway when asked', async () => {
    const client = new FakeClient();
    client.saveDatasetRow.mockResolvedValueOnce({
      saved: false,
      path: 'train.jsonl',
      created: false,
      line: null,
      rows: 4,
      warnings: [
        { kind: 'duplicate', path: 'train.jsonl', line: 2, message: 'the same row is already in train.jsonl (line 2)' },
        { kind: 'leakage', path: 'eval/test.jsonl', line: 7, message: 'the same prompt is in eval/test.jsonl (line 7)' }
      ],
      checked_files: 1,
      checked_all: true
    });
    await answered(client, '東京の人口は？', ['約1400万人です。']);
    fireEvent.click(screen.getByRole('button', { name: 'Save to dataset' }));
    fireEvent.click(within(dialog()).getByRole('button', { name: 'Save row' }));
    const alert = await within(dialog()).findByText(/Duplicate: the same row is already in train.jsonl/);
    expect(alert.closest('[role="alert"]')).toHaveTextContent(
      'Leakage: the same prompt is in eval/test.jsonl (line 7)'
    );
    fireEvent.click(within(dialog()).getByRole('button', { name: 'Save anyway' }));
    await waitFor(() => expect(client.saveDatasetRow).toHaveBeenCalledTimes(2));
    expect(client.saveDatasetRow.mock.calls[1][0]).toMatchObject({ allow_duplicate: true, allow_leakage: true });
    // The fake saves where it was asked: the dataset the last save used (the first test's).
    expect(await screen.findByText(/Saved as line 1 of data\/ko.jsonl/)).toBeInTheDocument();
  });

  it('puts a refusal under the field it names', async () => {
    const client = new FakeClient();
    client.saveDatasetRow.mockRejectedValueOnce(
      new AquaApiError({
        status: 400,
        reason: 'Bad Request',
        message: 'path: ../x.jsonl is outside the Jupyter root folder',
        fields: [{ field: 'path', message: '../x.jsonl is outside the Jupyter root folder' }]
      })
    );
    await answered(client, '안녕', ['네']);
    fireEvent.click(screen.getByRole('button', { name: 'Save to dataset' }));
    fireEvent.change(within(dialog()).getByRole('textbox', { name: 'Answer' }), { target: { value: '  ' } });
    fireEvent.click(within(dialog()).getByRole('button', { name: 'Save row' }));
    expect(await within(dialog()).findByText('The answer is empty.')).toBeInTheDocument();
    expect(client.saveDatasetRow).not.toHaveBeenCalled();
    fireEvent.change(within(dialog()).getByRole('textbox', { name: 'Answer' }), { target: { value: 'はい' } });
    fireEvent.change(within(dialog()).getByRole('textbox', { name: 'Dataset' }), { target: { value: '../x.jsonl' } });
    fireEvent.click(within(dialog()).getByRole('button', { name: 'Save row' }));
    expect(await within(dialog()).findByText('../x.jsonl is outside the Jupyter root folder')).toBeInTheDocument();
  });
});
