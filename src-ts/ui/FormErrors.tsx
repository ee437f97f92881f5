import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { FieldError } from '../api/types';
import { SetupLink } from './SetupLink';

/**
 * What a form could not place under an input: field errors the form has no
 * input for, and a message for the whole request (404, 409, network), with
 * the way to the OCI setup check when `failure` is an authorization refusal.
 */
export function FormErrors(props: {
  fields: FieldError[];
  message: string | null;
  failure?: unknown;
  trans?: TranslationBundle;
}): JSX.Element {
  return (
    <>
      {props.fields.length > 0 && (
        <ul className="jp-AquaExt-FormErrors-list" role="alert" tabIndex={-1}>
          {props.fields.map((item, i) => (
            <li key={i}>
              {item.field ? `${item.field}: ` : ''}
              {item.message}
            </li>
          ))}
        </ul>
      )}
      {props.message && (
        <div className="jp-AquaExt-FormErrors-message" role="alert" tabIndex={-1}>
          {props.message}
          {props.trans && <SetupLink error={props.failure} trans={props.trans} />}
        </div>
      )}
    </>
  );
}
