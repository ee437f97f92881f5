/**
 * Datasets as files of the Jupyter root: which files are datasets, and the
 * upload of a file from the user's computer into `datasets/` through the
 * contents manager (in 1 MiB chunks past that size, as JupyterLab's own
 * uploader does, so a large JSONL file never travels in one request).
 */
import type { Contents } from '@jupyterlab/services';

/** Where uploaded datasets go, relative to the Jupyter root. */
export const DATASET_FOLDER = 'datasets';
/** Chunk size of large uploads (what JupyterLab's file browser uses). */
export const CHUNK_SIZE = 1024 * 1024;

const DATASET_FILE = /\.(jsonl|ndjson)$/i;

/** A JSON Lines file, by its name. */
export function isDatasetFile(name: string): boolean {
  return DATASET_FILE.test(name);
}

/** The part of the contents manager an upload needs (a fake in tests). */
export type IContentsLike = Pick<Contents.IManager, 'get' | 'save'>;

/** A file name safe to put in a path: no folders, no control characters, not hidden. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const printable = [...base].filter(char => char.charCodeAt(0) >= 0x20 && char.charCodeAt(0) !== 0x7f).join('');
  const cleaned = printable.replace(/^\.+/, '').trim();
  return cleaned || 'dataset.jsonl';
}

/** `name`, then `stem-1.ext`, `stem-2.ext`… for a free name next to existing files. */
export function candidateName(name: string, attempt: number): string {
  if (attempt === 0) {
    return name;
  }
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}-${attempt}${name.slice(dot)}` : `${name}-${attempt}`;
}

function isNotFound(error: unknown): boolean {
  const status = (error as { response?: { status?: number } } | null)?.response?.status;
  return status === 404;
}

async function exists(contents: IContentsLike, path: string): Promise<boolean> {
  try {
    await contents.get(path, { content: false });
    return true;
  } catch (error) {
    if (isNotFound(error)) {
      return false;
    }
    throw error;
  }
}

/** The base64 content of a blob. */
export async function blobToBase64(blob: Blob): Promise<string> {
  if (typeof blob.arrayBuffer === 'function') {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let binary = '';
    // In slices: String.fromCharCode takes its arguments on the stack.
    for (let start = 0; start < bytes.length; start += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
    }
    return btoa(binary);
  }
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const result = String(reader.result ?? '');
      resolve(result.slice(result.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read.'));
    reader.readAsDataURL(blob);
  });
}

export interface IUploadOptions {
  /** Folder relative to the Jupyter root (created when missing). */
  folder?: string;
  /** Called with the fraction sent so far (0..1). */
  onProgress?: (fraction: number) => void;
}

/**
 * Save a file from the user's computer into the Jupyter root's dataset
 * folder under a free name, and return its path (relative to the root).
 * An existing file is never overwritten: `data.jsonl` becomes `data-1.jsonl`.
 */
export async function uploadDataset(
  file: Blob & { name: string },
  contents: IContentsLike,
  options: IUploadOptions = {}
): Promise<string> {
  const folder = (options.folder ?? DATASET_FOLDER).replace(/^\/+|\/+$/g, '');
  if (folder && !(await exists(contents, folder))) {
    await contents.save(folder, { type: 'directory' });
  }
  const name = safeFileName(file.name);
  let path = '';
  for (let attempt = 0; attempt < 1000; attempt++) {
    const candidate = folder ? `${folder}/${candidateName(name, attempt)}` : candidateName(name, attempt);
    if (!(await exists(contents, candidate))) {
      path = candidate;
      break;
    }
  }
  if (!path) {
    throw new Error(`No free name for ${name} in ${folder || 'the Jupyter root'}.`);
  }
  const fileName = path.split('/').pop() ?? name;
  if (file.size <= CHUNK_SIZE) {
    const content = await blobToBase64(file);
    const saved = await contents.save(path, { type: 'file', format: 'base64', name: fileName, content });
    options.onProgress?.(1);
    return saved.path || path;
  }
  let saved: Contents.IModel | null = null;
  for (let start = 0; start < file.size; start += CHUNK_SIZE) {
    const end = Math.min(start + CHUNK_SIZE, file.size);
    const last = end >= file.size;
    const content = await blobToBase64(file.slice(start, end));
    // Jupyter Server's chunked save: 1, 2, … and -1 for the last chunk.
    const chunk = last ? -1 : start / CHUNK_SIZE + 1;
    saved = await contents.save(path, { type: 'file', format: 'base64', name: fileName, content, chunk });
    options.onProgress?.(end / file.size);
  }
  return saved?.path || path;
}
