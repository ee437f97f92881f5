import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { EvaluationProvenance } from '../../api/types';
import { formatDateTime, formatInteger, shortHash } from '../../shared/format';
import { DetailSection } from '../../ui/DetailFrame';

/**
 * How the report was made, as report.json records it: the dataset as scored (rows, hash, the
 * sample and its seed), the metric libraries' versions, the aqua_ext version and the dates.
 * The model asked and the parameters are in the detail's lineage and parameters already.
 */
export function ProvenanceFacts(props: { provenance: EvaluationProvenance; trans: TranslationBundle }): JSX.Element {
  const { provenance: p, trans } = props;
  const versions = Object.entries(p.metric_versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return (
    <DetailSection className="jp-AquaExt-EvaluationDetail-provenance" title={trans.__('Provenance')}>
      <dl className="jp-AquaExt-ResourceDetail-facts">
        <dt>{trans.__('Dataset as scored')}</dt>
        <dd data-fact="dataset">
          {p.sample_size !== null && p.sample_size !== undefined
            ? trans.__(
                'a sample of %1 of %2 rows (seed %3)',
                formatInteger(p.sample_size),
                formatInteger(p.dataset_rows),
                String(p.sample_seed ?? 0)
              )
            : trans._n('%1 row', '%1 rows', p.dataset_rows)}{' '}
          <code className="jp-AquaExt-muted" title={p.dataset_sha256}>
            sha256 {shortHash(p.dataset_sha256)}
          </code>
        </dd>
        {versions && (
          <>
            <dt>{trans.__('Metric libraries')}</dt>
            <dd data-fact="metric-versions">{versions}</dd>
          </>
        )}
        {p.aqua_ext_version && (
          <>
            <dt>{trans.__('aqua_ext')}</dt>
            <dd data-fact="aqua-ext-version">{p.aqua_ext_version}</dd>
          </>
        )}
        {p.started_at && (
          <>
            <dt>{trans.__('Ran')}</dt>
            <dd data-fact="dates">
              {trans.__('%1 to %2', formatDateTime(p.started_at), formatDateTime(p.finished_at))}
            </dd>
          </>
        )}
      </dl>
    </DetailSection>
  );
}
