import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { FineTuningSection, type IFineTuningSectionProps } from '../FineTuningSection';
import {
  advance,
  expectBusyPolling,
  expectFailureNotice,
  expectIdlePolling,
  flush,
  renderSection,
  type SectionHarnessProps
} from '../../../test-support/sections';
import { FakeUPlot } from '../../../test-support/fakeUplot';
import { FakeClient, makeFineTune, metricPoint } from '../../../test-support/fixtures';

jest.mock('uplot', () => ({ __esModule: true, default: require('../../../test-support/fakeUplot').FakeUPlot }));

function setup(overrides: Partial<SectionHarnessProps<IFineTuningSectionProps>> = {}, client = new FakeClient()) {
  return renderSection(
    FineTuningSection,
    {
      onNewFineTune: jest.fn(),
      onDeploy: jest.fn(),
      onViewModel: jest.fn(),
      onModelsChanged: jest.fn(),
      ...overrides
    },
    client
  );
}

const succeeded = makeFineTune({
  state: 'SUCCEEDED',
  state_message: '',
  step: 120,
  progress: 1,
  epoch: 3,
  eta_seconds: null,
  output_model_id: 'ft:ftj-0a1b2c',
  final_train_loss: 0.8123,
  final_validation_loss: 0.9456,
  wall_seconds: 754,
  peak_memory_mb: 5120,
  finished_at: '2026-11-21T10:13:00Z',
  artifact_location: '/data/aqua_ext/models/ft-ftj-0a1b2c'
});

