import * as React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';

import { Playground } from '../../features/playground/Playground';
import { answerEvents, FakeClient, makeDeployment, makeGenAiEndpoint } from '../../test-support/fixtures';
import { trans } from '../../test-support/trans';

/**
 * A Generative AI endpoint is listed with the deployments (target `genai`, served by the service): the
 * playground and its Compare pick it, and chat with it, like any deployment.
 */
describe('Playground with a Generative AI endpoint', () => {
  it('compares a Data Science deployment with a Generative AI endpoint of the same model', async () => {
    const client = new FakeClient();
    const endpoint = makeGenAiEndpoint();
    const endpointId = endpoint.id;
    client.deployments = [makeDeployment(), endpoint];
    client.chatEvents = (_body, _signal, id) =>
      (async function* () {
        yield* answerEvents([id === endpointId ? 'こんにちは from Generative AI' : 'from Data Science']);
      })();
    render(
      <Playground
        client={client}
        trans={trans}
        deploymentId="dep-1"
        renderMarkdown={jest.fn(async (host: HTMLElement, markdown: string) => {
          host.textContent = markdown;
        })}
        copyToClipboard={jest.fn()}
        storage={window.localStorage}
        onTitle={jest.fn()}
        saveDelayMs={0}
      />
    );
    await screen.findByRole('heading', { name: 'Qwen chat' });
    const compare = screen.getByRole('combobox', { name: 'Compare with' });
    await waitFor(() =>
      expect(within(compare).getByRole('option', { name: '생성형 AI 엔드포인트' })).toBeInTheDocument()
    );
    fireEvent.change(compare, { target: { value: endpointId } });
    fireEvent.change(screen.getByRole('textbox', { name: 'Message' }), { target: { value: '같은 질문' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() =>
      expect(screen.getByRole('log', { name: '생성형 AI 엔드포인트' })).toHaveTextContent(
        'こんにちは from Generative AI'
      )
    );
    expect(screen.getByRole('log', { name: 'Qwen chat' })).toHaveTextContent('from Data Science');
    expect(client.streamChat.mock.calls.map(call => call[0]).sort()).toEqual([endpointId, 'dep-1'].sort());
  });
});
