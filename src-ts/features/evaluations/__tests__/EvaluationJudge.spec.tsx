import * as React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';

import { AquaApiError } from '../../../api/errors';
import { overallRows } from '../compare';
import { EvaluationDialog } from '../EvaluationDialog';
import { expectFirstRowsPage, instructionReport } from './evaluationFixtures';
import { JUDGED } from './judgeFixtures';
import { formatScore, scoreLabel } from '../format';
import { JudgeSummary } from '../JudgeViews';
import { RowsTable } from '../RowsTable';
import {
  buildJudgeSettings,
  initialJudgeForm,
  judgeCandidates,
  placeJudgeErrors,
  validateJudgeForm,
  type IJudgeForm
} from '../judgeForm';
import {
  FakeClient,
  makeConnection,
  makeDeployment,
  makeEvaluationRow,
  summaryOf
} from '../../../test-support/fixtures';
import { errorOf, renderDialog, settle } from '../../../test-support/dialogs';
import { trans } from '../../../test-support/trans';

/** A chat deployment, an embedding one; a Korean chat service, a Japanese one, an embedding-only one. */
function judgeClient(): FakeClient {
  const client = new FakeClient();
  client.deployments = [
    makeDeployment({ id: 'dep-1', name: '평가 대상' }),
    makeDeployment({ id: 'dep-2', name: '심판 모델' }),
    makeDeployment({ id: 'dep-3', name: '埋め込み', mode: 'embedding' })
  ];
  client.connections = [
    makeConnection({ id: 'conn-1', name: '사내 GPT', models: ['gpt-4o-mini', 'gpt-4o'], default_model: 'gpt-4o-mini' }),
    makeConnection({ id: 'conn-2', name: '埋め込み専用', capabilities: ['embedding'], actions: ['edit', 'delete'] })
  ];
  client.validateDataset.mockResolvedValue(instructionReport('datasets/한국어.jsonl'));
  return client;
}

function form(patch: Partial<IJudgeForm>): IJudgeForm {
  return { ...initialJudgeForm(), ...patch };
}

describe('judgeForm', () => {
  const client = judgeClient();
  const candidates = judgeCandidates(client.deployments.map(summaryOf), client.connections);

  it('offers the deployments and connections that chat, deployments first', () => {
    expect(candidates.map(c => [c.kind, c.name])).toEqual([
      ['deployment', '평가 대상'],
      ['deployment', '심판 모델'],
      ['connection', '사내 GPT']
    ]);
  });

  it('checks a custom rubric’s text, a second judge without a first, and the same judge twice', () => {
    expect(validateJudgeForm(initialJudgeForm(), candidates, trans)).toEqual({});
    const custom = form({
      slots: [
        { id: 'dep-2', model: '' },
        { id: '', model: '' }
      ],
      rubric: 'custom'
    });
    expect(validateJudgeForm(custom, candidates, trans).rubric_text).toBe('Say what makes an answer score 5, and 1.');
    const twice = form({
      slots: [
        { id: 'conn-1', model: 'gpt-4o' },
        { id: 'conn-1', model: 'gpt-4o' }
      ]
    });
    expect(validateJudgeForm(twice, candidates, trans).slot1).toMatch(/first one again/);
    const secondOnly = form({
      slots: [
        { id: '', model: '' },
        { id: 'dep-2', model: '' }
      ]
    });
    expect(validateJudgeForm(secondOnly, candidates, trans).slot0).toMatch(/first judge/);
    const mute = form({
      slots: [
        { id: 'dep-3', model: '' },
        { id: '', model: '' }
      ]
    });
    expect(validateJudgeForm(mute, candidates, trans).slot0).toMatch(/cannot chat/);
  });

  it('builds the request’s judge settings: a deployment, a connection and its model, the rubric', () => {
    expect(buildJudgeSettings(initialJudgeForm(), candidates)).toBeUndefined();
    const two = form({
      slots: [
        { id: 'dep-2', model: '' },
        { id: 'conn-1', model: ' gpt-4o ' }
      ],
      rubric: 'custom',
      rubricText: ' 参考回答と同じ意味なら5。 '
    });
    expect(buildJudgeSettings(two, candidates)).toEqual({
      judges: [
        { deployment_id: 'dep-2', connection_id: null, model: null },
        { deployment_id: null, connection_id: 'conn-1', model: 'gpt-4o' }
      ],
      rubric: 'custom',
      rubric_text: '参考回答と同じ意味なら5。',
      concurrency: 8
    });
    const helpful = form({
      slots: [
        { id: 'conn-1', model: '' },
        { id: '', model: '' }
      ],
      rubric: 'helpfulness'
    });
    expect(buildJudgeSettings(helpful, candidates)).toMatchObject({
      judges: [{ connection_id: 'conn-1', model: null }],
      rubric_text: ''
    });
  });

  it('places judge.* errors on the judge inputs and leaves the rest to the form', () => {
    const placed = placeJudgeErrors([
      { field: 'judge.judges.1.connection_id', message: "no connection with id 'conn-x'" },
      { field: 'body', message: 'Value error, judge.judges.0.deployment_id: give a deployment_id or a connection_id' },
      { field: 'judge.rubric_text', message: 'a custom rubric needs its text' },
      { field: 'judge', message: 'LLM-as-judge runs in the local evaluation job' },
      { field: 'deployment_id', message: 'not ACTIVE' }
    ]);
    expect(placed.judge).toEqual({
      slot1: "no connection with id 'conn-x'",
      slot0: 'give a deployment_id or a connection_id',
      rubric_text: 'a custom rubric needs its text',
      judge: 'LLM-as-judge runs in the local evaluation job'
    });
    expect(placed.rest).toEqual([{ field: 'deployment_id', message: 'not ACTIVE' }]);
  });
});

