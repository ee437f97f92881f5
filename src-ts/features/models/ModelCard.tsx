import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { ModelSummary } from '../../api/types';
import { formatBytes, formatParams } from '../../shared/format';
import { Badge } from '../../ui/Badge';
import { TargetBadge } from '../../ui/Targets';
import { formatLabel } from './labels';
import { ModelBadges } from './ModelBadges';

export interface IModelCardProps {
  model: ModelSummary;
  trans: TranslationBundle;
  onOpen: (modelId: string) => void;
  style?: React.CSSProperties;
}

/** One model in the explorer's grid; Enter, Space or a click opens its detail. */
export const ModelCard = React.memo(function ModelCard(props: IModelCardProps): JSX.Element {
  const { model, trans, onOpen } = props;
  const meta = [model.organization, model.license].filter(Boolean).join(' · ');
  const onKeyDown = (event: React.KeyboardEvent<HTMLDivElement>): void => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onOpen(model.id);
    }
  };
  return (
    <div
      className="jp-AquaExt-ModelCard"
      role="button"
      tabIndex={0}
      aria-label={model.name}
      data-model-id={model.id}
      style={props.style}
      onClick={() => onOpen(model.id)}
      onKeyDown={onKeyDown}
    >
      <div className="jp-AquaExt-ModelCard-header">
        <span className="jp-AquaExt-ModelCard-name" title={model.name}>
          {model.name}
        </span>
        <TargetBadge target={model.target} />
      </div>
      <div className="jp-AquaExt-ModelCard-meta" title={meta}>
        {meta || model.hf_id || '\u00a0'}
      </div>
      <ModelBadges model={model} trans={trans} />
      <div className="jp-AquaExt-ModelCard-description" title={model.description}>
        {model.description}
      </div>
      <div className="jp-AquaExt-ModelCard-footer">
        <span className="jp-AquaExt-ModelCard-stat" title={trans.__('Parameters')}>
          {model.parameter_count !== null
            ? trans.__('%1 params', formatParams(model.parameter_count))
            : trans.__('params unknown')}
        </span>
        <span className="jp-AquaExt-ModelCard-stat" title={trans.__('Size on disk')}>
          {formatBytes(model.size_bytes)}
        </span>
        <span className="jp-AquaExt-ModelCard-formats">
          {model.formats.map(format => (
            <Badge key={format} variant="muted" className="jp-AquaExt-Badge-format">
              {formatLabel(format)}
            </Badge>
          ))}
        </span>
      </div>
    </div>
  );
});