describe('FineTuningSection', () => {
  beforeEach(() => FakeUPlot.reset());
  afterEach(() => jest.useRealTimers());

  it('lists the jobs with state and progress; polls every 2 s while one runs', async () => {
    jest.useFakeTimers();
    const client = new FakeClient();
    client.finetunes = [
      makeFineTune({ id: 'a', name: 'Alpha', created_at: '2026-11-21T11:00:00Z' }),
      makeFineTune({
        id: 'b',
        name: 'Beta',
        state: 'FAILED',
        state_message: 'Out of memory at step 3',
        training_type: 'last_layers',
        shape: 'gpu'
      })
    ];
    const { props } = setup({}, client);
    await flush();
    const table = screen.getByRole('table', { name: 'Fine-tuning jobs' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map(row => row.getAttribute('data-finetune-id'))).toEqual(['a', 'b']);
    const alpha = rows[0];
    expect(alpha).toHaveTextContent('Alpha');
    expect(alpha).toHaveTextContent('Qwen2.5 0.5B Instruct');
    expect(alpha).toHaveTextContent('In progress');
    expect(alpha).toHaveTextContent('step 30 of 120');
    expect(within(alpha).getByRole('progressbar', { name: 'Progress of Alpha' })).toHaveAttribute(
      'aria-valuenow',
      '25'
    );
    expect(alpha).toHaveTextContent('LoRA');
    expect(alpha).toHaveTextContent('CPU');
    expect(rows[1]).toHaveTextContent('Failed');
    expect(rows[1]).toHaveTextContent('Out of memory at step 3');
    expect(rows[1]).toHaveTextContent('Last N layers');
    expect(rows[1]).toHaveTextContent('GPU');
    await expectBusyPolling(client.listFineTunes, 1);
    client.finetunes = [succeeded, client.finetunes[1]].map((job, i) => ({
      ...job,
      id: i === 0 ? 'a' : 'b',
      name: i === 0 ? 'Alpha' : 'Beta'
    }));
    await advance(2000);
    expect(client.listFineTunes).toHaveBeenCalledTimes(3);
    expect(props.notify).toHaveBeenCalledWith('“Alpha” finished: the fine-tuned model is in Models.', 'success');
    expect(props.onModelsChanged).toHaveBeenCalled();
    // Nothing runs now: the next poll is 10 s away.
    await expectIdlePolling(client.listFineTunes, 3);
    expect(client.getFineTune).not.toHaveBeenCalled();
  });

  it('offers a first fine-tune when there is none', async () => {
    const client = new FakeClient();
    client.finetunes = [];
    const { props } = setup({}, client);
    expect(await screen.findByText('No fine-tuning jobs yet')).toBeInTheDocument();
    const buttons = screen.getAllByRole('button', { name: 'New fine-tune' });
    expect(buttons).toHaveLength(2);
    fireEvent.click(buttons[0]);
    expect(props.onNewFineTune).toHaveBeenCalled();
  });

  it('draws the loss curves and grows them with each metrics poll, then stops', async () => {
    jest.useFakeTimers();
    const client = new FakeClient();
    client.metricPoints['ftj-0a1b2c'] = [
      metricPoint(10, { train_loss: 2.1 }),
      metricPoint(20, { train_loss: 1.9 }),
      metricPoint(20, { train_loss: null, validation_loss: 2.0 })
    ];
    setup({ initial: 'ftj-0a1b2c' }, client);
    await flush();
    expect(screen.getByRole('heading', { name: 'Qwen support' })).toBeInTheDocument();
    const figure = document.querySelector('.jp-AquaExt-LossChart') as HTMLElement;
    expect(figure).toHaveAttribute('data-train-points', '2');
    expect(figure).toHaveAttribute('data-validation-points', '1');
    expect(client.getFineTuneMetrics).toHaveBeenLastCalledWith('ftj-0a1b2c', { after: 0 });
    const chart = FakeUPlot.current()!;
    expect(chart).toBeDefined();
    expect(chart.opts.series.map(series => series.label)).toEqual(['Step', 'Train loss', 'Validation loss']);
    // The validation curve is dashed: it differs from the train curve without color.
    expect(chart.opts.series[2].dash).toEqual([6, 4]);
    expect(chart.data).toEqual([
      [10, 20],
      [2.1, 1.9],
      [null, 2.0]
    ]);
    expect(figure).toHaveAttribute(
      'aria-label',
      expect.stringContaining('latest train loss 1.9, latest validation loss 2')
    );

    // Training goes on: the next poll asks only for what came after the cursor.
    client.metricPoints['ftj-0a1b2c'].push(metricPoint(30, { train_loss: 1.7 }), metricPoint(40, { train_loss: 1.5 }));
    await advance(2000);
    await flush();
    expect(client.getFineTuneMetrics).toHaveBeenLastCalledWith('ftj-0a1b2c', { after: 3 });
    expect(FakeUPlot.current()).toBe(chart);
    expect(chart.data[0]).toEqual([10, 20, 30, 40]);
    expect(chart.dataHistory.map(data => data[0].length)).toEqual([2, 4]);
    expect(figure).toHaveAttribute('data-train-points', '4');
    expect(within(figure).getByText('1.5')).toBeInTheDocument();

    // The job finishes: one last answer brings the last points, then the polling stops.
    client.metricPoints['ftj-0a1b2c'].push(metricPoint(40, { train_loss: null, validation_loss: 1.6 }));
    client.finetunes = [{ ...client.finetunes[0], state: 'SUCCEEDED', output_model_id: 'ft:ftj-0a1b2c' }];
    await advance(2000);
    await flush();
    expect(figure).toHaveAttribute('data-validation-points', '2');
    const calls = client.getFineTuneMetrics.mock.calls.length;
    await advance(10_000);
    expect(client.getFineTuneMetrics.mock.calls.length).toBe(calls);
  });

  it('shows a running job: progress with steps, epoch and time left; Cancel but no Delete or Deploy', async () => {
    const client = new FakeClient();
    const { props } = setup({ initial: 'ftj-0a1b2c' }, client);
    const progress = await screen.findByRole('progressbar', { name: 'Training progress' });
    expect(progress).toHaveAttribute('aria-valuenow', '25');
    const box = progress.closest('.jp-AquaExt-FineTuneProgress') as HTMLElement;
    expect(box).toHaveTextContent('step 30 of 120');
    expect(box).toHaveTextContent('epoch 0.75 of 3');
    expect(box).toHaveTextContent('about 2 min 5 s left');
    expect(screen.getByText('Training')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Delete' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Deploy' })).not.toBeInTheDocument();

    const params = within(screen.getByRole('region', { name: 'Parameters' })).getByRole('table');
    expect(params.querySelector('[data-param="learning_rate"]')).toHaveTextContent('2e-4');
    expect(params.querySelector('[data-param="lora_target_modules"]')).toHaveTextContent('All linear layers');
    expect(params.querySelector('[data-param="validation_split"]')).toHaveTextContent('10%');
    expect(params.querySelector('[data-param="rows"]')).toHaveTextContent('360 train · 40 validation');
    expect(params.querySelector('[data-param="last_n_layers"]')).toBeNull();
    const lineage = screen.getByRole('region', { name: 'Lineage' });
    expect(lineage).toHaveTextContent('datasets/support.jsonl');
    expect(lineage).toHaveTextContent('sha256 3f2a9c0d4e5b');
    fireEvent.click(within(lineage).getByRole('button', { name: 'Copy dataset hash' }));
    expect(props.copyToClipboard).toHaveBeenCalledWith(expect.stringMatching(/^3f2a9c0d4e5b6a7c.{48}$/));
    fireEvent.click(within(lineage).getByRole('button', { name: 'Qwen2.5 0.5B Instruct' }));
    expect(props.onViewModel).toHaveBeenCalledWith('catalog:Qwen--Qwen2.5-0.5B-Instruct');

    // The job log, in the panel's one log view (the deployment log's classes).
    const log = screen.getByRole('region', { name: 'Job log' });
    expect(log).toHaveClass('jp-AquaExt-FineTuneLogs');
    expect(await within(log).findByText('step 30: loss 1.7')).toBeInTheDocument();
    expect(log.querySelector('.jp-AquaExt-LogsView-lines')).not.toBeNull();
    expect(within(log).getByRole('checkbox', { name: 'Follow' })).toBeChecked();

    fireEvent.click(screen.getByRole('button', { name: 'Cancel job' }));
    await waitFor(() => expect(client.cancelFineTune).toHaveBeenCalledWith('ftj-0a1b2c'));
    expect(props.confirm).toHaveBeenCalledWith(
      expect.stringContaining('“Qwen support”'),
      expect.objectContaining({ danger: true })
    );
    expect(await screen.findByText('Canceling', { selector: '[data-state]' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Cancel job' })).not.toBeInTheDocument();
  });

  it('offers Deploy, View model and Delete once the job succeeded', async () => {
    const client = new FakeClient();
    client.finetunes = [succeeded];
    const { props } = setup({ initial: 'ftj-0a1b2c' }, client);
    const deploy = await screen.findByRole('button', { name: 'Deploy' });
    expect(screen.queryByRole('button', { name: 'Cancel job' })).not.toBeInTheDocument();
    const outcome = screen.getByLabelText('Outcome');
    expect(outcome).toHaveTextContent('Final train loss0.8123');
    expect(outcome).toHaveTextContent('Final validation loss0.9456');
    expect(outcome).toHaveTextContent('Took12 min');
    expect(outcome).toHaveTextContent('Peak memory5.0 GB');
    expect(screen.queryByRole('progressbar', { name: 'Training progress' })).not.toBeInTheDocument();
    fireEvent.click(deploy);
    expect(props.onDeploy).toHaveBeenCalledWith('ft:ftj-0a1b2c');
    fireEvent.click(screen.getByRole('button', { name: 'View model' }));
    expect(props.onViewModel).toHaveBeenCalledWith('ft:ftj-0a1b2c');
    // A finished job's log is not followed.
    expect(
      within(screen.getByRole('region', { name: 'Job log' })).getByRole('checkbox', { name: 'Follow' })
    ).not.toBeChecked();

    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(client.deleteFineTune).toHaveBeenCalledWith('ftj-0a1b2c'));
    expect(props.confirm).toHaveBeenCalledWith(
      expect.stringContaining('the model it produced (ft:ftj-0a1b2c)'),
      expect.anything()
    );
    expect(await screen.findByRole('table', { name: 'Fine-tuning jobs' })).toBeInTheDocument();
    expect(props.onModelsChanged).toHaveBeenCalled();
  });

  it('explains a failure with the job’s last log lines', async () => {
    const client = new FakeClient();
    client.finetunes = [
      makeFineTune({
        state: 'FAILED',
        state_message: 'The job exited with code 1: CUDA out of memory.',
        failure_log: ['Traceback (most recent call last):', 'torch.OutOfMemoryError: CUDA out of memory.']
      })
    ];
    setup({ initial: 'ftj-0a1b2c' }, client);
    await expectFailureNotice(
      'The fine-tuning job failed',
      'The job exited with code 1: CUDA out of memory.',
      'torch.OutOfMemoryError'
    );
    expect(screen.getByRole('button', { name: 'Delete' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Deploy' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Cancel job' })).not.toBeInTheDocument();
  });

  it('renders the buttons from `actions`: a succeeded job the server only lets delete offers no Deploy', async () => {
    const client = new FakeClient();
    client.finetunes = [{ ...succeeded, actions: ['delete'] }];
    setup({ initial: 'ftj-0a1b2c' }, client);
    expect(await screen.findByRole('button', { name: 'Delete' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Deploy' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Evaluate on its training data' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Cancel job' })).not.toBeInTheDocument();
  });

  it('waits for the first loss with an empty chart', async () => {
    const client = new FakeClient();
    client.finetunes = [
      makeFineTune({ state: 'ACCEPTED', step: 0, progress: 0, eta_seconds: null, state_message: 'Waiting to start' })
    ];
    setup({ initial: 'ftj-0a1b2c' }, client);
    expect(await screen.findByText('Waiting for the first logged loss…')).toBeInTheDocument();
    const progress = screen.getByRole('progressbar', { name: 'Training progress' });
    expect(progress).not.toHaveAttribute('aria-valuenow');
    expect(progress).toHaveClass('jp-mod-indeterminate');
  });
});

describe('a Generative AI fine-tune in the list', () => {
  it('shows T-Few, its final accuracy and loss, and no LoRA rows', async () => {
    const client = new FakeClient();
    client.finetunes = [
      {
        ...succeeded,
        id: 'ocid1.generativeaimodel.oc1..tfew',
        name: '미세 조정 微調整',
        target: 'genai',
        training_type: 'tfew',
        output_model_id: 'ocid1.generativeaimodel.oc1..tfew',
        final_train_loss: null,
        final_validation_loss: 0.4321,
        final_accuracy: 0.875,
        step: 0,
        total_steps: null,
        wall_seconds: null,
        peak_memory_mb: null
      }
    ];
    setup({ initial: 'ocid1.generativeaimodel.oc1..tfew' }, client);
    await screen.findByRole('button', { name: 'Deploy' });
    const outcome = screen.getByLabelText('Outcome');
    expect(outcome).toHaveTextContent('Final validation loss0.4321');
    expect(outcome).toHaveTextContent('Final accuracy87.5%');
    expect(outcome).not.toHaveTextContent('Steps');
    expect(screen.getAllByText('T-Few').length).toBeGreaterThan(0);
    expect(screen.queryByText('LoRA r')).not.toBeInTheDocument();
  });
});