describe('EvaluationDialog: the Judge section', () => {
  function setup(client = judgeClient()) {
    return renderDialog(EvaluationDialog, client, {
      debounceMs: 0,
      deploymentId: 'dep-1',
      datasetPath: 'datasets/한국어.jsonl'
    });
  }

  it('sends two judges with a custom rubric in Japanese', async () => {
    const { props, client } = setup();
    await settle();
    const first = screen.getByLabelText('Judge') as HTMLSelectElement;
    // Only the models that chat are offered; none is chosen at first (no judge runs).
    expect(first.value).toBe('');
    expect(within(first).getByRole('option', { name: '심판 모델' })).toBeInTheDocument();
    expect(within(first).queryByRole('option', { name: '埋め込み' })).not.toBeInTheDocument();
    expect(within(first).queryByRole('option', { name: '埋め込み専用' })).not.toBeInTheDocument();
    expect(screen.queryByRole('radio', { name: /Custom/ })).not.toBeInTheDocument();
    fireEvent.change(first, { target: { value: 'dep-2' } });
    const second = screen.getByLabelText('Second judge (optional)') as HTMLSelectElement;
    fireEvent.change(second, { target: { value: 'conn-1' } });
    // A connection judge starts at its default model.
    expect((screen.getByLabelText('Judge model') as HTMLSelectElement).value).toBe('gpt-4o-mini');
    fireEvent.change(screen.getByLabelText('Judge model'), { target: { value: 'gpt-4o' } });
    fireEvent.click(screen.getByRole('radio', { name: /Custom/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Start evaluation' }));
    // The custom rubric needs its text before anything is sent.
    await waitFor(() =>
      expect(errorOf(screen.getByLabelText('Rubric text'))).toHaveTextContent('Say what makes an answer score 5')
    );
    expect(client.createEvaluation).not.toHaveBeenCalled();
    fireEvent.change(screen.getByLabelText('Rubric text'), { target: { value: '敬語で丁寧なら5、失礼なら1。' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start evaluation' }));
    await waitFor(() => expect(props.onCreated).toHaveBeenCalled());
    expect(client.createEvaluation.mock.calls[0][0]).toMatchObject({
      deployment_id: 'dep-1',
      judge: {
        judges: [
          { deployment_id: 'dep-2', connection_id: null, model: null },
          { deployment_id: null, connection_id: 'conn-1', model: 'gpt-4o' }
        ],
        rubric: 'custom',
        rubric_text: '敬語で丁寧なら5、失礼なら1。'
      }
    });
  });

  it('sends no judge unless one is chosen, and puts the server’s judge errors under the judge', async () => {
    const { client } = setup();
    await settle();
    client.createEvaluation.mockRejectedValueOnce(
      new AquaApiError({
        status: 400,
        message: 'Invalid input',
        reason: 'Bad Request',
        fields: [{ field: 'judge.judges.0.deployment_id', message: "deployment '심판 모델' is INACTIVE" }]
      })
    );
    fireEvent.change(screen.getByLabelText('Judge'), { target: { value: 'dep-2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start evaluation' }));
    await waitFor(() => expect(errorOf(screen.getByLabelText('Judge'))).toHaveTextContent('is INACTIVE'));
    // Not under the deployment evaluated, whose field name the judge's ends with.
    expect(errorOf(screen.getByLabelText('Deployment'))).toBeNull();
    expect(client.createEvaluation.mock.calls[0][0].judge).toMatchObject({ rubric: 'correctness' });

    fireEvent.change(screen.getByLabelText('Judge'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start evaluation' }));
    await waitFor(() => expect(client.createEvaluation).toHaveBeenCalledTimes(2));
    expect(client.createEvaluation.mock.calls[1][0]).not.toHaveProperty('judge');
  });

  it('has no Judge section when the evaluation runs on OCI (the judge grades in the local job)', async () => {
    const client = judgeClient();
    client.deployments = [makeDeployment({ id: 'dep-1', name: 'OCI 모델', target: 'oci' })];
    renderDialog(EvaluationDialog, client, { backendKind: 'oci', deploymentId: 'dep-1', debounceMs: 0 });
    await settle();
    expect(screen.queryByLabelText('Judge')).not.toBeInTheDocument();
  });
});

describe('judge scores in the detail and the rows table', () => {
  it('shows each judge’s grades, token cost and the agreement of the two', () => {
    render(<JudgeSummary judge={JUDGED} trans={trans} />);
    const table = screen.getByRole('table', { name: 'Judges' });
    const second = within(table).getByText('사내 GPT · gpt-4o').closest('tr') as HTMLElement;
    expect(second).toHaveTextContent('21');
    expect(second).toHaveTextContent('4.00');
    expect(second).toHaveTextContent('1,100 + 60');
    expect(screen.getByText(/Judge tokens in all: 2,300 prompt \+ 150 completion/)).toBeInTheDocument();
    expect(screen.getByText(/exact 0.500, Cohen’s kappa \(quadratic\) 0.600, Spearman —/)).toBeInTheDocument();
  });

  it('lists each row’s grades and reasons (an unparsable one is not a 0) and sorts by the judge score', async () => {
    const client = new FakeClient();
    client.evaluationRows = [
      makeEvaluationRow(0, {
        prompt: 'OCI 가상머신 서비스에 대해서 설명해줘',
        scores: { judge: 0.875 },
        judgements: [
          {
            judge: 0,
            score: 4,
            reason: '핵심은 맞지만 가격이 빠졌습니다',
            error: null,
            prompt_tokens: 400,
            completion_tokens: 30
          },
          {
            judge: 1,
            score: 5,
            reason: '参考回答と同じ意味です',
            error: null,
            prompt_tokens: 380,
            completion_tokens: 20
          }
        ]
      }),
      makeEvaluationRow(1, {
        scores: { judge: 0.25, judge_1: 0.25 },
        judgements: [
          { judge: 0, score: 2, reason: 'differs', error: null, prompt_tokens: 400, completion_tokens: 30 },
          {
            judge: 1,
            score: null,
            reason: null,
            error: "the judge's reply holds no JSON object: 'maybe a four'",
            prompt_tokens: 380,
            completion_tokens: 5
          }
        ]
      })
    ];
    render(
      <RowsTable client={client} trans={trans} evaluationId="evj-1" metrics={['exact_match', 'judge']} reloadKey="k" />
    );
    await waitFor(() => expect(screen.getByText('OCI 가상머신 서비스에 대해서 설명해줘')).toBeInTheDocument());
    const first = document.querySelector('[data-row-index="0"]') as HTMLElement;
    expect(within(first).getByText('0.875')).toBeInTheDocument();
    expect(first).toHaveTextContent('Judge 1: 4 — 핵심은 맞지만 가격이 빠졌습니다');
    expect(first).toHaveTextContent('Judge 2: 5 — 参考回答と同じ意味です');
    const second = document.querySelector('[data-row-index="1"]') as HTMLElement;
    expect(second).toHaveTextContent("Judge 2: not graded: the judge's reply holds no JSON object");
    fireEvent.click(screen.getByRole('button', { name: /Judge/ }));
    await expectFirstRowsPage(client, 'evj-1', { sort: 'judge', descending: false });
  });

  it('has no judge columns when no judge ran', async () => {
    const client = new FakeClient();
    render(<RowsTable client={client} trans={trans} evaluationId="evj-1" metrics={['rouge']} reloadKey="k" />);
    await waitFor(() => expect(document.querySelector('[data-row-index="0"]')).not.toBeNull());
    expect(document.querySelector('[data-score="judge"]')).toBeNull();
  });
});

describe('judge scores in the Compare view', () => {
  it('puts the judge scores after the others, each judge’s too, with the best marked as the server says', () => {
    const rows = overallRows({
      overall: { judge_2: { a: 0.5 }, judge: { a: 0.625, b: 0.75 }, rougeL: { a: 0.4, b: 0.3 }, judge_1: { a: 0.75 } },
      best: { judge: ['b'], rougeL: ['a'] }
    });
    expect(rows.map(row => row.key)).toEqual(['rougeL', 'judge', 'judge_1', 'judge_2']);
    expect(rows[1].best).toEqual(['b']);
    expect(rows.map(row => scoreLabel(row.key, trans))).toEqual(['ROUGE-L', 'Judge', 'Judge 1', 'Judge 2']);
    expect(formatScore('judge', 0.625)).toBe('0.625');
  });
});
