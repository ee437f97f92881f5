import { screen, within } from '@testing-library/react';

import { EvaluationsSection, type IEvaluationsSectionProps } from '../EvaluationsSection';
import { renderSection } from '../../../test-support/sections';
import {
  FakeClient,
  makeEvaluationReport,
  makeEvaluationRow,
  makeFinishedEvaluation
} from '../../../test-support/fixtures';
import { JUDGED } from './judgeFixtures';

describe('an evaluation graded by judges', () => {
  it('shows the judges, their score among the others, their tallies, and each row’s grades', async () => {
    const client = new FakeClient();
    // No category: no chart by category (this spec mocks no chart library).
    const report = makeEvaluationReport({ judge: JUDGED, categories: {} });
    report.overall.scores = { ...report.overall.scores, judge: 0.6875, judge_1: 0.667, judge_2: 0.75 };
    client.evaluations = [
      makeFinishedEvaluation({
        id: 'evj-1',
        name: '심판 평가',
        metrics: ['rouge', 'judge'],
        report,
        judge: {
          rubric: 'correctness',
          rubric_text: '',
          concurrency: 8,
          judges: JUDGED.judges.map(({ name, deployment_id, connection_id, model }) => ({
            name,
            deployment_id,
            connection_id,
            model
          }))
        }
      })
    ];
    client.evaluationRows = [
      makeEvaluationRow(0, {
        scores: { judge: 0.75 },
        judgements: [
          { judge: 0, score: 4, reason: '대체로 맞습니다', error: null, prompt_tokens: 400, completion_tokens: 30 }
        ]
      })
    ];
    renderSection<IEvaluationsSectionProps>(
      EvaluationsSection,
      { onNewEvaluation: jest.fn(), initial: 'evj-1' },
      client
    );
    const scores = await screen.findByRole('table', { name: 'Overall scores' });
    expect(within(scores).getByRole('row', { name: /^Judge 1/ })).toHaveTextContent('0.667');
    expect(within(scores).getByRole('row', { name: /^Judge 0/ })).toHaveTextContent('0–1, higher is better');
    expect(screen.getByText('심판 모델, 사내 GPT · gpt-4o (rubric correctness)')).toBeInTheDocument();
    const judges = screen.getByRole('table', { name: 'Judges' });
    expect(within(judges).getAllByRole('row')).toHaveLength(3);
    expect(screen.getByText(/Judge tokens in all: 2,300 prompt \+ 150 completion/)).toBeInTheDocument();
    const rows = await screen.findByRole('table', { name: 'Rows' });
    expect(await within(rows).findByText(/대체로 맞습니다/)).toBeInTheDocument();
  });
});
