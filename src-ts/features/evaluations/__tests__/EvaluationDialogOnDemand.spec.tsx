import { fireEvent, screen, waitFor } from '@testing-library/react';

import { EvaluationDialog, type IEvaluationDialogProps } from '../EvaluationDialog';
import { instructionReport } from './evaluationFixtures';
import { FakeClient, LOCAL_TARGET, makeInfo } from '../../../test-support/fixtures';
import { genaiTarget, makeEmbeddingOnDemandModel, makeOnDemandModel } from '../../../test-support/genai';
import { renderDialog, settle } from '../../../test-support/dialogs';
import { optionTexts } from '../../../test-support/queries';

const LLAMA = makeOnDemandModel();
const EMBED = makeEmbeddingOnDemandModel();

function setup(overrides: Partial<IEvaluationDialogProps>, client: FakeClient) {
  return renderDialog(EvaluationDialog, client, { debounceMs: 0, ...overrides });
}

describe('EvaluationDialog with on-demand models', () => {
  it('offers the chat ones under the genai target and evaluates one by its OCID', async () => {
    const client = new FakeClient();
    client.onDemandModels = [LLAMA, EMBED];
    client.validateDataset.mockResolvedValue(instructionReport('qa.jsonl'));
    const { props } = setup({ info: makeInfo({ targets: [LOCAL_TARGET, genaiTarget(LOCAL_TARGET)] }) }, client);
    await settle();
    const picker = screen.getByLabelText('Deployment') as HTMLSelectElement;
    const group = await waitFor(() => {
      const found = picker.querySelector('optgroup');
      expect(found).not.toBeNull();
      return found as HTMLOptGroupElement;
    });
    expect(group.label).toBe('OCI Generative AI · on demand');
    // An embedding model gives no answers to score: not offered.
    expect(optionTexts(group)).toEqual(['meta.llama-3.3-70b-instruct']);
    fireEvent.change(picker, { target: { value: LLAMA.id } });
    fireEvent.change(screen.getByLabelText('Dataset (JSONL)'), { target: { value: 'qa.jsonl' } });
    await settle();
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('meta.llama-3.3-70b-instruct · qa');
    fireEvent.click(screen.getByRole('button', { name: 'Start evaluation' }));
    await waitFor(() => expect(props.onCreated).toHaveBeenCalled());
    expect(client.createEvaluation).toHaveBeenCalledWith(
      expect.objectContaining({ deployment_id: LLAMA.id, dataset_path: 'qa.jsonl' })
    );
  });

  it('asks for none where the genai target is not enabled', async () => {
    const client = new FakeClient();
    client.onDemandModels = [LLAMA];
    setup({ info: makeInfo({ targets: [LOCAL_TARGET] }) }, client);
    await settle();
    expect(client.listGenAiOnDemandModels).not.toHaveBeenCalled();
    expect((screen.getByLabelText('Deployment') as HTMLSelectElement).querySelector('optgroup')).toBeNull();
  });
});
