/** A report's judge section for the judge specs: two judges (a Korean name), the second with a row it could not grade. */
import type { EvaluationReport } from '../../../api/types';

export const JUDGED: NonNullable<EvaluationReport['judge']> = {
  rubric: 'correctness',
  rubric_text: '',
  scale: [1, 5],
  judges: [
    {
      name: '심판 모델',
      deployment_id: 'dep-2',
      connection_id: null,
      model: null,
      rows_scored: 3,
      rows_failed: 0,
      mean_score: 3.6667,
      prompt_tokens: 1200,
      completion_tokens: 90
    },
    {
      name: '사내 GPT · gpt-4o',
      deployment_id: null,
      connection_id: 'conn-1',
      model: 'gpt-4o',
      rows_scored: 2,
      rows_failed: 1,
      mean_score: 4,
      prompt_tokens: 1100,
      completion_tokens: 60
    }
  ],
  agreement: { rows: 2, exact: 0.5, kappa: 0.6, spearman: null },
  prompt_tokens: 2300,
  completion_tokens: 150
};
