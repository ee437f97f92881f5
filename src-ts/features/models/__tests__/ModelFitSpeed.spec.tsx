import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import type { FitQuery, FitReport } from '../../../api/types';
import { IModelDetailProps, ModelDetail } from '../ModelDetail';
import { FakeClient, makeDetail, makeFit, ociShape, target, weightChoices } from '../../../test-support/fixtures';
import { renderWithProps } from '../../../test-support/render';
import { trans } from '../../../test-support/trans';
import { optionTexts } from '../../../test-support/queries';

const MODEL = 'reg:양자화-모델';

/** What the server lists per engine, Q4_K_M the default of llama.cpp. */
const CHOICES = weightChoices('Q4_K_M');

/** A fit that answers for the engine and quantization asked, as the server does: the CPU too slow
 * (the server's verdict) unless the weights are Q4_K_M. */
function fitFor(query: FitQuery | undefined): FitReport {
  const engine = query?.engine ?? null;
  const small = query?.quantization === 'Q4_K_M';
  return makeFit({
    model_id: MODEL,
    engine,
    quantizations: engine ? CHOICES[engine] : [],
    quantization: query?.quantization ?? null,
    weights_gb: small ? 0.3 : 1.98,
    local: [
      target({
        name: 'このマシン (CPU)',
        tokens_per_s: small ? 6.2 : 1.1,
        bandwidth_gb_s: 2.2,
        too_slow: !small
      })
    ],
    shapes: [ociShape('VM.GPU.A10.1', { recommended: true, tokens_per_s: 276.5, bandwidth_gb_s: 600 })],
    decode: ['bytes read per token ≈ weights 1.98 GB', 'このマシン (CPU): 2.2 GB/s ÷ 1.98 GB ≈ 1.1 tokens/s'],
    too_slow_below_tokens_per_s: 2
  });
}

function setup(client = new FakeClient()) {
  client.getModel.mockResolvedValue(makeDetail({ id: MODEL, name: '양자화 모델' }));
  client.getModelFit.mockImplementation(async (_id, query) => fitFor(query));
  const props: IModelDetailProps = {
    client,
    trans,
    modelId: MODEL,
    renderMarkdown: jest.fn(async () => undefined),
    confirm: jest.fn(async () => true),
    notify: jest.fn(),
    onBack: jest.fn(),
    onDeleted: jest.fn(),
    fitDefaults: { dtype: 'bfloat16', contextLength: 4096, concurrency: 1 },
    fitDebounceMs: 0
  };
  return { client, ...renderWithProps(ModelDetail, props, null) };
}

const rowOf = (name: string): HTMLElement =>
  within(screen.getByRole('table')).getByText(name).closest('tr') as HTMLElement;

describe('ModelDetail memory fit: decode speed and the weights’ choice', () => {
  it('shows each target’s estimated tokens/s and the server’s too-slow verdict', async () => {
    setup();
    await screen.findByRole('table');
    const cpu = rowOf('このマシン (CPU)');
    expect(cpu.querySelector('.jp-AquaExt-FitTable-speed')).toHaveTextContent('1.1 tok/s');
    const badge = within(cpu).getByText('too slow');
    expect(badge).toHaveAttribute('title', expect.stringContaining('about 1.1 tokens/s (under 2)'));
    const gpu = rowOf('VM.GPU.A10.1');
    expect(gpu.querySelector('.jp-AquaExt-FitTable-speed')).toHaveTextContent('276.5 tok/s');
    expect(gpu.querySelector('.jp-AquaExt-FitTable-speed')).toHaveAttribute(
      'title',
      'About 276.5 tokens/s for one sequence (600 GB/s of memory bandwidth).'
    );
    expect(within(gpu).queryByText('too slow')).toBeNull();
    // The decode arithmetic follows the memory arithmetic.
    expect(screen.getByLabelText('How the estimate is computed').textContent).toContain('≈ 1.1 tokens/s');
  });

  it('offers the server’s weights for an engine, prices its default, then the one picked', async () => {
    const { client } = setup();
    await screen.findByRole('table');
    expect(client.getModelFit).toHaveBeenLastCalledWith(MODEL, {
      dtype: 'bfloat16',
      context_length: 4096,
      concurrency: 1
    });
    expect(screen.queryByLabelText('Weights')).toBeNull();

    fireEvent.change(screen.getByLabelText('Engine'), { target: { value: 'llama.cpp' } });
    // The engine's list arrives with its fit; the server's default is then priced.
    await waitFor(() =>
      expect(client.getModelFit).toHaveBeenLastCalledWith(MODEL, {
        dtype: 'bfloat16',
        context_length: 4096,
        concurrency: 1,
        engine: 'llama.cpp',
        quantization: 'Q4_K_M'
      })
    );
    const weights = await screen.findByLabelText('Weights');
    expect(optionTexts(weights)).toEqual([
      'GGUF Q8_0 (8.5 bits/weight), after a conversion',
      'GGUF Q4_K_M (4.84 bits/weight), after a conversion'
    ]);
    await waitFor(() => expect(weights).toHaveValue('Q4_K_M'));
    expect(screen.queryByLabelText('Data type')).toBeNull();
    await waitFor(() => expect(within(rowOf('このマシン (CPU)')).queryByText('too slow')).toBeNull());
    expect(rowOf('このマシン (CPU)').querySelector('.jp-AquaExt-FitTable-speed')).toHaveTextContent('6.2 tok/s');

    // Picking another level asks again; the verdict is the server's answer for it.
    fireEvent.change(weights, { target: { value: 'Q8_0' } });
    await waitFor(() =>
      expect(client.getModelFit).toHaveBeenLastCalledWith(MODEL, expect.objectContaining({ quantization: 'Q8_0' }))
    );
    expect(await within(rowOf('このマシン (CPU)')).findByText('too slow')).toBeInTheDocument();

    // Another engine: its own list and default, nothing of the last engine's.
    fireEvent.change(screen.getByLabelText('Engine'), { target: { value: 'transformers' } });
    await waitFor(() =>
      expect(client.getModelFit).toHaveBeenLastCalledWith(
        MODEL,
        expect.objectContaining({ engine: 'transformers', quantization: 'float32' })
      )
    );
    await waitFor(() => expect(screen.getByLabelText('Weights')).toHaveValue('float32'));

    // Back to any engine: the data type is priced again, with no engine in the query.
    fireEvent.change(screen.getByLabelText('Engine'), { target: { value: '' } });
    await waitFor(() =>
      expect(client.getModelFit).toHaveBeenLastCalledWith(MODEL, {
        dtype: 'bfloat16',
        context_length: 4096,
        concurrency: 1
      })
    );
    expect(screen.getByLabelText('Data type')).toBeInTheDocument();
  });
});
