import * as React from 'react';

import type {
  GenAiClusterResponse,
  GenAiEndpointResponse,
  GenAiFineTuneResponse,
  GenAiModelResponse
} from '../../api/types';
import { ClusterDialog } from './ClusterDialog';
import { EndpointDialog } from './EndpointDialog';
import type { IGenAiDialogProps } from './GenAiDialog';
import { GenAiFineTuneDialog } from './GenAiFineTuneDialog';
import { ImportModelDialog } from './ImportModelDialog';

/** Which Generative AI form is open, and what it starts from. */
export type GenAiDialogRequest =
  | { kind: 'import' }
  | { kind: 'cluster'; modelId?: string | null; type?: 'HOSTING' | 'FINE_TUNING' }
  | { kind: 'endpoint'; modelId?: string | null; clusterId?: string | null }
  | { kind: 'finetune'; baseModelId?: string | null; clusterId?: string | null };

/** What one of the forms created (each answers its resource and the operation that follows its work request). */
export type GenAiCreated =
  | { kind: 'import'; response: GenAiModelResponse }
  | { kind: 'cluster'; response: GenAiClusterResponse }
  | { kind: 'endpoint'; response: GenAiEndpointResponse }
  | { kind: 'finetune'; response: GenAiFineTuneResponse };

export interface IGenAiDialogsProps extends Omit<IGenAiDialogProps<never>, 'onCreated'> {
  request: GenAiDialogRequest;
  onCreated: (created: GenAiCreated) => void;
  /** Debounce of the cluster form's plan (tests use 0). */
  debounceMs?: number;
}

/** The Generative AI form a request asks for: the app opens them from the section, a model or a target picker. */
export function GenAiDialogs(props: IGenAiDialogsProps): JSX.Element {
  const { request, onCreated, debounceMs, ...common } = props;
  switch (request.kind) {
    case 'import':
      return <ImportModelDialog {...common} onCreated={response => onCreated({ kind: 'import', response })} />;
    case 'cluster':
      return (
        <ClusterDialog
          {...common}
          type={request.type}
          modelId={request.modelId}
          debounceMs={debounceMs}
          onCreated={response => onCreated({ kind: 'cluster', response })}
        />
      );
    case 'endpoint':
      return (
        <EndpointDialog
          {...common}
          modelId={request.modelId}
          clusterId={request.clusterId}
          onCreated={response => onCreated({ kind: 'endpoint', response })}
        />
      );
    case 'finetune':
      return (
        <GenAiFineTuneDialog
          {...common}
          baseModelId={request.baseModelId}
          clusterId={request.clusterId}
          onCreated={response => onCreated({ kind: 'finetune', response })}
        />
      );
  }
}
