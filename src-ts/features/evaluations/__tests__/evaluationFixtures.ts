/**
 * What several evaluation specs arrange or check alike: the dataset check's answer for a clean
 * prompt/completion file, and the first page of rows the rows table asks for.
 */
import { waitFor } from '@testing-library/react';

import type { DatasetReport, EvaluationRowsQuery } from '../../../api/types';
import { type FakeClient, makeDatasetReport } from '../../../test-support/fixtures';

/** The dataset check of an evaluation's file at `path`: {"prompt", "completion"} rows, no token count, no warning. */
export function instructionReport(path: string): DatasetReport {
  return makeDatasetReport({ path, format: 'instruction', tokens: null, warnings: [] });
}

/** The rows table asked last for the first page of 100 rows with `query` (a sort, a category). */
export async function expectFirstRowsPage(
  client: FakeClient,
  evaluationId: string,
  query: EvaluationRowsQuery = {}
): Promise<void> {
  await waitFor(() =>
    expect(client.getEvaluationRows).toHaveBeenLastCalledWith(evaluationId, { offset: 0, limit: 100, ...query })
  );
}
