import * as React from 'react';
import type { TranslationBundle } from '@jupyterlab/translation';

import { IMAGE_TYPES, type IImageAttachments } from './imageAttachments';

/** The composer's "Attach image" button (a file picker; a paste in the message box adds too) and the
 * thumbnails of the images waiting to be sent, each removable. */
export function ImageAttach(props: {
  attachments: IImageAttachments;
  trans: TranslationBundle;
  disabled?: boolean;
}): JSX.Element {
  const { attachments, trans } = props;
  const picker = React.useRef<HTMLInputElement>(null);
  return (
    <div className="jp-AquaExt-ImageAttach">
      <input
        ref={picker}
        type="file"
        accept={IMAGE_TYPES.join(',')}
        multiple
        hidden
        aria-label={trans.__('Image files')}
        onChange={event => {
          const files = Array.from(event.currentTarget.files ?? []);
          event.currentTarget.value = ''; // the same file may be picked again
          void attachments.add(files);
        }}
      />
      <button
        type="button"
        className="jp-AquaExt-linkButton jp-AquaExt-ImageAttach-button"
        disabled={props.disabled}
        title={trans.__('Attach PNG, JPEG, GIF or WebP images to the message (or paste one in the message box)')}
        onClick={() => picker.current?.click()}
      >
        {trans.__('Attach image')}
      </button>
      {attachments.images.length > 0 && (
        <ul className="jp-AquaExt-ImageAttach-list" aria-label={trans.__('Images to send')}>
          {attachments.images.map((image, index) => (
            <li key={`${index}-${image.name}`} className="jp-AquaExt-ImageAttach-item">
              <img className="jp-AquaExt-thumbnail" src={image.url} alt={image.name} />
              <button
                type="button"
                className="jp-AquaExt-linkButton"
                aria-label={trans.__('Remove %1', image.name)}
                onClick={() => attachments.remove(index)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {attachments.error && (
        <div className="jp-AquaExt-ImageAttach-error" role="alert">
          {attachments.error}
        </div>
      )}
    </div>
  );
}

/** The images of a user turn in the transcript, as thumbnails. */
export function TurnImages(props: { images?: readonly string[]; trans: TranslationBundle }): JSX.Element | null {
  if (!props.images?.length) {
    return null;
  }
  return (
    <div className="jp-AquaExt-Turn-images">
      {props.images.map((url, index) => (
        <img
          key={index}
          className="jp-AquaExt-thumbnail"
          src={url}
          alt={props.trans.__('Image %1 of the message', index + 1)}
        />
      ))}
    </div>
  );
}
