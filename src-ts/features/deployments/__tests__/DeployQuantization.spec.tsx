import { fireEvent, screen, waitFor } from '@testing-library/react';

import type { FitQuery, FitReport } from '../../../api/types';
import type { IDeployDialogProps } from '../DeployDialog';
import { FakeClient, makeFit, makeInfo, target, weightChoices } from '../../../test-support/fixtures';
import { apiError } from '../../../test-support/errors';
import { errorOf } from '../../../test-support/dialogs';
import { renderDeployDialog } from '../../../test-support/deployDialog';
import { optionTexts } from '../../../test-support/queries';

const info = makeInfo({
  engines: [
    { name: 'transformers', label: 'Transformers', available: true, version: null, reason: null },
    { name: 'llama.cpp', label: 'llama.cpp', available: true, version: null, reason: null }
  ]
});

/** What the server lists per engine. */
const CHOICES = weightChoices();

/** A fit that answers for the engine and quantization asked, as the server does. */
function fitFor(query: FitQuery | undefined, local: Partial<FitReport['local'][number]> = {}): FitReport {
  const engine = query?.engine ?? null;
  return makeFit({
    engine,
    // The requests the engine serves at once, each with the whole context: llama.cpp's 4 slots.
    concurrency: query?.concurrency ?? (engine === 'llama.cpp' ? 4 : 1),
    quantizations: engine ? CHOICES[engine] : [],
    quantization: query?.quantization ?? null,
    weights_gb: query?.quantization === 'Q4_K_M' ? 0.3 : 1.98,
    local: [target({ tokens_per_s: 10.1, bandwidth_gb_s: 20, ...local })],
    decode: [
      'bytes read per token ≈ weights 1.98 GB',
      'This machine (CPU): 20 GB/s (measured memory copy) ÷ 1.98 GB ≈ 10.1 tokens/s'
    ],
    too_slow_below_tokens_per_s: 2
  });
}

function setup(client: FakeClient, overrides: Partial<IDeployDialogProps> = {}) {
  return renderDeployDialog(client, info, overrides);
}

describe('DeployDialog weights (dtype or quantization)', () => {
  it('offers what the server lists for the chosen engine, and the fit and the request follow the choice', async () => {
    const client = new FakeClient();
    client.getModelFit.mockImplementation(async (_id, query) => fitFor(query));
    const { props } = setup(client);

    // The select is the server's list for the engine: it is drawn again when the engine's fit arrives.
    await screen.findByLabelText('Weights (dtype or quantization)');
    const labels = () => optionTexts(screen.getByLabelText('Weights (dtype or quantization)'));
    expect(labels()).toEqual([
      'Engine default: float32 (32-bit weights)',
      'float32 (32-bit weights)',
      'bfloat16 (16-bit weights)'
    ]);

    // llama.cpp: its GGUF levels, from the server; the fit is asked for the engine and then the level.
    fireEvent.click(screen.getByRole('radio', { name: /^llama\.cpp/ }));
    await waitFor(() => expect(labels()).toContain('GGUF Q4_K_M (4.84 bits/weight), after a conversion'));
    expect(labels()).not.toContain('bfloat16 (16-bit weights)');
    fireEvent.change(screen.getByLabelText('Weights (dtype or quantization)'), { target: { value: 'Q4_K_M' } });
    await waitFor(() =>
      expect(client.getModelFit).toHaveBeenLastCalledWith(
        'catalog:Qwen--Qwen2.5-0.5B-Instruct',
        expect.objectContaining({ engine: 'llama.cpp', quantization: 'Q4_K_M' })
      )
    );
    expect(await screen.findByText(/convert the model to Q4_K_M first/)).toBeInTheDocument();
    const fit = screen.getByLabelText('Memory fit of the chosen shape');
    expect(fit).toHaveTextContent(
      'For GGUF Q4_K_M (4.84 bits/weight), after a conversion weights and a 4,096-token context, 4 requests at once, each with the whole context.'
    );
    expect(fit).toHaveTextContent('Decode speed: at most about 10.1 tokens/s (20 GB/s of memory bandwidth).');
    expect(fit).toHaveTextContent('≈ 10.1 tokens/s');

    // Back to transformers: its default again, and the request carries the choice.
    fireEvent.click(screen.getByRole('radio', { name: /^transformers/ }));
    await waitFor(() => expect(labels()).toContain('bfloat16 (16-bit weights)'));
    fireEvent.change(screen.getByLabelText('Weights (dtype or quantization)'), { target: { value: 'bfloat16' } });
    fireEvent.click(screen.getByRole('button', { name: 'Deploy' }));
    await waitFor(() => expect(props.onCreated).toHaveBeenCalled());
    expect(client.createDeployment).toHaveBeenCalledWith(
      expect.objectContaining({ engine: 'transformers', quantization: 'bfloat16' })
    );
  });

  it('says “too slow” where the server does', async () => {
    const client = new FakeClient();
    client.getModelFit.mockImplementation(async (_id, query) =>
      fitFor(query, { tokens_per_s: 0.3, too_slow: true, recommended: false })
    );
    setup(client);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      'Fits, but would answer at about 0.3 tokens/s (under 2): too slow to be of use, so not recommended.'
    );
    expect(screen.getByLabelText('Memory fit of the chosen shape')).toHaveTextContent('✓ Fits');
  });

  it('puts the server’s 400 on a quantization the engine cannot run under the select', async () => {
    const client = new FakeClient();
    client.getModelFit.mockImplementation(async (_id, query) => fitFor(query));
    client.createDeployment.mockRejectedValueOnce(
      apiError(400, 'quantization: bitsandbytes quantizes on a CUDA GPU only', {
        fields: [{ field: 'quantization', message: 'bitsandbytes quantizes on a CUDA GPU only' }]
      })
    );
    const { props } = setup(client);
    const select = await screen.findByLabelText('Weights (dtype or quantization)');
    fireEvent.change(select, { target: { value: 'bfloat16' } });
    fireEvent.click(screen.getByRole('button', { name: 'Deploy' }));
    await waitFor(() => expect(errorOf(select)).toHaveTextContent('bitsandbytes quantizes on a CUDA GPU only'));
    expect(props.onCreated).not.toHaveBeenCalled();
  });

  it('shows no select and no speed when the server lists no choices and knows no bandwidth', async () => {
    const client = new FakeClient();
    setup(client);
    await screen.findByLabelText('Memory fit of the chosen shape');
    expect(screen.queryByLabelText('Weights (dtype or quantization)')).not.toBeInTheDocument();
    expect(screen.queryByText(/tokens\/s/)).not.toBeInTheDocument();
  });
});
