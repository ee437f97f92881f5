/**
 * Images attached to a chat turn: read from a file picker or a paste as data: URLs, sent as
 * OpenAI image parts. Offered only when the deployment's `chat_inputs` (the server's rule) has
 * "image"; the server checks each image again (type, base64, size) and refuses what it would not send.
 */
import * as React from 'react';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { ChatInput } from '../../api/types';

/** The image types the engines read (and the server takes). */
export const IMAGE_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
/** The server's cap per image, decoded (services/chat_images.py): checked here to say so before reading. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
/** At most this many images wait to be sent with one message (the server takes 32 content parts). */
export const MAX_IMAGES = 8;

export interface IImageAttachment {
  name: string;
  /** A data: URL (data:image/png;base64,…). */
  url: string;
}

/** Whether a turn with this subject may hold images: the server's `chat_inputs`, never a guess here. */
export function takesImages(subject: { chat_inputs?: ChatInput[] } | null | undefined): boolean {
  return !!subject?.chat_inputs?.includes('image');
}

/** Why this file cannot be attached, or null. */
export function imageFileProblem(file: Pick<File, 'name' | 'type' | 'size'>, trans: TranslationBundle): string | null {
  if (!IMAGE_TYPES.includes(file.type)) {
    return trans.__('%1 is not a PNG, JPEG, GIF or WebP image.', file.name || trans.__('The pasted file'));
  }
  if (file.size > MAX_IMAGE_BYTES) {
    return trans.__(
      '%1 is %2 MB; an image may be at most %3 MB.',
      file.name || trans.__('The pasted image'),
      (file.size / 2 ** 20).toFixed(1),
      MAX_IMAGE_BYTES / 2 ** 20
    );
  }
  return null;
}

/** The file as a data: URL (its bytes as base64, built in slices: String.fromCharCode takes bounded arguments). */
export async function readImageFile(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  }
  return `data:${file.type};base64,${btoa(binary)}`;
}

/** The image files of a paste (or a drop); other items (text) are left to the text box. */
export function imageFilesOf(data: Pick<DataTransfer, 'files'> | null): File[] {
  return Array.from(data?.files ?? []).filter(file => file.type.startsWith('image/'));
}

export interface IImageAttachments {
  images: IImageAttachment[];
  /** Why the last files could not be attached (null: they were). */
  error: string | null;
  add: (files: readonly File[]) => Promise<void>;
  remove: (index: number) => void;
  clear: () => void;
}

/** The images waiting to be sent with the next message. */
export function useImageAttachments(trans: TranslationBundle): IImageAttachments {
  const [images, setImages] = React.useState<IImageAttachment[]>([]);
  const [error, setError] = React.useState<string | null>(null);
  const add = React.useCallback(
    async (files: readonly File[]) => {
      const problems: string[] = [];
      const read: IImageAttachment[] = [];
      for (const file of files) {
        const problem = imageFileProblem(file, trans);
        if (problem) {
          problems.push(problem);
          continue;
        }
        try {
          read.push({ name: file.name || trans.__('Pasted image'), url: await readImageFile(file) });
        } catch {
          problems.push(trans.__('%1 could not be read.', file.name));
        }
      }
      setImages(previous => {
        const next = [...previous, ...read];
        if (next.length > MAX_IMAGES) {
          problems.push(trans.__('At most %1 images go with one message.', MAX_IMAGES));
        }
        return next.slice(0, MAX_IMAGES);
      });
      setError(problems.length ? problems.join(' ') : null);
    },
    [trans]
  );
  const remove = React.useCallback((index: number) => {
    setImages(previous => previous.filter((_, i) => i !== index));
    setError(null);
  }, []);
  const clear = React.useCallback(() => {
    setImages([]);
    setError(null);
  }, []);
  return { images, error, add, remove, clear };
}
