import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { renderPlayground, sendMessage } from '../../../test-support/playground';
import { answerEvents, FakeClient, makeDeployment } from '../../../test-support/fixtures';
import { makeEmbeddingOnDemandModel, makeOnDemandModel } from '../../../test-support/genai';

const LLAMA = makeOnDemandModel();
const DEPRECATED = makeOnDemandModel({
  id: 'ocid1.generativeaimodel.oc1.us-chicago-1.llama31',
  name: 'meta.llama-3.1-70b-instruct',
  deprecated: true,
  deprecated_at: '2026-11-07T00:00:00Z',
  retires_at: '2027-02-05T00:00:00Z',
  note: 'deprecated: retires on demand on 2027-02-05'
});
const EMBED = makeEmbeddingOnDemandModel();

describe('Playground with on-demand models of OCI Generative AI', () => {
  beforeEach(() => window.localStorage.clear());

  it('offers the chat models in Compare, grouped under the genai target, a deprecated one marked', async () => {
    const client = new FakeClient();
    client.deployments = [makeDeployment(), makeDeployment({ id: 'dep-2', name: 'Llama chat' })];
    client.onDemandModels = [LLAMA, DEPRECATED, EMBED];
    renderPlayground({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    const compare = screen.getByRole('combobox', { name: 'Compare with' });
    const group = await waitFor(() => {
      const found = compare.querySelector('optgroup');
      expect(found).not.toBeNull();
      return found as HTMLOptGroupElement;
    });
    expect(group.label).toBe('OCI Generative AI · on demand');
    // An embedding model has no chat to compare; the deployments stay outside the group.
    expect([...group.querySelectorAll('option')].map(option => [option.value, option.textContent])).toEqual([
      [LLAMA.id, 'meta.llama-3.3-70b-instruct'],
      [DEPRECATED.id, 'meta.llama-3.1-70b-instruct (deprecated, retires 2027-02-05)']
    ]);
    expect(within(group).queryByRole('option', { name: /Llama chat/ })).not.toBeInTheDocument();
    expect(within(compare).getByRole('option', { name: 'Llama chat' })).toBeInTheDocument();
  });

  it('compares with an on-demand model: the turn streams to it by its OCID, as to a deployment', async () => {
    const client = new FakeClient();
    client.onDemandModels = [LLAMA];
    client.chatEvents = answerEvents(['서울은 맑음']);
    renderPlayground({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    const compare = screen.getByRole('combobox', { name: 'Compare with' });
    await within(compare).findByRole('option', { name: 'meta.llama-3.3-70b-instruct' });
    fireEvent.change(compare, { target: { value: LLAMA.id } });
    sendMessage('서울 날씨는? 東京は?');
    const column = await screen.findByRole('log', { name: 'meta.llama-3.3-70b-instruct' });
    await waitFor(() => expect(column).toHaveTextContent('서울은 맑음'));
    expect(client.streamChat).toHaveBeenCalledWith(
      LLAMA.id,
      expect.objectContaining({ messages: [{ role: 'user', content: '서울 날씨는? 東京は?' }] }),
      expect.any(AbortSignal)
    );
  });

  it('opens on an on-demand model by its OCID, which Compare then does not offer as its own partner', async () => {
    const client = new FakeClient();
    client.onDemandModels = [LLAMA, DEPRECATED];
    client.deployments = [
      makeDeployment(),
      makeDeployment({
        id: LLAMA.id,
        name: LLAMA.name,
        model_name: LLAMA.name,
        target: 'genai',
        engine: 'oci-genai',
        shape: 'on-demand'
      })
    ];
    renderPlayground({ deploymentId: LLAMA.id }, client);
    await screen.findByRole('heading', { name: 'meta.llama-3.3-70b-instruct' });
    expect(screen.getByText(/on-demand/)).toBeInTheDocument();
    const compare = screen.getByRole('combobox', { name: 'Compare with' });
    await within(compare).findByRole('option', { name: /meta\.llama-3\.1-70b-instruct/ });
    expect([...compare.querySelectorAll('optgroup option')].map(option => option.getAttribute('value'))).toEqual([
      DEPRECATED.id
    ]);
  });

  it('shows no group where the genai target is off (the list answers 503)', async () => {
    const client = new FakeClient();
    client.listGenAiOnDemandModels.mockRejectedValue(new Error('503 Service Unavailable'));
    renderPlayground({}, client);
    await screen.findByRole('heading', { name: 'Qwen chat' });
    await waitFor(() => expect(client.listGenAiOnDemandModels).toHaveBeenCalled());
    expect(screen.getByRole('combobox', { name: 'Compare with' }).querySelector('optgroup')).toBeNull();
  });
});
