import * as React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';

import { AquaApp } from '../AquaApp';
import { appProps } from '../../test-support/app';
import {
  FakeClient,
  LOCAL_TARGET,
  makeDeployment,
  makeGenAiEndpoint,
  makeInfo,
  makeModel,
  ociTarget
} from '../../test-support/fixtures';
import { genaiTarget, makeGenAiModel, makeOnDemandModel } from '../../test-support/genai';

/** A server with the local, OCI Data Science and OCI Generative AI targets, and one imported model. */
function genaiClient(): FakeClient {
  const client = new FakeClient();
  client.getInfo.mockResolvedValue(makeInfo({ targets: [LOCAL_TARGET, ociTarget(), genaiTarget(LOCAL_TARGET)] }));
  const imported = makeGenAiModel();
  client.models = [
    ...client.models,
    makeModel({ id: imported.id, name: imported.name, target: 'genai', actions: ['deploy', 'finetune', 'delete'] })
  ];
  return client;
}

function setup(client: FakeClient) {
  const props = appProps(client, { copyToClipboard: jest.fn() });
  render(<AquaApp {...props} />);
  return props;
}

describe('AquaApp with a Generative AI target', () => {
  it('adds the Generative AI section, with its clusters, only when the server enables the target', async () => {
    setup(genaiClient());
    const tab = await screen.findByRole('tab', { name: 'Generative AI' });
    // The header's badge names the target as what it is, with its region.
    expect(within(screen.getByRole('status', { name: 'Targets' })).getAllByRole('listitem')[2]).toHaveTextContent(
      'OCI Generative AI · us-chicago-1'
    );
    fireEvent.click(tab);
    expect(await screen.findByText('호스팅 클러스터')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'New cluster' }));
    expect(await screen.findByRole('dialog', { name: 'New dedicated AI cluster' })).toBeInTheDocument();
  });

  it('has no Generative AI section without the target', async () => {
    setup(new FakeClient());
    await screen.findByRole('tab', { name: 'Models' });
    expect(screen.queryByRole('tab', { name: 'Generative AI' })).not.toBeInTheDocument();
  });

  it("opens a Generative AI model's Deploy as its endpoint form, and shows the endpoint with the deployments", async () => {
    const client = genaiClient();
    setup(client);
    fireEvent.click(await screen.findByRole('button', { name: '큐웬 채팅 모델' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Deploy' }));
    const dialog = await screen.findByRole('dialog', { name: 'New endpoint' });
    await waitFor(() => expect(within(dialog).getByLabelText('Model')).toHaveValue(client.genaiModels[0].id));
    fireEvent.change(within(dialog).getByLabelText('Hosting cluster'), { target: { value: client.clusters[0].id } });
    fireEvent.change(within(dialog).getByLabelText('Endpoint name'), { target: { value: '채팅 エンドポイント' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create endpoint' }));
    await waitFor(() =>
      expect(screen.getByRole('tab', { name: 'Deployments' })).toHaveAttribute('aria-selected', 'true')
    );
    expect(client.createGenAiEndpoint).toHaveBeenCalledWith(
      expect.objectContaining({ model_id: client.genaiModels[0].id, dedicated_ai_cluster_id: client.clusters[0].id })
    );
  });

  it('hands the deploy form over to the endpoint form when the Generative AI target is chosen', async () => {
    setup(genaiClient());
    fireEvent.click(await screen.findByRole('tab', { name: 'Deployments' }));
    fireEvent.click(await screen.findByRole('button', { name: 'New deployment' }));
    const deploy = await screen.findByRole('dialog', { name: 'Deploy model' });
    const target = within(deploy).getByLabelText('Target');
    await waitFor(() => expect(within(target).getByRole('option', { name: 'OCI Generative AI' })).toBeInTheDocument());
    fireEvent.change(target, { target: { value: 'genai' } });
    expect(await screen.findByRole('dialog', { name: 'New endpoint' })).toBeInTheDocument();
    expect(screen.queryByRole('dialog', { name: 'Deploy model' })).not.toBeInTheDocument();
  });

  it('offers no Generative AI target where a form has no Generative AI counterpart (evaluations)', async () => {
    setup(genaiClient());
    fireEvent.click(await screen.findByRole('tab', { name: 'Evaluations' }));
    fireEvent.click(await screen.findByRole('button', { name: 'New evaluation' }));
    const dialog = await screen.findByRole('dialog', { name: /evaluation/i });
    const target = within(dialog).getByLabelText('Target');
    expect(within(target).queryByRole('option', { name: 'OCI Generative AI' })).not.toBeInTheDocument();
  });

  it('evaluates a Generative AI endpoint from its detail, as any deployment (the server runs the job locally)', async () => {
    const client = genaiClient();
    const endpoint = makeGenAiEndpoint({ shape: 'A10_X1', actions: ['chat', 'evaluate', 'delete'] });
    const endpointId = endpoint.id;
    client.deployments = [makeDeployment(), endpoint];
    const props = setup(client);
    props.navigator?.navigate({ to: 'deployments', deploymentId: endpointId });
    fireEvent.click(await screen.findByRole('button', { name: 'Evaluate' }));
    const dialog = await screen.findByRole('dialog', { name: 'New evaluation' });
    const deployment = within(dialog).getByLabelText('Deployment');
    await waitFor(() => expect(within(deployment).getByRole('option', { name: /생성형 AI 엔드포인트/ })).toBeEnabled());
    expect(deployment).toHaveValue(endpointId);
  });

  it('lists the on-demand models in the Generative AI section: each opens a playground or an evaluation', async () => {
    const client = genaiClient();
    const llama = makeOnDemandModel();
    client.onDemandModels = [llama];
    const props = appProps(client, { copyToClipboard: jest.fn(), onOpenPlayground: jest.fn() });
    render(<AquaApp {...props} />);
    fireEvent.click(await screen.findByRole('tab', { name: 'Generative AI' }));
    const section = await screen.findByRole('region', { name: 'OCI Generative AI · on demand' });
    expect(within(section).getByText('meta.llama-3.3-70b-instruct')).toBeInTheDocument();
    fireEvent.click(within(section).getByRole('button', { name: /Playground/ }));
    expect(props.onOpenPlayground).toHaveBeenCalledWith(llama.id);
    fireEvent.click(within(section).getByRole('button', { name: /Evaluate/ }));
    const dialog = await screen.findByRole('dialog', { name: 'New evaluation' });
    await waitFor(() => expect(within(dialog).getByLabelText('Deployment')).toHaveValue(llama.id));
  });
});
