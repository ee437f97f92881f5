import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { ModelSummary } from '../../api/types';
import { Badge } from '../../ui/Badge';
import { capabilityLabel, formatLabel, sourceLabel } from './labels';

export interface IModelBadgesProps {
  model: ModelSummary;
  trans: TranslationBundle;
  /** Also show one badge per weight format. */
  showFormats?: boolean;
}

/** Source badge, with demo models clearly marked as having random weights. */
export function SourceBadge(props: { model: ModelSummary; trans: TranslationBundle }): JSX.Element {
  const { model, trans } = props;
  if (model.source === 'demo') {
    return (
      <Badge
        variant="warn"
        className="jp-AquaExt-Badge-demo"
        title={trans.__('Generated offline with random weights: it runs every flow but its answers are gibberish.')}
      >
        {trans.__('Demo · random weights')}
      </Badge>
    );
  }
  return (
    <Badge variant={model.source === 'catalog' ? 'muted' : 'accent'} className="jp-AquaExt-Badge-source">
      {sourceLabel(model.source, trans)}
    </Badge>
  );
}

/** Capability, source, gated and (optionally) format badges of a model. */
export function ModelBadges(props: IModelBadgesProps): JSX.Element {
  const { model, trans } = props;
  return (
    <span className="jp-AquaExt-ModelBadges">
      <Badge className="jp-AquaExt-Badge-capability">{capabilityLabel(model.capability, trans)}</Badge>
      <SourceBadge model={model} trans={trans} />
      {model.gated && (
        <Badge
          variant="warn"
          className="jp-AquaExt-Badge-gated"
          title={trans.__('Gated on Hugging Face: accept the license there and register it with a token.')}
        >
          {trans.__('Gated')}
        </Badge>
      )}
      {props.showFormats &&
        model.formats.map(format => (
          <Badge key={format} variant="muted" className="jp-AquaExt-Badge-format">
            {formatLabel(format)}
          </Badge>
        ))}
    </span>
  );
}
