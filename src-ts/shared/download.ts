/** Saving a text the server answered (exported YAML, Terraform) as a file the browser downloads. */

/** Save `text` as `fileName` (tests pass a fake). */
export type DownloadText = (fileName: string, text: string) => void;

/** The browser's download: a Blob behind a temporary link, clicked once, then released. */
export const downloadText: DownloadText = (fileName, text) => {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.appendChild(link);
  try {
    link.click();
  } finally {
    link.remove();
    // The click starts the download synchronously; the URL can go once it has been read.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
};
