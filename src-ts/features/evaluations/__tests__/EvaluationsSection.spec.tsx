import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { EvaluationsSection, type IEvaluationsSectionProps } from '../EvaluationsSection';
import {
  advance,
  expectBusyPolling,
  expectIdlePolling,
  flush,
  renderSection,
  type SectionHarnessProps
} from '../../../test-support/sections';
import { FakeUPlot } from '../../../test-support/fakeUplot';
import {
  FakeClient,
  makeEvaluation,
  makeEvaluationRow,
  makeEvaluationReport,
  makeFinishedEvaluation
} from '../../../test-support/fixtures';
import { expectFirstRowsPage } from './evaluationFixtures';

jest.mock('uplot', () => ({ __esModule: true, default: require('../../../test-support/fakeUplot').FakeUPlot }));

function setup(overrides: Partial<SectionHarnessProps<IEvaluationsSectionProps>> = {}, client = new FakeClient()) {
  return renderSection(
    EvaluationsSection,
    {
      onNewEvaluation: jest.fn(),
      ...overrides
    },
    client
  );
}

describe('EvaluationsSection', () => {
  beforeEach(() => FakeUPlot.reset());
  afterEach(() => jest.useRealTimers());

  it('lists the evaluations with progress and headline scores; polls every 2 s while one runs', async () => {
    jest.useFakeTimers();
    const client = new FakeClient();
    client.evaluations = [
      makeEvaluation({ id: 'a', name: 'Alpha', created_at: '2026-11-21T13:00:00Z' }),
      makeFinishedEvaluation({ id: 'b', name: 'Beta' })
    ];
    const { props } = setup({}, client);
    await flush();
    const table = screen.getByRole('table', { name: 'Evaluations' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map(row => row.getAttribute('data-evaluation-id'))).toEqual(['a', 'b']);
    expect(rows[0]).toHaveTextContent('Alpha');
    expect(rows[0]).toHaveTextContent('Qwen chat · Qwen2.5 0.5B Instruct');
    expect(rows[0]).toHaveTextContent('In progress');
    expect(rows[0]).toHaveTextContent('rows 10 of 40');
    expect(within(rows[0]).getByRole('progressbar', { name: 'Progress of Alpha' })).toHaveAttribute(
      'aria-valuenow',
      '25'
    );
    expect(rows[1]).toHaveTextContent('Succeeded');
    expect(rows[1]).toHaveTextContent('0.812');
    expect(rows[1]).toHaveTextContent('0.455');
    await expectBusyPolling(client.listEvaluations, 1);
    client.evaluations = [makeFinishedEvaluation({ id: 'a', name: 'Alpha' }), client.evaluations[1]];
    await advance(2000);
    expect(props.notify).toHaveBeenCalledWith('“Alpha” finished: BERTScore 0.812 · ROUGE-L 0.455.', 'success');
    // Nothing runs now: the next poll is 10 s away.
    await expectIdlePolling(client.listEvaluations, 3);
  });

  it('compares two ticked evaluations: best values marked, charts, categories and notes', async () => {
    const client = new FakeClient();
    client.evaluations = [
      makeFinishedEvaluation({ id: 'a', name: 'Alpha' }),
      makeFinishedEvaluation({
        id: 'b',
        name: 'Beta',
        dataset_hash: 'other',
        report: makeEvaluationReport({
          overall: { scores: { bertscore: 0.9, rougeL: 0.4, latency_ms_p95: 900 }, rows: 40 }
        })
      })
    ];
    setup({}, client);
    const compare = await screen.findByRole('button', { name: 'Compare' });
    expect(compare).toBeDisabled();
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select “Alpha” for comparison' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select “Beta” for comparison' }));
    // Ticking does not open the row.
    expect(client.getEvaluation).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Compare (2)' }));
    const table = await screen.findByRole('table', { name: 'Overall scores compared' });
    expect(client.compareEvaluations).toHaveBeenCalledWith(['a', 'b']);
    const bert = table.querySelector('tr[data-score="bertscore"]') as HTMLElement;
    expect(bert.querySelector('[data-best="true"]')).toHaveAttribute('data-evaluation-id', 'b');
    expect(bert).toHaveTextContent('0.900 ★ (best)');
    const rouge = table.querySelector('tr[data-score="rougeL"]') as HTMLElement;
    expect(rouge.querySelector('[data-best="true"]')).toHaveAttribute('data-evaluation-id', 'a');
    const latency = table.querySelector('tr[data-score="latency_ms_p95"]') as HTMLElement;
    expect(latency.querySelector('[data-best="true"]')).toHaveAttribute('data-evaluation-id', 'b');
    expect(screen.getByRole('list', { name: 'Comparison warnings' })).toHaveTextContent(/different datasets/);
    expect(screen.getByRole('table', { name: 'Scores by category compared' })).toHaveTextContent('billing');
    const charts = screen.getAllByRole('img', { name: /Scores compared/ });
    expect(charts.length).toBeGreaterThan(0);
    expect(charts[0]).toHaveAttribute('data-series', '2');
    fireEvent.click(screen.getByRole('button', { name: '← All evaluations' }));
    expect(await screen.findByRole('table', { name: 'Evaluations' })).toBeInTheDocument();
  });

  it('shows a report: scores with scales, categories, sortable rows, the download link', async () => {
    const client = new FakeClient();
    client.evaluations = [makeFinishedEvaluation({ id: 'evj-1', name: 'Done' })];
    client.evaluationRows = [
      makeEvaluationRow(0),
      makeEvaluationRow(1, { output: '', error: 'HTTP 500 from the engine', scores: {} })
    ];
    setup({ initial: 'evj-1' }, client);
    const scores = await screen.findByRole('table', { name: 'Overall scores' });
    expect(within(scores).getByRole('row', { name: /BERTScore/ })).toHaveTextContent('0.812');
    expect(within(scores).getByRole('row', { name: /BERTScore/ })).toHaveTextContent('0–1, higher is better');
    expect(within(scores).getByRole('row', { name: /^BLEU/ })).toHaveTextContent('0–100, higher is better');
    expect(within(scores).getByRole('row', { name: /Latency, p95/ })).toHaveTextContent('1,710 ms');
    expect(within(scores).getByRole('row', { name: /Tokens per second/ })).toHaveTextContent('25.3 tok/s');
    expect(screen.getByText(/1 row failed/)).toBeInTheDocument();
    expect(screen.queryByRole('list', { name: 'Notes on the scores' })).not.toBeInTheDocument();
    expect(screen.getByRole('img', { name: /Scores by category/ })).toHaveAttribute('data-groups', '2');
    const link = screen.getByRole('link', { name: 'Download report' });
    expect(link).toHaveAttribute('href', '/lab-base/aqua-ext/evaluations/evj-1/report.html');
    expect(link.getAttribute('href')).not.toMatch(/token/);
    expect(screen.getByRole('progressbar', { name: 'Evaluation progress' })).toHaveAttribute('aria-valuenow', '100');
    // How the report was made: the dataset as scored (the sample, its seed, its hash), the metric versions.
    const provenance = screen.getByRole('region', { name: 'Provenance' });
    expect(provenance).toHaveTextContent('a sample of 40 of 62 rows (seed 0)');
    expect(provenance).toHaveTextContent('sha256 a1b2c3d4e5f6');
    expect(provenance).toHaveTextContent('bert-score 0.3.13, rouge-score 0.1.2, sacrebleu 2.4.3');
    expect(provenance).toHaveTextContent('0.1.0');

    const rows = await screen.findByRole('table', { name: 'Rows' });
    expect(within(rows).getAllByRole('row')).toHaveLength(3);
    expect(rows).toHaveTextContent('Error: HTTP 500 from the engine');
    await expectFirstRowsPage(client, 'evj-1');
    fireEvent.click(within(rows).getByRole('button', { name: 'ROUGE-L' }));
    await expectFirstRowsPage(client, 'evj-1', { sort: 'rougeL', descending: false });
    expect(within(rows).getByRole('columnheader', { name: /ROUGE-L/ })).toHaveAttribute('aria-sort', 'ascending');
    fireEvent.click(within(screen.getByRole('table', { name: 'Rows' })).getByRole('button', { name: /ROUGE-L/ }));
    await expectFirstRowsPage(client, 'evj-1', { sort: 'rougeL', descending: true });
    fireEvent.change(screen.getByLabelText('Category'), { target: { value: 'shipping' } });
    await expectFirstRowsPage(client, 'evj-1', { sort: 'rougeL', descending: true, category: 'shipping' });
  });

  it('says how scores were computed and which were not, never showing 0 for those', async () => {
    const client = new FakeClient();
    const rouge = 'ROUGE on words, CJK text by character';
    const bert = 'not computed for 40 of 40 rows: not meaningful for this language (not in a Latin script)';
    client.evaluations = [
      makeFinishedEvaluation({
        id: 'evj-ko',
        name: '한국어',
        report: makeEvaluationReport({
          overall: { scores: { rouge1: 0.91, rouge2: 0.8, rougeL: 0.91 }, rows: 40 },
          notes: { rouge1: rouge, rouge2: rouge, rougeL: rouge, bertscore: bert }
        })
      })
    ];
    setup({ initial: 'evj-ko' }, client);
    const scores = await screen.findByRole('table', { name: 'Overall scores' });
    expect(within(scores).getByRole('row', { name: /BERTScore/ })).toHaveTextContent('Not computed');
    expect(within(scores).getByRole('row', { name: /ROUGE-L/ })).toHaveTextContent('0.910');
    const notes = screen.getByRole('list', { name: 'Notes on the scores' });
    expect(
      within(notes)
        .getAllByRole('listitem')
        .map(item => item.textContent)
    ).toEqual([`BERTScore: ${bert}`, `ROUGE-1, ROUGE-2, ROUGE-L: ${rouge}`]);
  });

  it('follows a running evaluation and cancels it', async () => {
    const client = new FakeClient();
    client.evaluations = [makeEvaluation({ id: 'evj-2', name: 'Running' })];
    const { props } = setup({ initial: 'evj-2' }, client);
    const bar = await screen.findByRole('progressbar', { name: 'Evaluation progress' });
    expect(bar).toHaveAttribute('aria-valuetext', '25% · rows 10 of 40 · about 1 min 5 s left');
    expect(screen.queryByRole('link', { name: 'Download report' })).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel evaluation' }));
    await waitFor(() => expect(client.cancelEvaluation).toHaveBeenCalledWith('evj-2'));
    expect(props.confirm).toHaveBeenCalled();
    await waitFor(() => expect(props.notify).toHaveBeenCalledWith('Canceling “Running”…', 'info'));
  });

  it('renders the buttons from `actions`: a job being canceled offers neither Cancel nor Delete', async () => {
    const client = new FakeClient();
    client.evaluations = [makeEvaluation({ id: 'evj-4', name: 'Stopping', state: 'CANCELING' })];
    setup({ initial: 'evj-4' }, client);
    expect(await screen.findByRole('progressbar', { name: 'Evaluation progress' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Cancel evaluation' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Delete' })).not.toBeInTheDocument();
  });

  it('shows why an evaluation failed, and deletes it', async () => {
    const client = new FakeClient();
    client.evaluations = [
      makeEvaluation({
        id: 'evj-3',
        name: 'Broken',
        state: 'FAILED',
        state_message: 'The deployment stopped answering',
        failure_log: ['ConnectionError: refused'],
        rows_done: 0
      })
    ];
    const { props } = setup({ initial: 'evj-3' }, client);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The evaluation failed');
    expect(alert).toHaveTextContent('ConnectionError: refused');
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(client.deleteEvaluation).toHaveBeenCalledWith('evj-3'));
    expect(await screen.findByRole('table', { name: 'Evaluations' })).toBeInTheDocument();
    expect(props.notify).toHaveBeenCalledWith('Deleted the evaluation “Broken”.', 'success');
  });
});
